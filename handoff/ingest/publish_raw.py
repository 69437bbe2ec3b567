"""Mirror the raw layer of the ingest DuckDB file into PostgreSQL: ingest writes raw
tables into whichever engine the target names (README, "Running on PostgreSQL").

Ingest itself always parses and validates into DuckDB (:mod:`.loader`); this module
copies what it loaded, so the contract, the quarantine and the ledger have one
implementation. Guarantees:

- **same shape**: schema ``raw``, the ledger, the quarantine and every raw table with
  the same columns and equivalent types; columns that appeared later in DuckDB (custom
  fields) are added to PostgreSQL before any row is copied;
- **one transaction per load**: a load is one ``load_batch`` call, identified by
  ``(batch_id, loaded_at)`` in the ledger, the raw tables (``_batch_id``,
  ``_loaded_at``) and the quarantine. Its rows of every raw table, its quarantine
  rows and its ledger rows are copied in ONE PostgreSQL transaction, so a crash leaves
  nothing half-copied and the next run copies it whole;
- **idempotent**: a load already in PostgreSQL's ``raw._batches`` is never copied
  again; concurrent mirrors serialise on an advisory lock;
- **fast**: DuckDB writes each table's rows of a load as CSV and PostgreSQL reads them
  with ``COPY … FROM STDIN`` (no row-by-row inserts).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from handoff.duck import literal, quote
from handoff.engines.postgres import connect
from handoff.engines.spark import MANIFEST, SPARK_TYPES, mirror_record, run_load_raw
from handoff.ingest.tables import NOTICES

Progress = Callable[[str], None]

# DuckDB type → PostgreSQL type; anything else is copied as text.
PG_TYPES = {
    "VARCHAR": "text",
    "TIMESTAMP": "timestamp",
    "DATE": "date",
    "BOOLEAN": "boolean",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "DOUBLE": "double precision",
}
PG_MAX_IDENTIFIER = 63  # bytes; PostgreSQL silently truncates longer names
LEDGER, QUARANTINE = "_batches", "_quarantine"
# pg_advisory_xact_lock key: "handoff raw mirror" (any constant; one per database).
LOCK_KEY = 0x68616E646F6666
FAULT_ENV = "HANDOFF_FAULT_MIRROR_AFTER_TABLE"
FAULT_EXIT = 87


@dataclass(frozen=True)
class Column:
    name: str  # in DuckDB
    duck_type: str
    nullable: bool

    @property
    def pg_name(self) -> str:
        return pg_identifier(self.name)

    @property
    def pg_type(self) -> str:
        return PG_TYPES.get(self.duck_type, "text")


@dataclass
class MirrorReport:
    copied: list[tuple[str, str]] = field(default_factory=list)  # (batch_id, status)
    already_there: int = 0
    rows_by_table: dict[str, int] = field(default_factory=dict)
    columns_added: list[str] = field(default_factory=list)  # "table.column"
    seconds: float = 0.0


def pg_identifier(name: str) -> str:
    """``name``, or for names PostgreSQL would truncate (over 63 bytes) a shortened
    name with a hash suffix, so two long custom fields never collide."""
    if len(name.encode()) <= PG_MAX_IDENTIFIER:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    head = name.encode()[: PG_MAX_IDENTIFIER - 9].decode(errors="ignore")
    return f"{head}_{digest}"


def _timestamp_literal(value: datetime) -> str:
    return f"timestamp '{value.isoformat(sep=' ')}'"


def duck_raw_tables(duck: Any) -> dict[str, list[Column]]:
    """Every table of DuckDB's ``raw`` schema (ledger and quarantine included) with
    its columns in order; not the ingest's own list of what it did not read
    (``raw._landing_notices``), which is no load of any batch."""
    rows = duck.execute(
        "select table_name, column_name, data_type, is_nullable from duckdb_columns() "
        "where schema_name = 'raw' and database_name = current_database() "
        "and table_name <> ? order by table_name, column_index",
        [NOTICES],
    ).fetchall()
    tables: dict[str, list[Column]] = {}
    for table, column, duck_type, nullable in rows:
        tables.setdefault(table, []).append(Column(column, duck_type, bool(nullable)))
    return tables


def _pg_columns(cur: Any) -> dict[str, set[str]]:
    cur.execute(
        "select table_name, column_name from information_schema.columns where table_schema = 'raw'"
    )
    out: dict[str, set[str]] = {}
    for table, column in cur.fetchall():
        out.setdefault(table, set()).add(column)
    return out


def ensure_pg_raw(pg: Any, tables: dict[str, list[Column]]) -> list[str]:
    """Create schema ``raw`` and every table in PostgreSQL, and add the columns DuckDB
    gained since (custom fields). Returns the added columns as ``table.column``."""
    added: list[str] = []
    with pg.cursor() as cur:
        cur.execute("select pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cur.execute("create schema if not exists raw")
        existing = _pg_columns(cur)
        for table, columns in tables.items():
            target = f"raw.{quote(table)}"
            if table not in existing:
                defs = ",\n    ".join(
                    f"{quote(c.pg_name)} {c.pg_type}{'' if c.nullable else ' not null'}"
                    for c in columns
                )
                cur.execute(f"create table {target} (\n    {defs}\n)")
                continue
            for column in columns:
                if column.pg_name not in existing[table]:
                    cur.execute(
                        f"alter table {target} add column {quote(column.pg_name)} {column.pg_type}"
                    )
                    added.append(f"{table}.{column.pg_name}")
    pg.commit()
    return added


def _loads(duck: Any) -> list[tuple[str, datetime, str]]:
    """(batch_id, loaded_at, status) of every load in DuckDB's ledger, oldest first."""
    return duck.execute(
        f"select batch_id, loaded_at, min(status) from raw.{LEDGER} "
        "group by batch_id, loaded_at order by loaded_at, batch_id"
    ).fetchall()


def _pg_loads(pg: Any) -> set[tuple[str, datetime]]:
    with pg.cursor() as cur:
        cur.execute(f"select distinct batch_id, loaded_at from raw.{LEDGER}")
        rows = {(b, t) for b, t in cur.fetchall()}
    pg.rollback()  # end the read-only transaction
    return rows


def _where(table: str, batch_id: str, loaded_at: datetime) -> str:
    b, t = literal(batch_id), _timestamp_literal(loaded_at)
    if table == LEDGER:
        return f"batch_id = {b} and loaded_at = {t}"
    if table == QUARANTINE:
        # Rows quarantined before the quarantine recorded loaded_at: by file.
        return (
            f"batch_id = {b} and (loaded_at = {t} or (loaded_at is null and source_file in "
            f"(select path from raw.{LEDGER} where batch_id = {b} and loaded_at = {t})))"
        )
    return f"_batch_id = {b} and _loaded_at = {t}"


def _export_expr(column: Column) -> str:
    name = quote(column.name)
    if column.duck_type == "VARCHAR":
        return f"replace({name}, chr(0), '')"  # PostgreSQL text cannot hold NUL
    if column.duck_type in PG_TYPES:
        return name
    return f"cast({name} as varchar)"


def _copy_table(
    duck: Any, cur: Any, table: str, columns: list[Column], where: str, scratch: Path
) -> int:
    """Copy the rows of ``table`` matching ``where``: DuckDB → CSV file → COPY FROM STDIN."""
    path = scratch / "rows.csv"
    select = ", ".join(_export_expr(c) for c in columns)
    rows = duck.execute(
        f"copy (select {select} from raw.{quote(table)} where {where}) "
        f"to {literal(str(path))} (format csv, header false)"
    ).fetchone()[0]
    if rows:
        names = ", ".join(quote(c.pg_name) for c in columns)
        with open(path, "rb") as fh:
            cur.copy_expert(
                f"copy raw.{quote(table)} ({names}) from stdin with (format csv)",
                fh,
                size=1 << 20,
            )
    path.unlink(missing_ok=True)
    return int(rows)


def _copy_load(
    duck: Any,
    pg: Any,
    tables: dict[str, list[Column]],
    batch_id: str,
    loaded_at: datetime,
    scratch: Path,
) -> dict[str, int] | None:
    """Copy one load in one PostgreSQL transaction; ``None`` when another mirror
    copied it meanwhile."""
    # The ledger last: its rows are what marks the load as copied.
    order = [t for t in tables if t not in (LEDGER, QUARANTINE)] + [QUARANTINE, LEDGER]
    counts: dict[str, int] = {}
    try:
        with pg.cursor() as cur:
            cur.execute("select pg_advisory_xact_lock(%s)", [LOCK_KEY])
            cur.execute(
                f"select 1 from raw.{LEDGER} where batch_id = %s and loaded_at = %s limit 1",
                [batch_id, loaded_at],
            )
            if cur.fetchone():
                pg.rollback()
                return None
            for table in order:
                if table not in tables:
                    continue
                rows = _copy_table(
                    duck, cur, table, tables[table], _where(table, batch_id, loaded_at), scratch
                )
                if rows:
                    counts[table] = rows
                if os.environ.get(FAULT_ENV) == table:
                    # Fault injection for the crash-safety tests: die mid-copy.
                    os._exit(FAULT_EXIT)
        pg.commit()
    except BaseException:
        pg.rollback()
        raise
    return counts


def mirror_raw(
    duck: Any, pg: Any, *, progress: Progress | None = None, scratch_dir: Path | None = None
) -> MirrorReport:
    """Copy every load of DuckDB's raw layer that PostgreSQL does not have yet.
    ``duck`` is a DuckDB connection to the ingest file, ``pg`` a psycopg2 connection."""
    say = progress or (lambda _msg: None)
    started = time.monotonic()
    report = MirrorReport()
    tables = duck_raw_tables(duck)
    if LEDGER not in tables:
        say("postgres: nothing ingested yet, nothing to mirror")
        return report
    report.columns_added = ensure_pg_raw(pg, tables)
    if report.columns_added:
        say(f"postgres: added {len(report.columns_added)} new column(s) to raw tables")
    done = _pg_loads(pg)
    todo = [(b, t, s) for b, t, s in _loads(duck) if (b, t) not in done]
    report.already_there = len(done)
    if scratch_dir is not None:
        scratch_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="handoff-mirror-", dir=scratch_dir) as tmp:
        for n, (batch_id, loaded_at, status) in enumerate(todo, 1):
            load_started = time.monotonic()
            counts = _copy_load(duck, pg, tables, batch_id, loaded_at, Path(tmp))
            if counts is None:
                continue
            report.copied.append((batch_id, status))
            rows = 0
            for table, count in counts.items():
                if table not in (LEDGER, QUARANTINE):
                    report.rows_by_table[table] = report.rows_by_table.get(table, 0) + count
                    rows += count
            say(
                f"postgres [{n}/{len(todo)}] {batch_id} ({status}): copied {rows:,} raw rows, "
                f"{counts.get(QUARANTINE, 0):,} quarantined ({time.monotonic() - load_started:.1f} s)"
            )
    report.seconds = time.monotonic() - started
    if not todo:
        say(f"postgres: raw layer up to date ({len(done)} load(s) already there)")
    return report


def mirror_to_postgres(
    duck: Any, *, progress: Progress | None = None, scratch_dir: Path | None = None
) -> MirrorReport:
    """:func:`mirror_raw` into the database of the ``HANDOFF_PG_*`` variables."""
    pg = connect()
    try:
        return mirror_raw(duck, pg, progress=progress, scratch_dir=scratch_dir)
    finally:
        pg.close()


# --- Spark ----------------------------------------------------------------------------
# Spark's tables are Parquet files without transactions or deletes: the loads Spark
# lacks are appended (the ledger last), and the layer is replaced whole only when its
# columns changed or an append did not finish (see handoff.engines.spark): the same
# tables, columns and ledger as above, copied by a Parquet export.


def export_raw(
    duck: Any, scratch: Path, only_loads: list[tuple[str, datetime]] | None = None
) -> dict[str, Any]:
    """Write the raw tables of DuckDB (ledger and quarantine included) to
    ``scratch/table-<table>.parquet`` and a ``manifest.json`` naming each table's
    columns with their Spark types, its row count and the ledger's loads. With
    ``only_loads`` only those loads' rows are written (``mode`` ``append``: Spark
    appends them); else every row (``mode`` ``replace``)."""
    scratch.mkdir(parents=True, exist_ok=True)
    tables = duck_raw_tables(duck)
    manifest: dict[str, Any] = {
        "tables": {},
        "rows": {},
        "loads": [],
        "mode": "replace" if only_loads is None else "append",
        "new_loads": [[b, t.isoformat(sep=" ")] for b, t in only_loads or []],
    }
    for table, columns in tables.items():
        select = ", ".join(_spark_export_expr(c) for c in columns)
        where = (
            " or ".join(f"({_where(table, b, t)})" for b, t in only_loads)
            if only_loads is not None
            else "true"
        )
        path = scratch / f"table-{table}.parquet"  # Spark skips files named _*
        rows = duck.execute(
            f"copy (select {select} from raw.{quote(table)} where {where or 'false'}) "
            f"to {literal(str(path))} (format parquet)"
        ).fetchone()[0]
        manifest["tables"][table] = spark_columns(columns)
        manifest["rows"][table] = int(rows)
    if LEDGER in tables:
        manifest["loads"] = [
            [batch_id, loaded_at.isoformat(sep=" ")] for batch_id, loaded_at, _ in _loads(duck)
        ]
    (scratch / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return manifest


def _spark_export_expr(column: Column) -> str:
    name = quote(column.name)
    return name if column.duck_type in SPARK_TYPES else f"cast({name} as varchar)"


def spark_columns(columns: list[Column]) -> list[list[str]]:
    """A raw table's columns as Spark sees them: [name, Spark type]."""
    return [[c.name, SPARK_TYPES.get(c.duck_type, "string")] for c in columns]


def mirror_to_spark(
    duck: Any, home: Path, *, progress: Progress | None = None, scratch_dir: Path | None = None
) -> MirrorReport:
    """Write DuckDB's raw layer into Spark's ``raw`` schema under ``<home>/spark``:
    only the loads Spark lacks, appended, when Spark's record of what it holds
    (:func:`handoff.engines.spark.mirror_record`) is complete and the columns are
    unchanged; else the whole layer, replaced. Nothing at all (not even a Spark
    session) when Spark holds every load."""
    say = progress or (lambda _msg: None)
    started = time.monotonic()
    report = MirrorReport()
    tables = duck_raw_tables(duck)
    if LEDGER not in tables:
        say("spark: nothing ingested yet, nothing to mirror")
        return report
    loads = _loads(duck)
    held = mirror_record(home)
    new_loads: list[tuple[str, datetime]] | None = None  # None: replace whole
    if held is not None and not held.get("pending"):
        held_loads = {(b, t) for b, t in held["loads"]}
        duck_loads = {(b, t.isoformat(sep=" ")) for b, t, _ in loads}
        same_columns = all(
            held["columns"].get(table) in (None, spark_columns(columns))
            for table, columns in tables.items()
        )
        if same_columns and held_loads <= duck_loads:
            new_loads = [(b, t) for b, t, _ in loads if (b, t.isoformat(sep=" ")) not in held_loads]
            if not new_loads:
                say(f"spark: raw layer up to date ({len(held_loads)} load(s) already there)")
                report.already_there = len(loads)
                report.seconds = time.monotonic() - started
                return report
    if scratch_dir is not None:
        scratch_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="handoff-spark-", dir=scratch_dir) as tmp:
        manifest = export_raw(duck, Path(tmp), only_loads=new_loads)
        what = f"{len(new_loads)} new load(s) of" if new_loads is not None else "all of"
        say(f"spark: exported {what} {len(manifest['tables'])} raw tables to Parquet")
        outcome = run_load_raw(home, Path(tmp), progress=say)
        if outcome.get("needs_replace"):
            say("spark: its raw layer is not what its record says: replacing it whole")
            manifest = export_raw(duck, Path(tmp))  # the same files, overwritten
            outcome = run_load_raw(home, Path(tmp), progress=say)
    if outcome["copied"]:
        copied = (
            {(b, t) for b, t in new_loads}
            if new_loads is not None and not outcome.get("replaced")
            else None
        )
        report.copied = [
            (batch_id, status)
            for batch_id, loaded_at, status in loads
            if copied is None or (batch_id, loaded_at) in copied
        ]
        report.rows_by_table = {
            t: n for t, n in outcome["rows_by_table"].items() if t not in (LEDGER, QUARANTINE)
        }
        report.already_there = len(loads) - len(report.copied)
    else:
        report.already_there = len(loads)
    report.seconds = time.monotonic() - started
    return report
