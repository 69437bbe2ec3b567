"""Known answers for the cell parsers (docs/definitions.md, "Extracts and ingest"):
timestamps, dates, booleans, numbers."""

from datetime import date, datetime

import duckdb
import pytest

from handoff.ingest.parse import error_expr, parse_expr


def _parse(value, sql_type, tz="UTC"):
    con = duckdb.connect()
    con.execute(f"set TimeZone = '{tz}'")
    parsed = parse_expr("$v", sql_type)
    err = error_expr("$v", parsed, sql_type) or "null"
    return con.execute(f"select {parsed}, {err}", {"v": value}).fetchone()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01-06T14:03:00.000+0000", datetime(2025, 1, 6, 14, 3)),  # Salesforce
        ("2025-01-06T14:03:00Z", datetime(2025, 1, 6, 14, 3)),
        ("2025-01-06T11:03:00-03:00", datetime(2025, 1, 6, 14, 3)),  # offset → UTC
        ("1736172180000", datetime(2025, 1, 6, 14, 3)),  # HubSpot epoch milliseconds
        ("2025-01-06 14:03", datetime(2025, 1, 6, 14, 3)),  # naive: source tz (UTC)
        ("2024-12-30 3:15:52", datetime(2024, 12, 30, 3, 15, 52)),  # Fivetran, 1-digit hour
        ("  2025-01-06T14:03:00Z  ", datetime(2025, 1, 6, 14, 3)),
    ],
)
def test_timestamps_become_utc(text, expected):
    assert _parse(text, "timestamp") == (expected, None)


def test_naive_timestamps_are_read_in_the_source_timezone():
    # São Paulo is UTC-3 (no DST since 2019): 14:03 local is 17:03 UTC.
    assert _parse("2025-01-06 14:03", "timestamp", "America/Sao_Paulo")[0] == datetime(
        2025, 1, 6, 17, 3
    )
    # New York in July is on daylight time (UTC-4).
    assert _parse("2025-07-07 09:00", "timestamp", "America/New_York")[0] == datetime(
        2025, 7, 7, 13, 0
    )
    # An explicit offset ignores the source timezone.
    assert _parse("2025-01-06T14:03:00Z", "timestamp", "America/Sao_Paulo")[0] == datetime(
        2025, 1, 6, 14, 3
    )


@pytest.mark.parametrize("text", ["", "   ", None])
def test_blank_cells_are_null_not_errors(text):
    for sql_type in ("timestamp", "date", "boolean", "integer", "number", "text"):
        assert _parse(text, sql_type) == (None, None)


@pytest.mark.parametrize(
    ("text", "sql_type", "reason"),
    [
        ("yesterday", "timestamp", "'yesterday' is not a timestamp"),
        ("2025-13-40", "date", "'2025-13-40' is not a date"),
        ("maybe", "boolean", "'maybe' is not a boolean (true/false, 1/0, yes/no)"),
        ("ten", "integer", "'ten' is not a whole number"),
    ],
)
def test_unparseable_cells_give_a_reason(text, sql_type, reason):
    assert _parse(text, sql_type) == (None, reason)


def test_missing_id_is_an_error():
    assert _parse("", "id") == (None, "missing id")
    assert _parse("00Q1", "id") == ("00Q1", None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("1", True),
        ("yes", True),
        ("Yes", True),
        ("false", False),
        ("FALSE", False),
        ("0", False),
        ("no", False),
    ],
)
def test_booleans(text, expected):
    assert _parse(text, "boolean") == (expected, None)


def test_dates_and_numbers():
    assert _parse("2025-01-08", "date")[0] == date(2025, 1, 8)
    assert _parse("2025-01-08T23:30:00.000+0000", "date")[0] == date(2025, 1, 8)
    assert _parse("1,200", "integer")[0] == 1200
    assert _parse("12.5", "number")[0] == 12.5
