with

source as (

    select * from {{ handoff_source('salesforce', 'lead_history') }}
    where {{ crm_enabled('salesforce') }}

),

renamed as (

    select
        coalesce(
            nullif(trim(id), ''),
            {{ surrogate_key([
                'lead_id',
                'field',
                'created_date',
                'old_value',
                'new_value',
            ]) }}
        ) as lead_history_id,
        nullif(trim(lead_id), '') as lead_id,
        nullif(trim(field), '') as field_name,
        nullif(trim(old_value), '') as old_value,
        nullif(trim(new_value), '') as new_value,
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
    {{ latest_version('renamed', ['lead_history_id'], updated_at=none) }}

),

final as (

    select
        lead_history_id,
        lead_id,
        field_name,
        old_value,
        new_value,
        changed_at,
        batch_id,
        loaded_at

    from latest_versions

)

select * from final
