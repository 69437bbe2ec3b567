"""The sample's year and its batches: the period, the batch cutoffs and the day
weights lead arrivals are drawn from (weekends, summer, year end, holidays)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb

from handoff.generate.rules import Rules

PERIOD_START = date(2025, 1, 1)
PERIOD_END = date(2025, 12, 31)


def cutoffs(batches: int) -> list[datetime]:
    """Cutoff instants (exclusive, midnight UTC) of each batch, chronological."""
    if batches < 1:
        raise ValueError("batches must be >= 1")
    if 12 % batches == 0:
        step = 12 // batches
        out = []
        for k in range(1, batches + 1):
            month = k * step
            out.append(datetime(2025 + month // 12, month % 12 + 1, 1))
        return out
    days = (PERIOD_END - PERIOD_START).days + 1
    return [
        datetime.combine(PERIOD_START, datetime.min.time())
        + timedelta(days=round(k * days / batches))
        for k in range(1, batches + 1)
    ]


# Days on which the sample's demand departs from the seeds' holidays: two Brazilian
# holidays on a Sunday without a dip, and the Friday after Thanksgiving (a business day)
# with one. Kept so that the sample stays what it has been (its figures are quoted in
# the tests and the README); drop them and every arrival date moves.
DEMAND_DEPARTURES = {date(2025, 10, 12): 1.0, date(2025, 11, 2): 1.0, date(2025, 11, 28): 0.6}


def holiday_weights(rules: Rules) -> dict[date, float]:
    """Each holiday of the period (seeds/holidays.csv, regions of the sales teams) →
    its weight on lead volume: 0.25 when every region is off, 0.6 when some are."""
    regions = {team.holiday_region for team in rules.teams.values()}
    out = {
        day: 0.25 if regions <= where else 0.6
        for day, where in sorted(rules.holidays.items())
        if PERIOD_START <= day <= PERIOD_END and where & regions
    }
    out.update(DEMAND_DEPARTURES)
    return out


def create_days(con: duckdb.DuckDBPyConnection, rules: Rules) -> None:
    """Table ``days``: each day of the period and the lower end of its band in the CDF
    the arrival days are drawn from."""
    # Day weights → a CDF that the lead arrival times are drawn from (integer weights,
    # so the running sum is exact and deterministic).
    hol = holiday_weights(rules)
    day_rows = []
    for d in range((PERIOD_END - PERIOD_START).days + 1):
        day = PERIOD_START + timedelta(days=d)
        w = 0.3 if day.isoweekday() >= 6 else 1.0
        if date(2025, 7, 7) <= day <= date(2025, 8, 29):
            w *= 0.7
        if day >= date(2025, 12, 22) or day <= date(2025, 1, 3):
            w *= 0.45
        w *= hol.get(day, 1.0)
        w *= 0.92 + 0.16 * d / 364
        day_rows.append(f"({d}, date '{day.isoformat()}', {w!r})")
    con.execute(
        f"""
        create table days as
        with raw as (
            select d, day,
                round(w * (0.86 + 0.28 * rnd(weekofyear(day), 'week')) * 100000)::bigint as w
            from (values {", ".join(day_rows)}) as t(d, day, w)
        ),
        cum as (
            select d, day, w, sum(w) over (order by d rows between unbounded preceding and current row) - w as lo
            from raw
        )
        select d, day, lo::double / (select sum(w) from raw) as cdf_lo from cum order by d
        """
    )
