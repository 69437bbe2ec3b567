with

source as (

    select * from {{ handoff_source('salesforce', 'opportunity') }}
    where {{ crm_enabled('salesforce') }}

),

renamed as (

    select
        nullif(trim(id), '') as opportunity_id,
        nullif(trim(account_id), '') as account_id,
        nullif(trim(owner_id), '') as owner_id,
        nullif(trim(name), '') as opportunity_name,
        nullif(trim(stage_name), '') as stage_name,
        cast(amount as {{ dbt.type_numeric() }}) as amount,
        cast(created_date as {{ dbt.type_timestamp() }}) as created_at,
        cast(close_date as date) as close_date,
        cast(is_closed as {{ dbt.type_boolean() }}) as is_closed,
        cast(is_won as {{ dbt.type_boolean() }}) as is_won,
        nullif(trim(lead_source), '') as lead_source,
        nullif(trim(campaign_id), '') as campaign_id,
        cast(last_modified_date as {{ dbt.type_timestamp() }}) as updated_at,

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
    {{ latest_version('renamed', ['opportunity_id']) }}

),

final as (

    select
        opportunity_id,
        account_id,
        owner_id,
        opportunity_name,
        stage_name,
        amount,
        created_at,
        close_date,
        is_closed,
        is_won,
        lead_source,
        campaign_id,
        updated_at,
        batch_id,
        loaded_at

    from latest_versions

)

select * from final
