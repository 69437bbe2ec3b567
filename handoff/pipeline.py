"""Run the Dagster job ``handoff_pipeline`` in-process and summarise the outcome for
the CLI. The scheduler runs the very same job (orchestration.definitions)."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

from handoff.settings import Settings


@dataclass
class Outcome:
    success: bool
    rejected_batches: list[str] = field(default_factory=list)
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


class _DbtStdout(io.TextIOBase):
    """dagster-dbt echoes every dbt log line to stdout; keep the informative ones
    (models built, failures, the totals) and drop START/PASS chatter."""

    def __init__(self, progress: Callable[[str], None]) -> None:
        self.progress = progress
        self._buffer = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._buffer += text
        while "\n" in self._buffer:
            line, self._buffer = self._buffer.split("\n", 1)
            line = _ANSI.sub("", line).strip()
            if line and any(key in line for key in _DBT_SHOWN):
                self.progress("dbt: " + line)
        return len(text)


def open_read_only(path: Any, wait_seconds: float = 60.0) -> Any:
    """Open a DuckDB file read-only, waiting while a writer (a dbt process still
    shutting down after a failed step) holds its lock."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _instance(settings: Settings) -> Any:
    import dagster as dg

    dagster_home = settings.home / "dagster"
    dagster_home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DAGSTER_HOME", str(dagster_home))
    return dg.DagsterInstance.get()


def _failure_detail(result: Any) -> tuple[str, str]:
    for event in result.all_events:
        if event.is_step_failure:
            err = event.step_failure_data.error
            first = (err.message or "").strip().splitlines()[0] if err else "unknown error"
            return f"step {event.step_key} failed: {first}", (err.to_string() if err else "")
    return "the pipeline failed", ""


def execute_pipeline(settings: Settings, progress: Callable[[str], None] = print) -> Outcome:
    from orchestration.definitions import defs

    started = datetime.now(UTC).replace(tzinfo=None)
    job = defs.resolve_job_def("handoff_pipeline")
    handler = _ProgressHandler(progress)
    dagster_logger = logging.getLogger("dagster")
    dagster_logger.addHandler(handler)
    try:
        with contextlib.redirect_stdout(_DbtStdout(progress)):
            result = job.execute_in_process(
                instance=_instance(settings),
                raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
            )
    finally:
        dagster_logger.removeHandler(handler)
    outcome = Outcome(success=result.success)
    if not result.success:
        outcome.error, outcome.detail = _failure_detail(result)
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
            from handoff.status import summary_lines

            outcome.summary_lines = summary_lines(con, settings)
    return outcome
