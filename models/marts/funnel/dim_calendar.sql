{#-
    One row per calendar day between the vars `calendar_start` and `calendar_end`
    (the range business time is computed over): ISO week and year, the Monday the
    week starts on, and the holiday regions (seeds/holidays) for which the day is a
    public holiday. A region's business day = not is_weekend and the region not in
    holiday_regions. Weekday arithmetic counts days from Monday 1900-01-01, so
    every engine agrees (their day-of-week functions number days differently).
-#}
with

date_spine as (

    {#- dbt.date_spine excludes its end date: stop one day later. #}
    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('calendar_start') ~ "' as date)",
        dbt.dateadd('day', 1, "cast('" ~ var('calendar_end') ~ "' as date)"),
    ) }}

),

holidays as (

    select * from {{ ref('holidays') }}

),

calendar_dates as (

    select
        cast(date_day as date) as calendar_date,
        -- 0 = Monday … 6 = Sunday
        mod(
            {{ dbt.datediff("cast('1900-01-01' as date)", 'cast(date_day as date)', 'day') }},
            7
        ) as weekday_index

    from date_spine

),

weeks as (

    select
        calendar_date,
        weekday_index,
        cast({{ dbt.dateadd('day', '0 - weekday_index', 'calendar_date') }} as date) as week_start_date,
        -- ISO 8601: a week belongs to the year of its Thursday
        cast({{ dbt.dateadd('day', '3 - weekday_index', 'calendar_date') }} as date) as week_thursday_date

    from calendar_dates

),

holiday_regions as (

    select
        holiday_date,
        {{ dbt.listagg('holiday_region', "','", 'order by holiday_region') }} as holiday_regions

    from holidays

    where holiday_region is not null and holiday_region != 'none'

    group by holiday_date

),

final as (

    select
        weeks.calendar_date,
        cast(extract(year from weeks.week_thursday_date) as integer) as iso_year,
        cast(
            floor(
                {{ dbt.datediff(
                    dbt.date_trunc('year', 'weeks.week_thursday_date'),
                    'weeks.week_thursday_date',
                    'day',
                ) }} / 7
            ) + 1 as integer
        ) as iso_week,
        weeks.week_start_date,
        cast({{ dbt.date_trunc('month', 'weeks.calendar_date') }} as date) as month_start_date,
        cast(weeks.weekday_index + 1 as integer) as day_of_week,
        weeks.weekday_index >= 5 as is_weekend,
        cast(holiday_regions.holiday_regions as {{ dbt.type_string() }}) as holiday_regions

    from weeks

    left join holiday_regions
        on weeks.calendar_date = cast(holiday_regions.holiday_date as date)

)

select * from final
