"""Values no seed maps (README, "Unmapped values"): a HubSpot team and a Salesforce
lead Status that no seed knows show in `handoff check`, in the run's summary, in the
mart `rpt_unmapped_values` and in `handoff status`, each with its row count and the
seed line that would map it. The same export, old, is judged at its own end when no
as-of is given (README, "The as-of")."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from handoff.generate import generate

pytestmark = pytest.mark.slow

HANDOFF = str(Path(sys.executable).parent / "handoff")
TEAM_LINE = "seeds/crm_team_map.csv: hubspot,EMEA Sales,<team of seeds/sales_teams.csv>"
STATUS_LINE = (
    "seeds/lifecycle_stage_map.csv: salesforce,Status,Converted,"
    "<lead|mql|sql|opportunity|customer|disqualified|recycled>"
)


def _append(path: Path, row: dict[str, str]) -> None:
    with open(path, newline="") as fh:
        header = next(csv.reader(fh))
    with open(path, "a", newline="") as fh:
        csv.DictWriter(fh, header, extrasaction="ignore").writerow(row)


def _landing(root: Path) -> Path:
    """A 10-lead generated batch plus one HubSpot owner in team "EMEA Sales" (an
    e-mail seeds/owner_teams does not place) and one converted Salesforce lead with
    Status "Converted"."""
    landing = root / "landing"
    generate(landing, leads=10, seed=7, batches=1)
    (hubspot,) = (landing / "hubspot").iterdir()
    _append(
        hubspot / "owners.csv",
        {
            "id": "59990001",
            "email": "new.rep@example.invalid",
            "firstname": "New",
            "lastname": "Rep",
            "teams": "EMEA Sales",
            "archived": "false",
            "createdat": "2025-06-02T09:00:00.000Z",
            "updatedat": "2025-06-02T09:00:00.000Z",
        },
    )
    (salesforce,) = (landing / "salesforce").iterdir()
    _append(
        salesforce / "Lead.csv",
        {
            "Id": "00Q8d00000ZZZZZEAI",
            "Company": "Test Co",
            "LeadSource": "Web",
            "Status": "Converted",
            "IsConverted": "true",
            "ConvertedDate": "2025-11-03",
            "CreatedDate": "2025-10-01T09:00:00.000+0000",
            "LastModifiedDate": "2025-11-03T10:00:00.000+0000",
            "IsDeleted": "false",
        },
    )
    return landing


def test_unmapped_values_and_the_as_of_of_an_old_export(tmp_path: Path) -> None:
    # One small historical export (the generator's 2025 data, no sample marker, run
    # in 2026) through check, run and status.
    landing = _landing(tmp_path)
    (landing / "_sample.json").unlink()
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k != "HANDOFF_AS_OF"}

    check = subprocess.run(
        [HANDOFF, "check", "--landing", str(landing), "--home", str(home)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"hubspot teams 'EMEA Sales': 1 row(s) → {TEAM_LINE}" in check.stdout
    assert f"salesforce Status 'Converted': 1 row(s) → {STATUS_LINE}" in check.stdout
    suggested = check.stdout.split("judge it at the end of the data with --as-of ")[1].split()[0]
    assert not home.exists()  # the check changed nothing

    run = subprocess.run(
        [HANDOFF, "run", "--landing", str(landing), "--home", str(home)],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    # the as-of: the end of the data, said in one line, the instant check suggested
    end = datetime.fromisoformat(suggested).isoformat(sep=" ")
    assert (
        f"the extracts end at {end} UTC, more than 7 days before now: judging at the end "
        "of the data (give --as-of to choose)" in run.stderr
    )
    (record,) = [json.loads(line) for line in (home / "runs.jsonl").read_text().splitlines()]
    assert record["as_of"] == end
    # the run's summary lists the unmapped values
    assert "unmapped values: 2 value(s) on 2 row(s) no seed maps" in run.stdout
    assert f"hubspot teams 'EMEA Sales': 1 row(s) → {TEAM_LINE}" in run.stdout

    with duckdb.connect(str(home / "serving" / "handoff.duckdb"), read_only=True) as con:
        rows = {
            (crm, field, value): (count, seed)
            for crm, field, value, count, seed in con.execute(
                "select crm, field, value, rows, seed from marts.rpt_unmapped_values"
            ).fetchall()
        }
        # the converted lead with the unmapped Status is sql all the same
        (stage,) = con.execute(
            "select current_stage from marts.dim_leads "
            "where salesforce_lead_id = '00Q8d00000ZZZZZEAI'"
        ).fetchone()
    assert rows[("hubspot", "teams", "EMEA Sales")][0] == 1
    assert rows[("hubspot", "teams", "EMEA Sales")][1].startswith(TEAM_LINE)
    assert rows[("salesforce", "Status", "Converted")] == (1, STATUS_LINE)
    # the sample's own values are all mapped (HubSpot's lead statuses moving no stage too)
    assert set(rows) == {("hubspot", "teams", "EMEA Sales"), ("salesforce", "Status", "Converted")}
    assert stage == "sql"

    status = subprocess.run(
        [HANDOFF, "status", "--home", str(home)], capture_output=True, text=True, timeout=120
    )
    assert "unmapped values: 2 value(s) on 2 row(s) no seed maps" in status.stdout
    assert f"salesforce Status 'Converted': 1 row(s) → {STATUS_LINE}" in status.stdout


def test_the_run_summary_lists_unmapped_values(built_sample) -> None:
    # the shipped sample maps every value: the run says so
    output = built_sample.run.stdout
    assert "unmapped values: none, every CRM value the models look up is in a seed" in output
