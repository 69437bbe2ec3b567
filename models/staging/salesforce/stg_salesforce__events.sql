with

source as (

    select * from {{ handoff_source('salesforce', 'event') }}
    where {{ crm_enabled('salesforce') }}

),

renamed as (

    select
        nullif(trim(id), '') as event_id,
        nullif(trim(who_id), '') as person_id,
        nullif(trim(what_id), '') as related_record_id,
        nullif(trim(owner_id), '') as owner_id,
        nullif(trim(type), '') as event_type,
        nullif(trim(event_subtype), '') as event_subtype,
        nullif(trim(subject), '') as subject,
        cast(created_date as {{ dbt.type_timestamp() }}) as created_at,
        cast(start_date_time as {{ dbt.type_timestamp() }}) as started_at,
        cast(activity_date_time as {{ dbt.type_timestamp() }}) as activity_at,
        cast(activity_date as date) as activity_date,
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
    {{ latest_version('renamed', ['event_id']) }}

),

final as (

    select
        event_id,
        person_id,
        related_record_id,
        owner_id,
        event_type,
        event_subtype,
        subject,
        created_at,
        started_at,
        activity_at,
        activity_date,
        updated_at,
        batch_id,
        loaded_at

    from latest_versions

)

select * from final
