"""The dbt project as Dagster sees it, for one home and target: ``@dbt_assets`` reads
``manifest.json`` when the definitions are built, so `handoff run` runs ``dbt parse``
first (:func:`handoff.dbt.prepare_manifest`); ``dagster dev`` prepares it itself.

dbt's artifacts live under the home (``<home>/target/<target>``, see
:attr:`handoff.settings.Settings.dbt_target_path`) of the settings the code location
is built for (:func:`orchestration.definitions.build_defs`)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from handoff.dbt import profiles_dir
from handoff.settings import Settings, project_dir


class HandoffDbtCli(DbtCliResource):
    """dagster-dbt's dbt resource, without two costs it pays before every command:

    - its ``dbt --version`` call, which asks PyPI for the latest release (seconds
      online, a time-out offline). :func:`handoff.dbt.dbt_executable` is this
      environment's own dbt, so its version is the dbt-core installed here;
    - a dbt adapter built inside the Dagster process (the project and profile loaded,
      the adapter registered: about 2 s, more while the gate's import runs beside
      it). dagster-dbt needs it only for ``fetch_row_counts()`` and
      ``fetch_column_metadata()``, which handoff does not call: the dbt command itself
      runs in its own process with its own adapter."""

    @cached_property
    def _cli_version(self) -> version.Version:
        from dbt.version import __version__ as installed  # lazy: dbt-core is heavy to import

        return version.parse(installed)

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> Any:
        return None


def dbt_project(settings: Settings) -> DbtProject:
    """The project for ``settings``' target, its artifacts in the home's own target
    folder (so runs on different engines or homes keep their own manifests; absolute,
    as DbtProject joins it onto the project folder)."""
    project = DbtProject(
        project_dir=project_dir(),
        profiles_dir=profiles_dir(),
        target=settings.target,
        target_path=settings.dbt_target_path,
    )
    project.prepare_if_dev()
    return project
