"""The Dagster code location: ``dagster dev -m orchestration.definitions``.

:func:`build_defs` builds it for one home and dbt target (the dbt manifest it reads
is the home's); ``defs``, what ``dagster dev`` and the daemon load, builds it for the
environment's (``HANDOFF_HOME``, ``HANDOFF_TARGET``), and `handoff run` for its
options (:mod:`handoff.pipeline`)."""

from __future__ import annotations

import dagster as dg

from handoff.dbt import dbt_executable
from handoff.settings import Settings
from orchestration.defs.audit.checks import gx_marts_checks
from orchestration.defs.dbt.assets import dbt_models
from orchestration.defs.marts import mart_keys
from orchestration.defs.publish.assets import publish_asset
from orchestration.defs.raw.assets import ingest_extracts
from orchestration.defs.reports import marketing_sla_report, open_sla_breach_alert
from orchestration.defs.schedules import PIPELINE_JOBS, SCHEDULES, SENSORS, audit_and_publish_job
from orchestration.lib.resources import HandoffSettings
from orchestration.project import HandoffDbtCli, dbt_project


def build_defs(settings: Settings) -> dg.Definitions:
    """The code location for ``settings``' home and target (the dbt manifest and the
    dbt resource are theirs); a run's settings are its run config
    (:class:`orchestration.lib.resources.HandoffSettings`), the same home and target
    when `handoff run` builds it, the environment's for a schedule."""
    project = dbt_project(settings)
    marts = mart_keys(project)
    return dg.Definitions(
        assets=[
            ingest_extracts,
            dbt_models(project),
            publish_asset(marts),
            marketing_sla_report,
            open_sla_breach_alert,
        ],
        asset_checks=[gx_marts_checks(marts)],
        jobs=[*PIPELINE_JOBS, audit_and_publish_job(marts)],
        schedules=SCHEDULES,
        sensors=SENSORS,
        resources={
            "dbt": HandoffDbtCli(project_dir=project, dbt_executable=dbt_executable()),
            "handoff": HandoffSettings(),
        },
    )


@dg.definitions
def defs() -> dg.Definitions:
    """The code location of the environment's home and target (``dagster dev``)."""
    return build_defs(Settings.from_env())
