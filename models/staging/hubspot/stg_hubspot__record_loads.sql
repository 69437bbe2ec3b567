{#-
    Every delivered version of the HubSpot records a lead's SLA figures depend on,
    reduced to when it was loaded (README, "Incremental builds"): one row per raw row
    of contacts, contact property history and engagements, with the record's id and
    the contacts it concerns (`person_ids`: one id, or an engagement's `;`-separated
    associated contacts, as delivered). `int_incremental_leads` reads it to find the
    leads a new batch touched, so the raw tables are read in staging only. A view: it
    is read once per build, and a table would copy every raw row.
-#}
{{ config(materialized='view') }}
with

contacts_loads as (

    select
        cast('contacts' as {{ dbt.type_string() }}) as object_name,
        trim(hs_object_id) as record_id,
        trim(hs_object_id) as person_ids,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at

    from {{ handoff_source('hubspot', 'contacts') }}

    where {{ crm_enabled('hubspot') }}

),

contact_property_history_loads as (

    select
        cast('contact_property_history' as {{ dbt.type_string() }}) as object_name,
        trim(contact_id) as record_id,
        trim(contact_id) as person_ids,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at

    from {{ handoff_source('hubspot', 'contact_property_history') }}

    where {{ crm_enabled('hubspot') }}

),

engagements_loads as (

    select
        cast('engagements' as {{ dbt.type_string() }}) as object_name,
        trim(hs_object_id) as record_id,
        -- HubSpot exports separate associations with `;`, some tools with `,`
        replace(contact_ids, ',', ';') as person_ids,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at

    from {{ handoff_source('hubspot', 'engagements') }}

    where {{ crm_enabled('hubspot') }}

),

final as (

    select * from contacts_loads
    union all
    select * from contact_property_history_loads
    union all
    select * from engagements_loads

)

select * from final
