{#-
    Who gets the credit (README "Who gets the credit"): per month of the touch,
    offer and attribution model, the credit the offer's touches earned under
    first_touch, last_touch, linear, u_shaped, w_shaped and time_decay
    (`int_offer_touch_credits`). A lead's credit sums to 1 under every model, so
    each model's totals are the same: the touched leads, their MQLs and SQLs by the
    as-of, and their deals won by the as-of with the revenue (`int_lead_deals`).
    Every month × offer that had a touch has a row under each of the six models.
    Figures are rounded to 6 decimals: a sum of doubles otherwise differs in its
    last bits with the order the engine adds them in, run to run.
-#}
with

credits as (

    select * from {{ ref('int_offer_touch_credits') }}

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

credited as (

    select
        cast({{ dbt.date_trunc('month', 'credits.touched_at') }} as date) as month_start_date,
        credits.offer_id,
        credits.attribution_model,
        credits.credit,
        credits.credit * case when funnel.mql_at is not null then 1 else 0 end as mql_credit,
        credits.credit * case when funnel.sql_at is not null then 1 else 0 end as sql_credit,
        credits.credit * coalesce(won_by_lead.won_deals, 0) as won_deal_credit,
        credits.credit * cast(coalesce(won_by_lead.revenue, 0) as {{ type_double() }}) as revenue_credit

    from credits

    left join funnel
        on credits.lead_id = funnel.lead_id

    left join won_by_lead
        on credits.lead_id = won_by_lead.lead_id

),

monthly as (

    select
        month_start_date,
        offer_id,
        attribution_model,
        sum(credit) as credited_leads,
        sum(mql_credit) as credited_mqls,
        sum(sql_credit) as credited_sqls,
        sum(won_deal_credit) as credited_won_deals,
        sum(revenue_credit) as credited_revenue

    from credited

    group by
        month_start_date,
        offer_id,
        attribution_model

),

final as (

    select
        monthly.month_start_date,
        cast(monthly.offer_id as {{ dbt.type_string() }}) as offer_id,
        cast(coalesce(offers.offer_name, monthly.offer_id) as {{ dbt.type_string() }}) as offer_name,
        cast(monthly.attribution_model as {{ dbt.type_string() }}) as attribution_model,
        {{ round_double('monthly.credited_leads', 6) }} as credited_leads,
        {{ round_double('monthly.credited_mqls', 6) }} as credited_mqls,
        {{ round_double('monthly.credited_sqls', 6) }} as credited_sqls,
        {{ round_double('monthly.credited_won_deals', 6) }} as credited_won_deals,
        {{ round_double('monthly.credited_revenue', 6) }} as credited_revenue

    from monthly

    left join offers
        on monthly.offer_id = offers.offer_id

)

select * from final
