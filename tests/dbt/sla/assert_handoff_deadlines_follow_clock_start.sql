-- docs/definitions.md, "Business time": the SLA clock never starts before the handoff,
-- and both deadlines lie after the clock start (the first-touch deadline on it only for
-- a 0-hour SLA).
select
    handoff_id,
    handoff_at,
    clock_start_at,
    first_touch_deadline_at,
    disposition_deadline_at

from {{ ref('fct_handoffs') }}

where
    clock_start_at < handoff_at
    or first_touch_deadline_at < clock_start_at
    or (first_touch_deadline_at = clock_start_at and sales_first_touch_business_hours > 0)
    or disposition_deadline_at <= clock_start_at
