{#-
    One row per activity on a lead: Salesforce Tasks (completed: at CompletedDateTime,
    else CreatedDate) and Events (at StartDateTime) on the lead or its converted
    contact, HubSpot engagements on the contact (an engagement on several contacts
    gives one row per contact). A sales touch (docs/definitions.md, "The handoff") is a
    call, e-mail, meeting or completed task by a sales-side owner; notes and incoming
    e-mails are not touches, and neither is anything still in the future at the run's
    as-of.
-#}
{{ lead_incremental_config() }}
-- depends_on: {{ ref('int_incremental_leads') }}
with

leads as (

    select * from {{ ref('int_leads_unioned') }}
    {{ affected_leads('lead_id') }}

),

owners as (

    select * from {{ ref('int_owners') }}

),

tasks as (

    select * from {{ ref('stg_salesforce__tasks') }}

),

events as (

    select * from {{ ref('stg_salesforce__events') }}

),

engagements as (

    select * from {{ ref('stg_hubspot__engagements') }}

),

-- a Salesforce activity's WhoId is the lead, or the contact it converted into
salesforce_people as (

    select
        lead_id,
        salesforce_lead_id as who_id

    from leads

    where salesforce_lead_id is not null

    union all

    select
        lead_id,
        converted_contact_id as who_id

    from leads

    where converted_contact_id is not null

),

salesforce_activities as (

    select
        tasks.task_id as activity_id,
        'salesforce' as crm,
        'Task' as source_object,
        tasks.person_id as who_id,
        tasks.owner_id,
        case
            when lower(coalesce(tasks.task_subtype, '')) = 'call' or lower(coalesce(tasks.task_type, '')) = 'call'
                then 'call'
            when
                lower(coalesce(tasks.task_subtype, '')) in ('email', 'listemail')
                or lower(coalesce(tasks.task_type, '')) = 'email'
                then 'email'
            when lower(coalesce(tasks.task_type, '')) = 'meeting' then 'meeting'
            else 'task'
        end as activity_type,
        case
            when coalesce(tasks.is_closed, false) or tasks.task_status = 'Completed'
                then coalesce(tasks.completed_at, tasks.created_at)
            else tasks.created_at
        end as activity_at,
        coalesce(tasks.is_closed, false) or tasks.task_status = 'Completed' as is_completed,
        false as is_incoming

    from tasks

    union all

    select
        events.event_id as activity_id,
        'salesforce' as crm,
        'Event' as source_object,
        events.person_id as who_id,
        events.owner_id,
        case
            when lower(coalesce(events.event_type, '')) = 'call' then 'call'
            when lower(coalesce(events.event_type, '')) = 'email' then 'email'
            else 'meeting'
        end as activity_type,
        coalesce(
            events.started_at,
            events.activity_at,
            cast(events.activity_date as {{ dbt.type_timestamp() }})
        ) as activity_at,
        true as is_completed,
        false as is_incoming

    from events

),

engagement_contacts_split as (

    select
        engagement_id,
        {{ split_to_rows("replace(contact_ids, ',', ';')", "';'") }} as contact_id

    from engagements

    where contact_ids is not null

),

engagement_contacts as (

    select distinct
        engagement_id,
        trim(contact_id) as contact_id

    from engagement_contacts_split

    where trim(contact_id) != ''

),

hubspot_activities as (

    select
        {{ dbt.concat(["engagements.engagement_id", "'-'", "engagement_contacts.contact_id"]) }} as activity_id,
        'hubspot' as crm,
        'engagements' as source_object,
        engagement_contacts.contact_id,
        engagements.owner_id,
        case
            when engagements.engagement_type = 'CALL' then 'call'
            when engagements.engagement_type in (
                'EMAIL', 'INCOMING_EMAIL', 'FORWARDED_EMAIL',
                'COMMUNICATION', 'LINKEDIN_MESSAGE', 'SMS', 'WHATS_APP'
            ) then 'email'
            when engagements.engagement_type = 'MEETING' then 'meeting'
            when engagements.engagement_type = 'TASK' then 'task'
            else 'note'
        end as activity_type,
        engagements.occurred_at as activity_at,
        case
            when engagements.engagement_type = 'TASK' then coalesce(engagements.task_status = 'COMPLETED', false)
            else true
        end as is_completed,
        engagements.engagement_type = 'INCOMING_EMAIL' as is_incoming

    from engagements

    inner join engagement_contacts
        on engagements.engagement_id = engagement_contacts.engagement_id

),

activities_on_leads as (

    select
        salesforce_activities.activity_id,
        salesforce_people.lead_id,
        salesforce_activities.crm,
        salesforce_activities.source_object,
        salesforce_activities.owner_id,
        salesforce_activities.activity_type,
        salesforce_activities.activity_at,
        salesforce_activities.is_completed,
        salesforce_activities.is_incoming

    from salesforce_activities

    inner join salesforce_people
        on salesforce_activities.who_id = salesforce_people.who_id

    union all

    select
        hubspot_activities.activity_id,
        leads.lead_id,
        hubspot_activities.crm,
        hubspot_activities.source_object,
        hubspot_activities.owner_id,
        hubspot_activities.activity_type,
        hubspot_activities.activity_at,
        hubspot_activities.is_completed,
        hubspot_activities.is_incoming

    from hubspot_activities

    inner join leads
        on hubspot_activities.contact_id = leads.hubspot_contact_id

),

final as (

    select
        activities_on_leads.activity_id,
        activities_on_leads.lead_id,
        activities_on_leads.crm,
        activities_on_leads.source_object,
        activities_on_leads.owner_id,
        owners.team as owner_team,
        activities_on_leads.activity_type,
        activities_on_leads.activity_at,
        activities_on_leads.is_completed,
        coalesce(owners.is_sales_side, false)
        and activities_on_leads.activity_type in ('call', 'email', 'meeting', 'task')
        and activities_on_leads.is_completed
        and not activities_on_leads.is_incoming
        and activities_on_leads.activity_at is not null
        and activities_on_leads.activity_at <= {{ as_of_timestamp() }} as is_sales_touch

    from activities_on_leads

    left join owners
        on activities_on_leads.owner_id = owners.owner_id

)

select * from final
