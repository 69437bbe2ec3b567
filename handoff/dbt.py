"""The dbt project as the rest of handoff sees it: where its profiles are, which dbt
runs it, its manifest and which of its models are marts, and the two dbt commands
run outside Dagster's dbt assets (``dbt parse`` before a run, ``dbt test`` of the
marts before a publish that built nothing).

What a mart is is defined here once: an enabled, materialised model that builds into
schema ``marts`` (:func:`mart_models`). The audit, the publish and the Dagster asset
checks all read it from the manifest through this module (docs/architecture.md)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from handoff.settings import Settings, project_dir

MART_SCHEMA = "marts"


def profiles_dir() -> Path:
    """``profiles/`` of the project runs use (:func:`handoff.settings.project_dir`)."""
    return project_dir() / "profiles"


def dbt_executable() -> str:
    """dbt from the same environment as this interpreter (never a stray one on PATH)."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def load_manifest(settings: Settings) -> dict[str, Any]:
    path = settings.dbt_target_path / "manifest.json"
    if not path.exists():
        raise FileNotFoundError(f"no dbt manifest at {path}: run `dbt parse` first")
    return json.loads(path.read_text())


def code_fingerprint(manifest: dict[str, Any], package: str = "handoff") -> str:
    """A hash of the project's own code as this manifest parsed it: every model's and
    snapshot's SQL (dbt's file checksum) and every macro's text. Seeds are data, not
    code (the incremental models see their changes, README "Incremental builds")."""
    parts = sorted(
        [
            (uid, node["checksum"]["checksum"])
            for uid, node in manifest["nodes"].items()
            if node["resource_type"] in ("model", "snapshot") and node["package_name"] == package
        ]
        + [
            (uid, hashlib.sha256(macro["macro_sql"].encode()).hexdigest())
            for uid, macro in manifest["macros"].items()
            if macro["package_name"] == package
        ]
    )
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


# What the last successful build of a home's target was built from (beside its manifest).
BUILT_CODE_FILE = "built_code.json"


def code_changed_since_last_build(settings: Settings, fingerprint: str) -> bool:
    """Whether the project's models or macros differ from those the last successful
    build of this home built (:func:`record_built_code`); True when no build recorded
    one (a first build, or a home built by a version that did not record it)."""
    path = settings.dbt_target_path / BUILT_CODE_FILE
    if not path.exists():
        return True
    try:
        return json.loads(path.read_text()).get("code_fingerprint") != fingerprint
    except ValueError:
        return True


def record_built_code(settings: Settings, fingerprint: str) -> None:
    path = settings.dbt_target_path / BUILT_CODE_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"code_fingerprint": fingerprint}) + "\n")
    os.replace(tmp, path)


def mart_models(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Enabled models that build into schema ``marts``, by name."""
    out = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["config"].get("enabled") is False:
            continue
        if node["config"].get("materialized") == "ephemeral":
            continue
        if node["config"].get("schema") == MART_SCHEMA or node.get("schema") == MART_SCHEMA:
            out[node["name"]] = node
    return dict(sorted(out.items()))


def prepare_manifest(settings: Settings | None = None, with_vars: bool = True) -> Path:
    """Write ``<home>/target/<target>/manifest.json`` with ``dbt parse`` for ``settings``
    (default: the environment's, :meth:`Settings.from_env`) and return its path. With
    the run's vars (``with_vars``) the parse uses the very vars the build will, so the
    build (and the docs) reuse this parse instead of parsing the project again."""
    settings = settings or Settings.from_env()
    target_path = settings.dbt_target_path
    cmd = dbt_command(settings, ["parse"], with_vars=with_vars)
    proc = run_dbt(cmd, settings)
    if proc.returncode != 0:
        lines = (proc.stdout + proc.stderr).strip().splitlines()
        detail = lines[-15:]
        # a full disk can strike early and scroll away under logging's own tracebacks
        full = [line for line in lines if "No space left on device" in line]
        if full and full[0] not in detail:
            detail = [full[0], *detail]
        raise RuntimeError("dbt could not parse the project:\n" + "\n".join(detail))
    return target_path / "manifest.json"


def dbt_command(
    settings: Settings,
    command: list[str],
    target_path: Path | None = None,
    with_vars: bool = True,
) -> list[str]:
    """The command line of ``dbt <command>`` on this project for ``settings``: its
    profiles and target, the run's own target folder (or ``target_path``) with dbt's
    log beside it (not in the checkout), and the run's vars, which keep dbt's partial
    parse valid from one command to the next."""
    path = target_path or settings.dbt_target_path
    cmd = [dbt_executable(), *command, "--project-dir", str(project_dir())]
    cmd += ["--profiles-dir", str(profiles_dir()), "--target", settings.target]
    cmd += ["--target-path", str(path), "--log-path", str(path)]
    if with_vars:
        cmd += ["--vars", json.dumps(settings.dbt_vars)]
    return [*cmd, "--quiet"]


def run_dbt(cmd: list[str], settings: Settings) -> subprocess.CompletedProcess[str]:
    """Run a :func:`dbt_command` line in the project folder, its output captured, with
    the ``HANDOFF_*`` variables of ``settings`` in its environment
    (:meth:`Settings.child_env`: the profile reads them) and this process's own left
    as they are."""
    return subprocess.run(
        cmd, cwd=project_dir(), env=settings.child_env(), capture_output=True, text=True
    )


def start_dbt(cmd: list[str], settings: Settings) -> subprocess.Popen[str]:
    """:func:`run_dbt` started, not waited for: ``communicate()`` it for its output."""
    return subprocess.Popen(
        cmd,
        cwd=project_dir(),
        env=settings.child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def unit_test_exclusion(settings: Settings) -> list[str]:
    """The arguments that keep dbt's unit tests out of a run's dbt build or test
    (unless ``HANDOFF_UNIT_TESTS=1``): they check the models' SQL on fixed inputs,
    which no new data changes, so dbt advises running them in development and CI."""
    return [] if settings.unit_tests else ["--exclude-resource-type", "unit_test"]


def test_marts(settings: Settings) -> list[str]:
    """Run the dbt tests of the marts (``dbt test --select path:models/marts``) on what
    the build database holds; one sentence per test that did not pass, none when all
    did. This is how a publish without a build in the same run (``handoff publish``,
    publish materialised alone) still applies the row-level rules, whose one home is
    dbt (README, "Publishing, audit and schedules")."""
    target_path = settings.dbt_target_path
    command = ["test", "--select", "path:models/marts", *unit_test_exclusion(settings)]
    cmd = dbt_command(settings, command)
    proc = run_dbt(cmd, settings)
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
