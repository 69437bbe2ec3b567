"""``handoff check``: what a run would do with the landing, without changing anything.

The landing is ingested for real — the same discovery, readers, header mapping, typing
and quarantine as ``handoff run`` — but into a throwaway DuckDB file in a temporary
folder that holds a copy of the home's ledger, so files already loaded show as such;
``rpt_unmapped_values`` is built there with dbt to list the values no seed maps. The
home, its build database and its work folder are not touched. The default as-of rule
(:func:`default_as_of`) is shared with ``handoff run``."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from handoff.contract import objects
from handoff.dbt import dbt_executable
from handoff.duck import quote
from handoff.ingest.loader import IngestReport, ingest
from handoff.ingest.tables import ensure_raw_tables
from handoff.seeds import seed_problems
from handoff.settings import Settings, project_dir
from handoff.unmapped import unmapped_lines, unmapped_rows

# An export whose newest instant is older than this is best judged at its own end.
STALE_AFTER = timedelta(days=7)


@dataclass
class CheckResult:
    lines: list[str] = field(default_factory=list)
    would_reject: list[str] = field(default_factory=list)
    seed_problems: list[str] = field(default_factory=list)
    newest: datetime | None = None
    oldest: datetime | None = None
    # (crm, field, value, rows, seed) per value no seed maps; None when not built
    unmapped: list[tuple[str, str, str, int, str]] | None = None
    unmapped_error: str | None = None

    @property
    def ok(self) -> bool:
        return not self.would_reject and not self.seed_problems


def _copy_ledger(con: Any, ingest_db: Path) -> None:
    if not ingest_db.exists():
        return
    con.execute(f"attach {quote(str(ingest_db))} as home (read_only)")
    try:
        has = con.execute(
            "select count(*) from duckdb_tables() "
            "where database_name = 'home' and schema_name = 'raw' and table_name = '_batches'"
        ).fetchone()[0]
        if has:
            con.execute("insert into raw._batches select * from home.raw._batches")
    finally:
        con.execute("detach home")


def default_as_of(newest: datetime | None, now: datetime | None = None) -> datetime | None:
    """The as-of a run judges at when none is given (README, "The as-of"): ``None``
    (now) unless the newest extract instant is more than ``STALE_AFTER`` before now;
    then that instant, the end of the data."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    if newest is not None and now - newest > STALE_AFTER:
        return newest
    return None


def _dry_ingest(settings: Settings, tmp: Path) -> tuple[IngestReport, Path]:
    """Ingest the landing into a throwaway ``build.duckdb`` in ``tmp`` holding a copy
    of the home's ledger (so files already loaded show as such)."""
    # named as the duckdb profile names a home's build database
    db = tmp / "build.duckdb"
    with duckdb.connect(str(db)) as con:
        ensure_raw_tables(con)
        _copy_ledger(con, settings.ingest_db)
        report = ingest(
            settings.landing,
            con,
            work_dir=tmp / "work",
            source_timezones=settings.source_timezones,
        )
    return report, db


def extracts_newest(settings: Settings) -> datetime | None:
    """The newest last-modified instant of the extracts a run on this home and landing
    holds: the raw rows already loaded and the landing's files not loaded yet (read
    into a throwaway database, as ``handoff check`` does; the home is not touched)."""
    newest = []
    if settings.ingest_db.exists():
        with (
            duckdb.connect(str(settings.ingest_db), read_only=True) as con,
            contextlib.suppress(duckdb.Error),  # no raw layer yet
        ):
            newest.append(_span(con)[1])
    if settings.landing.exists():
        with tempfile.TemporaryDirectory(prefix="handoff-as-of-") as tmp:
            _, db = _dry_ingest(settings, Path(tmp))
            with duckdb.connect(str(db), read_only=True) as con:
                newest.append(_span(con)[1])
    found = [n for n in newest if n is not None]
    return max(found) if found else None


def _span(con: Any) -> tuple[datetime | None, datetime | None]:
    """Earliest and newest last-modified instant of the rows the check loaded."""
    parts = [
        f"select min({quote(spec.updated)}) as lo, max({quote(spec.updated)}) as hi "
        f"from raw.{quote(spec.table)}"
        for spec in objects().values()
        if spec.updated and spec.columns.get(spec.updated) == "timestamp"
    ]
    lo, hi = con.execute(f"select min(lo), max(hi) from ({' union all '.join(parts)})").fetchone()
    return lo, hi


def _build_unmapped(tmp: Path) -> str | None:
    """Build ``rpt_unmapped_values`` (with the seeds and staging models it reads) on
    the throwaway database in ``tmp``; the error text when dbt fails."""
    project = project_dir()
    proc = subprocess.run(
        [
            dbt_executable(),
            "build",
            *("--select", "+rpt_unmapped_values"),
            *("--resource-type", "model", "--resource-type", "seed"),
            *("--project-dir", str(project), "--profiles-dir", str(project / "profiles")),
            *("--target", "duckdb", "--target-path", str(tmp / "target")),
            *("--log-path", str(tmp / "logs"), "--quiet"),
        ],
        cwd=project,
        env={**os.environ, "HANDOFF_HOME": str(tmp), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
    )
    if proc.returncode == 0:
        return None
    return (proc.stdout.strip() or proc.stderr.strip() or "dbt failed").splitlines()[-1]


def _describe(report: IngestReport, result: CheckResult) -> None:
    out = result.lines
    verbs = {
        "loaded": "would load",
        "rejected": "would be REJECTED",
        "already_loaded": "already loaded (unchanged)",
        "previously_rejected": "rejected by an earlier run, unchanged: would be skipped",
        "no_space": "could NOT be checked",
    }
    for batch in report.batches:
        head = f"{batch.batch_id}: {verbs.get(batch.status, batch.status)}"
        if batch.status == "loaded":
            head += f", {batch.rows_loaded:,} rows, {batch.rows_quarantined:,} quarantined"
        out.append(head)
        if batch.status in ("rejected", "previously_rejected", "no_space"):
            result.would_reject.append(batch.batch_id)
            out.append(f"    {batch.error}")
        for f in batch.files:
            if f.status == "loaded":
                line = f"    {f.display} → {batch.crm} {f.object}: {f.rows_loaded:,} rows"
                if f.rows_quarantined:
                    line += f", {f.rows_quarantined:,} to quarantine"
                out.append(line)
                if f.first_problem:
                    out.append(f"        first: {f.first_problem}")
            elif f.status == "duplicate":
                out.append(
                    f"    {f.display} → {batch.crm} {f.object}: already loaded (same content)"
                )
            elif f.status == "ignored":
                out.append(f"    {f.display}: {f.error}")
    for notice in report.notices:
        out.append(f"not read: {notice.sentence()}")


def check(settings: Settings, now: datetime | None = None) -> CheckResult:
    """Dry-run the ingest of ``settings.landing`` against the home's ledger."""
    result = CheckResult()
    problems = seed_problems(project_dir() / "seeds")
    with tempfile.TemporaryDirectory(prefix="handoff-check-") as tmp:
        report, db = _dry_ingest(settings, Path(tmp))
        with duckdb.connect(str(db), read_only=True) as con:
            result.oldest, result.newest = _span(con)
        if not problems and any(b.status == "loaded" for b in report.batches):
            result.unmapped_error = _build_unmapped(Path(tmp))
            if result.unmapped_error is None:
                with duckdb.connect(str(db), read_only=True) as con:
                    result.unmapped = unmapped_rows(con)
    result.lines.append(f"landing: {settings.landing}")
    result.lines.append(
        f"found {len(report.batches)} batch(es); ledger of {settings.ingest_db}"
        if settings.ingest_db.exists()
        else f"found {len(report.batches)} batch(es); no build database yet under {settings.home}"
    )
    _describe(report, result)
    now = now or datetime.now(UTC).replace(tzinfo=None)
    if result.newest is not None:
        span = f"the new rows' last-modified times run from {result.oldest} to {result.newest}"
        if default_as_of(result.newest, now) is not None:
            span += (
                f"; that is more than {STALE_AFTER.days} days before now: judge it at the "
                f"end of the data with --as-of {result.newest.isoformat()}"
            )
        else:
            span += "; the default as-of (now) fits it"
        result.lines.append(span)
    if result.unmapped_error:
        result.lines.append(f"unmapped values could not be listed: {result.unmapped_error}")
    else:
        result.lines += unmapped_lines(result.unmapped, top=None)
    for problem in problems:
        result.seed_problems.append(problem)
        result.lines.append(f"seed: {problem}; a run would stop here")
    if result.would_reject:
        result.lines.append(
            f"{len(result.would_reject)} batch(es) would not load: "
            + ", ".join(result.would_reject)
        )
    else:
        result.lines.append("nothing would be rejected")
    return result
