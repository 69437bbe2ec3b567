"""`pip install handoff` outside the checkout (README, "Installing"): the wheel holds
the dbt project, seeds, macros, profiles and the scorecard; installed into a fresh
virtualenv it runs the pipeline in an empty folder, and `handoff init` writes an
editable project whose own seeds the next run uses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    assert Path(found).exists() or shutil.which(found), "uv is needed to build the wheel"
    return found


def _run(args: list[str], cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    # nothing of the checkout or its virtualenv on the way: a clean PATH, no project dir
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HANDOFF_", "VIRTUAL_ENV", "PYTHONPATH", "DAGSTER_HOME"))
    }
    env["PATH"] = "/usr/bin:/bin"
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_the_wheel_runs_outside_the_checkout(tmp_path: Path) -> None:
    uv = _uv()
    dist = tmp_path / "dist"
    build = subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(dist)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    (wheel,) = dist.glob("handoff-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in (
        "handoff/_project/dbt_project.yml",
        "handoff/_project/profiles/profiles.yml",
        "handoff/_project/seeds/lifecycle_stage_map.csv",
        "handoff/_project/macros/surrogate_key.sql",
        "handoff/_project/models/marts/quality/rpt_unmapped_values.sql",
        "handoff/_project/dashboard/app.py",
        "handoff/docs_assets/handoff-offline.css",
    ):
        assert shipped in names, shipped

    # a fresh virtualenv with the locked dependencies (uv's cache, else the registry)
    venv = tmp_path / "venv"
    requirements = tmp_path / "requirements.txt"
    export = subprocess.run(
        [uv, "export", "--no-dev", "--no-emit-project", "--no-hashes", "-q"]
        + ["--format", "requirements-txt", "-o", str(requirements)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert export.returncode == 0, export.stderr[-2000:]
    assert subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)]).returncode == 0
    install = subprocess.run(
        [uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python")]
        + ["-r", str(requirements), str(wheel)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    handoff = str(venv / "bin" / "handoff")

    # an empty folder: a small sample, the whole pipeline, published
    work = tmp_path / "empty"
    work.mkdir()
    gen = _run([handoff, "generate", "--out", "landing", "--leads", "10", "--batches", "1"], work)
    assert gen.returncode == 0, gen.stderr[-2000:]
    run = _run([handoff, "run", "--landing", "landing"], work)
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    assert "Traceback" not in run.stderr
    assert "published: " in run.stdout
    assert (work / ".handoff" / "serving" / "handoff.duckdb").exists()
    site = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    assert not (site / "site-packages" / "handoff" / "_project" / ".handoff").exists()

    # handoff init: an editable project; a check from inside it reads its own seeds
    init = _run([handoff, "init", "project"], work)
    assert init.returncode == 0, init.stderr[-2000:]
    project = work / "project"
    assert (project / "seeds" / "lifecycle_stage_map.csv").exists()
    assert (project / "profiles" / "profiles.yml").exists()
    config = (project / "dbt_project.yml").read_text()
    assert "_project/models" in config and 'seed-paths: ["seeds"]' in config
    with open(project / "seeds" / "lifecycle_stage_map.csv", "a") as fh:
        fh.write("salesforce,Status,Open - Not Contacted,lead\r\n")  # a CRLF line: a seed problem
    check = _run([handoff, "check", "--landing", str(work / "landing")], project)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "seeds/lifecycle_stage_map.csv line" in check.stdout
