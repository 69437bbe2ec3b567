{#-
    Inbound against outbound (docs/definitions.md, "Alignment": do well-fitting,
    engaged inbound leads buy more often than people sales called many times?): per
    month of the handoff (UTC), channel and inbound/outbound, the handoffs (MQLs), how
    many became SQL within the conversion window, how long that took, the deals they led
    to and how many sales touches it took. Everything is credited to the handoff's
    month, so a month's rates are a cohort's and can still rise while its handoffs are
    young.

    A handoff's deals are the lead's deals (`int_lead_deals`) created at or after
    the handoff and before its next one; its sales touches are the sales touches
    (`int_sales_activities`) on the lead in that same span, up to the as-of.
-#}
with

handoffs as (

    select * from {{ ref('fct_handoffs') }}

),

handoff_windows as (

    select * from {{ ref('int_handoffs') }}

),

activities as (

    select * from {{ ref('int_sales_activities') }}

),

deals as (

    select * from {{ ref('int_lead_deals') }}

),

spans as (

    select
        handoffs.handoff_id,
        handoffs.lead_id,
        handoffs.handoff_at,
        handoff_windows.next_handoff_at

    from handoffs

    inner join handoff_windows
        on handoffs.handoff_id = handoff_windows.handoff_id

),

touch_counts as (

    select
        spans.handoff_id,
        count(*) as sales_touches

    from spans

    inner join activities
        on
            spans.lead_id = activities.lead_id
            and spans.handoff_at <= activities.activity_at
            and (spans.next_handoff_at is null or spans.next_handoff_at > activities.activity_at)

    where
        activities.is_sales_touch
        and activities.activity_at <= {{ as_of_timestamp() }}

    group by spans.handoff_id

),

deal_counts as (

    select
        spans.handoff_id,
        count(*) as opportunities,
        sum(case when deals.is_won then 1 else 0 end) as won_deals,
        sum(case when deals.is_won then deals.amount else 0 end) as won_revenue

    from spans

    inner join deals
        on
            spans.lead_id = deals.lead_id
            and spans.handoff_at <= deals.created_at
            and (spans.next_handoff_at is null or spans.next_handoff_at > deals.created_at)

    group by spans.handoff_id

),

handoff_outcomes as (

    select
        cast({{ dbt.date_trunc('month', 'handoffs.handoff_at') }} as date) as month_start_date,
        handoffs.channel,
        handoffs.is_inbound,
        handoffs.is_sql_in_window,
        case
            when handoffs.sql_at >= handoffs.handoff_at
                then {{ dbt.datediff('handoffs.handoff_at', 'handoffs.sql_at', 'second') }} / 86400.0  -- noqa: LT05
        end as days_mql_to_sql,
        coalesce(touch_counts.sales_touches, 0) as sales_touches,
        coalesce(deal_counts.opportunities, 0) as opportunities,
        coalesce(deal_counts.won_deals, 0) as won_deals,
        coalesce(deal_counts.won_revenue, 0) as won_revenue

    from handoffs

    left join touch_counts
        on handoffs.handoff_id = touch_counts.handoff_id

    left join deal_counts
        on handoffs.handoff_id = deal_counts.handoff_id

),

monthly as (

    select
        month_start_date,
        channel,
        is_inbound,
        count(*) as mqls,
        sum(case when is_sql_in_window then 1 else 0 end) as sqls,
        {{ median('days_mql_to_sql') }} as median_days_mql_to_sql,
        sum(opportunities) as opportunities,
        sum(won_deals) as won_deals,
        sum(won_revenue) as won_revenue,
        sum(sales_touches) as sales_touches

    from handoff_outcomes

    group by
        month_start_date,
        channel,
        is_inbound

),

final as (

    select
        month_start_date,
        cast(channel as {{ dbt.type_string() }}) as channel,
        is_inbound,
        cast(mqls as bigint) as mqls,
        cast(sqls as bigint) as sqls,
        cast(
            case when mqls > 0 then cast(sqls as {{ type_double() }}) / mqls end
            as {{ type_double() }}
        ) as mql_to_sql_rate,
        {{ wilson_interval('sqls', 'mqls', 'low') }} as mql_to_sql_rate_ci_low,
        {{ wilson_interval('sqls', 'mqls', 'high') }} as mql_to_sql_rate_ci_high,
        cast(median_days_mql_to_sql as {{ type_double() }}) as median_days_mql_to_sql,
        cast(opportunities as bigint) as opportunities,
        cast(won_deals as bigint) as won_deals,
        cast(
            case when opportunities > 0 then cast(won_deals as {{ type_double() }}) / opportunities end
            as {{ type_double() }}
        ) as win_rate,
        {{ wilson_interval('won_deals', 'opportunities', 'low') }} as win_rate_ci_low,
        {{ wilson_interval('won_deals', 'opportunities', 'high') }} as win_rate_ci_high,
        cast(won_revenue as {{ type_double() }}) as won_revenue,
        cast(sales_touches as bigint) as sales_touches,
        cast(
            case when sqls > 0 then cast(sales_touches as {{ type_double() }}) / sqls end
            as {{ type_double() }}
        ) as sales_touches_per_sql,
        cast(
            case when mqls > 0 then cast(sales_touches as {{ type_double() }}) / mqls end
            as {{ type_double() }}
        ) as sales_touches_per_mql

    from monthly

)

select * from final
