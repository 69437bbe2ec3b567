with

source as (

    select * from {{ handoff_source('salesforce', 'campaign') }}
    where {{ crm_enabled('salesforce') }}

),

renamed as (

    select
        nullif(trim(id), '') as campaign_id,
        nullif(trim(name), '') as campaign_name,
        nullif(trim(type), '') as campaign_type,
        nullif(trim(status), '') as campaign_status,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(is_active as {{ dbt.type_boolean() }}) as is_active,
        cast(created_date as {{ dbt.type_timestamp() }}) as created_at,
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
    {{ latest_version('renamed', ['campaign_id']) }}

),

final as (

    select
        campaign_id,
        campaign_name,
        campaign_type,
        campaign_status,
        start_date,
        end_date,
        is_active,
        created_at,
        updated_at,
        batch_id,
        loaded_at

    from latest_versions

)

select * from final
