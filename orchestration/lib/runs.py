"""Run records (``<home>/runs.jsonl``, what `handoff status` shows as the last run),
written by the pipeline jobs themselves, so a run of the CLI, a schedule, the sensor
or the UI leaves the same record (README, "The command line").

A hook on every step of a pipeline job (:mod:`orchestration.defs.runs`) writes its
run's record from the run's events once a step settles the run: the last step of
the plan is done, or a step or a blocking check failed (the steps after it do not
run). The in-process runner (:mod:`handoff.pipeline`) writes it once more when the
run is over, with the run's own verdict. One line per run: a record carries its
``run_id``, and writing it again replaces it."""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from handoff.settings import Settings
from handoff.status import batches_since


def unpassed_checks(events: Iterable[Any], severity: str) -> list[Any]:
    """The run's asset check evaluations (GX suites, dbt tests) that did not pass, of
    one severity (``ERROR`` blocks the run, ``WARN`` does not); ``events`` are the
    run's Dagster events."""
    return [
        event.event_specific_data
        for event in events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
        and not event.event_specific_data.passed
        and event.event_specific_data.severity.value == severity
    ]


def failed_checks(events: Iterable[Any]) -> list[str]:
    """The readable report of every failed blocking check (GX suites, dbt tests)."""
    lines = []
    for evaluation in unpassed_checks(events, "ERROR"):
        what = evaluation.description or "failed"
        lines.append(
            f"{evaluation.asset_key.to_user_string()} {evaluation.check_name}: " + what
            if "\n" not in what
            else what
        )
    return lines


def step_failure(events: Iterable[Any]) -> tuple[str, str] | None:
    """The first failed step's sentence and its error, or None."""
    for event in events:
        if event.is_step_failure:
            err = event.step_failure_data.error
            first = (err.message or "").strip().splitlines()[0] if err else "unknown error"
            return f"step {event.step_key} failed: {first}", (err.to_string() if err else "")
    return None


def run_failure(events: Sequence[Any]) -> tuple[str, str] | None:
    """Why a run failed (its failed blocking checks, else its failed step) and the
    detail; None when neither happened."""
    checks = failed_checks(events)
    if checks:
        return (
            f"the audit failed: {len(checks)} check(s) did not pass, nothing was published",
            "\n".join(checks),
        )
    return step_failure(events)


def run_record(
    settings: Settings,
    run_id: str,
    events: Sequence[Any],
    started: datetime,
    succeeded: bool | None = None,
) -> dict[str, Any]:
    """The record of run ``run_id`` for ``settings`` from its Dagster ``events``;
    ``started`` is its start (naive UTC), ``succeeded`` its verdict when it is over
    (else judged from the events: no failed step, no failed blocking check)."""
    failure = run_failure(events)
    if succeeded is None:
        succeeded = failure is None and not any(e.is_failure for e in events)
    rejected, not_loaded = batches_since(settings, started)
    now = datetime.now(UTC)
    error = (
        ((failure[0] if failure else "the pipeline failed") if not succeeded else None)
        or (f"{len(rejected)} batch(es) rejected: " + ", ".join(rejected) if rejected else None)
        or (
            f"{len(not_loaded)} batch(es) not loaded for want of disk space" if not_loaded else None
        )
    )
    return {
        "finished_at": now.isoformat(timespec="seconds"),
        "as_of": settings.as_of.isoformat(sep=" "),
        "landing": str(settings.landing),
        "target": settings.target,
        "source": settings.source,
        "full_refresh": settings.full_refresh,
        # The run's verdict as the CLI's exit code says: a rejected batch fails the run.
        "success": succeeded and not rejected and not not_loaded,
        "pipeline_succeeded": succeeded,
        "seconds": round((now.replace(tzinfo=None) - started).total_seconds(), 1),
        "batches_rejected": rejected,
        "batches_not_loaded": not_loaded,
        "error": error,
        "run_id": run_id,
    }


def write_run_record(settings: Settings, record: dict[str, Any]) -> None:
    """Put ``record`` last in ``<home>/runs.jsonl``, replacing an earlier record of the
    same run; an exclusive ``flock`` on the file keeps two runs from interleaving."""
    settings.home.mkdir(parents=True, exist_ok=True)
    with open(settings.runs_file, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        kept = [
            line
            for line in fh.read().splitlines()
            if line.strip() and f'"run_id": "{record["run_id"]}"' not in line
        ]
        fh.seek(0)
        fh.truncate()
        fh.write("".join(f"{line}\n" for line in [*kept, json.dumps(record)]))


# The events after which a step does not run again in its run.
_STEP_DONE = ("STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED")


def _is_over(instance: Any, run_id: str, events: Sequence[Any], step_key: str) -> bool:
    """Whether the run's verdict is known once step ``step_key`` is done: a step or
    a blocking check failed (the steps after it do not run), or no step of the run's
    plan is left to run."""
    if run_failure(events) is not None or any(e.is_failure for e in events):
        return True
    run = instance.get_run_by_id(run_id)
    plan = instance.get_execution_plan_snapshot(run.execution_plan_snapshot_id)
    planned = set(plan.step_keys_to_execute or [step.key for step in plan.steps])
    done = {e.step_key for e in events if e.event_type_value in _STEP_DONE} | {step_key}
    return planned <= done


def record_run(
    instance: Any,
    run_id: str,
    settings: Settings,
    succeeded: bool | None = None,
    after_step: str | None = None,
) -> dict[str, Any] | None:
    """Write the record of run ``run_id`` from its events in ``instance`` and return
    it. ``after_step``: called as step ``after_step`` ends (a hook), which writes
    only when that settles the run (:func:`_is_over`), so a run killed half-way
    leaves no record, as it never did."""
    entries = instance.all_logs(run_id)
    events = [e.dagster_event for e in entries if e.dagster_event is not None]
    if after_step is not None and not _is_over(instance, run_id, events, after_step):
        return None
    first = min((e.timestamp for e in entries), default=datetime.now(UTC).timestamp())
    started = datetime.fromtimestamp(first, UTC).replace(tzinfo=None)
    record = run_record(settings, run_id, events, started, succeeded)
    write_run_record(settings, record)
    return record
