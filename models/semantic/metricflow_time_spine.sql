{#-
    MetricFlow's time spine (dbt semantic layer): one row per day over the
    calendar range of `dim_calendar`, at day grain. MetricFlow joins to it for
    metric_time and for gaps in time series; nothing else reads it.
-#}
with

calendar as (

    select * from {{ ref('dim_calendar') }}

),

final as (

    select cast(calendar_date as date) as date_day

    from calendar

)

select * from final
