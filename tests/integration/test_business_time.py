"""Business time (docs/definitions.md, "Business time") on a real DuckDB: `dbt build` of
the business calendar and of the handoffs' business time, as users run it. The dbt unit
tests of int_handoffs_business_time (hand-computed deadlines and business minutes across
DST changes and holidays) run inside that build; the tests here check the built calendar
itself: DST-correct UTC windows, holidays and weekends, running totals.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import pytest

from handoff.ingest.tables import ensure_raw_tables

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    home = tmp_path_factory.mktemp("handoff_home")
    con = duckdb.connect(str(home / "build.duckdb"))
    ensure_raw_tables(con)
    con.close()

    env = {
        **os.environ,
        "HANDOFF_HOME": str(home),
        "DBT_LOG_PATH": str(home / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    result = subprocess.run(
        [
            str(DBT),
            "build",
            "--select",
            "+int_business_calendar",
            "+int_handoffs_business_time",
            "--indirect-selection",
            "cautious",
            "--profiles-dir",
            "profiles",
            "--project-dir",
            ".",
            "--target-path",
            str(home / "target"),
        ],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    # The hand-computed cases ran and passed inside the build.
    assert "handoff_business_time_is_counted_in_the_team_window" in result.stdout

    con = duckdb.connect(str(home / "build.duckdb"), read_only=True)
    yield con
    con.close()


def calendar_day(con: duckdb.DuckDBPyConnection, team: str, day: date) -> dict[str, object]:
    cursor = con.execute(
        "select * from intermediate.int_business_calendar where team = ? and calendar_date = ?",
        [team, day],
    )
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    assert row is not None, (team, day)
    return dict(zip(names, row, strict=True))


def test_new_york_window_moves_with_us_dst(built: duckdb.DuckDBPyConnection) -> None:
    # 09:00 EST = 14:00 UTC on Friday; clocks go forward on Sunday 2025-03-09;
    # 09:00 EDT = 13:00 UTC on Monday.
    friday = calendar_day(built, "Sales US East", date(2025, 3, 7))
    monday = calendar_day(built, "Sales US East", date(2025, 3, 10))
    assert (friday["window_open_at"], friday["window_close_at"]) == (
        datetime(2025, 3, 7, 14),
        datetime(2025, 3, 7, 22),
    )
    assert (monday["window_open_at"], monday["window_close_at"]) == (
        datetime(2025, 3, 10, 13),
        datetime(2025, 3, 10, 21),
    )
    # The weekend between adds no business time; Monday is the next business day.
    assert monday["cumulative_business_minutes_before"] == (
        friday["cumulative_business_minutes_before"] + 480
    )
    assert monday["business_day_number"] == friday["business_day_number"] + 1


def test_london_window_moves_with_uk_dst(built: duckdb.DuckDBPyConnection) -> None:
    friday = calendar_day(built, "Sales UK", date(2025, 3, 28))
    monday = calendar_day(built, "Sales UK", date(2025, 3, 31))
    assert friday["window_open_at"] == datetime(2025, 3, 28, 9)
    assert monday["window_open_at"] == datetime(2025, 3, 31, 8)
    assert monday["window_close_at"] == datetime(2025, 3, 31, 16, 30)
    assert monday["business_minutes"] == 510


def test_sao_paulo_opens_at_noon_utc_all_year(built: duckdb.DuckDBPyConnection) -> None:
    # Brazil has had no DST since 2019: 09:00 in São Paulo is 12:00 UTC.
    opening_times = built.execute(
        """
        select distinct cast(window_open_at as time), cast(window_close_at as time)
        from intermediate.int_business_calendar
        where team = 'Sales Brazil' and calendar_date between '2024-01-01' and '2026-12-31'
        """
    ).fetchall()
    assert opening_times == [(time(12), time(21))]


def test_holidays_and_weekends_are_not_business_days(built: duckdb.DuckDBPyConnection) -> None:
    thanksgiving = calendar_day(built, "Sales US East", date(2025, 11, 27))
    assert thanksgiving["is_business_day"] is False
    assert thanksgiving["business_minutes"] == 0
    assert thanksgiving["holiday_name"] == "Thanksgiving Day"
    # A US holiday is an ordinary day in London.
    assert calendar_day(built, "Sales UK", date(2025, 11, 27))["is_business_day"] is True
    assert calendar_day(built, "Sales UK", date(2025, 4, 21))["is_business_day"] is False
    assert calendar_day(built, "Sales Brazil", date(2025, 3, 4))["is_business_day"] is False
    saturday = calendar_day(built, "default", date(2025, 3, 8))
    assert saturday["is_business_day"] is False
    assert saturday["business_minutes"] == 0


def test_calendar_covers_every_team_and_date(built: duckdb.DuckDBPyConnection) -> None:
    counts = built.execute(
        """
        select team, count(*), min(calendar_date), max(calendar_date)
        from intermediate.int_business_calendar
        group by team
        order by team
        """
    ).fetchall()
    days = (date(2027, 12, 31) - date(2019, 1, 1)).days + 1
    assert counts == [
        (team, days, date(2019, 1, 1), date(2027, 12, 31))
        for team in sorted(["default", "Sales Brazil", "Sales US East", "Sales UK"])
    ]


def test_business_day_numbers_are_consecutive(built: duckdb.DuckDBPyConnection) -> None:
    # Deadline joins rely on (team, business_day_number) being unique among
    # business days and on the running totals adding up.
    gaps = built.execute(
        """
        with business_days as (
            select
                team,
                business_day_number,
                cumulative_business_minutes_before,
                business_minutes,
                lag(business_day_number) over (partition by team order by calendar_date)
                    as previous_number,
                lag(cumulative_business_minutes_before + business_minutes)
                    over (partition by team order by calendar_date) as previous_total
            from intermediate.int_business_calendar
            where is_business_day
        )
        select count(*) from business_days
        where previous_number is not null
          and (business_day_number != previous_number + 1
               or cumulative_business_minutes_before != previous_total)
        """
    ).fetchone()
    assert gaps == (0,)


def test_handoffs_business_time_has_its_columns(built: duckdb.DuckDBPyConnection) -> None:
    columns = {
        name
        for (name,) in built.execute(
            "select column_name from information_schema.columns"
            " where table_schema = 'intermediate' and table_name = 'int_handoffs_business_time'"
        ).fetchall()
    }
    assert {
        "handoff_id",
        "team",
        "handoff_at",
        "first_touch_at",
        "disposition_at",
        "clock_start_at",
        "first_touch_deadline_at",
        "disposition_deadline_at",
        "business_minutes_to_first_touch",
        "business_minutes_to_disposition",
    } <= columns
