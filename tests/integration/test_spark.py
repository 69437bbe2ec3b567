"""Spark as a target (DESIGN §11) on a real local SparkSession (dbt-spark session mode,
Java, an embedded Derby metastore): `handoff run --target spark` ingests a generated
sample, writes the raw tables through Spark and builds every model and test there;
Spark's raw tables hold exactly DuckDB's rows, and its marts equal the marts the
default DuckDB target builds from the same extracts."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from handoff.engines.spark import json_value, spark_dir
from handoff.engines.spark import query as spark_query
from handoff.ingest.publish_raw import duck_raw_tables

pytestmark = [pytest.mark.spark, pytest.mark.slow]

PROJECT_DIR = Path(__file__).resolve().parents[2]
HANDOFF = Path(sys.executable).parent / "handoff"
LEADS, SEED, AS_OF = 150, 3, "2026-01-01T00:00:00Z"
# Marts compared row for row between the engines (floats to 6 digits).
COMPARED_MARTS = ("fct_handoffs", "fct_marketing_sla_weekly", "fct_sales_sla_weekly")


def duck_query(db: Path, sql: str) -> list[list[Any]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [[json_value(v) for v in row] for row in con.execute(sql).fetchall()]


def normalised(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows with floats rounded to 6 digits, whole floats as ints (an engine may return
    2342.0 where the other returns 2342), sorted (the engines order differently)."""

    def cell(value: Any) -> Any:
        if isinstance(value, float):
            value = round(value, 6)
            return int(value) if value.is_integer() else value
        return value

    out = [[cell(v) for v in row] for row in rows]
    return sorted(out, key=lambda row: [(v is None, str(v)) for v in row])


@dataclass(frozen=True)
class Built:
    spark_home: Path
    duck_home: Path
    run: subprocess.CompletedProcess


def handoff_run(landing: Path, home: Path, *target: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.pop("HANDOFF_TARGET", None)
    return subprocess.run(
        [
            str(HANDOFF),
            "run",
            *target,
            *("--landing", str(landing), "--home", str(home), "--as-of", AS_OF),
        ],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )


@pytest.fixture(scope="module")
def built(spark_available: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """One generated sample run on Spark and, for comparison, on DuckDB."""
    root = tmp_path_factory.mktemp("spark")
    landing = root / "landing"
    gen = subprocess.run(
        [
            str(HANDOFF),
            "generate",
            "--out",
            str(landing),
            "--leads",
            str(LEADS),
            "--seed",
            str(SEED),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert gen.returncode == 0, gen.stderr[-3000:]
    spark_run = handoff_run(landing, root / "spark", "--target", "spark")
    assert spark_run.returncode == 0, (spark_run.stdout + spark_run.stderr)[-6000:]
    duck_run = handoff_run(landing, root / "duckdb")
    assert duck_run.returncode == 0, (duck_run.stdout + duck_run.stderr)[-6000:]
    yield Built(spark_home=root / "spark", duck_home=root / "duckdb", run=spark_run)


def test_run_on_spark_builds_everything_and_skips_the_duckdb_only_steps(built: Built) -> None:
    log = built.run.stdout + built.run.stderr
    assert "spark [" in log and "raw._batches" in log  # the mirror's progress
    assert "Completed successfully" in log
    assert (built.spark_home / "ingest.duckdb").exists()
    assert not (built.spark_home / "build.duckdb").exists()
    assert not (built.spark_home / "serving").exists()  # publish is skipped on spark
    assert (spark_dir(built.spark_home) / "warehouse" / "marts.db" / "fct_handoffs").is_dir()
    assert (spark_dir(built.spark_home) / "metastore_db").is_dir()


def test_raw_tables_in_spark_equal_the_ingested_rows(built: Built) -> None:
    ingest_db = built.spark_home / "ingest.duckdb"
    with duckdb.connect(str(ingest_db), read_only=True) as con:
        tables = duck_raw_tables(con)
    select = {
        table: "select " + ", ".join(f"`{c.name}`" for c in columns) + f" from raw.`{table}`"
        for table, columns in tables.items()
    }
    spark = spark_query(built.spark_home, select)
    assert set(spark) == set(tables)
    for table, columns in tables.items():
        names = ", ".join(f'"{c.name}"' for c in columns)
        expected = duck_query(ingest_db, f'select {names} from raw."{table}"')
        assert normalised(spark[table]) == normalised(expected), table
    assert len(spark["salesforce__lead"]) > 0 and len(spark["_batches"]) > 0


def test_marts_on_spark_equal_the_marts_on_duckdb(built: Built) -> None:
    with duckdb.connect(str(built.duck_home / "build.duckdb"), read_only=True) as con:
        columns = {
            mart: [
                name
                for (name,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                    [mart],
                ).fetchall()
            ]
            for mart in COMPARED_MARTS
        }
    spark = spark_query(
        built.spark_home,
        {mart: f"select {', '.join(names)} from marts.{mart}" for mart, names in columns.items()}
        | {
            "breaches": "select count(*), sum(cast(is_first_touch_breached as int)), "
            "sum(cast(is_disposition_breached as int)) from marts.fct_handoffs"
        },
    )
    for mart, names in columns.items():
        expected = duck_query(
            built.duck_home / "build.duckdb", f"select {', '.join(names)} from marts.{mart}"
        )
        assert len(expected) > 0, mart
        assert normalised(spark[mart]) == normalised(expected), mart
    handoffs, first_touch, disposition = spark["breaches"][0]
    assert handoffs > 20 and 0 < first_touch < handoffs and 0 < disposition < handoffs
