with

source as (

    select * from {{ source('hubspot', 'contact_property_history') }}
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

versions_ranked as (

    -- several batches may deliver the same event: keep the latest-loaded copy
    select
        *,
        row_number() over (
            partition by contact_id, property_name, changed_at
            order by
                loaded_at desc,
                batch_id desc,
                source_line desc
        ) as version_number

    from renamed

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

    from versions_ranked

    where
        version_number = 1

)

select * from final
