"""Publish the audited marts for BI (DESIGN §3, §10).

``<home>/serving/handoff.duckdb`` is what BI tools open. It is never written in
place: every mart is copied from the build database into a new file beside it, which
then replaces the old one with ``os.replace`` — atomic on POSIX. A reader holding
the old file keeps reading the old inode (a consistent snapshot) and never blocks
the rebuild; a new reader sees either the old copy or the new one, never half of
one. A run that dies mid-publish leaves a temporary file (removed by the next
publish) and the old serving copy untouched.

The serving file is written in DuckDB's v1.0.0 storage format so BI tools built on
DuckDB 1.x can open it (files in the 2.x format cannot be read by 1.x).

Beside it: ``serving/parquet/<mart>.parquet`` (each written to a temporary name and
renamed), ``serving/publish.json`` (what was published, when, as of when) and the
dbt docs site under ``<home>/docs``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from handoff.audit import MART_SCHEMA, fingerprint, load_manifest, mart_models
from handoff.settings import Settings, project_dir

SERVING_FILE = "handoff.duckdb"
# Readable by DuckDB 1.x (v1.0.0 … v1.5) as well as 2.x.
SERVING_STORAGE_VERSION = "v1.0.0"
# Fault injection for the crash tests: die (as if killed) at this point of publish.
FAULT_ENV = "HANDOFF_FAULT_DURING_PUBLISH"


class PublishError(RuntimeError):
    pass


@dataclass
class Published:
    serving_file: Path
    marts: dict[str, int] = field(default_factory=dict)  # mart → rows
    parquet: list[Path] = field(default_factory=list)
    docs_index: Path | None = None
    seconds: float = 0.0


def serving_path(settings: Settings) -> Path:
    return settings.serving_dir / SERVING_FILE


def parquet_dir(settings: Settings) -> Path:
    return settings.serving_dir / "parquet"


def publish_record_path(settings: Settings) -> Path:
    return settings.serving_dir / "publish.json"


def last_publish(settings: Settings) -> dict[str, Any] | None:
    path = publish_record_path(settings)
    return json.loads(path.read_text()) if path.exists() else None


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


def _remove_leftovers(settings: Settings) -> None:
    """Temporary files of a publish that died; nobody reads them."""
    for directory in (settings.serving_dir, parquet_dir(settings)):
        if directory.exists():
            for leftover in directory.glob(".*.tmp*"):
                leftover.unlink(missing_ok=True)


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def publish_marts(
    settings: Settings,
    progress: Callable[[str], None] = print,
    audited: dict[str, list[Any]] | None = None,
) -> Published:
    """Copy every mart of the manifest from the build database into a new serving
    file and Parquet files, then swap them in. ``audited`` (mart → fingerprint, from
    the audit) guards against publishing a table rebuilt after it was audited."""
    started = time.monotonic()
    marts = list(mart_models(load_manifest(settings)))
    if not marts:
        raise PublishError("the dbt manifest declares no mart in schema 'marts'")
    settings.serving_dir.mkdir(parents=True, exist_ok=True)
    parquet_dir(settings).mkdir(parents=True, exist_ok=True)
    _remove_leftovers(settings)
    target = serving_path(settings)
    tmp = settings.serving_dir / f".{SERVING_FILE}.tmp{os.getpid()}"
    tmp_parquet = {m: parquet_dir(settings) / f".{m}.parquet.tmp{os.getpid()}" for m in marts}
    result = Published(serving_file=target)

    # One in-memory session: the build database attached read-only (closed as soon
    # as the copy is done), the new serving file attached for writing.
    con = duckdb.connect()
    try:
        con.execute(f"attach {_quote(settings.build_db)} as build (read_only)")
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
            f"attach {_quote(tmp)} as serving (storage_version '{SERVING_STORAGE_VERSION}')"
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
        con.execute(
            "create table serving.main._publish as select "
            "cast(? as timestamp) as published_at, cast(? as timestamp) as as_of_at, "
            "? as marts",
            [published_at, settings.as_of, ",".join(marts)],
        )
        con.execute("detach build")  # the build database is free again from here
        for mart in marts:
            con.execute(
                f"copy serving.{MART_SCHEMA}.{mart} to {_quote(tmp_parquet[mart])} "
                "(format parquet, compression zstd)"
            )
        con.execute("checkpoint serving")
        con.execute("detach serving")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        for path in tmp_parquet.values():
            path.unlink(missing_ok=True)
        raise
    con.close()

    _check_serving_file(tmp, marts)
    _fsync_file(tmp)
    _fault("swap")
    os.replace(tmp, target)
    for mart, path in tmp_parquet.items():
        _fsync_file(path)
        final = parquet_dir(settings) / f"{mart}.parquet"
        os.replace(path, final)
        result.parquet.append(final)
    for stale in parquet_dir(settings).glob("*.parquet"):
        if stale.stem not in marts:
            stale.unlink()  # a mart that no longer exists
    _fsync_dir(settings.serving_dir)
    _fsync_dir(parquet_dir(settings))
    result.seconds = time.monotonic() - started
    record = {
        "published_at": published_at.isoformat(sep=" "),
        "as_of": settings.as_of.isoformat(sep=" "),
        "serving_file": str(target),
        "storage_version": SERVING_STORAGE_VERSION,
        "marts": result.marts,
    }
    record_tmp = publish_record_path(settings).with_suffix(".json.tmp")
    record_tmp.write_text(json.dumps(record, indent=2) + "\n")
    os.replace(record_tmp, publish_record_path(settings))
    progress(
        f"published {len(marts)} marts ({sum(result.marts.values()):,} rows) to {target} "
        f"and {parquet_dir(settings)}/ in {result.seconds:.1f} s"
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


def publish_docs(settings: Settings, progress: Callable[[str], None] = print) -> Path | None:
    """The dbt docs site (``dbt docs generate --static``: one self-contained
    ``static_index.html``) as ``<home>/docs/index.html``, with ``manifest.json`` and
    ``catalog.json`` beside it. Reads the build database, so call it under the build
    lock. Returns the index, or None when dbt could not generate it (the marts are
    published anyway; the reason is reported)."""
    from orchestration.project import PROFILES_DIR, dbt_executable

    docs = settings.home / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    target_path = settings.work_dir / "dbt-docs"
    target_path.mkdir(parents=True, exist_ok=True)
    # Start from the run's own parse (partial parsing makes this seconds, not a minute);
    # --no-compile: the docs show the models' SQL as written.
    for name in ("manifest.json", "partial_parse.msgpack"):
        if (settings.dbt_target_path / name).exists():
            shutil.copyfile(settings.dbt_target_path / name, target_path / name)
    cmd = [
        dbt_executable(),
        "docs",
        "generate",
        "--static",
        "--no-compile",
        "--project-dir",
        str(project_dir()),
        "--profiles-dir",
        str(PROFILES_DIR),
        "--target",
        settings.target,
        "--target-path",
        str(target_path),
        "--log-path",
        str(target_path),
        # the build's vars: its partial parse stays valid
        "--vars",
        json.dumps(settings.dbt_vars),
        "--quiet",
    ]
    proc = subprocess.run(
        cmd, cwd=project_dir(), env=dict(os.environ), capture_output=True, text=True
    )
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-10:])
        progress(f"dbt docs generate failed; the docs were not updated:\n{tail}")
        return None
    static = target_path / "static_index.html"
    for name, source in (
        ("index.html", static if static.exists() else target_path / "index.html"),
        ("manifest.json", target_path / "manifest.json"),
        ("catalog.json", target_path / "catalog.json"),
    ):
        if source.exists():
            tmp = docs / f".{name}.tmp"
            shutil.copyfile(source, tmp)
            os.replace(tmp, docs / name)
    progress(f"dbt docs: {docs / 'index.html'}")
    return docs / "index.html"
