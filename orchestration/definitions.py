"""The Dagster code location: ``dagster dev -m orchestration.definitions``."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.defs.dbt.assets import handoff_dbt_models
from orchestration.defs.raw.assets import ingest_extracts
from orchestration.lib.resources import HandoffSettings
from orchestration.project import dbt_executable, handoff_project

handoff_pipeline = dg.define_asset_job(
    "handoff_pipeline",
    selection=dg.AssetSelection.all(),
    description="Ingest new CRM extract batches, then dbt build (staging → marts, tests).",
)

defs = dg.Definitions(
    assets=[ingest_extracts, handoff_dbt_models],
    jobs=[handoff_pipeline],
    resources={
        "dbt": DbtCliResource(project_dir=handoff_project, dbt_executable=dbt_executable()),
        "handoff": HandoffSettings(),
    },
)
