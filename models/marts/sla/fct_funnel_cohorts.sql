{#-
    MQL→SQL conversion of handoff-week cohorts (docs/definitions.md, "MQL→SQL
    conversion") by channel and fit tier: handoffs of the ISO week (Monday start, UTC),
    how many reached `sql` within their policy's conversion window, and how many reached
    opportunity and customer (as of the run's as-of); the inbound handoffs and SQLs
    are counted too (a channel can mix inbound and outbound). A cohort is mature once
    its last day has ended and the window has passed (week start + 7 days + window ≤
    as-of); immature cohorts are flagged, not hidden: their rate can still rise.
-#}
with

handoffs as (

    select * from {{ ref('fct_handoffs') }}

),

cohorts as (

    select
        handoff_week_start_date as cohort_week_start_date,
        channel,
        fit_tier,
        count(*) as handoffs,
        sum(case when is_sql_in_window then 1 else 0 end) as sqls_in_window,
        sum(case when sql_at is not null then 1 else 0 end) as sqls_to_date,
        sum(case when opportunity_at is not null then 1 else 0 end) as opportunities,
        sum(case when customer_at is not null then 1 else 0 end) as customers,
        sum(case when is_inbound then 1 else 0 end) as inbound_handoffs,
        sum(case when is_inbound and is_sql_in_window then 1 else 0 end) as inbound_sqls_in_window,
        max(conversion_window_days) as conversion_window_days,
        max(as_of_at) as as_of_at

    from handoffs

    group by
        handoff_week_start_date,
        channel,
        fit_tier

),

final as (

    select
        cast(cohort_week_start_date as date) as cohort_week_start_date,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(fit_tier as {{ dbt.type_string() }}) as fit_tier,
        cast(handoffs as bigint) as handoffs,
        cast(sqls_in_window as bigint) as sqls_in_window,
        cast(sqls_to_date as bigint) as sqls_to_date,
        cast(opportunities as bigint) as opportunities,
        cast(customers as bigint) as customers,
        cast(inbound_handoffs as bigint) as inbound_handoffs,
        cast(inbound_sqls_in_window as bigint) as inbound_sqls_in_window,
        cast(cast(sqls_in_window as {{ type_double() }}) / handoffs as {{ type_double() }}) as mql_to_sql_rate,
        {{ wilson_interval('sqls_in_window', 'handoffs', 'low') }} as mql_to_sql_rate_ci_low,
        {{ wilson_interval('sqls_in_window', 'handoffs', 'high') }} as mql_to_sql_rate_ci_high,
        cast(conversion_window_days as integer) as conversion_window_days,
        {{ dbt.dateadd('day', '7 + conversion_window_days', 'cohort_week_start_date') }} <= as_of_at
            as is_mature

    from cohorts

)

select * from final
