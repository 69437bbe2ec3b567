"""Sales and marketing activities (table ``acts``): each handoff's touches, follow-up
tasks, the marketing-operations user's e-mails, notes and outbound prospecting."""

from __future__ import annotations

import duckdb

from handoff.generate.company import Company
from handoff.generate.sql import lit

# Activity slots per person: the activity number is idx * 128 + slot.
SLOT_TOUCHES = 58  # 0..57 handoff 1, 58..115 handoff 2
SLOT_FOLLOW_UP = 116  # + handoff - 1
SLOT_MARKETING = 118
SLOT_NOTE = 120
SLOT_PROSPECT = 122  # .. 127

# The UTC hour from which a team's later touches (after the first) fall: an
# approximation of its local business day with a fixed offset (Brazil's, US East in
# winter, the UK in summer), not the seed's local hours, which the first touch follows.
LATER_TOUCH_UTC_HOUR = {"Sales Brazil": 12, "Sales US East": 14, "Sales UK": 8}


def create_activities(con: duckdb.DuckDBPyConnection, demo: Company) -> None:
    """One row per sales/marketing activity: touches of each handoff, follow-up tasks,
    the marketing user's e-mails, notes, and outbound prospecting before the MQL.
    Numeric columns only; ids and formats are made at export."""
    crm = "case when pop = 'hs' then 'hs' else 'sf' end"
    # Later touches fall in eight hours from a fixed UTC hour per team, Mon–Fri.
    utc_hour = " ".join(
        f"when {lit(team)} then {hour}" for team, hour in LATER_TOUCH_UTC_HOUR.items()
    )
    con.execute(
        f"""
        create or replace macro biz_snap(ts, team, u) as (
            date_trunc('day', ts)
            + to_days(case isodow(ts) when 6 then 2 when 7 then 1 else 0 end)
            + to_seconds(((case team {utc_hour} end) * 3600
                + floor(u * 8 * 3600))::bigint)
        )
        """
    )
    parts = []
    for h in (1, 2):
        base = SLOT_TOUCHES * (h - 1)
        parts.append(
            f"""
            select idx, {base} + k as slot, {crm} as crm,
                case when k = 0 then (case when rnd(idx * 128 + k, 'kind{h}') < (case when inbound then 0.5 else 0.8 end) then 'call' else 'email' end)
                     when rnd(idx * 128 + k, 'kind{h}') < (case when inbound then 0.10 else 0.03 end) then 'meeting'
                     when rnd(idx * 128 + k, 'kind{h}') < (case when inbound then 0.55 else 0.70 end) then 'call'
                     else 'email' end as kind,
                owner_j,
                case when k = 0 then touch
                     else greatest(touch + interval 5 minute, biz_snap(
                        touch + to_seconds(floor(epoch(act_end - touch) * (k + rnd(idx * 128 + k, 'when{h}')) / n)::bigint),
                        team, rnd(idx * 128 + k, 'hour{h}')))
                end as ts,
                null::timestamp as done_ts, null::date as due_date
            from (
                select idx, pop, inbound, owner_j, team, touch{h} as touch, act_end{h} as act_end,
                    least(n_touch{h}, {SLOT_TOUCHES}) as n, unnest(range(least(n_touch{h}, {SLOT_TOUCHES}))) as k
                from people where n_touch{h} > 0
            )
            """
        )
        parts.append(
            f"""
            select idx, {SLOT_FOLLOW_UP + h - 1}, {crm}, 'task', owner_j, touch{h} + interval 1 hour,
                case when rnd(idx, 'fu_done{h}') < 0.8
                     then touch{h} + to_seconds(floor((2 + 3 * rnd(idx, 'fu_when{h}')) * 86400)::bigint) end,
                (touch{h} + interval 3 day)::date
            from people where touch{h} is not null and rnd(idx, 'fu{h}') < 0.4
            """
        )
        parts.append(
            f"""
            select idx, {SLOT_MARKETING + h - 1}, case when pop = 'sf' then 'sf' else 'hs' end, 'email', {demo.mops_user},
                t_mql{h} + to_seconds(floor((1 + 19 * rnd(idx, 'mk_when{h}')) * 60)::bigint), null, null
            from people where t_mql{h} is not null and rnd(idx, 'mk{h}') < 0.08
            """
        )
        parts.append(
            f"""
            select idx, {SLOT_NOTE + h - 1}, 'hs', 'note', owner_j, act_end{h}, null, null
            from people where pop = 'hs' and touch{h} is not null and rnd(idx, 'note{h}') < 0.3
            """
        )
    parts.append(
        f"""
        select idx, {SLOT_PROSPECT} + k, {crm},
            case when rnd(idx * 128 + k, 'pk') < 0.8 then 'call' else 'email' end, owner_j,
            greatest(created_at + interval 1 minute, biz_snap(
                created_at + to_seconds(floor(epoch(coalesce(t_mql1, created_at + interval 30 day) - created_at)
                    * (k + rnd(idx * 128 + k, 'pw')) / n)::bigint),
                team, rnd(idx * 128 + k, 'ph'))),
            null, null
        from (
            select idx, pop, owner_j, team, created_at, t_mql1, floor(rnd(idx, 'np') * 7)::int as n,
                unnest(range(floor(rnd(idx, 'np') * 7)::int)) as k
            from people where not inbound and pop <> 'sync' and owner_j is not null
        )
        """
    )
    con.execute("create table acts as " + " union all ".join(parts))
