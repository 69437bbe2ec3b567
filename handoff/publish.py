"""Publish the audited marts for BI (README, "Publishing, audit and schedules").

What BI reads, under ``<home>/serving``, are three fixed paths:
``handoff.duckdb`` (every mart), ``parquet/<mart>.parquet`` and ``publish.json`` (what
was published, when, as of when). Each is a relative symlink into ``current``, itself
a symlink to one complete, never-modified publish folder::

    serving/handoff.duckdb -> current/handoff.duckdb
    serving/parquet        -> current/parquet
    serving/publish.json   -> current/publish.json
    serving/current        -> publish-<publish id>
    serving/publish-<publish id>/{handoff.duckdb, parquet/<mart>.parquet, publish.json}

A publish writes the next folder under a temporary name, renames it into place, then
replaces ``current`` with ``os.replace`` (atomic on POSIX): the serving file, the
Parquet set and ``publish.json`` change together, in one rename. A reader sees the
old publish or the new one, never one of each, even when the run dies in between;
a reader holding the old file open keeps reading its inode (a consistent snapshot)
and never blocks the rebuild. Old folders (and those of runs that died before the
swap) are removed after the swap and at the start of the next publish; the one
``current`` points at never is. The publish id is also in the serving file (table
``_publish``), in ``publish.json`` and in each Parquet file's key-value metadata
(``publish_id``), so a reader can check what it holds.

Older versions wrote real files at the three paths; the first publish replaces them
with the links (``serving/parquet``, a directory, is moved aside first: the one
moment it is absent).

The serving file is written in DuckDB's v1.0.0 storage format so BI tools built on
DuckDB 1.x can open it (files in the 2.x format cannot be read by 1.x).
The dbt docs site goes to ``<home>/docs``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from handoff.audit import (
    BUILD_SCHEMA,
    PG_BUILD_SCHEMA,
    PostgresGate,
    SparkGate,
    fingerprint,
)
from handoff.dbt import MART_SCHEMA, dbt_command, load_manifest, mart_models, start_dbt
from handoff.duck import literal
from handoff.engines.postgres import connect, params, pg_quote_ident
from handoff.settings import Settings

SERVING_FILE = "handoff.duckdb"
PARQUET = "parquet"
RECORD_FILE = "publish.json"
# The paths BI reads: symlinks into CURRENT, which names one publish folder.
CONTRACT_PATHS = (SERVING_FILE, PARQUET, RECORD_FILE)
CURRENT = "current"
PUBLISH_PREFIX = "publish-"
# Readable by DuckDB 1.x (v1.0.0 … v1.5) as well as 2.x.
SERVING_STORAGE_VERSION = "v1.0.0"
# Fault injection for the crash tests: die (as if killed) at this point of publish:
# "copy" (copying the marts), "swap" (the new folder complete, just before the
# swap), "swapped" (just after the swap, before the links and the clean-up).
FAULT_ENV = "HANDOFF_FAULT_DURING_PUBLISH"


class PublishError(RuntimeError):
    pass


@dataclass
class Published:
    serving_file: Path | None  # None on PostgreSQL: BI reads schema `marts` there
    publish_id: str = ""
    marts: dict[str, int] = field(default_factory=dict)  # mart → rows
    parquet: list[Path] = field(default_factory=list)
    docs_index: Path | None = None
    seconds: float = 0.0


def serving_path(settings: Settings) -> Path:
    return settings.serving_dir / SERVING_FILE


def parquet_dir(settings: Settings) -> Path:
    return settings.serving_dir / PARQUET


def publish_record_path(settings: Settings) -> Path:
    """``serving/publish.json`` on DuckDB; ``work/publish-<target>.json`` elsewhere."""
    if settings.target == "duckdb":
        return settings.serving_dir / RECORD_FILE
    return settings.work_dir / f"publish-{settings.target}.json"


def last_publish(settings: Settings) -> dict[str, Any] | None:
    path = publish_record_path(settings)
    return json.loads(path.read_text()) if path.exists() else None


def current_publish(settings: Settings) -> str | None:
    """The name of the publish folder ``serving/current`` points at, if any."""
    link = settings.serving_dir / CURRENT
    return os.readlink(link) if link.is_symlink() else None


def _fault(point: str) -> None:
    if os.environ.get(FAULT_ENV) == point:
        # As abrupt as a kill: no cleanup, no exception handlers.
        os._exit(137)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _remove_leftovers(settings: Settings) -> None:
    """What nobody reads: temporary files, folders and links of a publish that died,
    and every publish folder but the current one (older publishes, and those of runs
    that died before their swap). Call it under the build lock."""
    serving = settings.serving_dir
    keep = current_publish(settings)
    for entry in serving.iterdir():
        name = entry.name
        if (name.startswith(".") and ".tmp" in name) or (
            name.startswith(PUBLISH_PREFIX) and name != keep
        ):
            _remove(entry)
    legacy = parquet_dir(settings)  # a real folder of an older version, not yet migrated
    if legacy.is_dir() and not legacy.is_symlink():
        for leftover in legacy.glob(".*.tmp*"):
            leftover.unlink(missing_ok=True)


def _replace_with_link(path: Path, target: str) -> None:
    """Make ``path`` a symlink to ``target`` with one rename (unless it already is)."""
    if path.is_symlink() and os.readlink(path) == target:
        return
    tmp = path.with_name(f".{path.name}.link.tmp{os.getpid()}")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    if path.is_dir() and not path.is_symlink():
        # An older version's real folder: a rename cannot replace a directory by a
        # link, so it moves aside first (removed with the leftovers).
        os.rename(path, path.with_name(f".{path.name}.old.tmp{os.getpid()}"))
    os.replace(tmp, path)


def _link_contract_paths(settings: Settings) -> None:
    """``serving/handoff.duckdb``, ``serving/parquet`` and ``serving/publish.json`` as
    links into ``serving/current`` (in place already, except on a home an older
    version published, or one whose first publish died half-way through this)."""
    for name in CONTRACT_PATHS:
        _replace_with_link(settings.serving_dir / name, f"{CURRENT}/{name}")
    _fsync_dir(settings.serving_dir)


def publish_marts(
    settings: Settings,
    progress: Callable[[str], None] = print,
    audited: dict[str, list[Any]] | None = None,
    build_released: Callable[[], None] | None = None,
) -> Published:
    """Copy every mart of the manifest from the build database into a new publish
    folder (serving file, Parquet files, ``publish.json``), then swap it in.
    ``audited`` (mart → fingerprint, from the audit) guards against publishing a
    table rebuilt after it was audited. ``build_released`` is called as soon as the
    copy no longer holds the build database (the publish step starts the dbt docs
    then, beside the Parquet export). Call it under the build lock."""
    started = time.monotonic()
    marts = list(mart_models(load_manifest(settings)))
    if not marts:
        raise PublishError("the dbt manifest declares no mart in schema 'marts'")
    serving_dir = settings.serving_dir
    serving_dir.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(settings)
    if current_publish(settings):
        _link_contract_paths(settings)  # a first publish that died while linking
    target = serving_path(settings)
    staging = serving_dir / f".{PUBLISH_PREFIX}new.tmp{os.getpid()}"
    staging.mkdir()
    (staging / PARQUET).mkdir()
    tmp = staging / SERVING_FILE
    result = Published(serving_file=target)

    # One in-memory session: the build database attached read-only (closed as soon
    # as the copy is done), the new serving file attached for writing.
    con = duckdb.connect()
    try:
        con.execute(f"attach {literal(settings.build_db)} as build (read_only)")
        existing = {
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() "
                "where database_name = 'build' and schema_name = ?",
                [MART_SCHEMA],
            ).fetchall()
        }
        missing = [m for m in marts if m not in existing]
        if missing:
            raise PublishError(
                f"mart(s) missing from the build database: {', '.join(missing)} "
                "(did dbt build them?)"
            )
        if audited is not None:
            changed = [
                m for m in marts if fingerprint(con, f"build.{MART_SCHEMA}.{m}") != audited.get(m)
            ]
            if changed:
                raise PublishError(
                    f"mart(s) changed since the audit (another run rebuilt them?): "
                    f"{', '.join(changed)}; nothing was published"
                )
        con.execute(
            f"attach {literal(tmp)} as serving (storage_version '{SERVING_STORAGE_VERSION}')"
        )
        con.execute(f"create schema serving.{MART_SCHEMA}")
        for mart in marts:
            con.execute(
                f"create table serving.{MART_SCHEMA}.{mart} as "
                f"select * from build.{MART_SCHEMA}.{mart}"
            )
            rows = con.execute(f"select count(*) from serving.{MART_SCHEMA}.{mart}").fetchone()
            result.marts[mart] = int(rows[0])
            _fault("copy")
        published_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        # Sorts by time; the random part tells two publishes of one second apart.
        result.publish_id = f"{published_at:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
        con.execute(
            "create table serving.main._publish as select "
            "cast(? as timestamp) as published_at, cast(? as timestamp) as as_of_at, "
            "? as marts, ? as publish_id",
            [published_at, settings.as_of, ",".join(marts), result.publish_id],
        )
        con.execute("detach build")  # the build database is free again from here
        if build_released is not None:
            build_released()
        for mart in marts:
            con.execute(
                f"copy serving.{MART_SCHEMA}.{mart} to "
                f"{literal(staging / PARQUET / f'{mart}.parquet')} (format parquet, "
                f"compression zstd, kv_metadata {{publish_id: '{result.publish_id}'}})"
            )
        con.execute("checkpoint serving")
        con.execute("detach serving")
    except BaseException:
        con.close()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    con.close()

    _check_serving_file(tmp, marts)
    record = {
        "publish_id": result.publish_id,
        "published_at": published_at.isoformat(sep=" "),
        "as_of": settings.as_of.isoformat(sep=" "),
        "serving_file": str(target),
        "storage_version": SERVING_STORAGE_VERSION,
        "marts": result.marts,
    }
    (staging / RECORD_FILE).write_text(json.dumps(record, indent=2) + "\n")
    for path in (tmp, staging / RECORD_FILE, *(staging / PARQUET).iterdir()):
        _fsync_file(path)
    _fsync_dir(staging / PARQUET)
    _fsync_dir(staging)
    folder = serving_dir / f"{PUBLISH_PREFIX}{result.publish_id}"
    os.rename(staging, folder)
    _fsync_dir(serving_dir)
    _fault("swap")
    # The swap: serving file, Parquet set and publish.json all change with this rename.
    _replace_with_link(serving_dir / CURRENT, folder.name)
    _fsync_dir(serving_dir)
    _fault("swapped")
    _link_contract_paths(settings)
    _remove_leftovers(settings)
    _fsync_dir(serving_dir)
    result.parquet = [parquet_dir(settings) / f"{mart}.parquet" for mart in marts]
    result.seconds = time.monotonic() - started
    progress(
        f"published {len(marts)} marts ({sum(result.marts.values()):,} rows) to {target} "
        f"and {parquet_dir(settings)}/ in {result.seconds:.1f} s (publish {result.publish_id})"
    )
    return result


def _check_serving_file(path: Path, marts: list[str]) -> None:
    """Reopen the new file read-only before it replaces the old one."""
    with duckdb.connect(str(path), read_only=True) as con:
        found = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = ?",
                [MART_SCHEMA],
            ).fetchall()
        }
    if set(marts) - found:
        raise PublishError(f"the new serving file lacks {sorted(set(marts) - found)}")


@dataclass
class DocsJob:
    """A ``dbt docs generate`` under way (:func:`start_docs`)."""

    proc: subprocess.Popen[str]
    target_path: Path

    def cancel(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()


def start_docs(settings: Settings) -> DocsJob:
    """Start ``dbt docs generate --static`` (one self-contained ``static_index.html``)
    in its own target folder; :func:`finish_docs` waits for it and installs the site.
    It reads the build database: start it under the build lock, once nothing in this
    process holds the database (on DuckDB, one writer or many readers)."""
    target_path = settings.work_dir / "dbt-docs"
    target_path.mkdir(parents=True, exist_ok=True)
    # Start from the run's own parse (partial parsing makes this seconds, not a minute);
    # --no-compile: the docs show the models' SQL as written.
    for name in ("manifest.json", "partial_parse.msgpack"):
        if (settings.dbt_target_path / name).exists():
            shutil.copyfile(settings.dbt_target_path / name, target_path / name)
    cmd = dbt_command(
        settings, ["docs", "generate", "--static", "--no-compile"], target_path=target_path
    )
    return DocsJob(start_dbt(cmd, settings), target_path)


def finish_docs(
    settings: Settings, job: DocsJob, progress: Callable[[str], None] = print
) -> Path | None:
    """Wait for ``job`` and install its site as ``<home>/docs/index.html``, with
    ``manifest.json`` and ``catalog.json`` beside it. Returns the index, or None when
    dbt could not generate it (the marts are published anyway; the reason is
    reported)."""
    stdout, stderr = job.proc.communicate()
    if job.proc.returncode != 0:
        tail = "\n".join((stdout + stderr).strip().splitlines()[-10:])
        progress(f"dbt docs generate failed; the docs were not updated:\n{tail}")
        return None
    docs = settings.home / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    static = job.target_path / "static_index.html"
    for name, source in (
        ("index.html", static if static.exists() else job.target_path / "index.html"),
        ("manifest.json", job.target_path / "manifest.json"),
        ("catalog.json", job.target_path / "catalog.json"),
    ):
        if source.exists():
            tmp = docs / f".{name}.tmp"
            shutil.copyfile(source, tmp)
            os.replace(tmp, docs / name)
    progress(f"dbt docs: {docs / 'index.html'}")
    return docs / "index.html"


def publish_docs(settings: Settings, progress: Callable[[str], None] = print) -> Path | None:
    """The dbt docs site of the build database, generated and installed
    (:func:`start_docs`, then :func:`finish_docs`). Call it under the build lock."""
    return finish_docs(settings, start_docs(settings), progress)


# --- PostgreSQL ------------------------------------------------------------------------

# The schema the previous publish is renamed to during the swap, dropped right after.
PG_PREVIOUS_SCHEMA = "marts__previous"
# A role to give read access to each newly published `marts` (schemas renamed into
# place keep their own grants, and a new build schema has none).
PG_READER_ROLE_ENV = "HANDOFF_PG_READER_ROLE"


def publish_postgres(
    settings: Settings,
    progress: Callable[[str], None] = print,
    audited: dict[str, list[Any]] | None = None,
) -> Published:
    """Make the audited build schema ``marts__build`` the schema BI reads, ``marts``,
    in one transaction: ``marts`` is renamed aside and ``marts__build`` renamed into
    its place, so a reader's query sees the old marts or the new ones, never a
    missing or half-built table. The old schema is dropped after the commit (waiting
    for queries still reading it). ``audited`` guards, as on DuckDB, against
    publishing a table rebuilt after its audit. The record of the publish is
    ``marts._publish`` and ``<home>/work/publish-postgres.json``."""
    started = time.monotonic()
    marts = list(mart_models(load_manifest(settings)))
    gate = PostgresGate(settings)
    try:
        missing = [m for m in marts if m not in gate.existing]
        if missing:
            raise PublishError(
                f"mart(s) missing from {PG_BUILD_SCHEMA}: {', '.join(missing)} (did dbt build "
                "them since the last publish?); nothing was published"
            )
        if audited is not None:
            changed = [m for m in marts if gate.fingerprint(m) != audited.get(m)]
            if changed:
                raise PublishError(
                    f"mart(s) changed since the audit (another run rebuilt them?): "
                    f"{', '.join(changed)}; nothing was published"
                )
        rows = {m: gate.profile(m, [])[0].rows for m in marts}  # type: ignore[union-attr]
    finally:
        gate.close()
    published_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    publish_id = f"{published_at:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
    reader = os.environ.get(PG_READER_ROLE_ENV, "").strip()
    pg = connect()
    try:
        with pg.cursor() as cur:
            cur.execute(f"drop schema if exists {PG_PREVIOUS_SCHEMA} cascade")
            cur.execute(
                "select count(*) from information_schema.schemata where schema_name = %s",
                [MART_SCHEMA],
            )
            if cur.fetchone()[0]:
                cur.execute(f"alter schema {MART_SCHEMA} rename to {PG_PREVIOUS_SCHEMA}")
            cur.execute(f"alter schema {PG_BUILD_SCHEMA} rename to {MART_SCHEMA}")
            cur.execute(
                f"create table {MART_SCHEMA}._publish (published_at timestamp, "
                "as_of_at timestamp, marts text, publish_id text)"
            )
            cur.execute(
                f"insert into {MART_SCHEMA}._publish values (%s, %s, %s, %s)",
                [published_at, settings.as_of, ",".join(marts), publish_id],
            )
            if reader:
                role = pg_quote_ident(reader)
                cur.execute(f"grant usage on schema {MART_SCHEMA} to {role}")
                cur.execute(f"grant select on all tables in schema {MART_SCHEMA} to {role}")
            _fault("swap")
        pg.commit()  # the swap
        pg.autocommit = True
        with pg.cursor() as cur:
            cur.execute(f"drop schema if exists {PG_PREVIOUS_SCHEMA} cascade")
    finally:
        pg.close()
    record = {
        "publish_id": publish_id,
        "published_at": published_at.isoformat(sep=" "),
        "as_of": settings.as_of.isoformat(sep=" "),
        "target": settings.target,
        "schema": MART_SCHEMA,
        "marts": rows,
    }
    path = publish_record_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n")
    os.replace(tmp, path)
    seconds = time.monotonic() - started
    where = f"PostgreSQL {params()['host']}:{params()['port']}/{params()['dbname']}"
    progress(
        f"published {len(marts)} marts ({sum(rows.values()):,} rows) to schema {MART_SCHEMA} "
        f"of {where} in {seconds:.1f} s (publish {publish_id})"
    )
    return Published(serving_file=None, publish_id=publish_id, marts=rows, seconds=seconds)


# --- Spark -----------------------------------------------------------------------------

# Suffix of the tables a publish keeps, in marts__build: `<mart>__p<publish id>`.
SPARK_GENERATION = "__p"


def _spark_generation(publish_id: str) -> str:
    return SPARK_GENERATION + publish_id.replace("-", "_").lower()


def _spark_point_view(spark: Any, view: str, select: str, exists: bool) -> None:
    """Point ``view`` at ``select`` in one metastore update. An existing view is
    altered (ALTER VIEW … AS: one ``alterTable``); Spark's CREATE OR REPLACE VIEW drops
    the view and creates it again, and a reader between the two finds no table."""
    verb = "alter view" if exists else "create view"
    spark.sql(f"{verb} {view} as {select}")


def publish_spark(
    settings: Settings,
    spark: Any,
    progress: Callable[[str], None] = print,
    audited: dict[str, list[Any]] | None = None,
) -> Published:
    """Make the audited marts of ``marts__build`` what the ``marts`` views show: each
    built table is renamed to ``<mart>__p<publish id>`` (dbt never writes those), then
    each view ``marts.<mart>`` is altered to select from it (:func:`_spark_point_view`)
    — every switch one metastore update, a reader sees the old mart or the new one —
    and ``marts._publish`` last. The tables
    of the previous publish are kept (a query may still read them); older ones are
    dropped. Runs in the child process that owns the Spark session."""
    started = time.monotonic()
    marts = list(mart_models(load_manifest(settings)))
    gate = SparkGate(settings, spark)
    missing = [m for m in marts if m not in gate.existing]
    if missing:
        raise PublishError(
            f"mart(s) missing from {BUILD_SCHEMA}: {', '.join(missing)} (did dbt build them "
            "since the last publish?); nothing was published"
        )
    if audited is not None:
        changed = [m for m in marts if gate.fingerprint(m) != audited.get(m)]
        if changed:
            raise PublishError(
                f"mart(s) changed since the audit (another run rebuilt them?): "
                f"{', '.join(changed)}; nothing was published"
            )
    rows = {m: gate.profile(m, [])[0].rows for m in marts}  # type: ignore[union-attr]
    published_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    publish_id = f"{published_at:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
    generation = _spark_generation(publish_id)
    spark.sql(f"create database if not exists {MART_SCHEMA}")
    shown = {t.name: t.tableType for t in spark.catalog.listTables(MART_SCHEMA)}
    previous = None
    if "_publish" in shown:
        previous = spark.sql(f"select publish_id from {MART_SCHEMA}._publish").collect()[0][0]
    for mart in marts:
        spark.sql(
            f"alter table {BUILD_SCHEMA}.`{mart}` rename to {BUILD_SCHEMA}.`{mart}{generation}`"
        )
    for mart in marts:
        if shown.get(mart) not in (None, "VIEW"):
            # a home an older version built: marts were tables; now they are views
            spark.sql(f"drop table {MART_SCHEMA}.`{mart}`")
            shown.pop(mart)
        _spark_point_view(
            spark,
            f"{MART_SCHEMA}.`{mart}`",
            f"select * from {BUILD_SCHEMA}.`{mart}{generation}`",
            exists=mart in shown,
        )
        _fault("swap")
    _spark_point_view(
        spark,
        f"{MART_SCHEMA}._publish",
        f"select timestamp '{published_at:%Y-%m-%d %H:%M:%S}' as published_at, "
        f"timestamp '{settings.as_of:%Y-%m-%d %H:%M:%S}' as as_of_at, "
        f"'{','.join(marts)}' as marts, '{publish_id}' as publish_id",
        exists="_publish" in shown,
    )
    keep = {generation} | ({_spark_generation(previous)} if previous else set())
    for table in spark.catalog.listTables(BUILD_SCHEMA):
        name = table.name
        if SPARK_GENERATION in name and not any(name.endswith(g) for g in keep):
            spark.sql(f"drop table if exists {BUILD_SCHEMA}.`{name}`")
    record = {
        "publish_id": publish_id,
        "published_at": published_at.isoformat(sep=" "),
        "as_of": settings.as_of.isoformat(sep=" "),
        "target": settings.target,
        "schema": MART_SCHEMA,
        "marts": rows,
    }
    path = publish_record_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n")
    os.replace(tmp, path)
    seconds = time.monotonic() - started
    progress(
        f"published {len(marts)} marts ({sum(rows.values()):,} rows) as the views of schema "
        f"{MART_SCHEMA} in Spark in {seconds:.1f} s (publish {publish_id})"
    )
    return Published(serving_file=None, publish_id=publish_id, marts=rows, seconds=seconds)
