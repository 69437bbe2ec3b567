"""What counts as a change of the project's code for the incremental models
(handoff.dbt.code_fingerprint, README "Incremental builds")."""

import copy

from handoff.dbt import code_changed_since_last_build, code_fingerprint, record_built_code
from handoff.settings import Settings

MANIFEST = {
    "nodes": {
        "model.handoff.int_handoffs": {
            "resource_type": "model",
            "package_name": "handoff",
            "checksum": {"name": "sha256", "checksum": "aaa"},
        },
        "seed.handoff.sla_policy": {
            "resource_type": "seed",
            "package_name": "handoff",
            "checksum": {"name": "sha256", "checksum": "bbb"},
        },
        "model.their_project.their_model": {
            "resource_type": "model",
            "package_name": "their_project",
            "checksum": {"name": "sha256", "checksum": "ccc"},
        },
    },
    "macros": {
        "macro.handoff.latest_version": {"package_name": "handoff", "macro_sql": "select 1"},
        "macro.dbt.run_query": {"package_name": "dbt", "macro_sql": "dbt's own"},
    },
}


def changed(path: list[str], value: str) -> str:
    manifest = copy.deepcopy(MANIFEST)
    node = manifest
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return code_fingerprint(manifest)


def test_a_model_or_macro_of_the_project_changes_the_fingerprint():
    base = code_fingerprint(MANIFEST)
    assert code_fingerprint(copy.deepcopy(MANIFEST)) == base
    assert changed(["nodes", "model.handoff.int_handoffs", "checksum", "checksum"], "x") != base
    assert changed(["macros", "macro.handoff.latest_version", "macro_sql"], "select 2") != base


def test_seeds_other_packages_and_dbt_itself_do_not():
    base = code_fingerprint(MANIFEST)
    # a seed is data: the incremental models detect changed seed rows themselves
    assert changed(["nodes", "seed.handoff.sla_policy", "checksum", "checksum"], "x") == base
    assert (
        changed(["nodes", "model.their_project.their_model", "checksum", "checksum"], "x") == base
    )
    assert changed(["macros", "macro.dbt.run_query", "macro_sql"], "new dbt") == base


def test_no_record_means_changed_and_a_record_is_compared(tmp_path):
    settings = Settings.from_env(home=tmp_path / "home")
    settings.dbt_target_path.mkdir(parents=True)
    code = code_fingerprint(MANIFEST)
    assert code_changed_since_last_build(settings, code)  # never built: build in full
    record_built_code(settings, code)
    assert not code_changed_since_last_build(settings, code)
    assert code_changed_since_last_build(settings, "another")
