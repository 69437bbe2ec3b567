"""The dbt project as Dagster sees it. Kept in its own module because
``@dbt_assets`` reads ``manifest.json`` at import: `handoff run` runs ``dbt parse``
first (:func:`prepare_manifest`); ``dagster dev`` prepares it itself."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from handoff.settings import project_dir

TARGET = os.environ.get("HANDOFF_TARGET", "duckdb")
PROFILES_DIR = project_dir() / "profiles"


def dbt_executable() -> str:
    """dbt from the same environment as this interpreter (never a stray one on PATH)."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


handoff_project = DbtProject(
    project_dir=project_dir(),
    profiles_dir=PROFILES_DIR,
    target=TARGET,
    # One target path per engine, so runs on different engines keep their manifests.
    target_path=Path("target") / TARGET,
)
handoff_project.prepare_if_dev()


def prepare_manifest(target: str = TARGET) -> Path:
    """Write ``target/<target>/manifest.json`` with ``dbt parse`` and return its path."""
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
        str(Path("target") / target),
        "--quiet",
    ]
    proc = subprocess.run(cmd, cwd=project_dir(), env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        detail = (proc.stdout + proc.stderr).strip().splitlines()[-15:]
        raise RuntimeError("dbt could not parse the project:\n" + "\n".join(detail))
    return project_dir() / "target" / target / "manifest.json"
