-- README "Who gets the credit": the credit per lead sums to 1 under every model, so
-- the six models' totals equal each other (credited leads, MQLs, SQLs, won deals,
-- revenue) and the won revenue of the touched leads.
with

totals as (

    select
        attribution_model,
        sum(credited_leads) as credited_leads,
        sum(credited_mqls) as credited_mqls,
        sum(credited_sqls) as credited_sqls,
        sum(credited_won_deals) as credited_won_deals,
        sum(credited_revenue) as credited_revenue

    from {{ ref('fct_offer_attribution') }}

    group by attribution_model

),

first_touch as (

    select * from totals

    where attribution_model = 'first_touch'

)

select totals.attribution_model

from totals

cross join first_touch

where
    abs(totals.credited_leads - first_touch.credited_leads) > 0.0001
    or abs(totals.credited_mqls - first_touch.credited_mqls) > 0.0001
    or abs(totals.credited_sqls - first_touch.credited_sqls) > 0.0001
    or abs(totals.credited_won_deals - first_touch.credited_won_deals) > 0.0001
    or abs(totals.credited_revenue - first_touch.credited_revenue) > 0.01
