"""The mart assets of the dbt project (schema ``marts``), as Dagster asset keys."""

from __future__ import annotations

import json

import dagster as dg
from dagster_dbt import DbtProject

from handoff.dbt import mart_models
from orchestration.defs.dbt.assets import HandoffTranslator


def mart_keys(project: DbtProject) -> dict[str, dg.AssetKey]:
    """Mart name → asset key, read from the manifest the dbt assets are built from."""
    manifest = json.loads(project.manifest_path.read_text())
    translator = HandoffTranslator()
    return {name: translator.get_asset_key(node) for name, node in mart_models(manifest).items()}
