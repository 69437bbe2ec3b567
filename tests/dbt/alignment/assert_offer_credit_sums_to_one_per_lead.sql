-- README "Who gets the credit": under every model, a touched lead's credit sums to 1.
select
    lead_id,
    attribution_model,
    sum(credit) as total_credit

from {{ ref('int_offer_touch_credits') }}

group by
    lead_id,
    attribution_model

having abs(sum(credit) - 1) > 0.000001
