{#-
    Does inbound convert better than outbound beyond chance? (README, "Statistics")
    One row per month of the handoff (UTC): the MQL→SQL conversion within the window
    of inbound and of outbound handoffs (the sums of `fct_channel_performance`), their
    difference (inbound − outbound) with its 95 % interval, and the two-proportion
    z-test of equal rates.

    z = (p₁ − p₂) / √(p̄(1 − p̄)(1/n₁ + 1/n₂)), p̄ the pooled rate; p-value two-sided.
    The interval is Newcomb's hybrid score interval (built from each rate's Wilson
    interval [l, u]): p₁ − p₂ − √((p₁ − l₁)² + (u₂ − p₂)²) to
    p₁ − p₂ + √((u₁ − p₁)² + (p₂ − l₂)²). Null where a side has no handoffs (and z
    and p where the pooled rate is 0 or 1).
-#}
with

channel_performance as (

    select * from {{ ref('fct_channel_performance') }}

),

handoffs as (

    select * from {{ ref('fct_handoffs') }}

),

months as (

    select
        month_start_date,
        sum(case when is_inbound then mqls else 0 end) as inbound_mqls,
        sum(case when is_inbound then sqls else 0 end) as inbound_sqls,
        sum(case when is_inbound then 0 else mqls end) as outbound_mqls,
        sum(case when is_inbound then 0 else sqls end) as outbound_sqls

    from channel_performance

    group by month_start_date

),

windows as (

    select
        max(conversion_window_days) as conversion_window_days,
        max(as_of_at) as as_of_at

    from handoffs

),

rates as (

    select
        months.*,
        case
            when months.inbound_mqls > 0 then cast(months.inbound_sqls as {{ type_double() }}) / months.inbound_mqls
        end as inbound_rate,
        case
            when months.outbound_mqls > 0 then cast(months.outbound_sqls as {{ type_double() }}) / months.outbound_mqls
        end as outbound_rate,
        case
            when months.inbound_mqls > 0 and months.outbound_mqls > 0
                then
                    cast(months.inbound_sqls + months.outbound_sqls as {{ type_double() }})
                    / (months.inbound_mqls + months.outbound_mqls)
        end as pooled_rate,
        {{ wilson_interval('inbound_sqls', 'inbound_mqls', 'low') }} as inbound_low,
        {{ wilson_interval('inbound_sqls', 'inbound_mqls', 'high') }} as inbound_high,
        {{ wilson_interval('outbound_sqls', 'outbound_mqls', 'low') }} as outbound_low,
        {{ wilson_interval('outbound_sqls', 'outbound_mqls', 'high') }} as outbound_high

    from months

),

tests as (

    select
        *,
        inbound_rate - outbound_rate as difference,
        case
            when pooled_rate > 0 and pooled_rate < 1
                then (inbound_rate - outbound_rate) / sqrt(
                    pooled_rate * (1 - pooled_rate)
                    * (cast(1 as {{ type_double() }}) / inbound_mqls + cast(1 as {{ type_double() }}) / outbound_mqls)
                )
        end as z_statistic

    from rates

),

final as (

    select
        cast(tests.month_start_date as date) as month_start_date,
        cast(inbound_mqls as bigint) as inbound_mqls,
        cast(inbound_sqls as bigint) as inbound_sqls,
        cast(inbound_rate as {{ type_double() }}) as inbound_mql_to_sql_rate,
        cast(outbound_mqls as bigint) as outbound_mqls,
        cast(outbound_sqls as bigint) as outbound_sqls,
        cast(outbound_rate as {{ type_double() }}) as outbound_mql_to_sql_rate,
        cast(difference as {{ type_double() }}) as mql_to_sql_rate_difference,
        cast(
            difference - sqrt(
                (inbound_rate - inbound_low) * (inbound_rate - inbound_low)
                + (outbound_high - outbound_rate) * (outbound_high - outbound_rate)
            ) as {{ type_double() }}
        ) as mql_to_sql_rate_difference_ci_low,
        cast(
            difference + sqrt(
                (inbound_high - inbound_rate) * (inbound_high - inbound_rate)
                + (outbound_rate - outbound_low) * (outbound_rate - outbound_low)
            ) as {{ type_double() }}
        ) as mql_to_sql_rate_difference_ci_high,
        cast(z_statistic as {{ type_double() }}) as z_statistic,
        cast(2 * {{ standard_normal_tail('z_statistic') }} as {{ type_double() }}) as p_value,
        coalesce(2 * {{ standard_normal_tail('z_statistic') }} < 0.05, false) as is_significant,
        -- every handoff of the month has had its full conversion window
        coalesce(
            {{ dbt.dateadd(
                'day',
                'windows.conversion_window_days',
                dbt.dateadd('month', 1, 'tests.month_start_date'),
            ) }} <= windows.as_of_at,
            false
        ) as is_mature

    from tests

    cross join windows

)

select * from final
