"""Run the Dagster job ``handoff_pipeline`` in-process and summarise the outcome for
the CLI. The scheduler runs the very same job (orchestration.definitions), with the
same configuration: the CLI's options become the code location's home and target
and the run's config (orchestration.lib.resources), never environment variables.

With the CLI this is the top layer (docs/architecture.md): the one module of
``handoff`` that imports the Dagster definitions. It loads Dagster, so the CLI
imports it only in the commands that run a job."""

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

import dagster as dg

from handoff.audit import read_audit
from handoff.dbt import load_manifest
from handoff.duck import open_read_only
from handoff.engines.postgres import params
from handoff.publish import last_publish, serving_path
from handoff.settings import Settings
from handoff.status import batches_since, sla_summary_lines, summary_lines
from handoff.unmapped import unmapped_lines, unmapped_rows
from orchestration.definitions import build_defs
from orchestration.defs.schedules import PIPELINE_JOBS
from orchestration.lib.resources import run_config
from orchestration.lib.runs import (
    failed_checks,
    record_run,
    run_failure,
    step_failure,
    unpassed_checks,
)

# The jobs that leave a run record (`handoff publish`'s audit_and_publish does not).
RECORDED_JOBS = {job.name for job in PIPELINE_JOBS}


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
    """The home's Dagster instance (:func:`ensure_instance`), opened without setting
    ``DAGSTER_HOME`` in this process."""
    return dg.DagsterInstance.from_config(ensure_instance(settings))


def _warned_checks(result: Any, settings: Settings) -> list[str]:
    """One line per dbt test that warned (not blocking): its name, how many rows, and
    why such rows happen (the test's ``meta.why`` in the models' yml)."""
    warned = unpassed_checks(result.all_events, "WARN")
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
    checks = failed_checks(result.all_events)
    if checks:
        error, _ = run_failure(result.all_events)
        return error, "\n".join(checks + problems)
    error, detail = step_failure(result.all_events) or ("the pipeline failed", "")
    return error, "\n".join([*problems, detail]) if problems else detail


def execute_pipeline(
    settings: Settings,
    progress: Callable[[str], None] = print,
    job_name: str = "handoff_pipeline",
) -> Outcome:
    """Run job ``job_name`` of the code location built for ``settings``' home and
    target, with the rest of ``settings`` as its run config (the CLI's options); the
    pipeline jobs leave their run record in ``<home>/runs.jsonl``
    (:mod:`orchestration.lib.runs`), which this writes once more with the run's
    verdict when it is over."""
    started = datetime.now(UTC).replace(tzinfo=None)

    handler = _ProgressHandler(progress)
    progress_logger = logging.getLogger("handoff.progress")
    progress_logger.setLevel(logging.INFO)
    progress_logger.propagate = False

    @dg.logger(description="Forwards the assets' log lines to the handoff CLI.")
    def cli_progress(_init_context):
        return progress_logger

    # The definitions read the manifest the CLI's `dbt parse` has just written.
    defs = build_defs(settings)
    # The CLI's own logger replaces Dagster's console logger for this in-process run.
    job = defs.resolve_job_def(job_name).with_logger_defs({"cli_progress": cli_progress})
    dagster_logger = progress_logger
    dagster_logger.addHandler(handler)
    try:
        dbt_stdout = _DbtStdout(progress)
        with contextlib.redirect_stdout(dbt_stdout), _instance(settings) as instance:
            result = job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                run_config={**run_config(settings), "loggers": {"cli_progress": {}}},
            )
            if job_name in RECORDED_JOBS:
                record_run(instance, result.run_id, settings, succeeded=result.success)
    finally:
        dagster_logger.removeHandler(handler)
    outcome = Outcome(success=result.success)
    if not result.success:
        outcome.error, outcome.detail = _failure_detail(result, dbt_stdout.problems)
    outcome.rejected_batches, outcome.not_loaded_batches = batches_since(settings, started)
    # The ledger lives in the ingest file (the build database itself on DuckDB).
    if settings.source == "fivetran":
        outcome.summary_lines = [
            "source: the Fivetran tables in place (schemas "
            + ", ".join(settings.connector_schemas.values())
            + "); no file ingest, no ledger"
        ]
    elif settings.ingest_db.exists():
        with open_read_only(settings.ingest_db) as con:
            outcome.summary_lines = summary_lines(con, settings)
    outcome.summary_lines += _warned_checks(result, settings)
    outcome.summary_lines += _audit_warnings(settings, result.run_id)
    outcome.summary_lines += _publish_lines(settings, started, result.success)
    if settings.target == "duckdb" and settings.build_db.exists():
        with open_read_only(settings.build_db) as con:
            # After a failed run the build database holds what the build got to, half
            # old and half new (and nothing of it published): no SLA figures from it.
            if result.success:
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
