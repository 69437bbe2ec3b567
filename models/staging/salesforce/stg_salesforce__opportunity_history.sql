with

source as (

    select * from {{ handoff_source('salesforce', 'opportunity_history') }}
    where {{ crm_enabled('salesforce') }}

),

renamed as (

    select
        coalesce(
            nullif(trim(id), ''),
            {{ surrogate_key([
                'opportunity_id',
                'created_date',
                'stage_name',
                'amount',
                'close_date',
            ]) }}
        ) as opportunity_history_id,
        nullif(trim(opportunity_id), '') as opportunity_id,
        nullif(trim(stage_name), '') as stage_name,
        cast(amount as {{ dbt.type_numeric() }}) as amount,
        cast(close_date as date) as close_date,
        cast(created_date as {{ dbt.type_timestamp() }}) as changed_at,

        -- lineage: which delivery this version came from
        _batch_id as batch_id,
        _source_line as source_line,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at,

        -- deletion flag (is_deleted, or the connector's _fivetran_deleted): filters below
        coalesce(cast(is_deleted as {{ dbt.type_boolean() }}), false) as is_deleted

    from source

),

latest_versions as (

    -- several batches may deliver the same record: keep the latest version
    -- (a record whose latest version is deleted disappears)
    {{ latest_version('renamed', ['opportunity_history_id'], updated_at=none) }}

),

final as (

    select
        opportunity_history_id,
        opportunity_id,
        stage_name,
        amount,
        close_date,
        changed_at,
        batch_id,
        loaded_at

    from latest_versions

)

select * from final
