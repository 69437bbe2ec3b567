"""Jobs, schedules and the new-batch sensor (README, "Publishing, audit and schedules").

Every job runs the whole graph (ingest → dbt and its tests → GX checks → publish),
so a review never looks at stale or unaudited marts; the review jobs add their
report. Each leaves its run record (orchestration.defs.runs). Runs that overlap are serialised by the build lock (handoff.lock)."""

import hashlib
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg

from handoff.settings import Settings
from orchestration.defs.reports import marketing_sla_report, open_sla_breach_alert
from orchestration.defs.runs import RUN_RECORD_HOOKS

REPORTS = dg.AssetSelection.assets(marketing_sla_report, open_sla_breach_alert)
PIPELINE = dg.AssetSelection.all() - REPORTS

handoff_pipeline = dg.define_asset_job(
    "handoff_pipeline",
    hooks=RUN_RECORD_HOOKS,
    selection=PIPELINE,
    description="Ingest new CRM extract batches, dbt build (models and tests), the Great "
    "Expectations gate, then publish the serving copy, Parquet and docs.",
)
marketing_sla_review_job = dg.define_asset_job(
    "marketing_sla_review",
    hooks=RUN_RECORD_HOOKS,
    selection=PIPELINE | dg.AssetSelection.assets(marketing_sla_report),
    description="The pipeline, then the last weeks of fct_marketing_sla_weekly as "
    "<home>/reports/marketing_sla_<week>.csv.",
)
disposition_check_job = dg.define_asset_job(
    "disposition_check",
    hooks=RUN_RECORD_HOOKS,
    selection=PIPELINE | dg.AssetSelection.assets(open_sla_breach_alert),
    description="The pipeline, then rpt_open_sla_breaches as a CSV and, when "
    "HANDOFF_ALERT_WEBHOOK is set, POSTed to it as JSON.",
)

PIPELINE_JOBS = [handoff_pipeline, marketing_sla_review_job, disposition_check_job]


def audit_and_publish_job(mart_keys: dict[str, dg.AssetKey]) -> Any:
    """The job of `handoff publish`: the marts' checks and the publish, nothing built."""
    return dg.define_asset_job(
        "audit_and_publish",
        selection=dg.AssetSelection.assets(dg.AssetKey(["publish"]))
        | dg.AssetSelection.checks(*[dg.AssetCheckKey(k, "gx_suite") for k in mart_keys.values()]),
        description="Audit the marts already in the build database and publish them "
        "(`handoff publish`): no ingest, no dbt.",
    )


def as_of_config(instant: datetime) -> dict:
    """Run config fixing the run's as-of (every step judges at the same instant)."""
    naive = instant.astimezone(UTC).replace(tzinfo=None) if instant.tzinfo else instant
    return {"resources": {"handoff": {"config": {"as_of": naive.isoformat(sep=" ")}}}}


def _schedule(name: str, cron: str, job, doc: str) -> dg.ScheduleDefinition:
    @dg.schedule(
        name=name,
        cron_schedule=cron,
        job=job,
        execution_timezone="UTC",
        description=doc,
    )
    def _run(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        instant = context.scheduled_execution_time or datetime.now(UTC)
        return dg.RunRequest(
            run_key=f"{name}:{instant.isoformat()}",
            run_config=as_of_config(instant),
            tags={"handoff/trigger": name},
        )

    return _run


daily_pipeline = _schedule(
    "daily_pipeline",
    "0 6 * * *",
    handoff_pipeline,
    "Every day at 06:00 UTC: the whole pipeline.",
)
monday_marketing_sla_review = _schedule(
    "monday_marketing_sla_review",
    "0 7 * * 1",
    marketing_sla_review_job,
    "Mondays 07:00 UTC: rebuild, then review last week's marketing SLA.",
)
wednesday_disposition_check = _schedule(
    "wednesday_disposition_check",
    "0 10 * * 3",
    disposition_check_job,
    "Wednesdays 10:00 UTC (before the Monday handoffs' close-of-business disposition "
    "deadline): rebuild, then list and alert the open SLA breaches.",
)

SCHEDULES = [daily_pipeline, monday_marketing_sla_review, wednesday_disposition_check]

# --- the new-batch sensor ------------------------------------------------------------

SETTLE_ENV = "HANDOFF_SENSOR_SETTLE_SECONDS"


def landing_batches(landing: Path) -> list[str]:
    """Every batch under the landing folder: ``<crm>/<batch>/`` folders and
    ``<crm>/<batch>.zip`` files, as sorted relative names."""
    if not landing.exists():
        return []
    found = []
    for crm in sorted(p for p in landing.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for entry in sorted(crm.iterdir()):
            if entry.name.startswith("."):
                continue
            if entry.is_dir() or entry.suffix.lower() == ".zip":
                found.append(f"{crm.name}/{entry.name}")
    return found


def _newest_change(landing: Path, batch: str) -> float:
    path = landing / batch
    if path.is_file():
        return path.stat().st_mtime
    times = [p.stat().st_mtime for p in path.rglob("*") if p.is_file()]
    return max(times, default=path.stat().st_mtime)


def batches_digest(batches: list[str]) -> str:
    return hashlib.sha256("\n".join(batches).encode()).hexdigest()[:16]


@dg.sensor(
    name="new_batch_sensor",
    job=handoff_pipeline,
    minimum_interval_seconds=60,
    description="Runs handoff_pipeline when a new batch folder or zip appears under the "
    "landing folder (once its files have stopped changing).",
)
def new_batch_sensor(context: dg.SensorEvaluationContext):
    settings = Settings.from_env()
    batches = landing_batches(settings.landing)
    seen = set(json.loads(context.cursor)) if context.cursor else set()
    new = [b for b in batches if b not in seen]
    if not new:
        return dg.SkipReason(f"no new batch in {settings.landing}")
    settle = float(os.environ.get(SETTLE_ENV, "60"))
    arriving = [b for b in new if time.time() - _newest_change(settings.landing, b) < settle]
    if arriving:
        # Still being copied: wait, so that a half-delivered batch is never loaded.
        return dg.SkipReason(f"batch(es) still arriving: {', '.join(arriving)}")
    context.update_cursor(json.dumps(batches))
    return dg.RunRequest(
        run_key=f"batches:{batches_digest(batches)}",
        run_config=as_of_config(datetime.now(UTC)),
        tags={"handoff/trigger": "new_batch_sensor", "handoff/new_batches": ",".join(new)[:200]},
    )


SENSORS = [new_batch_sensor]
