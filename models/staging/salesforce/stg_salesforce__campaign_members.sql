with

source as (

    select * from {{ handoff_source('salesforce', 'campaign_member') }}
    where {{ crm_enabled('salesforce') }}

),

renamed as (

    select
        nullif(trim(id), '') as campaign_member_id,
        nullif(trim(campaign_id), '') as campaign_id,
        nullif(trim(lead_id), '') as lead_id,
        nullif(trim(contact_id), '') as contact_id,
        nullif(trim(status), '') as member_status,
        cast(has_responded as {{ dbt.type_boolean() }}) as has_responded,
        cast(first_responded_date as date) as first_responded_date,
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
    {{ latest_version('renamed', ['campaign_member_id']) }}

),

final as (

    select
        campaign_member_id,
        campaign_id,
        lead_id,
        contact_id,
        member_status,
        has_responded,
        first_responded_date,
        created_at,
        updated_at,
        batch_id,
        loaded_at

    from latest_versions

)

select * from final
