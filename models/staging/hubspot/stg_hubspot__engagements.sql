with

source as (

    select * from {{ source('hubspot', 'engagements') }}
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

versions as (

    -- a version without a last-modified time (a deletion tombstone, an export
    -- lacking the column) ranks at the record's newest known time, so that
    -- delivery order decides between it and the newest dated version
    select
        *,
        coalesce(
            updated_at,
            max(updated_at) over (partition by engagement_id)
        ) as version_updated_at

    from renamed

),

versions_ranked as (

    -- several batches may deliver the same record: keep the latest version
    select
        *,
        row_number() over (
            partition by engagement_id
            order by
                version_updated_at desc,
                loaded_at desc,
                batch_id desc,
                source_line desc
        ) as version_number

    from versions

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

    from versions_ranked

    where
        version_number = 1
        -- a record whose latest version is deleted disappears
        and not is_deleted

)

select * from final
