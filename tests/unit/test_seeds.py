"""Seed files whose lines end in CRLF and LF both are named before dbt reads them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from handoff.seeds import seed_problems

PROJECT = Path(__file__).resolve().parents[2]


def test_mixed_line_endings_name_the_seed_and_the_line(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "holidays.csv").write_bytes(b"date,name\n2025-01-01,New Year\n")
    (seeds / "sla_policy.csv").write_bytes(b"a,b\n1,2\n3,4\r\n5,6\r\n")
    (seeds / "windows.csv").write_bytes(b"a,b\r\n1,2\r\n")  # all CRLF: fine
    assert seed_problems(seeds) == [
        "seeds/sla_policy.csv line 3 ends with CRLF but line 1 with LF: save the file with "
        "one kind of line ending (an editor's 'LF' or 'Unix' setting)"
    ]
    assert seed_problems(PROJECT / "seeds") == []  # the shipped seeds


def test_a_run_stops_on_it_before_any_work(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(PROJECT / "seeds", project / "seeds")
    shutil.copytree(PROJECT / "profiles", project / "profiles")
    policy = project / "seeds" / "sla_policy.csv"
    policy.write_bytes(policy.read_bytes() + b"X9,*,2026-01-01,1,1,1,1,0.5\r\n")
    home = tmp_path / "home"
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "handoff"), "run", "--home", str(home)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HANDOFF_PROJECT_DIR": str(project)},
    )
    assert proc.returncode == 1
    lines = len(policy.read_bytes().splitlines())
    assert proc.stderr.startswith(
        f"error: seeds/sla_policy.csv line {lines} ends with CRLF but line 1 with LF"
    ), proc.stderr
    assert not home.exists()  # nothing generated, nothing built
