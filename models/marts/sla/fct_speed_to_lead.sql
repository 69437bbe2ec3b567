{#-
    The lead-response curve (docs/definitions.md, "Marts"; MIT/InsideSales, HBR "The
    Short Life of Online Sales Leads", 2011) on our own data: handoffs per month (of the
    handoff, UTC), channel and first-touch delay bucket, with the share that reached
    `sql` within the conversion window. Buckets, first that applies: `< 5 min` and
    `< 1 h` of wall-clock time from the handoff, `< 4 business h` and
    `< 1 business day` (the length of the team's business window) of business time
    from the clock start, `later`, and `never` (no first touch as of the as-of).
-#}
with

handoffs as (

    select * from {{ ref('fct_handoffs') }}

),

sales_teams as (

    select * from {{ ref('sales_teams') }}

),

team_days as (

    select
        team,
        (
            cast(substring(business_day_end, 1, 2) as integer) * 60
            + cast(substring(business_day_end, 4, 2) as integer)
        ) - (
            cast(substring(business_day_start, 1, 2) as integer) * 60
            + cast(substring(business_day_start, 4, 2) as integer)
        ) as business_day_minutes

    from sales_teams

),

bucketed as (

    select
        cast({{ dbt.date_trunc('month', 'handoffs.handoff_at') }} as date) as month_start_date,
        handoffs.channel,
        case
            when handoffs.first_touch_at is null then 'never'
            when handoffs.wall_clock_minutes_to_first_touch < 5 then '< 5 min'
            when handoffs.wall_clock_minutes_to_first_touch < 60 then '< 1 h'
            when handoffs.business_minutes_to_first_touch < 240 then '< 4 business h'
            when handoffs.business_minutes_to_first_touch < coalesce(team_days.business_day_minutes, 480)
                then '< 1 business day'
            else 'later'
        end as delay_bucket,
        case
            when handoffs.first_touch_at is null then 6
            when handoffs.wall_clock_minutes_to_first_touch < 5 then 1
            when handoffs.wall_clock_minutes_to_first_touch < 60 then 2
            when handoffs.business_minutes_to_first_touch < 240 then 3
            when handoffs.business_minutes_to_first_touch < coalesce(team_days.business_day_minutes, 480)
                then 4
            else 5
        end as delay_bucket_order,
        handoffs.is_sql_in_window,
        handoffs.handoff_at,
        handoffs.conversion_window_days,
        handoffs.as_of_at

    from handoffs

    left join team_days
        on handoffs.team = team_days.team

),

monthly as (

    select
        month_start_date,
        channel,
        delay_bucket,
        delay_bucket_order,
        count(*) as handoffs,
        sum(case when is_sql_in_window then 1 else 0 end) as sqls,
        max(handoff_at) as last_handoff_at,
        max(conversion_window_days) as conversion_window_days,
        max(as_of_at) as as_of_at

    from bucketed

    group by
        month_start_date,
        channel,
        delay_bucket,
        delay_bucket_order

),

final as (

    select
        month_start_date,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(delay_bucket as {{ dbt.type_string() }}) as delay_bucket,
        cast(delay_bucket_order as integer) as delay_bucket_order,
        cast(handoffs as bigint) as handoffs,
        cast(sqls as bigint) as sqls,
        cast(cast(sqls as {{ type_double() }}) / handoffs as {{ type_double() }}) as mql_to_sql_rate,
        {{ wilson_interval('sqls', 'handoffs', 'low') }} as mql_to_sql_rate_ci_low,
        {{ wilson_interval('sqls', 'handoffs', 'high') }} as mql_to_sql_rate_ci_high,
        -- every handoff of the month has had its full conversion window
        {{ dbt.dateadd(
            'day',
            'conversion_window_days',
            dbt.dateadd('month', 1, 'month_start_date'),
        ) }} <= as_of_at as is_mature

    from monthly

)

select * from final
