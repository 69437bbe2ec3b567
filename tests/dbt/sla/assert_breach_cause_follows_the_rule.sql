-- README "Who lost the time": a first-touch breach, and only one, has a cause:
-- `routing` when no seller held the lead by the deadline, else `rep`; the
-- assignment is never before the handoff nor after the as-of.
select
    handoff_id,
    lead_id

from {{ ref('fct_handoffs') }}

where
    (is_first_touch_breached and breach_cause is null)
    or (not is_first_touch_breached and breach_cause is not null)
    or (
        breach_cause = 'routing'
        and assigned_at is not null
        and assigned_at <= first_touch_deadline_at
    )
    or (
        breach_cause = 'rep'
        and (assigned_at is null or assigned_at > first_touch_deadline_at)
    )
    or assigned_at < handoff_at
    or assigned_at > as_of_at
