"""The dbt project as assets: every model, seed and snapshot; dbt tests become asset
checks. Sources map onto the raw ingest assets, models group by folder."""

import json
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from handoff.audit import prewarm_gx
from handoff.dbt import (
    BUILT_CODE_FILE,
    code_changed_since_last_build,
    code_fingerprint,
    load_manifest,
    record_built_code,
    unit_test_exclusion,
)
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
        """`dbt build` (models, seeds, snapshots, data tests) with the run's as-of instant
        and home (``HANDOFF_AS_OF``, ``HANDOFF_HOME``); with the run's ``full_refresh``
        (`handoff run --full-refresh`, or HANDOFF_FULL_REFRESH), `--full-refresh`. dbt's
        unit tests only with ``HANDOFF_UNIT_TESTS=1``: they check the models' SQL on
        fixed inputs, which no new data changes (dbt's advice: development and CI)."""
        settings = handoff.get()
        args = ["build", "--vars", json.dumps(settings.dbt_vars), *unit_test_exclusion(settings)]
        # Rows an incremental model kept from earlier runs were computed by the code of
        # those runs: when the project's models or macros changed since (an upgrade of
        # handoff, an edited model), rebuild them in full (README "Incremental builds").
        code = code_fingerprint(load_manifest(settings))
        full_refresh = settings.full_refresh
        if not full_refresh and code_changed_since_last_build(settings, code):
            full_refresh = True
            if (settings.dbt_target_path / BUILT_CODE_FILE).exists() or (
                settings.dbt_target_path / "run_results.json"
            ).exists():
                context.log.info(
                    "dbt build: the project's models or macros changed since this home's "
                    "last build: rebuilding the incremental models in full (--full-refresh)"
                )
        if full_refresh:
            args.append("--full-refresh")
        # the gate that follows the build imports Great Expectations: load it meanwhile
        prewarm_gx()
        # The home's own target folder (not a new one per run): it holds the parse
        # `handoff run` just made with the same vars, so dbt does not parse again.
        # dbt reads the run's home and as-of from the environment (Settings.dbt_vars).
        with build_lock(settings.home, "dbt build", progress=context.log.info), settings.exported():
            invocation = dbt.cli(args, context=context, target_path=settings.dbt_target_path)
            yield from invocation.stream()
        # reached only when the build succeeded (a failed dbt build raises above)
        record_built_code(settings, code)

    return handoff_dbt_models
