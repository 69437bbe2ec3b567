{#-
    One row per handoff (docs/definitions.md, "The handoff"): every entry of a lead into
    `mql` that is its first, or the first after a `recycled`. Owner: the sales owner in
    force at the handoff (owner-change history), else the first assigned after it, else
    the lead's current owner. Assignment (README "Who lost the time"): the first time a
    sales-side owner holds the lead at or after the handoff, from the same owner history
    with queues and marketers kept in. Policy: the sla_policy row in force at the
    handoff for the lead's segment (int_sla_policy_periods). First touch, disposition and sql_at look only inside the
    handoff's own window [handoff, next handoff).
-#}
{{ lead_incremental_config() }}
-- depends_on: {{ ref('int_incremental_leads') }}
with

stage_events as (

    select * from {{ ref('int_lead_stage_events') }}
    {{ affected_leads('lead_id') }}

),

leads as (

    select * from {{ ref('int_leads_unioned') }}
    {{ affected_leads('lead_id') }}

),

lead_attributes as (

    select * from {{ ref('int_lead_attributes') }}
    {{ affected_leads('lead_id') }}

),

owners as (

    select * from {{ ref('int_owners') }}

),

activities as (

    select * from {{ ref('int_sales_activities') }}
    {{ affected_leads('lead_id') }}

),

sla_policy_periods as (

    select * from {{ ref('int_sla_policy_periods') }}

),

sales_teams as (

    select * from {{ ref('sales_teams') }}

),

lead_history as (

    select * from {{ ref('stg_salesforce__lead_history') }}
    {{ affected_leads('lead_id', 'salesforce_lead_id') }}

),

property_history as (

    select * from {{ ref('stg_hubspot__contact_property_history') }}
    {{ affected_leads('contact_id', 'hubspot_contact_id') }}

),

contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}
    {{ affected_leads('contact_id', 'hubspot_contact_id') }}

),

events_with_recycles as (

    select
        *,
        sum(case when stage = 'recycled' then 1 else 0 end) over (
            partition by lead_id
            order by event_number
            rows between unbounded preceding and current row
        ) as recycles_so_far

    from stage_events

),

mql_entries as (

    select
        *,
        lag(recycles_so_far) over (
            partition by lead_id
            order by event_number
        ) as recycles_at_previous_mql

    from events_with_recycles

    where stage = 'mql'

),

handoff_events as (

    select
        lead_id,
        event_number as handoff_event_number,
        entered_at as handoff_at,
        cast(row_number() over (
            partition by lead_id
            order by event_number
        ) as {{ dbt.type_int() }}) as handoff_number

    from mql_entries

    -- the first MQL, and each MQL after a recycle
    where
        recycles_at_previous_mql is null
        or recycles_so_far > recycles_at_previous_mql

),

handoff_windows as (

    select
        *,
        lead(handoff_at) over (
            partition by lead_id
            order by handoff_number
        ) as next_handoff_at,
        lead(handoff_event_number) over (
            partition by lead_id
            order by handoff_number
        ) as next_handoff_event_number

    from handoff_events

),

-- Every owner change: Salesforce LeadHistory `Owner` rows (real exports write a
-- pair per change, one with ids and one with names: the id row is the one whose
-- value is a known user or has the shape of a user/queue id), HubSpot owner
-- history, and HubSpot's date the current owner was assigned. Queues, marketers
-- and unknown ids stay in: they hold the lead without being a seller.
owner_timeline as (

    select
        leads.lead_id,
        lead_history.old_value as previous_owner_id,
        lead_history.new_value as owner_id,
        lead_history.changed_at

    from lead_history

    inner join leads
        on lead_history.lead_id = leads.salesforce_lead_id

    left join owners
        on lead_history.new_value = owners.owner_id

    where
        lead_history.field_name in ('Owner', 'OwnerId')
        and (
            owners.owner_id is not null
            or (
                length(lead_history.new_value) in (15, 18)
                and substr(lead_history.new_value, 1, 3) in ('005', '00G')
            )
        )

    union all

    select
        leads.lead_id,
        cast(null as {{ dbt.type_string() }}) as previous_owner_id,
        property_history.property_value as owner_id,
        property_history.changed_at

    from property_history

    inner join leads
        on property_history.contact_id = leads.hubspot_contact_id

    -- synced people are owned in Salesforce
    where
        property_history.property_name = 'hubspot_owner_id'
        and leads.crm = 'hubspot'

    union all

    select
        leads.lead_id,
        cast(null as {{ dbt.type_string() }}) as previous_owner_id,
        leads.owner_id,
        contacts.owner_assigned_at as changed_at

    from contacts

    inner join leads
        on contacts.contact_id = leads.hubspot_contact_id

    where
        leads.crm = 'hubspot'
        and contacts.owner_assigned_at is not null
        and leads.owner_id is not null

),

-- owner assignments to a CRM user (queues and name rows are not users)
owner_changes as (

    select
        owner_timeline.lead_id,
        owner_timeline.owner_id,
        owner_timeline.changed_at

    from owner_timeline

    inner join owners
        on owner_timeline.owner_id = owners.owner_id

),

sellers as (

    select owner_id

    from owners

    where is_sales_side

),

-- the owner in force at the handoff: the latest change at or before it
held_at_handoff as (

    select
        handoff_windows.lead_id,
        handoff_windows.handoff_number,
        owner_timeline.owner_id,
        row_number() over (
            partition by handoff_windows.lead_id, handoff_windows.handoff_number
            order by owner_timeline.changed_at desc, owner_timeline.owner_id asc
        ) as change_rank

    from handoff_windows

    inner join owner_timeline
        on
            handoff_windows.lead_id = owner_timeline.lead_id
            and handoff_windows.handoff_at >= owner_timeline.changed_at

),

-- with no change before the handoff, the first change after it says who held
-- the lead until then (its old value; HubSpot's history starts unowned)
held_before_first_change as (

    select
        handoff_windows.lead_id,
        handoff_windows.handoff_number,
        owner_timeline.previous_owner_id as owner_id,
        row_number() over (
            partition by handoff_windows.lead_id, handoff_windows.handoff_number
            order by owner_timeline.changed_at, owner_timeline.owner_id
        ) as change_rank

    from handoff_windows

    inner join owner_timeline
        on
            handoff_windows.lead_id = owner_timeline.lead_id
            and handoff_windows.handoff_at < owner_timeline.changed_at

),

-- the first seller assigned after the handoff, inside its window
seller_assignments as (

    select
        handoff_windows.lead_id,
        handoff_windows.handoff_number,
        owner_timeline.owner_id,
        owner_timeline.changed_at,
        row_number() over (
            partition by handoff_windows.lead_id, handoff_windows.handoff_number
            order by owner_timeline.changed_at, owner_timeline.owner_id
        ) as assignment_rank

    from handoff_windows

    inner join owner_timeline
        on
            handoff_windows.lead_id = owner_timeline.lead_id
            and handoff_windows.handoff_at < owner_timeline.changed_at

    inner join sellers
        on owner_timeline.owner_id = sellers.owner_id

    where
        handoff_windows.next_handoff_at is null
        or owner_timeline.changed_at < handoff_windows.next_handoff_at

),

assignments as (

    select
        handoff_windows.lead_id,
        handoff_windows.handoff_number,
        case
            when held_sellers.owner_id is not null then handoff_windows.handoff_at
            else seller_assignments.changed_at
        end as assigned_at,
        coalesce(held_sellers.owner_id, seller_assignments.owner_id) as assigned_owner_id

    from handoff_windows

    inner join leads
        on handoff_windows.lead_id = leads.lead_id

    left join held_at_handoff
        on
            handoff_windows.lead_id = held_at_handoff.lead_id
            and handoff_windows.handoff_number = held_at_handoff.handoff_number
            and held_at_handoff.change_rank = 1

    left join held_before_first_change
        on
            handoff_windows.lead_id = held_before_first_change.lead_id
            and handoff_windows.handoff_number = held_before_first_change.handoff_number
            and held_before_first_change.change_rank = 1

    -- held at the handoff: by the history, else (no history at all) the current owner
    left join sellers as held_sellers
        on held_sellers.owner_id = case
            when held_at_handoff.lead_id is not null then held_at_handoff.owner_id
            when held_before_first_change.lead_id is not null then held_before_first_change.owner_id
            else leads.owner_id
        end

    left join seller_assignments
        on
            handoff_windows.lead_id = seller_assignments.lead_id
            and handoff_windows.handoff_number = seller_assignments.handoff_number
            and seller_assignments.assignment_rank = 1

),

owner_candidates as (

    select
        handoff_windows.lead_id,
        handoff_windows.handoff_number,
        owner_changes.owner_id,
        row_number() over (
            partition by handoff_windows.lead_id, handoff_windows.handoff_number
            order by
                -- in force at the handoff (latest first), else the first after it
                case when owner_changes.changed_at <= handoff_windows.handoff_at then 0 else 1 end,
                case
                    when owner_changes.changed_at <= handoff_windows.handoff_at
                        then {{ dbt.datediff('owner_changes.changed_at', 'handoff_windows.handoff_at', 'second') }}
                    else {{ dbt.datediff('handoff_windows.handoff_at', 'owner_changes.changed_at', 'second') }}
                end,
                owner_changes.owner_id
        ) as candidate_rank

    from handoff_windows

    inner join owner_changes
        on handoff_windows.lead_id = owner_changes.lead_id

),

handoff_owners as (

    select
        handoff_windows.*,
        assignments.assigned_at,
        -- the sales owner at the handoff, or the first one assigned (README)
        coalesce(assignments.assigned_owner_id, owner_candidates.owner_id, leads.owner_id)
            as owner_id

    from handoff_windows

    inner join leads
        on handoff_windows.lead_id = leads.lead_id

    left join assignments
        on
            handoff_windows.lead_id = assignments.lead_id
            and handoff_windows.handoff_number = assignments.handoff_number

    left join owner_candidates
        on
            handoff_windows.lead_id = owner_candidates.lead_id
            and handoff_windows.handoff_number = owner_candidates.handoff_number
            and owner_candidates.candidate_rank = 1

),

first_touches as (

    select
        handoff_windows.lead_id,
        handoff_windows.handoff_number,
        activities.activity_id,
        activities.activity_at,
        row_number() over (
            partition by handoff_windows.lead_id, handoff_windows.handoff_number
            order by activities.activity_at, activities.activity_id
        ) as touch_rank

    from handoff_windows

    inner join activities
        on handoff_windows.lead_id = activities.lead_id

    where
        activities.is_sales_touch
        and activities.activity_at >= handoff_windows.handoff_at
        and (
            handoff_windows.next_handoff_at is null
            or activities.activity_at < handoff_windows.next_handoff_at
        )

),

-- stage events after the handoff and before the next one, in event order
window_events as (

    select
        handoff_windows.lead_id,
        handoff_windows.handoff_number,
        stage_events.stage,
        stage_events.entered_at,
        stage_events.raw_value,
        stage_events.event_number

    from handoff_windows

    inner join stage_events
        on handoff_windows.lead_id = stage_events.lead_id

    where
        stage_events.event_number > handoff_windows.handoff_event_number
        and (
            handoff_windows.next_handoff_event_number is null
            or stage_events.event_number < handoff_windows.next_handoff_event_number
        )
        and stage_events.stage in ('sql', 'disqualified', 'recycled')

),

dispositions as (

    select
        lead_id,
        handoff_number,
        stage as disposition,
        entered_at as disposition_at,
        raw_value as disposition_reason,
        row_number() over (
            partition by lead_id, handoff_number
            order by event_number
        ) as disposition_rank

    from window_events

),

sqls as (

    select
        lead_id,
        handoff_number,
        min(entered_at) as sql_at

    from window_events

    where stage = 'sql'

    group by
        lead_id,
        handoff_number

),

-- HubSpot's own lead response time belongs to the handoff whose window holds the
-- current owner's assignment (one before the first handoff counts for the first;
-- without an assignment date, the last handoff)
crm_response_times as (

    select
        handoff_windows.lead_id,
        handoff_windows.handoff_number,
        {{ duration_text_to_minutes('contacts.hubspot_lead_response_time') }}
            as crm_reported_response_minutes

    from handoff_windows

    inner join leads
        on handoff_windows.lead_id = leads.lead_id

    inner join contacts
        on leads.hubspot_contact_id = contacts.contact_id

    where
        contacts.hubspot_lead_response_time is not null
        and (
            handoff_windows.next_handoff_at is null
            or contacts.owner_assigned_at < handoff_windows.next_handoff_at
        )
        and (
            handoff_windows.handoff_number = 1
            or contacts.owner_assigned_at is null
            or contacts.owner_assigned_at >= handoff_windows.handoff_at
        )
        and (
            contacts.owner_assigned_at is not null
            or handoff_windows.next_handoff_at is null
        )

),

-- the policy in force at the handoff (int_sla_policy_periods)
policy_candidates as (

    select
        handoff_owners.lead_id,
        handoff_owners.handoff_number,
        sla_policy_periods.policy_id,
        sla_policy_periods.sales_first_touch_business_hours,
        sla_policy_periods.sales_disposition_business_days,
        sla_policy_periods.conversion_window_days,
        sla_policy_periods.marketing_weekly_mql_target,
        sla_policy_periods.marketing_min_good_fit_share

    from handoff_owners

    inner join lead_attributes
        on handoff_owners.lead_id = lead_attributes.lead_id

    inner join sla_policy_periods
        on
            lead_attributes.segment = sla_policy_periods.segment
            and cast(sla_policy_periods.valid_from_date as {{ dbt.type_timestamp() }})
            <= handoff_owners.handoff_at
            and (
                sla_policy_periods.valid_until_date is null
                or handoff_owners.handoff_at
                < cast(sla_policy_periods.valid_until_date as {{ dbt.type_timestamp() }})
            )

),

final as (

    select
        {{ surrogate_key(['handoff_owners.lead_id', 'handoff_owners.handoff_number']) }} as handoff_id,
        handoff_owners.lead_id,
        leads.crm,
        handoff_owners.handoff_number,
        handoff_owners.handoff_at,
        handoff_owners.next_handoff_at,
        handoff_owners.owner_id,
        handoff_owners.assigned_at,
        crm_response_times.crm_reported_response_minutes,
        -- business time needs a sales_teams row: others count in `default`
        coalesce(sales_teams.team, 'default') as team,
        coalesce(owners.is_sales_side, false) as owner_is_sales_side,
        policy_candidates.policy_id,
        cast(policy_candidates.sales_first_touch_business_hours as {{ dbt.type_int() }})
            as sales_first_touch_business_hours,
        cast(policy_candidates.sales_disposition_business_days as {{ dbt.type_int() }})
            as sales_disposition_business_days,
        cast(policy_candidates.conversion_window_days as {{ dbt.type_int() }}) as conversion_window_days,
        cast(policy_candidates.marketing_weekly_mql_target as {{ dbt.type_int() }})
            as marketing_weekly_mql_target,
        policy_candidates.marketing_min_good_fit_share,
        first_touches.activity_at as first_touch_at,
        first_touches.activity_id as first_touch_activity_id,
        dispositions.disposition,
        dispositions.disposition_at,
        dispositions.disposition_reason,
        sqls.sql_at,
        lead_attributes.fit_tier,
        lead_attributes.is_good_fit,
        lead_attributes.channel,
        lead_attributes.is_inbound,
        lead_attributes.segment

    from handoff_owners

    inner join leads
        on handoff_owners.lead_id = leads.lead_id

    left join owners
        on handoff_owners.owner_id = owners.owner_id

    left join sales_teams
        on owners.team = sales_teams.team

    left join lead_attributes
        on handoff_owners.lead_id = lead_attributes.lead_id

    left join policy_candidates
        on
            handoff_owners.lead_id = policy_candidates.lead_id
            and handoff_owners.handoff_number = policy_candidates.handoff_number

    left join first_touches
        on
            handoff_owners.lead_id = first_touches.lead_id
            and handoff_owners.handoff_number = first_touches.handoff_number
            and first_touches.touch_rank = 1

    left join dispositions
        on
            handoff_owners.lead_id = dispositions.lead_id
            and handoff_owners.handoff_number = dispositions.handoff_number
            and dispositions.disposition_rank = 1

    left join sqls
        on
            handoff_owners.lead_id = sqls.lead_id
            and handoff_owners.handoff_number = sqls.handoff_number

    left join crm_response_times
        on
            handoff_owners.lead_id = crm_response_times.lead_id
            and handoff_owners.handoff_number = crm_response_times.handoff_number

)

select * from final
