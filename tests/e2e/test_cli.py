"""The CLI end to end: real generate, real ingest, real Dagster run, real dbt build."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
from conftest import copy_home

HANDOFF = str(Path(sys.executable).parent / "handoff")
AS_OF = "2026-01-01T00:00:00Z"


def handoff(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [HANDOFF, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=900,
    )


def raw_counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw' "
                "order by 1"
            ).fetchall()
        ]
        return {t: con.execute(f'select count(*) from raw."{t}"').fetchone()[0] for t in tables}


def _full_parses(home: Path) -> int:
    """How many times dbt said it had to parse the whole project, over its logs."""
    logs = home.rglob("dbt.log*")
    return sum(
        log.read_text(errors="replace").count("Unable to do partial parsing") for log in logs
    )


def test_run_twice_is_idempotent(built_sample, tmp_path):
    first = built_sample.run  # the session's first run of this sample
    assert "build database:" in first.stdout
    assert "rejected" in first.stdout
    sample = built_sample.landing
    home = copy_home(built_sample.home, tmp_path / "home")
    counts = raw_counts(home / "build.duckdb")
    assert counts["salesforce__lead"] > 0 and counts["hubspot__contacts"] > 0
    assert counts["_batches"] > 0
    with duckdb.connect(str(home / "build.duckdb"), read_only=True) as con:
        staged = con.execute("select count(*) from staging.stg_salesforce__leads").fetchone()[0]
        raw_ids = con.execute("select count(distinct id) from raw.salesforce__lead").fetchone()[0]
    assert 0 < staged <= raw_ids  # latest version only, deleted leads gone

    full_parses = _full_parses(home)
    second = handoff("run", "--landing", str(sample), "--home", str(home), "--as-of", AS_OF)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "already loaded" in second.stderr
    assert raw_counts(home / "build.duckdb") == counts
    # dbt's artifacts live in the home, and the rerun parsed the project once: the
    # copy moved the home (the profile's path changed), so its first parse is full,
    # and the build and the docs reuse it (the same vars every time).
    assert (home / "target" / "duckdb" / "manifest.json").exists()
    assert _full_parses(home) == full_parses + 1

    # GX keeps each suite's latest validation only: the Data Docs do not grow per run.
    validations = home / "docs" / "gx" / "uncommitted" / "validations"
    per_suite = {
        suite.name: len(list(suite.rglob("*.json")))
        for suite in validations.iterdir()
        if suite.is_dir()
    }
    assert len(per_suite) > 15 and set(per_suite.values()) == {1}, per_suite

    status = handoff("status", "--home", str(home), env={"HANDOFF_LANDING": str(sample)})
    assert status.returncode == 0, status.stdout + status.stderr
    assert "hubspot/" in status.stdout and "salesforce/" in status.stdout
    assert "last run:" in status.stdout and "succeeded" in status.stdout


def test_a_rejected_batch_fails_the_run_but_the_rest_is_built(built_sample, tmp_path):
    # A new delivery to a home built before: the bad batch is rejected, the rest built.
    landing = tmp_path / "landing"
    shutil.copytree(built_sample.landing, landing)
    bad = landing / "salesforce" / "9999-12-31"
    bad.mkdir()
    (bad / "Lead.csv").write_text("Id,CreatedDate\n00Q000000000099AAA,2025-01-01\n")
    home = copy_home(built_sample.home, tmp_path / "home")
    proc = handoff("run", "--landing", str(landing), "--home", str(home), "--as-of", AS_OF)
    assert proc.returncode == 1
    assert "salesforce/9999-12-31/Lead.csv: required column 'status'" in proc.stderr
    assert "1 batch(es) were rejected" in proc.stderr
    with duckdb.connect(str(home / "build.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from staging.stg_salesforce__leads").fetchone()[0] > 0
        assert con.execute(
            "select count(*) from raw.salesforce__lead where _batch_id = 'salesforce/9999-12-31'"
        ).fetchone() == (0,)
    status = handoff("status", "--home", str(home))
    assert status.returncode == 1
    assert "rejected" in status.stdout


def test_errors_are_one_sentence(tmp_path):
    proc = handoff("run", "--landing", str(tmp_path / "nowhere"), "--home", str(tmp_path / "h"))
    assert proc.returncode != 0
    assert "does not exist" in proc.stderr
    bad = handoff(
        "run", "--home", str(tmp_path / "h"), "--as-of", "last tuesday", "--landing", str(tmp_path)
    )
    assert bad.returncode != 0
    assert "--as-of 'last tuesday' is not an ISO 8601 date or timestamp" in bad.stderr
