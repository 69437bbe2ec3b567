"""Stage changes seen only between extracts (docs/definitions.md, "Funnel": with no
stage history, a stage entry comes from two successive extracts of the record).

One Salesforce lead, LeadHistory not tracked, delivered in three batches:
  2025-11-03  Open - Not Contacted    LastModifiedDate 2025-11-03 14:00 (= CreatedDate)
  2025-11-06  Marketing Qualified     LastModifiedDate 2025-11-05 15:00
  2025-11-10  Closed - Not Converted  LastModifiedDate 2025-11-07 18:00
The raw layer keeps all three versions, so the lead enters lead, mql and
disqualified at the three LastModifiedDates (mql and disqualified flagged as
estimated), and hands off once at the MQL version's time, disqualified.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from conftest import dbt_build_select

from handoff.ingest.loader import ingest

PROJECT_DIR = Path(__file__).resolve().parents[2]
HANDOFF = Path(sys.executable).parent / "handoff"
AS_OF = "2025-11-14T12:00:00Z"

pytestmark = pytest.mark.slow

SELLER = "0058d000000KV01AAA"
ROLE = "00E8d000000KV01AAA"
LEAD = "00Q8d000000KV01AAA"
CREATED = "2025-11-03 14:00"

# batch folder → (status, LastModifiedDate)
VERSIONS = {
    "2025-11-03": ("Open - Not Contacted", "2025-11-03 14:00"),
    "2025-11-06": ("Marketing Qualified", "2025-11-05 15:00"),
    "2025-11-10": ("Closed - Not Converted", "2025-11-07 18:00"),
}


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def sf(text: str) -> str:
    """A UTC time in Salesforce's Data Loader format."""
    return ts(text).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def csv(path: Path, header: str, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [header] + [",".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n")


def write_batches(landing: Path) -> None:
    for number, (batch, (status, modified)) in enumerate(VERSIONS.items()):
        sf_dir = landing / "salesforce" / batch
        if number == 0:
            csv(sf_dir / "UserRole.csv", "Id,Name", [[ROLE, "SDR - US East"]])
            csv(
                sf_dir / "User.csv",
                "Id,Email,FirstName,LastName,UserRoleId,TimeZoneSidKey,IsActive,LastModifiedDate",
                [
                    [
                        SELLER,
                        "sam.seller@example.com",
                        "Sam",
                        "Seller",
                        ROLE,
                        "America/New_York",
                        "true",
                        sf("2025-01-01 00:00"),
                    ]
                ],
            )
        # Lead.csv only: no LeadHistory (Status tracking off)
        csv(
            sf_dir / "Lead.csv",
            "Id,CreatedDate,LastModifiedDate,Status,LeadSource,OwnerId,IsConverted,"
            "ConvertedDate,Email",
            [
                [
                    LEAD,
                    sf(CREATED),
                    sf(modified),
                    status,
                    "Web",
                    SELLER,
                    "false",
                    "",
                    "lead.v@example.com",
                ]
            ],
        )


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    root = tmp_path_factory.mktemp("extract_versions")
    landing, home = root / "landing", root / "home"
    write_batches(landing)
    result = subprocess.run(
        [str(HANDOFF), "run", "--landing", str(landing), "--home", str(home), "--as-of", AS_OF],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, f"handoff run failed:\n{result.stdout}\n{result.stderr}"
    con = duckdb.connect(str(home / "build.duckdb"), read_only=True)
    yield con
    con.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_every_delivered_version_is_staged(build: duckdb.DuckDBPyConnection) -> None:
    found = rows(
        build,
        "select status, updated_at from staging.stg_salesforce__lead_versions order by updated_at",
    )
    assert [(r["status"], r["updated_at"]) for r in found] == [
        (status, ts(at)) for status, at in VERSIONS.values()
    ]


def test_stage_events_from_successive_versions(build: duckdb.DuckDBPyConnection) -> None:
    found = rows(
        build,
        "select stage, entered_at, source_detail, is_time_estimated "
        f"from intermediate.int_lead_stage_events where lead_id = '{LEAD}' "
        "order by event_number",
    )
    assert [(r["stage"], r["entered_at"]) for r in found] == [
        ("lead", ts("2025-11-03 14:00")),
        ("mql", ts("2025-11-05 15:00")),
        ("disqualified", ts("2025-11-07 18:00")),
    ]
    assert [r["source_detail"] for r in found[1:]] == ["Lead.Status (extract versions)"] * 2
    assert [r["is_time_estimated"] for r in found] == [False, True, True]


def test_lifecycle_transitions(build: duckdb.DuckDBPyConnection) -> None:
    found = rows(
        build,
        "select from_stage, to_stage, transitioned_at, handoff_number, is_exit "
        f"from marts.fct_lifecycle_transitions where lead_id = '{LEAD}' "
        "order by transition_number",
    )
    assert [
        (r["from_stage"], r["to_stage"], r["transitioned_at"], r["handoff_number"]) for r in found
    ] == [
        (None, "lead", ts("2025-11-03 14:00"), None),
        ("lead", "mql", ts("2025-11-05 15:00"), 1),
        ("mql", "disqualified", ts("2025-11-07 18:00"), None),
    ]
    assert [r["is_exit"] for r in found] == [False, False, True]


def test_one_handoff_at_the_mql_version_disqualified(build: duckdb.DuckDBPyConnection) -> None:
    found = rows(
        build,
        "select lead_id, handoff_number, handoff_at, owner_id, disposition, disposition_at "
        "from marts.fct_handoffs",
    )
    assert len(found) == 1
    handoff = found[0]
    assert handoff["lead_id"] == LEAD
    assert handoff["handoff_number"] == 1
    assert handoff["handoff_at"] == ts("2025-11-05 15:00")
    assert handoff["owner_id"] == SELLER
    assert handoff["disposition"] == "disqualified"
    assert handoff["disposition_at"] == ts("2025-11-07 18:00")


def test_a_batch_delivered_again_with_corrected_content_supersedes_its_first_load(
    tmp_path: Path,
) -> None:
    # The same folder names, one file re-exported with a corrected last-modified time:
    # a second load of the batch, whose copy of the lead replaces the first in the
    # versions model (its unique test failed the build before). Ingest, then dbt
    # builds the versions model and its tests on the same DuckDB file.
    landing = tmp_path / "landing"
    write_batches(landing)
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        ingest(landing, con, work_dir=tmp_path / "work")
        lead = landing / "salesforce" / "2025-11-10" / "Lead.csv"
        lead.write_text(lead.read_text().replace(sf("2025-11-07 18:00"), sf("2025-11-08 09:00")))
        again = ingest(landing, con, work_dir=tmp_path / "work")
        assert [b.status for b in again.batches][-1] == "loaded"
    build = dbt_build_select(tmp_path, "stg_salesforce__lead_versions")
    assert build.returncode == 0, build.stdout[-3000:]
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        assert con.execute(
            "select count(*) from raw.salesforce__lead where _batch_id = 'salesforce/2025-11-10'"
        ).fetchone() == (2,)  # both loads kept in raw
        found = rows(
            con,
            "select batch_id, updated_at from staging.stg_salesforce__lead_versions "
            "order by updated_at",
        )
    assert [(r["batch_id"], r["updated_at"]) for r in found] == [
        ("salesforce/2025-11-03", ts("2025-11-03 14:00")),
        ("salesforce/2025-11-06", ts("2025-11-05 15:00")),
        ("salesforce/2025-11-10", ts("2025-11-08 09:00")),
    ]
