"""Spark as a target (DESIGN §11) on a real local SparkSession (dbt-spark session mode,
Java, an embedded Derby metastore).

One landing — a 150-lead generated sample plus the hand-computed batches of
test_sla_known_answers — is run once through `handoff run --target spark` (ingest,
raw tables written through Spark, every model, data test and unit test built there)
and once through the default DuckDB target, at the known answers' as-of. Then:
Spark's raw tables hold exactly DuckDB's rows; every mart on Spark equals the DuckDB
build's row for row; and the hand-computed handoffs (business time across DST and
holidays, queues, re-MQLs, touches after the as-of) hold on Spark as well.

A Spark build costs minutes (each dbt node is a Spark job and a metastore update),
so everything here shares that one build and one query session."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from test_sla_known_answers import (
    AS_OF,
    AS_OF_AT,
    CONTACT_I,
    EXPECTED_HANDOFFS,
    lead_key,
    write_batches,
)
from test_sla_known_answers import (
    LEADS as KNOWN_LEADS,
)

from handoff.engines.spark import json_value, spark_dir
from handoff.engines.spark import query as spark_query
from handoff.ingest.publish_raw import duck_raw_tables

pytestmark = [pytest.mark.spark, pytest.mark.slow]

PROJECT_DIR = Path(__file__).resolve().parents[2]
HANDOFF = Path(sys.executable).parent / "handoff"
LEADS, SEED = 150, 3
HANDOFF_COLUMNS = ["lead_id", "handoff_number", "as_of_at", "policy_id", "crm"] + list(
    EXPECTED_HANDOFFS[("A", 1)]
)


def duck_query(db: Path, sql: str) -> list[list[Any]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [[json_value(v) for v in row] for row in con.execute(sql).fetchall()]


def normalised(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows with whole floats as ints (an engine may return 2342.0 where the other
    returns 2342), sorted (the engines order differently) on their non-float values,
    then their floats to 3 digits."""

    def cell(value: Any) -> Any:
        return int(value) if isinstance(value, float) and value.is_integer() else value

    def key(row: list[Any]) -> list[Any]:
        exact = [(v is None, str(v)) for v in row if not isinstance(v, float)]
        return exact + [round(v, 3) for v in row if isinstance(v, float)]

    return sorted(([cell(v) for v in row] for row in rows), key=key)


def assert_same_rows(actual: list[list[Any]], expected: list[list[Any]], what: str) -> None:
    """The same rows in any order; floats equal to 1e-9 relative or 1e-6 absolute (the
    engines' floating-point sums and divisions differ in the last digits)."""
    actual, expected = normalised(actual), normalised(expected)
    assert len(actual) == len(expected), what
    for got, want in zip(actual, expected, strict=True):
        assert len(got) == len(want) and all(map(same_value, got, want)), (what, got, want)


def same_value(got: Any, want: Any) -> bool:
    if isinstance(got, float) or isinstance(want, float):
        numbers = (int, float)
        if isinstance(got, numbers) and isinstance(want, numbers):
            return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-6)
    return type(got) is type(want) and got == want


def as_text(value: Any) -> Any:
    """Expected values as the Spark query returns them (timestamps, dates as text)."""
    return str(value) if isinstance(value, datetime | date) else value


@dataclass(frozen=True)
class Built:
    spark_home: Path
    duck_home: Path
    run: subprocess.CompletedProcess
    raw_columns: dict[str, list[str]]  # raw table → columns (DuckDB's ingest)
    mart_columns: dict[str, list[str]]  # mart → columns (DuckDB's build)
    spark: dict[str, list[list[Any]]]  # query name → rows read back from Spark


# A few hundred rows: one shuffle partition, no adaptive re-planning, no whole-stage
# code generation (see handoff.engines.spark.conf) — a third off the Spark build.
SMALL_DATA = {
    "HANDOFF_SPARK_SHUFFLE_PARTITIONS": "1",
    "HANDOFF_SPARK_ADAPTIVE": "false",
    "HANDOFF_SPARK_CODEGEN": "false",
}


def handoff_run(landing: Path, home: Path, *target: str) -> subprocess.Popen:
    """`handoff run` started in the background, its output going to ``<home>.log``."""
    env = {**os.environ, **SMALL_DATA, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.pop("HANDOFF_TARGET", None)
    with open(home.with_suffix(".log"), "w") as log:
        return subprocess.Popen(
            [
                str(HANDOFF),
                "run",
                *target,
                *("--landing", str(landing), "--home", str(home), "--as-of", AS_OF),
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def finish(proc: subprocess.Popen, home: Path) -> subprocess.CompletedProcess:
    try:
        proc.wait(timeout=2400)
    finally:
        proc.kill()  # no-op when it has exited
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, home.with_suffix(".log").read_text(), ""
    )


@pytest.fixture(scope="module")
def built(spark_available: None, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The shared landing built on Spark and on DuckDB, and everything the tests read
    from Spark, fetched in one child Spark session."""
    root = tmp_path_factory.mktemp("spark")
    landing = root / "landing"
    gen = subprocess.run(
        [str(HANDOFF), "generate", "--out", str(landing), "--leads", str(LEADS)]
        + ["--seed", str(SEED)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert gen.returncode == 0, gen.stderr[-3000:]
    write_batches(landing)  # the hand-computed leads, in batches of their own
    # Both at once: the Spark build waits on Spark's per-query latency more than it
    # computes, so the DuckDB twin fits beside it on the two cores.
    spark_proc = handoff_run(landing, root / "spark", "--target", "spark")
    duck_proc = handoff_run(landing, root / "duckdb")
    spark_run = finish(spark_proc, root / "spark")
    duck_run = finish(duck_proc, root / "duckdb")
    assert spark_run.returncode == 0, (spark_run.stdout + spark_run.stderr)[-6000:]
    assert duck_run.returncode == 0, (duck_run.stdout + duck_run.stderr)[-6000:]

    with duckdb.connect(str(root / "spark" / "ingest.duckdb"), read_only=True) as con:
        raw_columns = {
            table: [c.name for c in columns] for table, columns in duck_raw_tables(con).items()
        }
    with duckdb.connect(str(root / "duckdb" / "build.duckdb"), read_only=True) as con:
        mart_columns: dict[str, list[str]] = {}
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' order by table_name, ordinal_position"
        ).fetchall():
            mart_columns.setdefault(table, []).append(column)

    def select(columns: list[str], relation: str) -> str:
        return "select " + ", ".join(f"`{c}`" for c in columns) + f" from {relation}"

    queries = {f"raw.{t}": select(cols, f"raw.`{t}`") for t, cols in raw_columns.items()}
    queries |= {f"marts.{m}": select(cols, f"marts.{m}") for m, cols in mart_columns.items()}
    queries["handoffs"] = select(HANDOFF_COLUMNS, "marts.fct_handoffs")
    with pytest.MonkeyPatch.context() as patch:
        for key, value in SMALL_DATA.items():
            patch.setenv(key, value)
        spark = spark_query(root / "spark", queries)
    return Built(root / "spark", root / "duckdb", spark_run, raw_columns, mart_columns, spark)


def test_run_on_spark_builds_everything_and_skips_the_duckdb_only_steps(built: Built) -> None:
    log = built.run.stdout + built.run.stderr
    assert "spark [" in log and "raw._batches" in log  # the mirror's progress
    assert "Completed successfully" in log
    # every node ran and passed on Spark: seeds, models, data and unit tests
    done = re.search(r"PASS=(\d+) WARN=(\d+) ERROR=(\d+) SKIP=(\d+) NO-OP=(\d+) TOTAL=(\d+)", log)
    assert done, log[-3000:]
    passed, warned, errors, skipped, no_op, total = map(int, done.groups())
    assert (errors, skipped) == (0, 0) and passed + warned + no_op == total
    assert passed > 500 and no_op <= 5  # the no-ops are the 5 exposures
    assert (built.spark_home / "ingest.duckdb").exists()
    assert not (built.spark_home / "build.duckdb").exists()
    assert not (built.spark_home / "serving").exists()  # publish is skipped on spark
    assert (spark_dir(built.spark_home) / "warehouse" / "marts.db" / "fct_handoffs").is_dir()
    assert (spark_dir(built.spark_home) / "metastore_db").is_dir()


def test_raw_tables_in_spark_equal_the_ingested_rows(built: Built) -> None:
    ingest_db = built.spark_home / "ingest.duckdb"
    for table, columns in built.raw_columns.items():
        names = ", ".join(f'"{c}"' for c in columns)
        expected = duck_query(ingest_db, f'select {names} from raw."{table}"')
        assert_same_rows(built.spark[f"raw.{table}"], expected, table)
    assert len(built.spark["raw.salesforce__lead"]) > LEADS / 2
    assert len(built.spark["raw._batches"]) > 0


def test_every_mart_on_spark_equals_the_mart_on_duckdb(built: Built) -> None:
    assert len(built.mart_columns) >= 17 and "fct_handoffs" in built.mart_columns
    assert {"fct_offer_attribution", "fct_routing_fairness"} <= set(built.mart_columns)
    for mart, columns in built.mart_columns.items():
        expected = duck_query(
            built.duck_home / "build.duckdb", f"select {', '.join(columns)} from marts.{mart}"
        )
        assert len(expected) > 0, mart
        assert_same_rows(built.spark[f"marts.{mart}"], expected, mart)


def test_every_hand_computed_handoff_holds_on_spark(built: Built) -> None:
    handoffs = [dict(zip(HANDOFF_COLUMNS, row, strict=True)) for row in built.spark["handoffs"]]
    known = {*KNOWN_LEADS.values(), f"hs-{CONTACT_I}"}  # the hand-computed batches' leads
    found = {
        (lead_key(row["lead_id"]), row["handoff_number"]): row
        for row in handoffs
        if row["lead_id"] in known
    }
    assert sorted(found) == sorted(EXPECTED_HANDOFFS)
    assert len(handoffs) > len(found)  # the generated leads are there too
    for key, expected in EXPECTED_HANDOFFS.items():
        row = found[key]
        actual = {column: row[column] for column in expected}
        assert actual == {k: as_text(v) for k, v in expected.items()}, key
        assert row["as_of_at"] == str(AS_OF_AT)
        assert row["policy_id"] == "default"
