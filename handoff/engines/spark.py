"""Spark as a target (DESIGN §11): the local SparkSession configuration shared with the
``spark`` target of ``profiles/profiles.yml``, and the Spark side of the raw mirror.

Everything lives under ``<home>/spark``: ``warehouse/`` (the tables, Parquet) and
``metastore_db/`` (their catalog, an embedded Derby Hive metastore), so tables
persist from one process (one JVM) to the next. Derby admits one JVM at a time,
which is why the mirror runs in a child process (``python -m handoff.engines.spark``)
that exits — releasing the metastore — before dbt starts its own session.

The DuckDB side of the mirror (:func:`handoff.ingest.publish_raw.mirror_to_spark`)
exports the raw layer to Parquet; :func:`load_raw` here replaces Spark's ``raw``
tables with those files when the loads differ from what Spark already holds.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

Progress = Callable[[str], None]

# DuckDB type → Spark SQL type; anything else travels as string.
SPARK_TYPES = {
    "VARCHAR": "string",
    "TIMESTAMP": "timestamp",
    "DATE": "date",
    "BOOLEAN": "boolean",
    "BIGINT": "bigint",
    "INTEGER": "int",
    "DOUBLE": "double",
}
LEDGER = "_batches"
MANIFEST = "manifest.json"


class SparkUnavailable(RuntimeError):
    """Java or pyspark is missing, or the Spark child process failed."""


def spark_dir(home: Path) -> Path:
    return Path(home).resolve() / "spark"


def conf(home: Path, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The SparkSession settings of the ``spark`` profile target for ``home``:
    local[2], warehouse and Derby metastore under ``<home>/spark``, UTC session time."""
    env = os.environ if environ is None else environ
    root = spark_dir(home)
    return {
        "spark.master": "local[2]",
        "spark.app.name": "handoff-dbt",
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": f"{root}/warehouse",
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={root}/metastore_db;create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={root}",
        "spark.driver.memory": env.get("HANDOFF_SPARK_DRIVER_MEMORY", "2g"),
        "spark.sql.session.timeZone": "UTC",
        # Data-size knobs, shared with the profile (tests/conftest.py sets the small
        # sample's values): partitions per shuffle, adaptive query execution, and
        # whole-stage code generation (compiling each query costs more than it saves
        # on a few hundred rows).
        "spark.sql.shuffle.partitions": env.get("HANDOFF_SPARK_SHUFFLE_PARTITIONS", "4"),
        "spark.sql.adaptive.enabled": env.get("HANDOFF_SPARK_ADAPTIVE", "true"),
        "spark.sql.codegen.wholeStage": env.get("HANDOFF_SPARK_CODEGEN", "true"),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
    }


def java_executable() -> str | None:
    """``$JAVA_HOME/bin/java`` or ``java`` on the PATH (what pyspark launches)."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    return shutil.which("java")


def unavailable_reason() -> str | None:
    """Why Spark cannot run here (no Java, no pyspark), or ``None`` when it can."""
    if java_executable() is None:
        return "no Java runtime (install Java 17 or set JAVA_HOME)"
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (uv sync --extra spark)"
    return None


def session(home: Path) -> Any:
    """A SparkSession with Hive support configured like the ``spark`` profile target."""
    from pyspark.sql import SparkSession

    spark_dir(home).mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in conf(home).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _spark_loads(spark: Any) -> set[tuple[str, str]] | None:
    """(batch_id, loaded_at ISO) of every load in Spark's ledger; ``None`` if absent."""
    if not spark.catalog.tableExists(f"raw.{LEDGER}"):
        return None
    rows = spark.sql(f"select distinct batch_id, loaded_at from raw.{LEDGER}").collect()
    return {(row[0], row[1].isoformat(sep=" ")) for row in rows}


def _spark_columns(spark: Any, table: str) -> list[str] | None:
    if not spark.catalog.tableExists(f"raw.{table}"):
        return None
    return [c.name for c in spark.catalog.listColumns(table, "raw")]


def load_raw(home: Path, scratch: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Replace Spark's ``raw`` tables with the Parquet export in ``scratch`` (written by
    :func:`handoff.ingest.publish_raw.export_raw`) unless Spark already holds exactly
    its loads and columns. The ledger is dropped first and written last, so a crash
    leaves Spark's ledger missing and the next run copies everything again.
    Returns ``{"copied": bool, "rows_by_table": {...}, "loads": n}``."""
    say = progress or (lambda _msg: None)
    manifest = json.loads((scratch / MANIFEST).read_text())
    tables: dict[str, list[list[str]]] = manifest["tables"]
    loads = {(b, t) for b, t in manifest["loads"]}
    say("spark: starting a local Spark session (local[2])")
    spark = session(home)
    try:
        spark.sql("create database if not exists raw")
        same_loads = _spark_loads(spark) == loads
        same_columns = all(
            _spark_columns(spark, table) == [name for name, _ in columns]
            for table, columns in tables.items()
        )
        if same_loads and same_columns:
            say(f"spark: raw layer up to date ({len(loads)} load(s) already there)")
            return {"copied": False, "rows_by_table": {}, "loads": len(loads)}
        spark.sql(f"drop table if exists raw.{LEDGER}")
        order = [t for t in tables if t != LEDGER] + [LEDGER]
        rows_by_table: dict[str, int] = {}
        for n, table in enumerate(order, 1):
            started = time.monotonic()
            select = ", ".join(
                f"cast({_quote(name)} as {spark_type}) as {_quote(name)}"
                for name, spark_type in tables[table]
            )
            path = scratch / f"table-{table}.parquet"  # Spark skips files named _*
            spark.sql(f"drop table if exists raw.{_quote(table)}")
            spark.sql(
                f"create table raw.{_quote(table)} using parquet as "
                f"select {select} from parquet.`{path}`"
            )
            rows = int(manifest["rows"][table])
            rows_by_table[table] = rows
            say(
                f"spark [{n}/{len(order)}] raw.{table}: {rows:,} rows "
                f"({time.monotonic() - started:.1f} s)"
            )
        return {"copied": True, "rows_by_table": rows_by_table, "loads": len(loads)}
    finally:
        spark.stop()


def run_load_raw(home: Path, scratch: Path, progress: Progress | None = None) -> dict[str, Any]:
    """:func:`load_raw` in a child Python process, so its JVM (and the Derby lock on
    the metastore) is gone when this returns. Its progress lines are forwarded."""
    say = progress or (lambda _msg: None)
    reason = unavailable_reason()
    if reason:
        raise SparkUnavailable(f"cannot write the raw tables to Spark: {reason}")
    log = spark_dir(home) / "mirror.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    result = scratch / "result.json"
    cmd = [sys.executable, "-m", "handoff.engines.spark", "load-raw", str(home), str(scratch)]
    with open(log, "w") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            say(line.rstrip("\n"))
        code = proc.wait()
    if code != 0 or not result.exists():
        tail = "\n".join(log.read_text(errors="replace").strip().splitlines()[-20:])
        raise SparkUnavailable(
            f"writing the raw tables to Spark failed (exit code {code}; log {log})\n{tail}"
        )
    return json.loads(result.read_text())


def json_value(value: Any) -> Any:
    """A query result value as JSON: itself, or its text for dates, times, decimals."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)  # datetime, date, Decimal: their ISO / plain text form


def query(home: Path, queries: dict[str, str]) -> dict[str, list[list[Any]]]:
    """Run named SQL queries on the Spark tables of ``home`` in a child process (its JVM
    releases the metastore on exit); rows come back as lists of JSON values, with
    timestamps as naive UTC text (``2025-01-06 14:03:00``) and dates as ISO text."""
    reason = unavailable_reason()
    if reason:
        raise SparkUnavailable(f"cannot query Spark: {reason}")
    proc = subprocess.run(
        [sys.executable, "-m", "handoff.engines.spark", "query", str(home), json.dumps(queries)],
        env={**os.environ, "TZ": "UTC"},  # pyspark renders timestamps in the process's zone
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-20:])
        raise SparkUnavailable(f"the Spark query failed (exit code {proc.returncode})\n{tail}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _main(argv: list[str]) -> int:
    command, home = argv[0], Path(argv[1])
    if command == "query":
        spark = session(home)
        try:
            out = {
                name: [[json_value(v) for v in row] for row in spark.sql(sql).collect()]
                for name, sql in json.loads(argv[2]).items()
            }
        finally:
            spark.stop()
        print(json.dumps(out), flush=True)
        return 0
    scratch = Path(argv[2])
    outcome = load_raw(home, scratch, progress=lambda msg: print(msg, flush=True))
    (scratch / "result.json").write_text(json.dumps(outcome))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
