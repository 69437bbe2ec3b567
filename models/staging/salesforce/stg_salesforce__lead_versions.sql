{#-
    Every delivered version of a lead's stage fields, not only the latest: the raw
    layer keeps each extract's copy, so successive versions show status changes
    that LeadHistory does not track (int_lead_stage_events; docs/definitions.md, "Funnel").
-#}
with

source as (

    select * from {{ handoff_source('salesforce', 'lead') }}
    where {{ crm_enabled('salesforce') }}

),

renamed as (

    select
        nullif(trim(id), '') as lead_id,
        nullif(trim(status), '') as status,
        nullif(trim(owner_id), '') as owner_id,
        cast(is_converted as {{ dbt.type_boolean() }}) as is_converted,
        cast(last_modified_date as {{ dbt.type_timestamp() }}) as updated_at,

        -- lineage: which delivery this version came from
        _batch_id as batch_id,
        _source_file as source_file,
        _source_line as source_line,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at,

        coalesce(cast(is_deleted as {{ dbt.type_boolean() }}), false) as is_deleted

    from source

),

final as (

    select
        {{ surrogate_key(
            ['lead_id', 'batch_id', 'loaded_at', 'source_file', 'source_line']
        ) }} as lead_version_id,
        lead_id,
        status,
        owner_id,
        is_converted,
        updated_at,
        batch_id,
        loaded_at,
        source_line

    from (
        select
            *,
            -- A batch delivered again with corrected content (same folder, new
            -- files) is a new load: its copy of a record replaces the earlier load's.
            max(loaded_at) over (partition by lead_id, batch_id) as batch_latest_load_at
        from renamed
    ) as loads

    where
        loaded_at = batch_latest_load_at
        and lead_id is not null
        -- a deletion tombstone is no stage of its own
        and not is_deleted

)

select * from final
