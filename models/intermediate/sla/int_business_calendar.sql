{#-
    One row per sales team × local calendar date (docs/definitions.md, "Business time"):
    whether it is a business day in the team's timezone and holiday region, its business
    window as UTC instants (the offset moves with DST), and running totals that turn
    business-time arithmetic into joins (see int_handoffs_business_time).
-#}

with

sales_teams as (

    select * from {{ ref('sales_teams') }}

),

holidays as (

    select * from {{ ref('holidays') }}

),

date_spine as (

    {#- dbt.date_spine excludes its end date: stop one day later. #}
    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('calendar_start') ~ "' as date)",
        dbt.dateadd('day', 1, "cast('" ~ var('calendar_end') ~ "' as date)"),
    ) }}

),

calendar_dates as (

    select cast(date_day as date) as calendar_date

    from date_spine

),

team_dates as (

    select
        sales_teams.team,
        sales_teams.timezone,
        calendar_dates.calendar_date,
        holidays.holiday_name,
        -- 1900-01-01 was a Monday: 0 = Monday … 6 = Sunday, the same on every engine
        -- (day-of-week functions number the days differently).
        mod(
            {{ dbt.datediff("cast('1900-01-01' as date)", 'calendar_dates.calendar_date', 'day') }},
            7
        ) as weekday_index,
        cast(substring(sales_teams.business_day_start, 1, 2) as {{ dbt.type_int() }}) * 60
        + cast(substring(sales_teams.business_day_start, 4, 2) as {{ dbt.type_int() }})
            as window_start_minute_of_day,
        cast(substring(sales_teams.business_day_end, 1, 2) as {{ dbt.type_int() }}) * 60
        + cast(substring(sales_teams.business_day_end, 4, 2) as {{ dbt.type_int() }})
            as window_end_minute_of_day

    from sales_teams

    cross join calendar_dates

    left join holidays
        on
            sales_teams.holiday_region = holidays.holiday_region
            and calendar_dates.calendar_date = holidays.holiday_date

),

business_windows as (

    select
        team,
        calendar_date,
        holiday_name,
        weekday_index < 5 and holiday_name is null as is_business_day,
        {{ local_to_utc(
            dbt.dateadd(
                'minute',
                'window_start_minute_of_day',
                'cast(calendar_date as ' ~ dbt.type_timestamp() ~ ')',
            ),
            'timezone',
        ) }} as window_open_at,
        {{ local_to_utc(
            dbt.dateadd(
                'minute',
                'window_end_minute_of_day',
                'cast(calendar_date as ' ~ dbt.type_timestamp() ~ ')',
            ),
            'timezone',
        ) }} as window_close_at

    from team_dates

),

business_minutes as (

    select
        *,
        cast(
            case
                when is_business_day
                    then {{ dbt.datediff('window_open_at', 'window_close_at', 'minute') }}
                else 0
            end as {{ dbt.type_bigint() }}
        ) as business_minutes

    from business_windows

),

final as (

    select
        team,
        calendar_date,
        is_business_day,
        holiday_name,
        window_open_at,
        window_close_at,
        business_minutes,
        cast(
            coalesce(
                sum(business_minutes) over (
                    partition by team
                    order by calendar_date
                    rows between unbounded preceding and 1 preceding
                ),
                0
            ) as {{ dbt.type_bigint() }}
        ) as cumulative_business_minutes_before,
        cast(
            sum(case when is_business_day then 1 else 0 end) over (
                partition by team
                order by calendar_date
                rows between unbounded preceding and current row
            ) as {{ dbt.type_bigint() }}
        ) as business_day_number

    from business_minutes

)

select * from final
