"""The dbt resource of the Dagster definitions (orchestration/project.py) runs dbt
without building a dbt adapter inside the Dagster process first: handoff never asks
dagster-dbt for row counts or column metadata, the adapter's only users, and building
it cost seconds before every dbt command of a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from handoff.dbt import dbt_executable, profiles_dir
from handoff.settings import project_dir
from orchestration.project import HandoffDbtCli


def test_a_dbt_command_starts_without_an_adapter_in_the_dagster_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resource = HandoffDbtCli(
        project_dir=str(project_dir()),
        profiles_dir=str(profiles_dir()),
        target="duckdb",
        dbt_executable=str(dbt_executable()),
    )
    monkeypatch.setenv("HANDOFF_HOME", str(tmp_path))
    invocation = resource.cli(["debug", "--config-dir"], target_path=tmp_path / "target")
    invocation.wait()
    assert invocation.is_successful()
    assert invocation.adapter is None
