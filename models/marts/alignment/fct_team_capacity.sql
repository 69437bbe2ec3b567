{#-
    Resourcing (docs/definitions.md, "Alignment": is each team staffed for its load?): per
    ISO week (Monday start, UTC) and team, the people on the team, the handoffs it
    received and the SLA load it carried at the week's end. Every week from the
    first handoff's to the as-of's is present for every team (of `dim_owners` or
    of a handoff), quiet weeks included.

    - sellers / marketers: the team's active people today (`dim_owners`, a
      HubSpot owner and a Salesforce user of the same name counted once) who are
      sales-side (SDR, AE, manager) / marketers; the roster is the current one, not
      a history.
    - handoffs: handoffs of the week timed by the team (`fct_handoffs.team`).
    - open_handoffs: the team's handoffs not yet dispositioned at the week's end
      (the end of Sunday, or the as-of for the as-of's week).
    - open_breached_handoffs: of those, the ones already in breach then: past the
      disposition deadline, or past the first-touch deadline without a touch by it.

    The open counts are running sums of weekly events (handoffs in, dispositions
    out, breaches starting, breached handoffs dispositioned), so the model stays
    linear in the handoffs.
-#}
{%- set person_key = "coalesce(lower(trim(owner_name)), owner_id)" %}

with

handoffs as (

    select * from {{ ref('fct_handoffs') }}

),

owners as (

    select * from {{ ref('dim_owners') }}

),

weeks as (

    select * from {{ ref('int_handoff_weeks') }}

),

teams as (

    select team

    from owners

    where team is not null

    union

    select team

    from handoffs

),

rosters as (

    select
        team,
        -- a person synced across both CRMs is two owners with one name: count people
        count(distinct case when is_active and is_sales_side then {{ person_key }} end) as sellers,
        count(distinct case when is_active and role = 'marketing' then {{ person_key }} end) as marketers

    from owners

    where team is not null

    group by team

),

handoff_events as (

    select
        team,
        handoff_at,
        disposition_at,
        -- when the handoff first stood in breach: its disposition deadline, or its
        -- first-touch deadline if no touch came by then
        case
            when
                (first_touch_at is null or first_touch_at > first_touch_deadline_at)
                and first_touch_deadline_at < disposition_deadline_at
                then first_touch_deadline_at
            else disposition_deadline_at
        end as breached_at

    from handoffs

),

-- an event counts in its week when it happened before the as-of: every week ends
-- at or before the as-of except the as-of's own, which ends at it
events as (

    select
        team,
        cast({{ dbt.date_trunc('week', 'handoff_at') }} as date) as week_start_date,
        1 as handoffs,
        case when handoff_at < {{ as_of_timestamp() }} then 1 else 0 end as opened,
        0 as closed,
        0 as breached,
        0 as breach_closed

    from handoff_events

    union all

    select
        team,
        cast({{ dbt.date_trunc('week', 'disposition_at') }} as date) as week_start_date,
        0 as handoffs,
        0 as opened,
        1 as closed,
        0 as breached,
        0 as breach_closed

    from handoff_events

    where disposition_at < {{ as_of_timestamp() }}

    union all

    select
        team,
        cast({{ dbt.date_trunc('week', 'breached_at') }} as date) as week_start_date,
        0 as handoffs,
        0 as opened,
        0 as closed,
        1 as breached,
        0 as breach_closed

    from handoff_events

    where breached_at < {{ as_of_timestamp() }}

    union all

    -- a breached handoff leaves the open breaches when it is dispositioned (or at
    -- its breach, when it was dispositioned late: then it never was open and breached)
    select
        team,
        cast({{ dbt.date_trunc('week', 'case when disposition_at > breached_at then disposition_at else breached_at end') }} as date)  -- noqa: LT05
            as week_start_date,
        0 as handoffs,
        0 as opened,
        0 as closed,
        0 as breached,
        1 as breach_closed

    from handoff_events

    where
        breached_at < {{ as_of_timestamp() }}
        and disposition_at < {{ as_of_timestamp() }}

),

weekly_events as (

    select
        team,
        week_start_date,
        sum(handoffs) as handoffs,
        sum(opened) - sum(closed) as open_change,
        sum(breached) - sum(breach_closed) as open_breached_change

    from events

    group by
        team,
        week_start_date

),

team_weeks as (

    select
        weeks.week_start_date,
        teams.team,
        coalesce(weekly_events.handoffs, 0) as handoffs,
        coalesce(weekly_events.open_change, 0) as open_change,
        coalesce(weekly_events.open_breached_change, 0) as open_breached_change

    from weeks

    cross join teams

    left join weekly_events
        on
            weeks.week_start_date = weekly_events.week_start_date
            and teams.team = weekly_events.team

),

running as (

    select
        week_start_date,
        team,
        handoffs,
        sum(open_change) over (
            partition by team
            order by week_start_date
            rows between unbounded preceding and current row
        ) as open_handoffs,
        sum(open_breached_change) over (
            partition by team
            order by week_start_date
            rows between unbounded preceding and current row
        ) as open_breached_handoffs

    from team_weeks

),

final as (

    select
        running.week_start_date,
        cast(running.team as {{ dbt.type_string() }}) as team,
        cast(coalesce(rosters.sellers, 0) as bigint) as sellers,
        cast(coalesce(rosters.marketers, 0) as bigint) as marketers,
        cast(running.handoffs as bigint) as handoffs,
        cast(
            case when rosters.sellers > 0 then cast(running.handoffs as {{ type_double() }}) / rosters.sellers end
            as {{ type_double() }}
        ) as handoffs_per_seller,
        cast(running.open_handoffs as bigint) as open_handoffs,
        cast(running.open_breached_handoffs as bigint) as open_breached_handoffs,
        cast(
            case
                when rosters.sellers > 0 then cast(running.open_handoffs as {{ type_double() }}) / rosters.sellers
            end
            as {{ type_double() }}
        ) as open_handoffs_per_seller

    from running

    left join rosters
        on running.team = rosters.team

)

select * from final
