{#-
    One row per handoff (docs/definitions.md, "The handoff", "Breaches") up to the run's
    as-of: owner and team, SLA clock start and deadlines, first touch and disposition
    with the business minutes to each, breach flags, and what the handoff led to.
    Everything is seen as of the as-of: a handoff after it does not exist yet, a
    disposition or stage entry after it has not happened yet (first touches are already
    limited to it by int_sales_activities). Breached: the event came after its
    deadline, or has not come and the deadline is before the as-of. A first-touch breach
    has a cause: `routing` or `rep` (README "Who lost the time").
-#}
with

handoffs as (

    select * from {{ ref('int_handoffs_business_time') }}

    where handoff_at <= {{ as_of_timestamp() }}

),

stage_events as (

    select * from {{ ref('int_lead_stage_events') }}

    where entered_at <= {{ as_of_timestamp() }}

),

as_of_known as (

    select
        handoffs.*,
        {{ as_of_timestamp() }} as as_of_at,
        handoffs.disposition_at is not null
        and handoffs.disposition_at <= {{ as_of_timestamp() }} as is_dispositioned

    from handoffs

),

-- later stages reached inside the handoff's window [handoff, next handoff)
later_stages as (

    select
        handoffs.handoff_id,
        min(case when stage_events.stage = 'opportunity' then stage_events.entered_at end)
            as opportunity_at,
        min(case when stage_events.stage = 'customer' then stage_events.entered_at end)
            as customer_at

    from handoffs

    inner join stage_events
        on
            handoffs.lead_id = stage_events.lead_id
            and handoffs.handoff_at <= stage_events.entered_at
            and (
                handoffs.next_handoff_at is null
                or handoffs.next_handoff_at > stage_events.entered_at
            )

    where stage_events.stage in ('opportunity', 'customer')

    group by handoffs.handoff_id

),

outcomes as (

    select
        as_of_known.*,
        case when as_of_known.is_dispositioned then as_of_known.disposition end
            as disposition_as_of,
        case when as_of_known.is_dispositioned then as_of_known.disposition_at end
            as disposition_at_as_of,
        case when as_of_known.is_dispositioned then as_of_known.business_minutes_to_disposition end
            as business_minutes_to_disposition_as_of,
        case when as_of_known.sql_at <= as_of_known.as_of_at then as_of_known.sql_at end
            as sql_at_as_of,
        case when as_of_known.assigned_at <= as_of_known.as_of_at then as_of_known.assigned_at end
            as assigned_at_as_of,
        later_stages.opportunity_at,
        later_stages.customer_at

    from as_of_known

    left join later_stages
        on as_of_known.handoff_id = later_stages.handoff_id

),

breaches as (

    select
        *,
        case
            when first_touch_at is not null then first_touch_at > first_touch_deadline_at
            else first_touch_deadline_at < as_of_at
        end as first_touch_breached,
        case
            when disposition_at_as_of is not null then disposition_at_as_of > disposition_deadline_at
            else disposition_deadline_at < as_of_at
        end as disposition_breached

    from outcomes

),

-- who lost the time (README "Who lost the time"): routing when the deadline
-- passed before a seller held the lead, the rep when one held it in time
breach_causes as (

    select
        *,
        case
            when not coalesce(first_touch_breached, false) then null
            when assigned_at_as_of is null or assigned_at_as_of > first_touch_deadline_at
                then 'routing'
            else 'rep'
        end as breach_cause

    from breaches

),

final as (

    select
        cast(handoff_id as {{ dbt.type_string() }}) as handoff_id,
        cast(lead_id as {{ dbt.type_string() }}) as lead_id,
        cast(crm as {{ dbt.type_string() }}) as crm,
        cast(handoff_number as integer) as handoff_number,
        cast(handoff_at as {{ dbt.type_timestamp() }}) as handoff_at,
        cast({{ dbt.date_trunc('day', 'handoff_at') }} as date) as handoff_date,
        cast(
            {{ dbt.dateadd(
                'day',
                '0 - mod(' ~ dbt.datediff("cast('1900-01-01' as date)", 'cast(handoff_at as date)', 'day') ~ ', 7)',
                'cast(handoff_at as date)',
            ) }} as date
        ) as handoff_week_start_date,
        cast(owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(owner_is_sales_side as boolean) as owner_is_sales_side,
        cast(team as {{ dbt.type_string() }}) as team,
        cast(segment as {{ dbt.type_string() }}) as segment,
        cast(policy_id as {{ dbt.type_string() }}) as policy_id,
        cast(sales_first_touch_business_hours as integer) as sales_first_touch_business_hours,
        cast(sales_disposition_business_days as integer) as sales_disposition_business_days,
        cast(conversion_window_days as integer) as conversion_window_days,
        cast(clock_start_at as {{ dbt.type_timestamp() }}) as clock_start_at,
        cast(first_touch_deadline_at as {{ dbt.type_timestamp() }}) as first_touch_deadline_at,
        cast(disposition_deadline_at as {{ dbt.type_timestamp() }}) as disposition_deadline_at,
        cast(first_touch_at as {{ dbt.type_timestamp() }}) as first_touch_at,
        cast(first_touch_activity_id as {{ dbt.type_string() }}) as first_touch_activity_id,
        cast(disposition_at_as_of as {{ dbt.type_timestamp() }}) as disposition_at,
        cast(disposition_as_of as {{ dbt.type_string() }}) as disposition,
        cast(
            case when disposition_at_as_of is not null then disposition_reason end
            as {{ dbt.type_string() }}
        ) as disposition_reason,
        cast(business_minutes_to_first_touch as bigint) as business_minutes_to_first_touch,
        cast(business_minutes_to_disposition_as_of as bigint) as business_minutes_to_disposition,
        cast(assigned_at_as_of as {{ dbt.type_timestamp() }}) as assigned_at,
        cast(
            case when assigned_at_as_of is not null then business_minutes_to_assignment end
            as bigint
        ) as business_minutes_to_assignment,
        cast(
            case when assigned_at_as_of is not null then business_minutes_assignment_to_first_touch end
            as bigint
        ) as business_minutes_assignment_to_first_touch,
        cast(breach_cause as {{ dbt.type_string() }}) as breach_cause,
        cast(crm_reported_response_minutes as {{ type_double() }}) as crm_reported_response_minutes,
        cast(
            case
                when first_touch_at is not null
                    then {{ dbt.datediff('handoff_at', 'first_touch_at', 'second') }} / 60.0  -- noqa: LT05
            end as {{ type_double() }}
        ) as wall_clock_minutes_to_first_touch,
        coalesce(first_touch_breached, false) as is_first_touch_breached,
        coalesce(disposition_breached, false) as is_disposition_breached,
        first_touch_at is not null and not coalesce(first_touch_breached, false)
            as is_first_touched_in_sla,
        disposition_at_as_of is not null and not coalesce(disposition_breached, false)
            as is_dispositioned_in_sla,
        disposition_at_as_of is null as is_open,
        cast(sql_at_as_of as {{ dbt.type_timestamp() }}) as sql_at,
        coalesce(
            sql_at_as_of <= {{ dbt.dateadd('day', 'conversion_window_days', 'handoff_at') }},
            false
        ) as is_sql_in_window,
        cast(opportunity_at as {{ dbt.type_timestamp() }}) as opportunity_at,
        cast(customer_at as {{ dbt.type_timestamp() }}) as customer_at,
        cast(fit_tier as {{ dbt.type_string() }}) as fit_tier,
        cast(is_good_fit as boolean) as is_good_fit,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(is_inbound as boolean) as is_inbound,
        cast(as_of_at as {{ dbt.type_timestamp() }}) as as_of_at

    from breach_causes

)

select * from final
