"""One handoff of every lead (the first MQL, or the second after a recycle): when its
seller first touches it, within the touch window from the team's opening, how it is
disposed of (SQL, disqualified, recycled) and whether it converts."""

from __future__ import annotations

import duckdb

from handoff.generate.rules import Rules
from handoff.generate.sql import lit

# Sellers touch a lead within the first eight hours of their team's business day (its
# opening is the seed's); later touches: activities.LATER_TOUCH_UTC_HOUR.
TOUCH_WINDOW_MINUTES = 8 * 60


def _next_open(ts: str, local: str, tz: str) -> str:
    """SQL: ``ts`` if inside the seller's touch window (Mon–Fri, from the team's opening
    ``_open`` for TOUCH_WINDOW_MINUTES, local time), else the next window's opening;
    ``local`` is ``ts`` already converted to local time."""
    minute = f"(hour({local}) * 60 + minute({local}))"
    return f"""(case
        when isodow({local}) <= 5 and {minute} >= _open and {minute} < _open + {TOUCH_WINDOW_MINUTES}
            then {ts}
        when isodow({local}) <= 5 and {minute} < _open
            then utc_ts(date_trunc('day', {local}) + to_minutes(_open), {tz})
        else utc_ts(date_trunc('day', {local})
            + to_days(case isodow({local}) when 5 then 3 when 6 then 2 else 1 end)
            + to_minutes(_open), {tz})
    end)"""


def handoff_table(
    con: duckdb.DuckDBPyConnection, rules: Rules, h: int, src: str, dst: str, offer: str
) -> None:
    """``dst`` = ``src`` plus handoff ``h`` (1 or 2): first touch, disposition, conversion.
    Built in stages so every expensive expression (time zones, draws) is computed once."""

    def R(salt: str) -> str:
        return f"rnd(idx, '{salt}{h}')"

    t_mql = f"t_mql{h}"
    speed = (
        "(case when _delay < 5 then 1.5 when _delay < 60 then 1.25 when _delay < 240 then 1.05 "
        "when _delay < 1440 then 0.85 else 0.6 end)"
    )
    con.execute(
        f"""
        create table {dst} as
        with s1 as (
            select {src}.*,
                coalesce(u.tz, {lit(rules.default_team.timezone)}) as _tz,
                coalesce(u.opens_min, {rules.default_team.opens_minute}) as _open,
                coalesce(o.conv_mult, 1.0) as _offer_mult,
                ({t_mql} is not null and u.kind = 'sdr' and {R("never")} >= u.p_never) as _touched,
                u.median_min * exp(1.1 * rnorm(idx, 'delay{h}')) as _delay,
                {t_mql} + to_seconds(case when pop = 'sync' then sync_lag_s else 0 end)
                    {"+ to_seconds(route_lag_s)" if h == 1 else ""} as _seen
            from {src}
            left join users as u on u.j = {src}.owner_j
            left join offers as o on o.o = {offer}
        ),
        s2 as (select *, local_ts(_seen, _tz) as _seen_local from s1),
        s3 as (
            select *, {_next_open("_seen", "_seen_local", "_tz")}
                + to_seconds(floor(coalesce(_delay, 0) * 60)::bigint) as _raw_touch
            from s2
        ),
        s4 as (select *, local_ts(_raw_touch, _tz) as _raw_touch_local from s3),
        s5 as (
            select *,
                case when _touched then {_next_open("_raw_touch", "_raw_touch_local", "_tz")} end
                    as _touch,
                least(0.92, (case when inbound then 0.44 else 0.16 end) * f_fit * {speed}
                    * _offer_mult * {1.0 if h == 1 else 0.85}) as _p_sql
            from s4
        ),
        s6 as (
            select *,
                case when _touched then (case
                        when {R("sql")} < _p_sql then 'sql'
                        when {R("dq")} < (case when inbound then 0.5 else 0.7 end) then 'disqualified'
                        else 'recycled' end)
                     when {t_mql} is not null and {R("auto")} < 0.4 then 'recycled'
                end as _outcome
            from s5
        ),
        s7 as (
            select *,
                case when _touched then _touch + to_seconds(floor(600 + 86400 * rexp(idx, 'disp{h}') * (
                    case when _outcome = 'sql' then (case when inbound then 1.5 else 6 end)
                         else (case when inbound then 3 else 14 end) end))::bigint)
                end as _touched_disp
            from s6
        )
        select * exclude (_tz, _open, _offer_mult, _touched, _delay, _seen, _seen_local, _raw_touch,
                          _raw_touch_local, _touch, _p_sql, _outcome, _touched_disp),
            _touched as touched{h},
            case when _touched then _delay end as delay_min{h},
            _touch as touch{h},
            _outcome as outcome{h},
            case when _touched then
                (case when inbound then 3 + least(floor(rexp(idx, 'ntouch{h}') * 7), 40)
                      else 14 + floor({R("ntouch")} * 28) end)::integer
                else 0 end as n_touch{h},
            case when _touched then _touched_disp
                 when _outcome = 'recycled'
                    then {t_mql} + to_seconds(floor((30 + {R("autod")} * 30) * 86400)::bigint)
            end as disp{h},
            case when _outcome = 'sql' and {R("conv")} < 0.75
                then _touched_disp + to_seconds(floor((0.5 + {R("convd")} * 9.5) * 86400)::bigint)
            end as conv{h},
            case when _touched then greatest(_touched_disp, _touch + interval 2 day) end as act_end{h}
        from s7
        """
    )
