"""The dbt project as Dagster sees it. Kept in its own module because
``@dbt_assets`` reads ``manifest.json`` at import: `handoff run` runs ``dbt parse``
first (:func:`handoff.dbt.prepare_manifest`); ``dagster dev`` prepares it itself.

dbt's artifacts live under the home (``<home>/target/<target>``, see
:attr:`handoff.settings.Settings.dbt_target_path`), read from ``HANDOFF_HOME`` and
``HANDOFF_TARGET`` at import."""

from __future__ import annotations

from functools import cached_property

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from handoff.dbt import profiles_dir
from handoff.settings import Settings, project_dir

_SETTINGS = Settings.from_env()
TARGET = _SETTINGS.target


class HandoffDbtCli(DbtCliResource):
    """dagster-dbt's dbt resource, without its ``dbt --version`` call before every
    command: that call asks PyPI for the latest release (seconds online, a time-out
    offline). :func:`handoff.dbt.dbt_executable` is this environment's own dbt, so its
    version is the dbt-core installed here."""

    @cached_property
    def _cli_version(self) -> version.Version:
        from dbt.version import __version__ as installed  # lazy: dbt-core is heavy to import

        return version.parse(installed)


handoff_project = DbtProject(
    project_dir=project_dir(),
    profiles_dir=profiles_dir(),
    target=TARGET,
    # One target path per home and engine, so runs on different engines or homes keep
    # their own manifests (absolute: DbtProject joins it onto the project folder).
    target_path=_SETTINGS.dbt_target_path,
)
handoff_project.prepare_if_dev()
