"""Spark as a target (README, "Running on Spark"): the local SparkSession configuration shared with the
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
import tempfile
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
        import pyspark  # noqa: F401 — in a function: a probe for the optional extra
    except ImportError:
        return "pyspark is not installed (uv sync --extra spark)"
    return None


def session(home: Path) -> Any:
    """A SparkSession with Hive support configured like the ``spark`` profile target."""
    from pyspark.sql import SparkSession  # lazy: pyspark is an optional extra

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


MIRROR_RECORD = "raw-mirror.json"


def mirror_record(home: Path) -> dict[str, Any] | None:
    """What Spark's raw layer holds, as the last load wrote it: ``loads`` ([batch_id,
    loaded_at ISO]), ``columns`` (table → [[name, Spark type]]) and ``pending`` (an
    append began and did not finish: the layer must be replaced whole). None before
    the first load, or when the warehouse is gone."""
    path = spark_dir(home) / MIRROR_RECORD
    if not path.exists() or not (spark_dir(home) / "warehouse" / "raw.db").is_dir():
        return None
    return json.loads(path.read_text())


def _write_record(home: Path, loads: list[list[str]], columns: dict, pending: bool) -> None:
    path = spark_dir(home) / MIRROR_RECORD
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"loads": loads, "columns": columns, "pending": pending}))
    os.replace(tmp, path)


def load_raw(home: Path, scratch: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Load the Parquet export in ``scratch`` (written by
    :func:`handoff.ingest.publish_raw.export_raw`) into Spark's ``raw`` tables.

    ``replace``: every table is dropped and created again, the ledger dropped first and
    written last (a crash leaves it missing, and the next run replaces everything).
    ``append``: the new loads' rows are inserted, the ledger's last; the record is
    marked pending meanwhile, so a crash makes the next run replace whole. An append
    whose Spark ledger is not what the record says returns ``needs_replace``.
    Returns ``{"copied": bool, "rows_by_table": {...}, "loads": n, "replaced": bool}``."""
    say = progress or (lambda _msg: None)
    manifest = json.loads((scratch / MANIFEST).read_text())
    tables: dict[str, list[list[str]]] = manifest["tables"]
    loads = {(b, t) for b, t in manifest["loads"]}
    append = manifest.get("mode") == "append"
    say("spark: starting a local Spark session (local[2])")
    spark = session(home)
    try:
        spark.sql("create database if not exists raw")
        record = mirror_record(home)
        if append:
            held = {(b, t) for b, t in (record or {}).get("loads", [])}
            if record is None or _spark_loads(spark) != held:
                return {"needs_replace": True, "copied": False, "rows_by_table": {}, "loads": 0}
            _write_record(home, sorted(held), record["columns"], pending=True)
        else:
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
            rows = int(manifest["rows"][table])
            exists = spark.catalog.tableExists(f"raw.{table}")
            if append and exists:
                if rows:
                    spark.sql(
                        f"insert into raw.{_quote(table)} select {select} from parquet.`{path}`"
                    )
            else:
                spark.sql(f"drop table if exists raw.{_quote(table)}")
                spark.sql(
                    f"create table raw.{_quote(table)} using parquet as "
                    f"select {select} from parquet.`{path}`"
                )
            rows_by_table[table] = rows
            verb = "appended" if append and exists else "rows"
            say(
                f"spark [{n}/{len(order)}] raw.{table}: {rows:,} {verb} "
                f"({time.monotonic() - started:.1f} s)"
            )
        _write_record(home, sorted([list(x) for x in loads]), tables, pending=False)
        return {
            "copied": True,
            "rows_by_table": rows_by_table,
            "loads": len(loads),
            "replaced": not append,
        }
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


def select(home: Path, sql: str) -> tuple[list[str], list[list[Any]]]:
    """One query's column names and rows (as :func:`query`), in a child process."""
    data = query(home, {"__columns__": f"select * from ({sql}) as q limit 0", "rows": sql})
    return data["__columns__"], data["rows"]


def run_child(
    module: str, command: str, settings: Any, args: dict[str, Any], progress: Progress | None
) -> Any:
    """Run ``python -m <module> <command> <home> <args as JSON>`` in a child Python
    process for ``settings`` (its JVM, and Derby's lock, go with it; the audit and the
    publish of :mod:`handoff.engines.spark_jobs`); its progress lines are forwarded;
    returns what it wrote as JSON to the ``result`` path it is given."""
    say = progress or (lambda _msg: None)
    reason = unavailable_reason()
    if reason:
        raise SparkUnavailable(f"cannot {command} on Spark: {reason}")
    log = spark_dir(settings.home) / f"{command}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"handoff-spark-{command}-") as scratch:
        result = Path(scratch) / "result.json"
        # The run's settings reach the child as its environment (Settings.from_env there).
        env = {**settings.child_env(), "HANDOFF_TARGET": "spark", "TZ": "UTC"}
        cmd = [sys.executable, "-m", module, command, str(settings.home)]
        cmd += [json.dumps({**args, "result": str(result)})]
        with open(log, "w") as err:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, env=env)
            assert proc.stdout is not None
            for line in proc.stdout:
                say(line.rstrip("\n"))
            code = proc.wait()
        if code != 0 or not result.exists():
            tail = "\n".join(log.read_text(errors="replace").strip().splitlines()[-20:])
            raise SparkUnavailable(
                f"{command} on Spark failed (exit code {code}; log {log})\n{tail}"
            )
        return json.loads(result.read_text())


def _main(argv: list[str]) -> int:
    command, home = argv[0], Path(argv[1])
    if command == "query":
        spark = session(home)
        try:
            out = {}
            for name, sql in json.loads(argv[2]).items():
                frame = spark.sql(sql)
                out[name] = (
                    frame.columns  # the column names of a query
                    if name == "__columns__"
                    else [[json_value(v) for v in row] for row in frame.collect()]
                )
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
