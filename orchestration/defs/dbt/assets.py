"""The dbt project as assets: every model, seed and snapshot; dbt tests become asset
checks. Sources map onto the raw ingest assets, models group by folder."""

import json
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from handoff.lock import build_lock
from orchestration.lib.resources import HandoffSettings


class HandoffTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            # raw.<crm>__<object>, the ingest asset's key: the raw table's name in files
            # mode, and the same key when staging reads a connector's table in place
            source, table = dbt_resource_props["source_name"], dbt_resource_props["name"]
            return dg.AssetKey(["raw", f"{source}__{table}"])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        # fqn: [project, folder, subfolder…, name]; group by the top folder.
        if dbt_resource_props["resource_type"] == "model" and len(fqn) > 2:
            return fqn[1]
        return dbt_resource_props["resource_type"] + "s"


def dbt_models(project: DbtProject) -> dg.AssetsDefinition:
    """The dbt assets of ``project``, read from its manifest."""

    @dbt_assets(
        manifest=project.manifest_path,
        dagster_dbt_translator=HandoffTranslator(),
        project=project,
    )
    def handoff_dbt_models(
        context: AssetExecutionContext, dbt: DbtCliResource, handoff: HandoffSettings
    ):
        """`dbt build` (models, seeds, snapshots, tests) with the run's as-of instant and
        home (dbt vars); with the run's ``full_refresh`` (`handoff run --full-refresh`,
        or HANDOFF_FULL_REFRESH), `--full-refresh`."""
        settings = handoff.get()
        args = ["build", "--vars", json.dumps(settings.dbt_vars)]
        if settings.full_refresh:
            args.append("--full-refresh")
        with build_lock(settings.home, "dbt build", progress=context.log.info):
            # The home's own target folder (not a new one per run): it holds the parse
            # `handoff run` just made with the same vars, so dbt does not parse again.
            yield from dbt.cli(args, context=context, target_path=settings.dbt_target_path).stream()

    return handoff_dbt_models
