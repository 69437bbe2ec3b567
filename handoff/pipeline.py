"""Run the Dagster job ``handoff_pipeline`` in-process and summarise the outcome for
the CLI. The scheduler runs the very same job (orchestration.definitions).

With the CLI this is the top layer (docs/architecture.md): the one module of
``handoff`` that imports the Dagster definitions."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from handoff.audit import read_audit
from handoff.dbt import load_manifest
from handoff.duck import open_read_only, table_exists
from handoff.engines.postgres import params
from handoff.publish import last_publish, serving_path
from handoff.settings import Settings
from handoff.status import sla_summary_lines, summary_lines
from handoff.unmapped import unmapped_lines, unmapped_rows


@dataclass
class Outcome:
    success: bool
    rejected_batches: list[str] = field(default_factory=list)
    # Batches a full disk kept from loading (not recorded as rejected: the next run tries).
    not_loaded_batches: list[str] = field(default_factory=list)
    summary_lines: list[str] = field(default_factory=list)
    error: str | None = None
    detail: str | None = None


class _ProgressHandler(logging.Handler):
    """Forwards the assets' own log lines (ingest batches, dbt nodes) to the CLI."""

    def __init__(self, progress: Callable[[str], None]) -> None:
        super().__init__(level=logging.INFO)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        if meta.get("dagster_event") is not None:
            return  # engine events (step started, output handled …): too chatty
        message = meta.get("orig_message") or record.getMessage()
        self.progress(str(message))


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_DBT_SHOWN = (
    "OK created",
    "ERROR",
    "FAIL ",
    "WARN ",
    "Finished running",
    "Done. PASS",
    "Completed",
)
# What macros/log_problems.sql prints for each failing row of a test that explains
# itself (e.g. sla_policy_is_sound): shown as the run goes and repeated in the error.
_DBT_PROBLEM = "problem: "
# Spark's own log4j lines (dbt-spark session mode runs Spark inside dbt), e.g.
# "26/11/27 08:47:28 WARN SparkSession: ...": they would match "WARN " above.
_SPARK_LOG = re.compile(r"^\d\d/\d\d/\d\d \d\d:\d\d:\d\d (TRACE|DEBUG|INFO|WARN|ERROR) ")


class _DbtStdout(io.TextIOBase):
    """dagster-dbt echoes every dbt log line to stdout; keep the informative ones
    (models built, failures, the totals, the problems failing tests explain) and
    drop START/PASS chatter. ``problems`` keeps the explained problems for the
    run's error."""

    def __init__(self, progress: Callable[[str], None]) -> None:
        self.progress = progress
        self.problems: list[str] = []
        self._buffer = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._buffer += text
        while "\n" in self._buffer:
            line, self._buffer = self._buffer.split("\n", 1)
            line = _ANSI.sub("", line).strip()
            if _SPARK_LOG.match(line):
                continue
            if line.startswith(_DBT_PROBLEM):
                self.problems.append(line)
            if line and any(key in line for key in (*_DBT_SHOWN, _DBT_PROBLEM)):
                self.progress("dbt: " + line)
        return len(text)


# What an earlier version wrote: upgraded in place to the current configuration.
_OLD_INSTANCE_CONFIG = "telemetry:\n  enabled: false\n"


def instance_config(dagster_home: Any) -> str:
    """The ``dagster.yaml`` of a home's own Dagster instance: Dagster's SQLite storage
    in that folder, its event log kept open (orchestration/lib/storage.py), no
    telemetry."""
    return (
        "# Written by handoff: the instance `handoff run` and `dagster dev` share.\n"
        "storage:\n"
        "  custom:\n"
        "    module: orchestration.lib.storage\n"
        "    class: HandoffSqliteStorage\n"
        "    config:\n"
        f"      base_dir: {json.dumps(str(dagster_home))}\n"
        "telemetry:\n"
        "  enabled: false\n"
    )


def ensure_instance(settings: Settings) -> str:
    """The Dagster instance folder runs on this home record into: ``DAGSTER_HOME``
    when the user set one, else ``<home>/dagster`` (created, its ``dagster.yaml``
    written) — the one `handoff run` and `handoff dagster` share."""
    dagster_home = settings.home / "dagster"
    chosen = os.environ.get("DAGSTER_HOME") or str(dagster_home)
    if chosen == str(dagster_home):
        dagster_home.mkdir(parents=True, exist_ok=True)
        config = dagster_home / "dagster.yaml"
        if not config.exists() or config.read_text() == _OLD_INSTANCE_CONFIG:
            # Our own instance (a DAGSTER_HOME set by the user is theirs to configure).
            config.write_text(instance_config(dagster_home))
    return chosen


def _instance(settings: Settings) -> Any:
    import dagster as dg  # lazy: seconds to import, and `handoff dagster` needs none of it

    os.environ.setdefault("DAGSTER_HOME", ensure_instance(settings))
    return dg.DagsterInstance.get()


def _unpassed_checks(result: Any, severity: str) -> list[Any]:
    """The run's asset check evaluations (GX suites, dbt tests) that did not pass, of
    one severity (``ERROR`` blocks the run, ``WARN`` does not)."""
    return [
        event.event_specific_data
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
        and not event.event_specific_data.passed
        and event.event_specific_data.severity.value == severity
    ]


def _failed_checks(result: Any) -> list[str]:
    """The readable report of every failed blocking check (GX suites, dbt tests)."""
    lines = []
    for evaluation in _unpassed_checks(result, "ERROR"):
        what = evaluation.description or "failed"
        lines.append(
            f"{evaluation.asset_key.to_user_string()} {evaluation.check_name}: " + what
            if "\n" not in what
            else what
        )
    return lines


def _warned_checks(result: Any, settings: Settings) -> list[str]:
    """One line per dbt test that warned (not blocking): its name, how many rows, and
    why such rows happen (the test's ``meta.why`` in the models' yml)."""
    warned = _unpassed_checks(result, "WARN")
    if not warned:
        return []
    why = {
        node["name"]: " ".join(str(node["config"]["meta"]["why"]).split())
        for node in load_manifest(settings)["nodes"].values()
        if node.get("resource_type") == "test"
        and (node.get("config", {}).get("meta") or {}).get("why")
    }
    lines = []
    for evaluation in warned:
        rows = evaluation.metadata.get("dagster_dbt/failed_row_count")
        count = f"{rows.value:,} row(s)" if rows is not None else "some rows"
        lines.append(
            f"dbt warning (not blocking): {evaluation.asset_key.to_user_string()} "
            f"{evaluation.check_name}: {count}"
            + (f": {why[evaluation.check_name]}" if evaluation.check_name in why else "")
        )
    return lines


def _audit_warnings(settings: Settings, run_id: str) -> list[str]:
    """The gate's warnings of this run (rate drift against the last publish)."""
    record = read_audit(settings, run_id) or {}
    return [f"audit warning (not blocking): {w}" for w in record.get("warnings") or []]


def _failure_detail(result: Any, problems: list[str]) -> tuple[str, str]:
    """The run's error and its detail: the failed checks, each problem a failing dbt
    test explained (``problems``), else the failed step."""
    checks = _failed_checks(result)
    if checks:
        return (
            f"the audit failed: {len(checks)} check(s) did not pass, nothing was published",
            "\n".join(checks + problems),
        )
    error, detail = _step_failure(result)
    return error, "\n".join([*problems, detail]) if problems else detail


def _step_failure(result: Any) -> tuple[str, str]:
    for event in result.all_events:
        if event.is_step_failure:
            err = event.step_failure_data.error
            first = (err.message or "").strip().splitlines()[0] if err else "unknown error"
            return f"step {event.step_key} failed: {first}", (err.to_string() if err else "")
    return "the pipeline failed", ""


def execute_pipeline(
    settings: Settings,
    progress: Callable[[str], None] = print,
    job_name: str = "handoff_pipeline",
) -> Outcome:
    # lazy: dagster is slow to import, and the definitions read the manifest at import
    # (the one the CLI's `dbt parse` has just written)
    import dagster as dg

    from orchestration.definitions import defs

    started = datetime.now(UTC).replace(tzinfo=None)

    handler = _ProgressHandler(progress)
    progress_logger = logging.getLogger("handoff.progress")
    progress_logger.setLevel(logging.INFO)
    progress_logger.propagate = False

    @dg.logger(description="Forwards the assets' log lines to the handoff CLI.")
    def cli_progress(_init_context):
        return progress_logger

    # The CLI's own logger replaces Dagster's console logger for this in-process run.
    job = defs.resolve_job_def(job_name).with_logger_defs({"cli_progress": cli_progress})
    dagster_logger = progress_logger
    dagster_logger.addHandler(handler)
    try:
        dbt_stdout = _DbtStdout(progress)
        with contextlib.redirect_stdout(dbt_stdout):
            result = job.execute_in_process(
                instance=_instance(settings),
                raise_on_error=False,
                run_config={"loggers": {"cli_progress": {}}},
            )
    finally:
        dagster_logger.removeHandler(handler)
    outcome = Outcome(success=result.success)
    if not result.success:
        outcome.error, outcome.detail = _failure_detail(result, dbt_stdout.problems)
    # The ledger lives in the ingest file (the build database itself on DuckDB).
    if settings.ingest_db.exists():
        with open_read_only(settings.ingest_db) as con:
            outcome.rejected_batches = [
                r[0]
                for r in con.execute(
                    "select distinct batch_id from raw._batches "
                    "where status = 'rejected' and loaded_at >= ? order by 1",
                    [started],
                ).fetchall()
            ]
            if table_exists(con, "raw", "_landing_notices"):
                outcome.not_loaded_batches = [
                    r[0]
                    for r in con.execute(
                        "select path from raw._landing_notices where kind = 'not_loaded' "
                        "and noticed_at >= ? order by 1",
                        [started],
                    ).fetchall()
                ]
            outcome.summary_lines = summary_lines(con, settings)
    outcome.summary_lines += _warned_checks(result, settings)
    outcome.summary_lines += _audit_warnings(settings, result.run_id)
    outcome.summary_lines += _publish_lines(settings, started, result.success)
    if settings.target == "duckdb" and settings.build_db.exists():
        with open_read_only(settings.build_db) as con:
            outcome.summary_lines += sla_summary_lines(con)
            outcome.summary_lines += unmapped_lines(unmapped_rows(con))
    return outcome


def _publish_lines(settings: Settings, started: datetime, success: bool) -> list[str]:
    record = last_publish(settings)
    fresh = record and datetime.fromisoformat(record["published_at"]) >= started.replace(
        microsecond=0
    )
    if settings.target in ("postgres", "spark"):
        where = (
            f"schema marts of PostgreSQL {params()['host']}:{params()['port']}/{params()['dbname']}"
            if settings.target == "postgres"
            else f"the views of schema marts in Spark ({settings.home / 'spark'})"
        )
        if fresh:
            marts = record["marts"]
            return [
                f"published: {where} ({len(marts)} marts, {sum(marts.values()):,} rows), "
                f"docs in {settings.home / 'docs'}"
            ]
        if record:
            return [
                f"marts unchanged: {where} still holds the publish of "
                f"{record['published_at']} UTC (as-of {record['as_of']})"
            ]
        return [] if success else ["nothing has been published yet"]
    if fresh:
        marts = record["marts"]
        return [
            f"published: {serving_path(settings)} ({len(marts)} marts, "
            f"{sum(marts.values()):,} rows), Parquet in {settings.serving_dir / 'parquet'}, "
            f"docs in {settings.home / 'docs'}"
        ]
    if settings.target != "duckdb":
        return []
    if record:
        return [
            f"serving copy unchanged: {serving_path(settings)} still holds the publish of "
            f"{record['published_at']} UTC (as-of {record['as_of']})"
        ]
    return [] if success else ["nothing has been published yet"]
