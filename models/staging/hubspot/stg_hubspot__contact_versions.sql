{#-
    Every delivered version of a contact's stage fields, not only the latest: the
    raw layer keeps each extract's copy, so successive versions show lifecycle
    stage and lead status changes when no property history is delivered
    (int_lead_stage_events; docs/definitions.md, "Funnel").
-#}
with

source as (

    select * from {{ handoff_source('hubspot', 'contacts') }}
    where {{ crm_enabled('hubspot') }}

),

renamed as (

    select
        nullif(trim(hs_object_id), '') as contact_id,
        nullif(trim(lifecyclestage), '') as lifecycle_stage,
        nullif(trim(hs_lead_status), '') as lead_status,
        cast(lastmodifieddate as {{ dbt.type_timestamp() }}) as updated_at,

        -- lineage: which delivery this version came from
        _batch_id as batch_id,
        _source_file as source_file,
        _source_line as source_line,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at,

        coalesce(cast(archived as {{ dbt.type_boolean() }}), false) as is_deleted

    from source

),

final as (

    select
        {{ surrogate_key(
            ['contact_id', 'batch_id', 'loaded_at', 'source_file', 'source_line']
        ) }} as contact_version_id,
        contact_id,
        lifecycle_stage,
        lead_status,
        updated_at,
        batch_id,
        loaded_at,
        source_line

    from (
        select
            *,
            -- A batch delivered again with corrected content (same folder, new
            -- files) is a new load: its copy of a record replaces the earlier load's.
            max(loaded_at) over (partition by contact_id, batch_id) as batch_latest_load_at
        from renamed
    ) as loads

    where
        loaded_at = batch_latest_load_at
        and contact_id is not null
        -- an archived (deleted) copy is no stage of its own
        and not is_deleted

)

select * from final
