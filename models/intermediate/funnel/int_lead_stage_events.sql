{#-
    One row per entry of a lead into a canonical stage (docs/definitions.md, "Funnel"),
    in order. Sources: HubSpot contact_property_history (lifecyclestage,
    hs_lead_status), else the contact's lifecycle date properties; Salesforce Lead
    creation, LeadHistory Status changes; for a stage field without history, the changes
    between successive delivered versions of the record (extract versions, each at that
    version's last-modified time, flagged); conversion (ConvertedDate: a date, used at
    00:00 UTC and flagged when LeadHistory has no timestamp for it), the converted
    Opportunity (created → opportunity, won → customer). For synced people lead/mql come
    from HubSpot and every later stage from Salesforce, so the sync's mirror copies are
    not counted twice. Consecutive entries into the same stage collapse into the first.
-#}
{{ lead_incremental_config() }}
-- depends_on: {{ ref('int_incremental_leads') }}
with

leads as (

    select * from {{ ref('int_leads_unioned') }}
    {{ affected_leads('lead_id') }}

),

contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}
    {{ affected_leads('contact_id', 'hubspot_contact_id') }}

),

property_history as (

    select * from {{ ref('stg_hubspot__contact_property_history') }}
    {{ affected_leads('contact_id', 'hubspot_contact_id') }}

),

contact_versions as (

    select * from {{ ref('stg_hubspot__contact_versions') }}
    {{ affected_leads('contact_id', 'hubspot_contact_id') }}

),

salesforce_leads as (

    select * from {{ ref('stg_salesforce__leads') }}
    {{ affected_leads('lead_id', 'salesforce_lead_id') }}

),

lead_history as (

    select * from {{ ref('stg_salesforce__lead_history') }}
    {{ affected_leads('lead_id', 'salesforce_lead_id') }}

),

lead_versions as (

    select * from {{ ref('stg_salesforce__lead_versions') }}
    {{ affected_leads('lead_id', 'salesforce_lead_id') }}

),

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}
    {{ affected_leads('opportunity_id', 'converted_opportunity_id') }}

),

opportunity_history as (

    select * from {{ ref('stg_salesforce__opportunity_history') }}
    {{ affected_leads('opportunity_id', 'converted_opportunity_id') }}

),

-- a row without a stage names a known value that moves no stage
stage_map as (

    select * from {{ ref('lifecycle_stage_map') }}

    where stage is not null

),

-- HubSpot ---------------------------------------------------------------------

hubspot_history_events as (

    select
        property_history.contact_id,
        stage_map.stage,
        property_history.changed_at as entered_at,
        'contact_property_history.' || property_history.property_name as source_detail,
        property_history.property_value as raw_value,
        false as is_time_estimated

    from property_history

    inner join stage_map
        on
            stage_map.crm = 'hubspot'
            and property_history.property_name = stage_map.field
            and trim(property_history.property_value) = stage_map.value

    where property_history.property_name in ('lifecyclestage', 'hs_lead_status')

),

contacts_with_history as (

    select distinct contact_id

    from property_history

    where property_name = 'lifecyclestage'

),

-- no lifecycle history delivered: the first-entry date properties
contacts_without_history as (

    select contacts.*

    from contacts

    left join contacts_with_history
        on contacts.contact_id = contacts_with_history.contact_id

    where contacts_with_history.contact_id is null

),

hubspot_date_events as (

    {% for stage, column in [
        ('lead', 'became_lead_at'),
        ('mql', 'became_mql_at'),
        ('sql', 'became_sql_at'),
        ('opportunity', 'became_opportunity_at'),
        ('customer', 'became_customer_at'),
    ] %}
        select
            contact_id,
            '{{ stage }}' as stage,
            {{ column }} as entered_at,
            'contact.{{ column }}' as source_detail,
            cast(null as {{ dbt.type_string() }}) as raw_value,
            false as is_time_estimated

        from contacts_without_history

        where {{ column }} is not null

        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

contact_fields_with_history as (

    select distinct
        contact_id,
        property_name

    from property_history

    where property_name in ('lifecyclestage', 'hs_lead_status')

),

contact_version_values as (

    select
        contact_id,
        'lifecyclestage' as field_name,
        lifecycle_stage as field_value,
        updated_at,
        loaded_at,
        batch_id,
        source_line

    from contact_versions

    union all

    select
        contact_id,
        'hs_lead_status' as field_name,
        lead_status as field_value,
        updated_at,
        loaded_at,
        batch_id,
        source_line

    from contact_versions

),

-- a field without property history: every delivered version, in order, with its
-- mapped stage (null for an unmapped value such as NEW or IN_PROGRESS)
contact_version_stages as (

    select
        contact_version_values.*,
        stage_map.stage,
        lag(stage_map.stage) over (
            partition by contact_version_values.contact_id, contact_version_values.field_name
            order by
                contact_version_values.updated_at,
                contact_version_values.loaded_at,
                contact_version_values.batch_id,
                contact_version_values.source_line
        ) as previous_stage

    from contact_version_values

    left join contact_fields_with_history
        on
            contact_version_values.contact_id = contact_fields_with_history.contact_id
            and contact_version_values.field_name = contact_fields_with_history.property_name

    left join stage_map
        on
            stage_map.crm = 'hubspot'
            and contact_version_values.field_name = stage_map.field
            and contact_version_values.field_value = stage_map.value

    where contact_fields_with_history.contact_id is null

),

-- a version whose stage differs from the previous version's enters that stage at
-- its last-modified time (the best bound an extract gives), flagged; a stage a
-- date property already times exactly is left to it
hubspot_version_events as (

    select
        contact_version_stages.contact_id,
        contact_version_stages.stage,
        contact_version_stages.updated_at as entered_at,
        'contact.' || contact_version_stages.field_name || ' (extract versions)' as source_detail,
        contact_version_stages.field_value as raw_value,
        true as is_time_estimated

    from contact_version_stages

    left join contacts_without_history
        on contact_version_stages.contact_id = contacts_without_history.contact_id

    where
        contact_version_stages.stage is not null
        and (
            contact_version_stages.previous_stage is null
            or contact_version_stages.previous_stage != contact_version_stages.stage
        )
        and not (
            (contact_version_stages.stage = 'lead' and contacts_without_history.became_lead_at is not null)
            or (contact_version_stages.stage = 'mql' and contacts_without_history.became_mql_at is not null)
            or (contact_version_stages.stage = 'sql' and contacts_without_history.became_sql_at is not null)
            or (
                contact_version_stages.stage = 'opportunity'
                and contacts_without_history.became_opportunity_at is not null
            )
            or (
                contact_version_stages.stage = 'customer'
                and contacts_without_history.became_customer_at is not null
            )
        )

),

hubspot_events as (

    select * from hubspot_history_events

    union all

    select * from hubspot_date_events

    union all

    select * from hubspot_version_events

),

-- Salesforce ------------------------------------------------------------------

status_history as (

    select
        lead_id,
        old_value,
        new_value,
        changed_at,
        lead_history_id,
        row_number() over (
            partition by lead_id
            order by changed_at, lead_history_id
        ) as change_number

    from lead_history

    where field_name = 'Status'

),

-- the status a lead was created with: the first change's old value
salesforce_initial_status as (

    select
        salesforce_leads.lead_id,
        salesforce_leads.created_at,
        status_history.old_value as initial_status

    from salesforce_leads

    inner join status_history
        on
            salesforce_leads.lead_id = status_history.lead_id
            and status_history.change_number = 1

),

-- no Status history (field tracking off): every delivered version of the lead,
-- in order, with its mapped stage (null for an unmapped status)
salesforce_version_stages as (

    select
        lead_versions.lead_id,
        lead_versions.status,
        lead_versions.updated_at,
        salesforce_leads.created_at,
        stage_map.stage,
        lag(stage_map.stage) over (
            partition by lead_versions.lead_id
            order by
                lead_versions.updated_at,
                lead_versions.loaded_at,
                lead_versions.batch_id,
                lead_versions.source_line
        ) as previous_stage,
        row_number() over (
            partition by lead_versions.lead_id
            order by
                lead_versions.updated_at,
                lead_versions.loaded_at,
                lead_versions.batch_id,
                lead_versions.source_line
        ) as version_number

    from lead_versions

    inner join salesforce_leads
        on lead_versions.lead_id = salesforce_leads.lead_id

    left join status_history
        on
            lead_versions.lead_id = status_history.lead_id
            and status_history.change_number = 1

    left join stage_map
        on
            stage_map.crm = 'salesforce'
            and stage_map.field = 'Status'
            and lead_versions.status = stage_map.value

    where status_history.lead_id is null

),

salesforce_status_events as (

    select
        salesforce_leads.lead_id,
        'lead' as stage,
        salesforce_leads.created_at as entered_at,
        'Lead.CreatedDate' as source_detail,
        cast(null as {{ dbt.type_string() }}) as raw_value,
        false as is_time_estimated

    from salesforce_leads

    where salesforce_leads.created_at is not null

    union all

    -- created straight into a later status (lead or mql)
    select
        salesforce_initial_status.lead_id,
        stage_map.stage,
        salesforce_initial_status.created_at as entered_at,
        'LeadHistory.OldValue (initial Status)' as source_detail,
        salesforce_initial_status.initial_status as raw_value,
        false as is_time_estimated

    from salesforce_initial_status

    inner join stage_map
        on
            stage_map.crm = 'salesforce'
            and stage_map.field = 'Status'
            and salesforce_initial_status.initial_status = stage_map.value

    union all

    -- no history: a version whose stage differs from the previous version's enters
    -- it at its last-modified time (the best bound an extract gives), flagged; the
    -- first version's lead or mql counts from creation, as a lead is created
    -- straight into it
    select
        lead_id,
        stage,
        case
            when version_number = 1 and stage in ('lead', 'mql') then created_at
            else updated_at
        end as entered_at,
        'Lead.Status (extract versions)' as source_detail,
        status as raw_value,
        version_number > 1 or stage not in ('lead', 'mql') as is_time_estimated

    from salesforce_version_stages

    where
        stage is not null
        and (previous_stage is null or previous_stage != stage)

    union all

    select
        status_history.lead_id,
        stage_map.stage,
        status_history.changed_at as entered_at,
        'LeadHistory.Status' as source_detail,
        status_history.new_value as raw_value,
        false as is_time_estimated

    from status_history

    inner join stage_map
        on
            stage_map.crm = 'salesforce'
            and stage_map.field = 'Status'
            and status_history.new_value = stage_map.value

),

conversions_with_history as (

    select distinct status_history.lead_id

    from status_history

    inner join salesforce_leads
        on
            status_history.lead_id = salesforce_leads.lead_id
            and status_history.new_value = salesforce_leads.status

    where salesforce_leads.is_converted

    union

    select distinct lead_id

    from lead_history

    where field_name = 'leadConverted'

),

opportunity_won_at as (

    select
        opportunities.opportunity_id,
        min(opportunity_history.changed_at) as won_at

    from opportunities

    inner join opportunity_history
        on
            opportunities.opportunity_id = opportunity_history.opportunity_id
            and opportunities.stage_name = opportunity_history.stage_name

    where opportunities.is_won

    group by opportunities.opportunity_id

),

salesforce_conversion_events as (

    -- ConvertedDate is a date: 00:00 UTC, flagged, when no history row times it
    select
        salesforce_leads.lead_id,
        'sql' as stage,
        cast(salesforce_leads.converted_date as {{ dbt.type_timestamp() }}) as entered_at,
        'Lead.ConvertedDate' as source_detail,
        salesforce_leads.status as raw_value,
        true as is_time_estimated

    from salesforce_leads

    left join conversions_with_history
        on salesforce_leads.lead_id = conversions_with_history.lead_id

    where
        salesforce_leads.is_converted
        and salesforce_leads.converted_date is not null
        and conversions_with_history.lead_id is null

    union all

    select
        salesforce_leads.lead_id,
        'opportunity' as stage,
        opportunities.created_at as entered_at,
        'Opportunity.CreatedDate' as source_detail,
        opportunities.stage_name as raw_value,
        false as is_time_estimated

    from salesforce_leads

    inner join opportunities
        on salesforce_leads.converted_opportunity_id = opportunities.opportunity_id

    union all

    select
        salesforce_leads.lead_id,
        'customer' as stage,
        coalesce(
            opportunity_won_at.won_at,
            cast(opportunities.close_date as {{ dbt.type_timestamp() }})
        ) as entered_at,
        case
            when opportunity_won_at.won_at is not null then 'OpportunityHistory.CreatedDate'
            else 'Opportunity.CloseDate'
        end as source_detail,
        opportunities.stage_name as raw_value,
        opportunity_won_at.won_at is null as is_time_estimated

    from salesforce_leads

    inner join opportunities
        on salesforce_leads.converted_opportunity_id = opportunities.opportunity_id

    left join opportunity_won_at
        on opportunities.opportunity_id = opportunity_won_at.opportunity_id

    where opportunities.is_won

),

salesforce_mapped_events as (

    select * from salesforce_status_events

    union all

    select * from salesforce_conversion_events

),

-- a converted lead (IsConverted) is at least `sql` whatever its Status says (one the
-- stage map does not know, e.g. `Converted`): when nothing above made it sql or
-- later, it enters sql when LeadHistory sets its current Status or records the
-- conversion, else on ConvertedDate (00:00 UTC), else at its last modification
-- (both flagged)
salesforce_converted_reached as (

    select distinct lead_id

    from salesforce_mapped_events

    where stage in ('sql', 'opportunity', 'customer')

),

salesforce_conversion_history as (

    select
        status_history.lead_id,
        min(status_history.changed_at) as converted_at

    from status_history

    inner join salesforce_leads
        on
            status_history.lead_id = salesforce_leads.lead_id
            and status_history.new_value = salesforce_leads.status

    group by status_history.lead_id

    union all

    select
        lead_id,
        min(changed_at) as converted_at

    from lead_history

    where field_name = 'leadConverted'

    group by lead_id

),

salesforce_conversion_times as (

    select
        lead_id,
        min(converted_at) as converted_at

    from salesforce_conversion_history

    group by lead_id

),

salesforce_converted_floor_events as (

    select
        salesforce_leads.lead_id,
        'sql' as stage,
        coalesce(
            salesforce_conversion_times.converted_at,
            cast(salesforce_leads.converted_date as {{ dbt.type_timestamp() }}),
            salesforce_leads.updated_at
        ) as entered_at,
        'Lead.IsConverted' as source_detail,
        salesforce_leads.status as raw_value,
        salesforce_conversion_times.converted_at is null as is_time_estimated

    from salesforce_leads

    left join salesforce_converted_reached
        on salesforce_leads.lead_id = salesforce_converted_reached.lead_id

    left join salesforce_conversion_times
        on salesforce_leads.lead_id = salesforce_conversion_times.lead_id

    where
        salesforce_leads.is_converted
        and salesforce_converted_reached.lead_id is null

),

salesforce_events as (

    select * from salesforce_mapped_events

    union all

    select * from salesforce_converted_floor_events

),

-- one person -----------------------------------------------------------------

events_unioned as (

    select
        leads.lead_id,
        leads.crm,
        hubspot_events.stage,
        hubspot_events.entered_at,
        'hubspot' as source_system,
        hubspot_events.source_detail,
        hubspot_events.raw_value,
        hubspot_events.is_time_estimated

    from hubspot_events

    inner join leads
        on hubspot_events.contact_id = leads.hubspot_contact_id

    -- synced people: HubSpot tells lead and mql only
    where leads.crm = 'hubspot' or hubspot_events.stage in ('lead', 'mql')

    union all

    select
        leads.lead_id,
        leads.crm,
        salesforce_events.stage,
        salesforce_events.entered_at,
        'salesforce' as source_system,
        salesforce_events.source_detail,
        salesforce_events.raw_value,
        salesforce_events.is_time_estimated

    from salesforce_events

    inner join leads
        on salesforce_events.lead_id = leads.salesforce_lead_id

    -- synced people: Salesforce tells what happens after the handoff
    where leads.crm = 'salesforce' or salesforce_events.stage not in ('lead', 'mql')

),

first_mql as (

    select
        lead_id,
        min(entered_at) as first_mql_at

    from events_unioned

    where stage = 'mql'

    group by lead_id

),

-- the moment of a recycle or disqualification, when a CRM also moves the
-- lifecycle back to `lead` (HubSpot: lead + BAD_TIMING)
exits as (

    select distinct
        lead_id,
        entered_at

    from events_unioned

    where stage in ('recycled', 'disqualified')

),

events_filtered as (

    select events_unioned.*

    from events_unioned

    left join first_mql
        on events_unioned.lead_id = first_mql.lead_id

    left join exits
        on
            events_unioned.lead_id = exits.lead_id
            and events_unioned.entered_at = exits.entered_at
            and events_unioned.stage = 'lead'

    where
        events_unioned.entered_at is not null
        and exits.lead_id is null
        -- synced people: a HubSpot `lead` after the MQL is the sync mirroring a
        -- Salesforce change, not a stage of its own
        and not (
            events_unioned.crm = 'hubspot+salesforce'
            and events_unioned.stage = 'lead'
            and events_unioned.entered_at > first_mql.first_mql_at
        )

),

events_ordered as (

    select
        *,
        row_number() over (
            partition by lead_id
            order by
                entered_at,
                -- simultaneous entries follow the funnel's order
                case stage
                    when 'lead' then 1
                    when 'mql' then 2
                    when 'sql' then 3
                    when 'opportunity' then 4
                    when 'customer' then 5
                    when 'disqualified' then 6
                    when 'recycled' then 7
                end,
                is_time_estimated,
                source_system,
                source_detail,
                raw_value
        ) as raw_event_number

    from events_filtered

),

events_with_previous as (

    select
        *,
        lag(stage) over (
            partition by lead_id
            order by raw_event_number
        ) as previous_stage

    from events_ordered

),

collapsed as (

    select *

    from events_with_previous

    where previous_stage is null or previous_stage != stage

),

final as (

    select
        {{ surrogate_key(['lead_id', 'stage', 'entered_at']) }} as stage_event_id,
        lead_id,
        cast(row_number() over (
            partition by lead_id
            order by raw_event_number
        ) as {{ dbt.type_int() }}) as event_number,
        stage,
        entered_at,
        source_system,
        source_detail,
        raw_value,
        is_time_estimated

    from collapsed

)

select * from final
