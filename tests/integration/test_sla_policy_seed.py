"""The SLA policy seed's own test (`sla_policy_is_sound`, tests/dbt/generic/) in real
dbt runs of the seed and its tests on a throwaway home: a copy of the project
whose `seeds/sla_policy.csv` holds bad rows fails, with one sentence per problem
naming the row(s) by policy_id and CSV line, both in the failing rows' `problem`
column and in dbt's output; the shipped policies with the README's scheduled
change and a 0-hour first touch pass."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"
AS_OF = "2026-01-01 00:00:00"
HEADER = (
    "policy_id,segment,effective_from,marketing_weekly_mql_target,"
    "marketing_min_good_fit_share,sales_first_touch_business_hours,"
    "sales_disposition_business_days,conversion_window_days\n"
)


def project_with_policies(root: Path, rows: str) -> Path:
    """A copy of the dbt project whose sla_policy.csv holds ``rows`` under its header."""
    project = root / "project"
    for part in ("models", "macros", "seeds", "snapshots", "tests/dbt", "profiles"):
        if (PROJECT_DIR / part).exists():
            shutil.copytree(PROJECT_DIR / part, project / part)
    shutil.copy(PROJECT_DIR / "dbt_project.yml", project / "dbt_project.yml")
    (project / "seeds" / "sla_policy.csv").write_text(HEADER + rows)
    return project


def build_policies(project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """`dbt build` of the seed and its tests, keeping the failing rows."""
    home.mkdir(exist_ok=True)
    return subprocess.run(
        [str(DBT), "build", "--select", "sla_policy", "--store-failures"]
        + ["--vars", f'{{as_of: "{AS_OF}"}}', "--profiles-dir", "profiles"]
        + ["--target-path", str(home / "target")],
        cwd=project,
        env={**os.environ, "HANDOFF_HOME": str(home), "DBT_LOG_PATH": str(home / "logs")},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_each_bad_policy_row_fails_the_build_with_a_sentence_naming_it(tmp_path: Path) -> None:
    project = project_with_policies(
        tmp_path,
        "X1,X,2025-01-01,50,0.60,4,2,30\n"  # line 2
        "X7,X,2025-01-01,40,0.60,4,2,30\n"  # line 3: X1's segment and day, ignored until now
        "neg,X,2024-01-01,50,0.60,-4,2,30\n"  # line 4
        "share,X,2024-06-01,50,1.5,0,2,30\n"  # line 5
        "zero,X,2024-09-01,50,0.60,0,2,30\n"  # a 0-hour first touch: allowed
        "later,X,2030-01-01,50,0.60,2,2,30\n"  # a scheduled change, X covered until then
        "future,Y,2030-01-01,50,0.60,4,2,30\n",  # line 8: nothing covers Y before 2030
    )
    home = tmp_path / "home"
    proc = build_policies(project, home)
    assert proc.returncode != 0
    assert "FAIL 4 sla_policy_is_sound" in proc.stdout
    with duckdb.connect(str(home / "build.duckdb"), read_only=True) as con:
        (schema,) = con.execute(
            "select table_schema from information_schema.tables "
            "where table_name = 'sla_policy_is_sound'"
        ).fetchone()
        problems = sorted(
            row[0]
            for row in con.execute(f"select problem from {schema}.sla_policy_is_sound").fetchall()
        )
    assert problems == [
        "sla_policy row future (line 8) takes effect on 2030-01-01, after the as-of "
        f"({AS_OF}), and no earlier row covers segment Y: its handoffs would have no SLA",
        "sla_policy row neg (line 4) has sales_first_touch_business_hours -4, below 0",
        "sla_policy row share (line 5) has marketing_min_good_fit_share 1.5000, "
        "not a share in [0, 1]",
        "sla_policy rows X1 (line 2) and X7 (line 3) both apply to segment X from 2025-01-01: "
        "keep one of them",
    ]
    for problem in problems:  # the run's output says it too, not only the test's name
        assert f"problem: {problem}" in proc.stdout


def test_the_shipped_policies_a_scheduled_change_and_a_zero_hour_touch_pass(
    tmp_path: Path,
) -> None:
    shipped = (PROJECT_DIR / "seeds" / "sla_policy.csv").read_text().split("\n", 1)[1]
    project = project_with_policies(
        tmp_path,
        shipped.rstrip("\n") + "\n"
        # the README's example: a future change for a segment covered until then
        "faster_touch,*,2026-03-01,50,0.60,2,2,30\n"
        "instant,*,2025-06-01,50,0.60,0,2,30\n",
    )
    proc = build_policies(project, tmp_path / "home")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "PASS sla_policy_is_sound" in proc.stdout
    assert "problem:" not in proc.stdout
