with

source as (

    select * from {{ handoff_source('hubspot', 'engagements') }}
    where {{ crm_enabled('hubspot') }}

),

renamed as (

    select
        nullif(trim(hs_object_id), '') as engagement_id,
        upper(replace(nullif(trim(type), ''), ' ', '_')) as engagement_type,
        cast(hs_timestamp as {{ dbt.type_timestamp() }}) as occurred_at,
        nullif(trim(hubspot_owner_id), '') as owner_id,
        nullif(trim(contact_ids), '') as contact_ids,
        cast(hs_createdate as {{ dbt.type_timestamp() }}) as created_at,
        cast(hs_lastmodifieddate as {{ dbt.type_timestamp() }}) as updated_at,
        nullif(trim(hs_task_status), '') as task_status,

        -- lineage: which delivery this version came from
        _batch_id as batch_id,
        _source_line as source_line,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at,

        -- deletion flag (archived, or the connector's _fivetran_deleted): filters below
        coalesce(cast(archived as {{ dbt.type_boolean() }}), false) as is_deleted

    from source

),

latest_versions as (

    -- several batches may deliver the same record: keep the latest version
    -- (a record whose latest version is deleted disappears)
    {{ latest_version('renamed', ['engagement_id']) }}

),

final as (

    select
        engagement_id,
        engagement_type,
        occurred_at,
        owner_id,
        contact_ids,
        created_at,
        updated_at,
        task_status,
        batch_id,
        loaded_at

    from latest_versions

)

select * from final
