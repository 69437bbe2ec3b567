"""The mart assets of the dbt project (schema ``marts``), as Dagster asset keys."""

from __future__ import annotations

import json

import dagster as dg

from handoff.dbt import mart_models
from orchestration.defs.dbt.assets import HandoffTranslator
from orchestration.project import handoff_project


def mart_keys() -> dict[str, dg.AssetKey]:
    """Mart name → asset key, read from the manifest the dbt assets were built from."""
    manifest = json.loads(handoff_project.manifest_path.read_text())
    translator = HandoffTranslator()
    return {name: translator.get_asset_key(node) for name, node in mart_models(manifest).items()}


MART_KEYS = mart_keys()
