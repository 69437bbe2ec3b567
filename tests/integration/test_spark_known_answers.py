"""The hand-computed SLA answers of test_sla_known_answers, on Spark: the same tiny
HubSpot and Salesforce batches through `handoff run --target spark`, and
`marts.fct_handoffs` / `fct_marketing_sla_weekly` read back from Spark must hold the
values worked out by hand there (business time across DST and holidays, queues,
re-MQLs, touches after the as-of)."""

from __future__ import annotations

import os
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from test_sla_known_answers import (
    AS_OF,
    AS_OF_AT,
    EXPECTED_HANDOFFS,
    HANDOFF,
    PROJECT_DIR,
    lead_key,
    write_batches,
)

from handoff.engines.spark import query

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def as_text(value: Any) -> Any:
    """Expected values as the Spark query returns them (timestamps, dates as text)."""
    return str(value) if isinstance(value, datetime | date) else value


def rows(result: dict[str, list[list[Any]]], name: str, columns: list[str]) -> list[dict]:
    return [dict(zip(columns, row, strict=True)) for row in result[name]]


HANDOFF_COLUMNS = ["lead_id", "handoff_number", "as_of_at", "policy_id", "crm"] + list(
    EXPECTED_HANDOFFS[("A", 1)]
)
WEEK_COLUMNS = [
    "week_start_date",
    "segment",
    "target_mqls",
    "delivered_mqls",
    "good_fit_mqls",
    "good_fit_share",
    "is_met",
]


@pytest.fixture(scope="module")
def spark_marts(
    spark_available: None, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[dict]]:
    root = tmp_path_factory.mktemp("spark_known_answers")
    landing, home = root / "landing", root / "home"
    write_batches(landing)
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.pop("HANDOFF_TARGET", None)
    run = subprocess.run(
        [
            str(HANDOFF),
            "run",
            *("--target", "spark", "--landing", str(landing), "--home", str(home)),
            *("--as-of", AS_OF),
        ],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-6000:]
    result = query(
        Path(home),
        {
            "handoffs": f"select {', '.join(HANDOFF_COLUMNS)} from marts.fct_handoffs",
            "weeks": f"select {', '.join(WEEK_COLUMNS)} from marts.fct_marketing_sla_weekly",
        },
    )
    return {
        "handoffs": rows(result, "handoffs", HANDOFF_COLUMNS),
        "weeks": rows(result, "weeks", WEEK_COLUMNS),
    }


def test_every_handoff_matches_the_hand_computed_answer_on_spark(spark_marts) -> None:
    found = {(lead_key(r["lead_id"]), r["handoff_number"]): r for r in spark_marts["handoffs"]}
    assert sorted(found) == sorted(EXPECTED_HANDOFFS)
    for key, expected in EXPECTED_HANDOFFS.items():
        row = found[key]
        actual = {column: row[column] for column in expected}
        assert actual == {k: as_text(v) for k, v in expected.items()}, key
        assert row["as_of_at"] == str(AS_OF_AT)
        assert row["policy_id"] == "default"


def test_marketing_weekly_sla_on_spark(spark_marts) -> None:
    weeks = {row["week_start_date"]: row for row in spark_marts["weeks"]}
    assert min(weeks) == "2025-03-03" and max(weeks) == "2025-12-01" and len(weeks) == 40
    week = weeks["2025-12-01"]
    assert (week["segment"], week["target_mqls"], week["delivered_mqls"]) == ("*", 50, 4)
    assert week["good_fit_mqls"] == 2 and week["good_fit_share"] == pytest.approx(0.5)
    assert week["is_met"] is False
    assert sum(row["delivered_mqls"] for row in weeks.values()) == 10
