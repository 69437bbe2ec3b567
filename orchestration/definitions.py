"""The Dagster code location: ``dagster dev -m orchestration.definitions``."""

from __future__ import annotations

import dagster as dg

from handoff.dbt import dbt_executable
from orchestration.defs.audit.checks import gx_marts
from orchestration.defs.dbt.assets import handoff_dbt_models
from orchestration.defs.publish.assets import publish
from orchestration.defs.raw.assets import ingest_extracts
from orchestration.defs.reports import marketing_sla_report, open_sla_breach_alert
from orchestration.defs.schedules import JOBS, SCHEDULES, SENSORS
from orchestration.lib.resources import HandoffSettings
from orchestration.project import HandoffDbtCli, handoff_project

defs = dg.Definitions(
    assets=[
        ingest_extracts,
        handoff_dbt_models,
        publish,
        marketing_sla_report,
        open_sla_breach_alert,
    ],
    asset_checks=[gx_marts],
    jobs=JOBS,
    schedules=SCHEDULES,
    sensors=SENSORS,
    resources={
        "dbt": HandoffDbtCli(project_dir=handoff_project, dbt_executable=dbt_executable()),
        "handoff": HandoffSettings(),
    },
)
