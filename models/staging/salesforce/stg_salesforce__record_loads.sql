{#-
    Every delivered version of the Salesforce records a lead's SLA figures depend on,
    reduced to when it was loaded (README, "Incremental builds"): one row per raw row
    of lead, lead history, opportunity, opportunity history, task and event, with
    the record's id and the id of the person (or opportunity) it concerns.
    `int_incremental_leads` reads it to find the leads a new batch touched, so the
    raw tables are read in staging only. A view: it is read once per build, and a
    table would copy every raw row.
-#}
{{ config(materialized='view') }}
with

lead_loads as (

    select
        cast('lead' as {{ dbt.type_string() }}) as object_name,
        trim(id) as record_id,
        trim(id) as person_id,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at

    from {{ handoff_source('salesforce', 'lead') }}

    where {{ crm_enabled('salesforce') }}

),

lead_history_loads as (

    select
        cast('lead_history' as {{ dbt.type_string() }}) as object_name,
        trim(lead_id) as record_id,
        trim(lead_id) as person_id,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at

    from {{ handoff_source('salesforce', 'lead_history') }}

    where {{ crm_enabled('salesforce') }}

),

opportunity_loads as (

    select
        cast('opportunity' as {{ dbt.type_string() }}) as object_name,
        trim(id) as record_id,
        trim(id) as person_id,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at

    from {{ handoff_source('salesforce', 'opportunity') }}

    where {{ crm_enabled('salesforce') }}

),

opportunity_history_loads as (

    select
        cast('opportunity_history' as {{ dbt.type_string() }}) as object_name,
        trim(opportunity_id) as record_id,
        trim(opportunity_id) as person_id,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at

    from {{ handoff_source('salesforce', 'opportunity_history') }}

    where {{ crm_enabled('salesforce') }}

),

task_loads as (

    select
        cast('task' as {{ dbt.type_string() }}) as object_name,
        trim(id) as record_id,
        trim(who_id) as person_id,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at

    from {{ handoff_source('salesforce', 'task') }}

    where {{ crm_enabled('salesforce') }}

),

event_loads as (

    select
        cast('event' as {{ dbt.type_string() }}) as object_name,
        trim(id) as record_id,
        trim(who_id) as person_id,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at

    from {{ handoff_source('salesforce', 'event') }}

    where {{ crm_enabled('salesforce') }}

),

final as (

    select * from lead_loads
    union all
    select * from lead_history_loads
    union all
    select * from opportunity_loads
    union all
    select * from opportunity_history_loads
    union all
    select * from task_loads
    union all
    select * from event_loads

)

select * from final
