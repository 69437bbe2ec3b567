"""The Dagster code location loads and wires ingest → dbt (a test that loads
the definitions)."""

from __future__ import annotations

import dagster as dg
import pytest

from handoff.contract import objects


@pytest.fixture(scope="module")
def defs():
    from handoff.dbt import prepare_manifest
    from handoff.settings import Settings

    prepare_manifest()
    from orchestration.definitions import build_defs

    return build_defs(Settings.from_env())


def test_job_and_raw_assets(defs):
    job = defs.resolve_job_def("handoff_pipeline")
    assert job is not None
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    for spec in objects().values():
        assert f"raw/{spec.table}" in keys
    assert graph.get(dg.AssetKey(["raw", "salesforce__lead"])).group_name == "raw"


def test_dbt_sources_map_to_the_ingest_assets(defs):
    graph = defs.resolve_asset_graph()
    stg = next(k for k in graph.get_all_asset_keys() if k.path[-1] == "stg_salesforce__leads")
    parents = {p.to_user_string() for p in graph.get(stg).parent_keys}
    assert parents == {"raw/salesforce__lead"}
    assert graph.get(stg).group_name == "staging"


def test_dbt_tests_are_asset_checks(defs):
    graph = defs.resolve_asset_graph()
    checks = {c.name for c in graph.asset_check_keys}
    assert any(name.startswith("unique_stg_salesforce__leads") for name in checks)
