"""The sample's year and its batches: the period, the batch cutoffs and the day
weights lead arrivals are drawn from (weekends, summer, year end, holidays)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb

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


def holidays() -> dict[date, float]:
    """2025 holidays of the sales regions (BR, US, UK) → weight on lead volume."""
    regional = (
        "2025-01-20 2025-02-17 2025-03-03 2025-03-04 2025-04-18 2025-04-21 2025-05-01 "
        "2025-05-05 2025-05-26 2025-06-19 2025-07-04 2025-08-25 2025-09-01 2025-09-07 "
        "2025-10-13 2025-11-11 2025-11-15 2025-11-20 2025-11-27 2025-11-28 2025-12-26"
    ).split()
    out = {date.fromisoformat(d): 0.6 for d in regional}
    out[date(2025, 1, 1)] = 0.25
    out[date(2025, 12, 25)] = 0.25
    return out


def create_days(con: duckdb.DuckDBPyConnection) -> None:
    """Table ``days``: each day of the period and the lower end of its band in the CDF
    the arrival days are drawn from."""
    # Day weights → a CDF that the lead arrival times are drawn from (integer weights,
    # so the running sum is exact and deterministic).
    hol = holidays()
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
