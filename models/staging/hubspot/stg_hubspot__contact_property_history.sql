with

source as (

    select * from {{ handoff_source('hubspot', 'contact_property_history') }}
    where {{ crm_enabled('hubspot') }}

),

renamed as (

    select
        nullif(trim(contact_id), '') as contact_id,
        nullif(trim(property), '') as property_name,
        nullif(trim(value), '') as property_value,
        cast(timestamp as {{ dbt.type_timestamp() }}) as changed_at,
        nullif(trim(source), '') as change_source,

        -- lineage: which delivery this version came from
        _batch_id as batch_id,
        _source_line as source_line,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at

    from source

),

latest_versions as (

    -- several batches may deliver the same event: keep the latest-loaded copy
    {{ latest_version('renamed', ['contact_id', 'property_name', 'changed_at'], updated_at=none, is_deleted=none) }}

),

final as (

    select
        contact_id,
        property_name,
        property_value,
        changed_at,
        change_source,
        batch_id,
        loaded_at

    from latest_versions

)

select * from final
