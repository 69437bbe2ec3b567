"""The dbt project as Dagster sees it. Kept in its own module because
``@dbt_assets`` reads ``manifest.json`` at import: `handoff run` runs ``dbt parse``
first (:func:`prepare_manifest`); ``dagster dev`` prepares it itself.

dbt's artifacts live under the home (``<home>/target/<target>``, see
:attr:`handoff.settings.Settings.dbt_target_path`), read from ``HANDOFF_HOME`` and
``HANDOFF_TARGET`` at import."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from functools import cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from handoff.settings import Settings, project_dir

_SETTINGS = Settings.from_env()
TARGET = _SETTINGS.target
PROFILES_DIR = project_dir() / "profiles"


def dbt_executable() -> str:
    """dbt from the same environment as this interpreter (never a stray one on PATH)."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


class HandoffDbtCli(DbtCliResource):
    """dagster-dbt's dbt resource, without its ``dbt --version`` call before every
    command: that call asks PyPI for the latest release (seconds online, a time-out
    offline). :func:`dbt_executable` is this environment's own dbt, so its version is
    the dbt-core installed here."""

    @cached_property
    def _cli_version(self) -> version.Version:
        from dbt.version import __version__ as installed

        return version.parse(installed)


handoff_project = DbtProject(
    project_dir=project_dir(),
    profiles_dir=PROFILES_DIR,
    target=TARGET,
    # One target path per home and engine, so runs on different engines or homes keep
    # their own manifests (absolute: DbtProject joins it onto the project folder).
    target_path=_SETTINGS.dbt_target_path,
)
handoff_project.prepare_if_dev()


def prepare_manifest(target: str = TARGET, as_of: datetime | None = None) -> Path:
    """Write ``<home>/target/<target>/manifest.json`` with ``dbt parse`` and return its
    path. With the run's ``as_of`` the parse uses the very vars the build will, so the
    build (and the docs) reuse this parse instead of parsing the project again."""
    settings = dataclasses.replace(Settings.from_env(), target=target)
    if as_of is not None:
        settings = dataclasses.replace(settings, as_of=as_of)
    target_path = settings.dbt_target_path
    env = dict(os.environ)
    cmd = [
        dbt_executable(),
        "parse",
        "--project-dir",
        str(project_dir()),
        "--profiles-dir",
        str(PROFILES_DIR),
        "--target",
        target,
        "--target-path",
        str(target_path),
        # the build's log beside it (dagster-dbt logs there too), not in the checkout
        "--log-path",
        str(target_path),
        "--quiet",
    ]
    if as_of is not None:
        cmd += ["--vars", json.dumps(settings.dbt_vars)]
    proc = subprocess.run(cmd, cwd=project_dir(), env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        lines = (proc.stdout + proc.stderr).strip().splitlines()
        detail = lines[-15:]
        # a full disk can strike early and scroll away under logging's own tracebacks
        full = [line for line in lines if "No space left on device" in line]
        if full and full[0] not in detail:
            detail = [full[0], *detail]
        raise RuntimeError("dbt could not parse the project:\n" + "\n".join(detail))
    return target_path / "manifest.json"


def test_marts(settings: Settings) -> list[str]:
    """Run the dbt tests of the marts (``dbt test --select path:models/marts``) on what
    the build database holds; one sentence per test that did not pass, none when all
    did. This is how a publish without a build in the same run (``handoff publish``,
    publish materialised alone) still applies the row-level rules, whose one home is
    dbt (README, "Publishing, audit and schedules")."""
    target_path = settings.dbt_target_path
    cmd = [
        dbt_executable(),
        "test",
        "--select",
        "path:models/marts",
        "--project-dir",
        str(project_dir()),
        "--profiles-dir",
        str(PROFILES_DIR),
        "--target",
        settings.target,
        "--target-path",
        str(target_path),
        "--log-path",
        str(target_path),
        "--vars",
        json.dumps(settings.dbt_vars),
        "--quiet",
    ]
    proc = subprocess.run(cmd, cwd=project_dir(), capture_output=True, text=True)
    results_file = target_path / "run_results.json"
    if not results_file.exists():
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
        return ["dbt could not test the marts: " + " ".join(tail)]
    results = json.loads(results_file.read_text())
    problems = [
        f"dbt test {r['unique_id'].split('.')[2]} {r['status']}: "
        + (f"{r['failures']:,} row(s)" if r.get("failures") else (r.get("message") or "").strip())
        for r in results.get("results", [])
        if r["status"] in ("fail", "error")
    ]
    if proc.returncode != 0 and not problems:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
        problems.append("dbt test of the marts failed: " + " ".join(tail))
    return problems
