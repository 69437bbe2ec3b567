{#-
    Business time of every handoff (docs/definitions.md, "Business time"): clock start,
    first-touch and disposition deadlines, business minutes to the first touch, to the
    disposition, to the seller's assignment and from it to the first touch, in the
    owner's team timezone, holidays excluded.

    Set-based through int_business_calendar. Each instant t maps to its business
    minute F(t) = minutes of business time in the team's calendar before t:
        F(t) = cumulative_business_minutes_before(local date of t)
             + clamp(minutes from that date's window_open_at to t, 0, business_minutes)
    Elapsed business time is a difference of F; a deadline N business minutes after
    the clock start is the business day whose window holds F(start) + N, at its
    opening plus the remainder. Business time counts whole minutes (timestamps are
    truncated to the minute), so every engine agrees.
-#}
{{ lead_incremental_config() }}
{#- How many business days past the clock start's a first-touch deadline may
    spill into: 30 × an 8-hour day covers SLAs of up to 240 business hours. Beyond
    it the deadline is null. -#}
{%- set max_spill_business_days = 30 %}
-- depends_on: {{ ref('int_incremental_leads') }}

with

handoffs as (

    select * from {{ ref('int_handoffs') }}
    {{ affected_leads('lead_id') }}

),

sales_teams as (

    select * from {{ ref('sales_teams') }}

),

business_calendar as (

    select * from {{ ref('int_business_calendar') }}

),

spill_series as (

    {{ dbt.generate_series(max_spill_business_days + 1) }}

),

spill_days as (

    select cast(generated_number - 1 as {{ dbt.type_int() }}) as day_offset

    from spill_series

),

shortest_business_days as (

    select
        team,
        min(business_minutes) as shortest_business_minutes

    from business_calendar

    where is_business_day

    group by team

),

handoffs_in_local_time as (

    select
        handoffs.handoff_id,
        handoffs.team,
        handoffs.sales_first_touch_business_hours,
        handoffs.sales_disposition_business_days,
        handoffs.handoff_at,
        {{ dbt.date_trunc('minute', 'handoffs.handoff_at') }} as handoff_minute_at,
        cast({{ utc_to_local('handoffs.handoff_at', 'sales_teams.timezone') }} as date)
            as handoff_local_date,
        handoffs.first_touch_at,
        {{ dbt.date_trunc('minute', 'handoffs.first_touch_at') }} as first_touch_minute_at,
        cast({{ utc_to_local('handoffs.first_touch_at', 'sales_teams.timezone') }} as date)
            as first_touch_local_date,
        handoffs.disposition_at,
        {{ dbt.date_trunc('minute', 'handoffs.disposition_at') }} as disposition_minute_at,
        cast({{ utc_to_local('handoffs.disposition_at', 'sales_teams.timezone') }} as date)
            as disposition_local_date,
        handoffs.assigned_at,
        {{ dbt.date_trunc('minute', 'handoffs.assigned_at') }} as assigned_minute_at,
        cast({{ utc_to_local('handoffs.assigned_at', 'sales_teams.timezone') }} as date)
            as assigned_local_date

    from handoffs

    inner join sales_teams
        on handoffs.team = sales_teams.team

),

business_positions as (

    select
        handoffs_in_local_time.handoff_id,
        handoffs_in_local_time.team,
        handoffs_in_local_time.handoff_at,
        handoffs_in_local_time.first_touch_at,
        handoffs_in_local_time.disposition_at,
        handoffs_in_local_time.assigned_at,
        handoffs_in_local_time.sales_first_touch_business_hours,
        handoffs_in_local_time.sales_disposition_business_days,
        handoff_day.is_business_day
        and handoffs_in_local_time.handoff_at >= handoff_day.window_open_at
        and handoffs_in_local_time.handoff_at < handoff_day.window_close_at
            as is_handed_off_in_business_hours,
        -- The clock starts on the handoff's own business day unless that day is
        -- not one or its window has closed: then on the next business day.
        case
            when
                handoff_day.is_business_day
                and handoffs_in_local_time.handoff_at < handoff_day.window_close_at
                then handoff_day.business_day_number
            else handoff_day.business_day_number + 1
        end as clock_start_business_day_number,
        -- F(t) of the handoff, the first touch and the disposition.
        handoff_day.cumulative_business_minutes_before
        + least(
            greatest(
                {{ dbt.datediff(
                    'handoff_day.window_open_at',
                    'handoffs_in_local_time.handoff_minute_at',
                    'minute',
                ) }},
                0
            ),
            handoff_day.business_minutes
        ) as handoff_business_minute,
        first_touch_day.cumulative_business_minutes_before
        + least(
            greatest(
                {{ dbt.datediff(
                    'first_touch_day.window_open_at',
                    'handoffs_in_local_time.first_touch_minute_at',
                    'minute',
                ) }},
                0
            ),
            first_touch_day.business_minutes
        ) as first_touch_business_minute,
        disposition_day.cumulative_business_minutes_before
        + least(
            greatest(
                {{ dbt.datediff(
                    'disposition_day.window_open_at',
                    'handoffs_in_local_time.disposition_minute_at',
                    'minute',
                ) }},
                0
            ),
            disposition_day.business_minutes
        ) as disposition_business_minute,
        assigned_day.cumulative_business_minutes_before
        + least(
            greatest(
                {{ dbt.datediff(
                    'assigned_day.window_open_at',
                    'handoffs_in_local_time.assigned_minute_at',
                    'minute',
                ) }},
                0
            ),
            assigned_day.business_minutes
        ) as assigned_business_minute

    from handoffs_in_local_time

    left join business_calendar as handoff_day
        on
            handoffs_in_local_time.team = handoff_day.team
            and handoffs_in_local_time.handoff_local_date = handoff_day.calendar_date

    left join business_calendar as first_touch_day
        on
            handoffs_in_local_time.team = first_touch_day.team
            and handoffs_in_local_time.first_touch_local_date = first_touch_day.calendar_date

    left join business_calendar as disposition_day
        on
            handoffs_in_local_time.team = disposition_day.team
            and handoffs_in_local_time.disposition_local_date = disposition_day.calendar_date

    left join business_calendar as assigned_day
        on
            handoffs_in_local_time.team = assigned_day.team
            and handoffs_in_local_time.assigned_local_date = assigned_day.calendar_date

),

clock_starts as (

    select
        business_positions.*,
        case
            when business_positions.is_handed_off_in_business_hours
                then business_positions.handoff_at
            else clock_start_day.window_open_at
        end as clock_start_at,
        -- F(handoff) is also F(clock start): no business time passes in between.
        business_positions.handoff_business_minute
        + business_positions.sales_first_touch_business_hours * 60
            as first_touch_deadline_business_minute

    from business_positions

    left join business_calendar as clock_start_day
        on
            business_positions.team = clock_start_day.team
            and business_positions.clock_start_business_day_number
            = clock_start_day.business_day_number
            and clock_start_day.is_business_day

),

first_touch_deadlines as (

    -- The business day whose window holds the deadline's business minute, among
    -- the few after the clock start's; a deadline that fills a window exactly
    -- lands on its close, not on the next opening.
    select
        clock_starts.handoff_id,
        {{ dbt.dateadd(
            'minute',
            'clock_starts.first_touch_deadline_business_minute
            - deadline_day.cumulative_business_minutes_before',
            'deadline_day.window_open_at',
        ) }} as first_touch_deadline_at

    from clock_starts

    inner join shortest_business_days
        on clock_starts.team = shortest_business_days.team

    inner join spill_days
        on
            spill_days.day_offset
            <= ceil(
                clock_starts.sales_first_touch_business_hours * 60.0
                / shortest_business_days.shortest_business_minutes
            )

    inner join business_calendar as deadline_day
        on
            clock_starts.team = deadline_day.team
            and clock_starts.clock_start_business_day_number + spill_days.day_offset
            = deadline_day.business_day_number
            and deadline_day.is_business_day

    where
        deadline_day.cumulative_business_minutes_before
        < clock_starts.first_touch_deadline_business_minute
        and clock_starts.first_touch_deadline_business_minute
        <= deadline_day.cumulative_business_minutes_before + deadline_day.business_minutes

),

business_time as (

    select
        clock_starts.handoff_id,
        clock_starts.clock_start_at,
        case
            when clock_starts.sales_first_touch_business_hours = 0
                then clock_starts.clock_start_at
            else first_touch_deadlines.first_touch_deadline_at
        end as first_touch_deadline_at,
        -- Close of business of the business day N business days after the clock
        -- start's (Monday 10:00, N = 2 → Wednesday's close).
        disposition_deadline_day.window_close_at as disposition_deadline_at,
        cast(
            case
                when clock_starts.first_touch_at is not null
                    then greatest(
                        clock_starts.first_touch_business_minute
                        - clock_starts.handoff_business_minute,
                        0
                    )
            end as {{ dbt.type_bigint() }}
        ) as business_minutes_to_first_touch,
        cast(
            case
                when clock_starts.disposition_at is not null
                    then greatest(
                        clock_starts.disposition_business_minute
                        - clock_starts.handoff_business_minute,
                        0
                    )
            end as {{ dbt.type_bigint() }}
        ) as business_minutes_to_disposition,
        cast(
            case
                when clock_starts.assigned_at is not null
                    then greatest(
                        clock_starts.assigned_business_minute
                        - clock_starts.handoff_business_minute,
                        0
                    )
            end as {{ dbt.type_bigint() }}
        ) as business_minutes_to_assignment,
        -- a seller may touch before the routing catches up: never below 0
        cast(
            case
                when clock_starts.assigned_at is not null and clock_starts.first_touch_at is not null
                    then greatest(
                        clock_starts.first_touch_business_minute
                        - greatest(
                            clock_starts.assigned_business_minute,
                            clock_starts.handoff_business_minute
                        ),
                        0
                    )
            end as {{ dbt.type_bigint() }}
        ) as business_minutes_assignment_to_first_touch

    from clock_starts

    left join first_touch_deadlines
        on clock_starts.handoff_id = first_touch_deadlines.handoff_id

    left join business_calendar as disposition_deadline_day
        on
            clock_starts.team = disposition_deadline_day.team
            and clock_starts.clock_start_business_day_number
            + clock_starts.sales_disposition_business_days
            = disposition_deadline_day.business_day_number
            and disposition_deadline_day.is_business_day

),

final as (

    select
        handoffs.*,
        business_time.clock_start_at,
        business_time.first_touch_deadline_at,
        business_time.disposition_deadline_at,
        business_time.business_minutes_to_first_touch,
        business_time.business_minutes_to_disposition,
        business_time.business_minutes_to_assignment,
        business_time.business_minutes_assignment_to_first_touch

    from handoffs

    left join business_time
        on handoffs.handoff_id = business_time.handoff_id

)

select * from final
