{#-
    Which leads this run must rebuild in the lead-keyed incremental models
    (README "Incremental builds"): one row per current lead (plus, flagged
    not is_current, leads of the previous run that no longer exist), is_affected
    when anything it depends on may have changed since the previous run, as
    recorded by int_incremental_state at that run's end:

    - a raw row loaded after the previous run (_loaded_at) on one of its records:
      its Salesforce lead, converted contact or opportunity, LeadHistory or
      OpportunityHistory, a Task or Event on it (any version of the activity, so
      an activity moved to another lead or deleted counts for both), its HubSpot
      contact, property history or an engagement naming it;
    - its row of int_leads_unioned or int_lead_attributes differs (identity merged
      or split, firmographics, offer, channel, fit), or it is new or gone;
    - an activity of it falls between the previous and this run's as-of (whether
      it counts as a touch yet depends on the as-of);
    - everything, when the owners, business calendar, stage map or SLA policies
      changed, when there is no previous state, or with --full-refresh.
-#}
{%- set state = none -%}
{%- set activities = none -%}
{%- if execute and not flags.FULL_REFRESH -%}
    {%- set state = adapter.get_relation(
        database=this.database, schema=this.schema, identifier='int_incremental_state'
    ) -%}
    {%- set activities = adapter.get_relation(
        database=this.database, schema=this.schema, identifier='int_sales_activities'
    ) -%}
{%- endif -%}

with

leads as (

    select * from {{ ref('int_leads_unioned') }}

),

lead_attributes as (

    select * from {{ ref('int_lead_attributes') }}

),

owners as (

    select * from {{ ref('int_owners') }}

),

business_calendar as (

    select * from {{ ref('int_business_calendar') }}

),

stage_map as (

    select * from {{ ref('lifecycle_stage_map') }}

),

sla_policy as (

    select * from {{ ref('sla_policy') }}

),

salesforce_loads as (

    select * from {{ ref('stg_salesforce__record_loads') }}

),

hubspot_loads as (

    select * from {{ ref('stg_hubspot__record_loads') }}

),

current_leads as (

    select
        leads.lead_id,
        leads.hubspot_contact_id,
        leads.salesforce_lead_id,
        leads.converted_contact_id,
        leads.converted_opportunity_id,
        md5({{ row_fingerprint('leads') }} || coalesce({{ row_fingerprint('lead_attributes') }}, ''))
            as lead_fingerprint

    from leads

    left join lead_attributes
        on leads.lead_id = lead_attributes.lead_id

),

global_rows as (

    select {{ row_fingerprint('owners') }} as fingerprint from owners
    union all
    select {{ row_fingerprint('business_calendar') }} as fingerprint from business_calendar
    union all
    select {{ row_fingerprint('stage_map') }} as fingerprint from stage_map
    union all
    select {{ row_fingerprint('sla_policy') }} as fingerprint from sla_policy

),

run_now as (

    select
        md5({{ dbt.listagg('fingerprint', "','", 'order by fingerprint') }}) as globals_fingerprint,
        {{ as_of_timestamp() }} as as_of_at,
        (
            select max(loaded_at) from (
                select loaded_at from salesforce_loads
                union all
                select loaded_at from hubspot_loads
            ) as raw_loads
        ) as loaded_through

    from global_rows

),

previous_leads as (

    {% if state is not none %}
        select
            lead_id,
            lead_fingerprint,
            globals_fingerprint,
            as_of_at,
            loaded_through

        from {{ state }}
    {% else %}
        -- no previous state (first build, --full-refresh): every lead is affected
        select
            cast(null as {{ dbt.type_string() }}) as lead_id,
            cast(null as {{ dbt.type_string() }}) as lead_fingerprint,
            cast(null as {{ dbt.type_string() }}) as globals_fingerprint,
            cast(null as {{ dbt.type_timestamp() }}) as as_of_at,
            cast(null as {{ dbt.type_timestamp() }}) as loaded_through

        where 1 = 0
    {% endif %}

),

previous_run as (

    select
        max(globals_fingerprint) as globals_fingerprint,
        max(as_of_at) as as_of_at,
        max(loaded_through) as loaded_through

    from previous_leads

),

{#- raw rows delivered after the previous run, and every version of those records -#}
{%- set since = "loaded_at > (select loaded_through from previous_run)" %}

new_salesforce_activities as (

    select record_id as activity_id

    from salesforce_loads

    where object_name in ('task', 'event') and {{ since }}

),

new_salesforce_keys as (

    select person_id as record_id

    from salesforce_loads

    where
        object_name in ('lead', 'lead_history', 'opportunity', 'opportunity_history')
        and {{ since }}

    union

    select person_id as record_id

    from salesforce_loads

    where
        object_name in ('task', 'event')
        and record_id in (select activity_id from new_salesforce_activities)

),

new_engagement_contact_ids as (

    select {{ split_to_rows("person_ids", "';'") }} as contact_id

    from hubspot_loads

    where
        object_name = 'engagements'
        and record_id in (
            select new_engagements.record_id from hubspot_loads as new_engagements
            where new_engagements.object_name = 'engagements' and {{ since }}
        )

),

new_hubspot_keys as (

    select person_ids as record_id

    from hubspot_loads

    where object_name in ('contacts', 'contact_property_history') and {{ since }}

    union

    select trim(contact_id) as record_id from new_engagement_contact_ids

),

-- whether an activity counts as a touch yet depends on the as-of
as_of_moved as (

    {% if activities is not none and state is not none %}
        select distinct activities.lead_id

        from {{ activities }} as activities

        cross join previous_run

        cross join run_now

        where
            activities.activity_at > least(previous_run.as_of_at, run_now.as_of_at)
            and activities.activity_at <= greatest(previous_run.as_of_at, run_now.as_of_at)
    {% else %}
        select cast(null as {{ dbt.type_string() }}) as lead_id

        where 1 = 0
    {% endif %}

),

flagged as (

    select
        current_leads.*,
        true as is_current,
        (
            {{ 'true' if state is none else 'false' }}
            or previous_leads.lead_id is null
            or previous_leads.lead_fingerprint != current_leads.lead_fingerprint
            or (select globals_fingerprint from previous_run) != run_now.globals_fingerprint
            or current_leads.salesforce_lead_id in (select record_id from new_salesforce_keys)
            or current_leads.converted_contact_id in (select record_id from new_salesforce_keys)
            or current_leads.converted_opportunity_id in (select record_id from new_salesforce_keys)
            or current_leads.hubspot_contact_id in (select record_id from new_hubspot_keys)
            or current_leads.lead_id in (select lead_id from as_of_moved)
        ) as is_affected

    from current_leads

    cross join run_now

    left join previous_leads
        on current_leads.lead_id = previous_leads.lead_id

    union all

    -- gone since the previous run (merged into another person, deleted)
    select
        previous_leads.lead_id,
        cast(null as {{ dbt.type_string() }}) as hubspot_contact_id,
        cast(null as {{ dbt.type_string() }}) as salesforce_lead_id,
        cast(null as {{ dbt.type_string() }}) as converted_contact_id,
        cast(null as {{ dbt.type_string() }}) as converted_opportunity_id,
        cast(null as {{ dbt.type_string() }}) as lead_fingerprint,
        false as is_current,
        true as is_affected

    from previous_leads

    where previous_leads.lead_id not in (select lead_id from current_leads)

),

final as (

    select
        flagged.lead_id,
        flagged.hubspot_contact_id,
        flagged.salesforce_lead_id,
        flagged.converted_contact_id,
        flagged.converted_opportunity_id,
        flagged.lead_fingerprint,
        flagged.is_current,
        coalesce(flagged.is_affected, false) as is_affected,
        run_now.globals_fingerprint,
        run_now.as_of_at,
        run_now.loaded_through

    from flagged

    cross join run_now

)

select * from final
