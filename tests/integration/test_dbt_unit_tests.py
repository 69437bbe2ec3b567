"""Every dbt unit test (the `unit_tests:` blocks beside the models: business time,
stage ordering, handoff numbering …) on an empty raw layer, in seconds: `dbt build
--empty` makes each model's relation with no rows, which is all the unit tests need
of their inputs' columns. A `handoff run` leaves them out of its build unless
HANDOFF_UNIT_TESTS=1, as the suite's PostgreSQL and Spark builds set it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from handoff.ingest.tables import ensure_raw_tables

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"


def test_every_dbt_unit_test_passes(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        ensure_raw_tables(con)
    target = tmp_path / "target"
    result = subprocess.run(
        [str(DBT), "build", "--empty", "--exclude", "test_type:data"]
        + ["--profiles-dir", "profiles", "--target-path", str(target)],
        cwd=PROJECT_DIR,
        env={**os.environ, "HANDOFF_HOME": str(tmp_path), "DBT_LOG_PATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    manifest = json.loads((target / "manifest.json").read_text())
    declared = set(manifest["unit_tests"])
    assert len(declared) >= 13
    results = json.loads((target / "run_results.json").read_text())["results"]
    passed = {r["unique_id"] for r in results if r["status"] == "pass"}
    assert declared <= passed, sorted(declared - passed)
