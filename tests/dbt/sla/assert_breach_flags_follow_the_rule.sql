-- docs/definitions.md, "Breaches": breached when the event came after its deadline, or
-- has not come and the deadline is before the as-of; in-SLA and breached exclude each
-- other.
select
    handoff_id,
    lead_id

from {{ ref('fct_handoffs') }}

where
    is_first_touch_breached != (
        case
            when first_touch_at is not null then first_touch_at > first_touch_deadline_at
            else first_touch_deadline_at < as_of_at
        end
    )
    or is_disposition_breached != (
        case
            when disposition_at is not null then disposition_at > disposition_deadline_at
            else disposition_deadline_at < as_of_at
        end
    )
    or (is_first_touch_breached and is_first_touched_in_sla)
    or (is_disposition_breached and is_dispositioned_in_sla)
    or is_open != (disposition_at is null)
