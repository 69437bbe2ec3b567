{{ config(meta={'dagster': {'ref': {'name': 'fct_handoffs'}}}) }}
-- The weekly SLA marts, the cohorts, the capacity and channel marts neither lose nor
-- double-count a handoff.
with

handoff_total as (

    select count(*) as handoffs from {{ ref('fct_handoffs') }}

),

mart_totals as (

    select
        'fct_marketing_sla_weekly' as mart,
        sum(delivered_mqls) as handoffs
    from {{ ref('fct_marketing_sla_weekly') }}

    union all

    select
        'fct_sales_sla_weekly' as mart,
        sum(handoffs) as handoffs
    from {{ ref('fct_sales_sla_weekly') }}

    union all

    select
        'fct_funnel_cohorts' as mart,
        sum(handoffs) as handoffs
    from {{ ref('fct_funnel_cohorts') }}

    union all

    select
        'fct_speed_to_lead' as mart,
        sum(handoffs) as handoffs
    from {{ ref('fct_speed_to_lead') }}

    union all

    select
        'fct_team_capacity' as mart,
        sum(handoffs) as handoffs
    from {{ ref('fct_team_capacity') }}

    union all

    select
        'fct_channel_performance' as mart,
        sum(mqls) as handoffs
    from {{ ref('fct_channel_performance') }}

)

select
    mart_totals.mart,
    mart_totals.handoffs,
    handoff_total.handoffs as expected_handoffs

from mart_totals

cross join handoff_total

where coalesce(mart_totals.handoffs, 0) != handoff_total.handoffs
