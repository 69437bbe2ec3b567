{#-
    The feedback loop (docs/definitions.md, "Alignment"): per offer and month, the leads
    that met it and how far they went, with won deals and revenue credited under two
    attribution models. A lead's touches are its form submissions and campaign
    memberships (`int_offer_touches`), up to the run's as-of.

    - leads / mqls / sqls: leads whose first touch on this offer fell in the month
      (each lead counts once per offer), and how many of them have reached mql /
      sql by the as-of.
    - first touch: the lead's earliest touch on any offer; last touch: its latest
      touch at or before its first MQL — or, never MQL, before its first
      opportunity; neither, its latest touch — falling back to the first touch when
      every touch came after that point. Each touched lead is credited to exactly
      one offer under each model, in the month of that touch.
    - won deals / revenue: the lead's deals won by the as-of (`int_lead_deals`),
      credited in full to its first-touch offer and to its last-touch offer.
-#}
with

touches as (

    select * from {{ ref('int_offer_touches') }}

),

funnel as (

    select * from {{ ref('fct_lead_funnel') }}

),

deals as (

    select * from {{ ref('int_lead_deals') }}

),

offers as (

    select * from {{ ref('dim_offers') }}

),

won_by_lead as (

    select
        lead_id,
        count(*) as won_deals,
        sum(amount) as revenue

    from deals

    where is_won

    group by lead_id

),

lead_cutoffs as (

    select
        lead_id,
        mql_at is not null as is_mql,
        sql_at is not null as is_sql,
        coalesce(mql_at, opportunity_at) as last_touch_cutoff_at

    from funnel

),

touches_with_cutoff as (

    select
        touches.lead_id,
        touches.offer_id,
        touches.touched_at,
        touches.touch_number,
        coalesce(lead_cutoffs.is_mql, false) as is_mql,
        coalesce(lead_cutoffs.is_sql, false) as is_sql,
        lead_cutoffs.last_touch_cutoff_at

    from touches

    left join lead_cutoffs
        on touches.lead_id = lead_cutoffs.lead_id

),

last_touch_numbers as (

    select
        lead_id,
        coalesce(
            max(
                case
                    when last_touch_cutoff_at is null or touched_at <= last_touch_cutoff_at
                        then touch_number
                end
            ),
            1
        ) as last_touch_number

    from touches_with_cutoff

    group by lead_id

),

-- each lead once per offer, at its first touch on that offer
lead_offers as (

    select
        lead_id,
        offer_id,
        min(touched_at) as first_touched_at,
        max(case when is_mql then 1 else 0 end) as is_mql,
        max(case when is_sql then 1 else 0 end) as is_sql

    from touches_with_cutoff

    group by
        lead_id,
        offer_id

),

credited_touches as (

    select
        touches_with_cutoff.lead_id,
        touches_with_cutoff.offer_id,
        touches_with_cutoff.touched_at,
        case when touches_with_cutoff.touch_number = 1 then 1 else 0 end as is_first_touch,
        case
            when touches_with_cutoff.touch_number = last_touch_numbers.last_touch_number then 1 else 0
        end as is_last_touch

    from touches_with_cutoff

    inner join last_touch_numbers
        on touches_with_cutoff.lead_id = last_touch_numbers.lead_id

    where
        touches_with_cutoff.touch_number = 1
        or touches_with_cutoff.touch_number = last_touch_numbers.last_touch_number

),

contributions as (

    select
        cast({{ dbt.date_trunc('month', 'first_touched_at') }} as date) as month_start_date,
        offer_id,
        1 as leads,
        is_mql as mqls,
        is_sql as sqls,
        0 as first_touch_leads,
        0 as last_touch_leads,
        0 as first_touch_won_deals,
        0 as last_touch_won_deals,
        0 as first_touch_revenue,
        0 as last_touch_revenue

    from lead_offers

    union all

    select
        cast({{ dbt.date_trunc('month', 'credited_touches.touched_at') }} as date) as month_start_date,
        credited_touches.offer_id,
        0 as leads,
        0 as mqls,
        0 as sqls,
        credited_touches.is_first_touch as first_touch_leads,
        credited_touches.is_last_touch as last_touch_leads,
        credited_touches.is_first_touch * coalesce(won_by_lead.won_deals, 0) as first_touch_won_deals,
        credited_touches.is_last_touch * coalesce(won_by_lead.won_deals, 0) as last_touch_won_deals,
        credited_touches.is_first_touch * coalesce(won_by_lead.revenue, 0) as first_touch_revenue,
        credited_touches.is_last_touch * coalesce(won_by_lead.revenue, 0) as last_touch_revenue

    from credited_touches

    left join won_by_lead
        on credited_touches.lead_id = won_by_lead.lead_id

),

monthly as (

    select
        month_start_date,
        offer_id,
        sum(leads) as leads,
        sum(mqls) as mqls,
        sum(sqls) as sqls,
        sum(first_touch_leads) as first_touch_leads,
        sum(last_touch_leads) as last_touch_leads,
        sum(first_touch_won_deals) as first_touch_won_deals,
        sum(last_touch_won_deals) as last_touch_won_deals,
        sum(first_touch_revenue) as first_touch_revenue,
        sum(last_touch_revenue) as last_touch_revenue

    from contributions

    group by
        month_start_date,
        offer_id

),

final as (

    select
        monthly.month_start_date,
        cast(monthly.offer_id as {{ dbt.type_string() }}) as offer_id,
        cast(coalesce(offers.offer_name, monthly.offer_id) as {{ dbt.type_string() }}) as offer_name,
        cast(coalesce(offers.offer_type, 'campaign') as {{ dbt.type_string() }}) as offer_type,
        cast(offers.crm as {{ dbt.type_string() }}) as crm,
        cast(coalesce(offers.channel, 'other') as {{ dbt.type_string() }}) as channel,
        coalesce(offers.is_inbound, false) as is_inbound,
        cast(monthly.leads as bigint) as leads,
        cast(monthly.mqls as bigint) as mqls,
        cast(monthly.sqls as bigint) as sqls,
        cast(
            case when monthly.leads > 0 then cast(monthly.mqls as {{ type_double() }}) / monthly.leads end
            as {{ type_double() }}
        ) as lead_to_mql_rate,
        cast(
            case when monthly.mqls > 0 then cast(monthly.sqls as {{ type_double() }}) / monthly.mqls end
            as {{ type_double() }}
        ) as mql_to_sql_rate,
        cast(monthly.first_touch_leads as bigint) as first_touch_leads,
        cast(monthly.last_touch_leads as bigint) as last_touch_leads,
        cast(monthly.first_touch_won_deals as bigint) as first_touch_won_deals,
        cast(monthly.last_touch_won_deals as bigint) as last_touch_won_deals,
        cast(monthly.first_touch_revenue as {{ type_double() }}) as first_touch_revenue,
        cast(monthly.last_touch_revenue as {{ type_double() }}) as last_touch_revenue

    from monthly

    left join offers
        on monthly.offer_id = offers.offer_id

)

select * from final
