-- docs/definitions.md, "The handoff": a first touch is a sales activity at or after the
-- handoff; business minutes are never negative.
select
    handoff_id,
    handoff_at,
    first_touch_at,
    business_minutes_to_first_touch

from {{ ref('fct_handoffs') }}

where
    first_touch_at < handoff_at
    or disposition_at < handoff_at
    or (first_touch_at is null) != (business_minutes_to_first_touch is null)
    or (disposition_at is null) != (business_minutes_to_disposition is null)
