"""A home built by one version of the project, run by another (an upgrade of handoff,
or an edited model): the rows the incremental models kept were computed by the old
code, so the run rebuilds them in full (README "Incremental builds")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
from conftest import SAMPLE_AS_OF, copy_home, project_copy

HANDOFF = str(Path(sys.executable).parent / "handoff")
REBUILT = "the project's models or macros changed since this home's last build"


def run(home: Path, landing: Path, project: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [HANDOFF, "run", "--landing", str(landing), "--home", str(home)]
        + ["--as-of", SAMPLE_AS_OF],
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "HANDOFF_PROJECT_DIR": str(project)},
    )


def test_a_changed_incremental_model_is_rebuilt_in_full_on_an_existing_home(built_sample, tmp_path):
    # The new version of int_handoffs (incremental, delete+insert on lead_id) has one
    # more column. No new batch arrives, so no lead is "affected": an incremental run
    # alone would keep every old row and the old columns (dbt's on_schema_change
    # default is to ignore new ones).
    project = project_copy(tmp_path)
    model = project / "models" / "intermediate" / "sla" / "int_handoffs.sql"
    sql = model.read_text()
    assert sql.rstrip().endswith("select * from final")
    model.write_text(
        sql.rstrip()[: -len("select * from final")] + "select *, 1 as upgrade_probe from final\n"
    )
    home = copy_home(built_sample.home, tmp_path / "home")
    with duckdb.connect(str(home / "build.duckdb"), read_only=True) as con:
        handoffs = con.execute("select count(*) from intermediate.int_handoffs").fetchone()[0]
    assert handoffs > 0

    proc = run(home, built_sample.landing, project)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert REBUILT in proc.stdout + proc.stderr
    with duckdb.connect(str(home / "build.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select count(*), count(*) filter (where upgrade_probe = 1) "
            "from intermediate.int_handoffs"
        ).fetchone()
    assert rows == (handoffs, handoffs)  # every handoff recomputed by the new code
