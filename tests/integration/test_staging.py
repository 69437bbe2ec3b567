"""The staging layer on a real DuckDB: hand-made raw rows in, `dbt build --select
staging` run as users run it, the staging views checked row by row.

What it pins down (docs/definitions.md, "Extracts and ingest"): the latest version of a
record wins, a record whose latest version is deleted disappears (including Fivetran's
`_fivetran_deleted`, aliased onto `archived`/`is_deleted` by ingest), UI-export quirks
(owner names, `hs_v2_date_entered_*` beside `hs_lifecyclestage_*_date`) survive, and
text is cleaned (trimmed, empty → null, e-mail lower-cased).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from handoff.ingest.tables import ensure_raw_tables

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"

B1_LOADED = datetime(2024, 3, 1, 6, 0)
B2_LOADED = datetime(2024, 3, 8, 6, 0)


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows into raw.<table>, lineage defaulted; each row names only its columns."""
    for line, row in enumerate(rows, start=2):
        row = {
            "_batch_id": "b1",
            "_source_file": f"{table}.csv",
            "_source_line": line,
            "_loaded_at": B1_LOADED if row.get("_batch_id", "b1") == "b1" else B2_LOADED,
            **row,
        }
        columns = ", ".join(f'"{name}"' for name in row)
        marks = ", ".join("?" for _ in row)
        con.execute(f'insert into raw."{table}" ({columns}) values ({marks})', list(row.values()))


def run_dbt(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run dbt the way users do (repository root, `--profiles-dir profiles`) against
    the DuckDB file under `home`, keeping target/ and logs/ out of the repository."""
    return subprocess.run(
        [
            str(DBT),
            *args,
            *("--profiles-dir", "profiles", "--project-dir", "."),
            *("--target-path", str(home / "target")),
        ],
        cwd=PROJECT_DIR,
        env={
            **os.environ,
            "HANDOFF_HOME": str(home),
            "DBT_LOG_PATH": str(home / "logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        },
        capture_output=True,
        text=True,
        timeout=300,
    )


def load_raw(con: duckdb.DuckDBPyConnection) -> None:
    ts = datetime
    insert(
        con,
        "hubspot__contacts",
        [
            # 101: delivered twice, the status changed in between → the later one wins.
            {
                "hs_object_id": "101",
                "createdate": ts(2024, 2, 1, 10),
                "lastmodifieddate": ts(2024, 2, 1, 10),
                "lifecyclestage": "lead",
                "hs_lead_status": "NEW",
                "hubspot_owner_id": "9001",
                "email": "lead101@example.com",
            },
            {
                "_batch_id": "b2",
                "hs_object_id": "101",
                "createdate": ts(2024, 2, 1, 10),
                "lastmodifieddate": ts(2024, 3, 5, 15),
                "lifecyclestage": "marketingqualifiedlead",
                "hs_lead_status": "OPEN",
                "hubspot_owner_id": "9001",
                "hs_lifecyclestage_marketingqualifiedlead_date": ts(2024, 3, 5, 15),
                "email": "lead101@example.com",
            },
            # 102: present in batch 1, archived in batch 2 → gone.
            {
                "hs_object_id": "102",
                "createdate": ts(2024, 2, 2, 9),
                "lastmodifieddate": ts(2024, 2, 2, 9),
                "lifecyclestage": "lead",
                "archived": False,
            },
            {
                "_batch_id": "b2",
                "hs_object_id": "102",
                "createdate": ts(2024, 2, 2, 9),
                "lastmodifieddate": ts(2024, 3, 6, 9),
                "lifecyclestage": "lead",
                "archived": True,
            },
            # 103: a UI export row: owner name instead of id, labels, untidy text,
            # both the old and the v2 stage dates (v2 wins), no last-modified date.
            {
                "hs_object_id": " 103 ",
                "createdate": ts(2024, 2, 3, 11),
                "lifecyclestage": "Marketing Qualified Lead",
                "hs_lead_status": "",
                "hubspot_owner_name": "Ana Souza",
                "hs_lifecyclestage_marketingqualifiedlead_date": ts(2024, 2, 4),
                "hs_v2_date_entered_marketingqualifiedlead": ts(2024, 2, 4, 13, 30),
                "hs_time_to_first_engagement": "01:02:03",
                "email": "  Ana.Lead@Example.COM ",
                "company": "  ",
            },
            # 104: Fivetran layout, `_fivetran_deleted` = true (ingest maps it onto
            # `archived`); its first delivery was live → gone.
            {
                "hs_object_id": "104",
                "createdate": ts(2024, 2, 5, 8),
                "lastmodifieddate": ts(2024, 2, 5, 8),
                "lifecyclestage": "lead",
            },
            {
                "_batch_id": "b2",
                "hs_object_id": "104",
                "createdate": ts(2024, 2, 5, 8),
                "lastmodifieddate": ts(2024, 2, 5, 8),
                "lifecyclestage": "lead",
                "archived": True,
            },
            # 105: a deletion tombstone without a last-modified date still deletes.
            {
                "hs_object_id": "105",
                "createdate": ts(2024, 2, 6, 8),
                "lastmodifieddate": ts(2024, 2, 6, 8),
            },
            {"_batch_id": "b2", "hs_object_id": "105", "archived": True},
        ],
    )
    insert(
        con,
        "hubspot__owners",
        [
            {
                "id": "9001",
                "email": "Ana.Souza@Example.com",
                "firstname": "Ana",
                "lastname": "Souza",
                "updatedat": ts(2024, 1, 1),
            },
            {"id": "9002", "firstname": "Bruno", "updatedat": ts(2024, 1, 1)},
        ],
    )
    insert(
        con,
        "hubspot__engagements",
        [
            {
                "hs_object_id": "501",
                "type": "CALL",
                "hs_timestamp": ts(2024, 3, 5, 16),
                "hubspot_owner_id": "9001",
                "contact_ids": "101",
                "hs_lastmodifieddate": ts(2024, 3, 5, 16),
            },
            # UI export label spelling.
            {"hs_object_id": "502", "type": "Incoming email", "hs_timestamp": ts(2024, 3, 6)},
        ],
    )
    submission = {
        "contact_id": "101",
        "form_id": "f-ebook",
        "form_title": "E-book",
        "submitted_at": ts(2024, 3, 5, 14),
    }
    insert(
        con,
        "hubspot__form_submissions",
        [submission, {**submission, "_batch_id": "b2", "form_title": "E-book 2024"}],
    )
    change = {
        "contact_id": "101",
        "property": "lifecyclestage",
        "value": "marketingqualifiedlead",
        "timestamp": ts(2024, 3, 5, 15),
    }
    insert(con, "hubspot__contact_property_history", [change, {**change, "_batch_id": "b2"}])

    insert(
        con,
        "salesforce__lead",
        [
            # 00Q1: status changed between batches → the later one wins.
            {
                "id": "00Q1",
                "created_date": ts(2024, 2, 1),
                "last_modified_date": ts(2024, 2, 1),
                "status": "Open - Not Contacted",
                "email": "LEAD101@example.com",
                "is_converted": False,
            },
            {
                "_batch_id": "b2",
                "id": "00Q1",
                "created_date": ts(2024, 2, 1),
                "last_modified_date": ts(2024, 3, 6),
                "status": "Working - Contacted",
                "email": "LEAD101@example.com",
                "is_converted": True,
                "converted_date": date(2024, 3, 6),
            },
            # 00Q2: deleted by a Fivetran-style re-delivery (`_fivetran_deleted` → is_deleted).
            {
                "id": "00Q2",
                "created_date": ts(2024, 2, 2),
                "last_modified_date": ts(2024, 2, 2),
                "status": "Open - Not Contacted",
            },
            {
                "_batch_id": "b2",
                "id": "00Q2",
                "created_date": ts(2024, 2, 2),
                "last_modified_date": ts(2024, 2, 2),
                "status": "Open - Not Contacted",
                "is_deleted": True,
            },
        ],
    )
    insert(
        con,
        "salesforce__lead_history",
        [
            # No Id in this extract: the key is hashed; the re-delivery collapses.
            {
                "lead_id": "00Q1",
                "field": "Status",
                "old_value": "Open - Not Contacted",
                "new_value": "Working - Contacted",
                "created_date": ts(2024, 3, 6),
            },
            {
                "_batch_id": "b2",
                "lead_id": "00Q1",
                "field": "Status",
                "old_value": "Open - Not Contacted",
                "new_value": "Working - Contacted",
                "created_date": ts(2024, 3, 6),
            },
            {
                "id": "017A",
                "lead_id": "00Q1",
                "field": "Owner",
                "old_value": "005A",
                "new_value": "005B",
                "created_date": ts(2024, 3, 6, 1),
            },
        ],
    )
    insert(
        con,
        "salesforce__task",
        [
            {
                "id": "00T1",
                "who_id": "00Q1",
                "owner_id": "005A",
                "type": "Call",
                "task_subtype": "Call",
                "status": "Completed",
                "is_closed": True,
                "created_date": ts(2024, 3, 6),
                "completed_date_time": ts(2024, 3, 6, 0, 30),
                "activity_date": date(2024, 3, 6),
                "last_modified_date": ts(2024, 3, 6),
            },
        ],
    )


@pytest.fixture(scope="module")
def staged_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("handoff_home")
    con = duckdb.connect(str(home / "build.duckdb"))
    ensure_raw_tables(con)
    load_raw(con)
    con.close()

    result = run_dbt(home, "build", "--select", "staging")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return home


@pytest.fixture(scope="module")
def staged(staged_home: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(staged_home / "build.duckdb"), read_only=True)
    yield con
    con.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_record_loads_keep_every_delivered_version(staged: duckdb.DuckDBPyConnection) -> None:
    """The record-load views int_incremental_leads reads instead of the raw tables:
    one row per raw row (every version, deleted ones too), trimmed ids, engagements'
    contact lists with `;` between ids."""
    for crm, objects in (
        (
            "salesforce",
            ["lead", "lead_history", "opportunity", "opportunity_history", "task", "event"],
        ),
        ("hubspot", ["contacts", "contact_property_history", "engagements"]),
    ):
        raw = {
            o: staged.execute(f"select count(*) from raw.{crm}__{o}").fetchone()[0] for o in objects
        }
        loads = dict(
            staged.execute(
                f"select object_name, count(*) from staging.stg_{crm}__record_loads group by 1"
            ).fetchall()
        )
        assert {o: loads.get(o, 0) for o in objects} == raw
        assert sum(raw.values()) > len(objects)
        untrimmed = staged.execute(
            f"select count(*) from staging.stg_{crm}__record_loads "
            "where record_id <> trim(record_id) or loaded_at is null"
        ).fetchone()[0]
        assert untrimmed == 0
    commas = staged.execute(
        "select count(*) from staging.stg_hubspot__record_loads where person_ids like '%,%'"
    ).fetchone()[0]
    assert commas == 0


def test_every_staging_model_is_built(staged: duckdb.DuckDBPyConnection) -> None:
    built = {
        name
        for (name,) in staged.execute(
            "select table_name from information_schema.tables where table_schema = 'staging'"
        ).fetchall()
    }
    assert built == {
        "stg_hubspot__record_loads",
        "stg_salesforce__record_loads",
        "stg_hubspot__contacts",
        "stg_hubspot__owners",
        "stg_hubspot__engagements",
        "stg_hubspot__form_submissions",
        "stg_hubspot__deals",
        "stg_hubspot__companies",
        "stg_hubspot__contact_property_history",
        "stg_hubspot__contact_versions",
        "stg_salesforce__leads",
        "stg_salesforce__lead_versions",
        "stg_salesforce__lead_history",
        "stg_salesforce__users",
        "stg_salesforce__user_roles",
        "stg_salesforce__tasks",
        "stg_salesforce__events",
        "stg_salesforce__opportunities",
        "stg_salesforce__opportunity_history",
        "stg_salesforce__contacts",
        "stg_salesforce__accounts",
        "stg_salesforce__campaigns",
        "stg_salesforce__campaign_members",
    }


def test_hubspot_contacts_latest_version_wins_and_deletions_are_honoured(
    staged: duckdb.DuckDBPyConnection,
) -> None:
    contacts = {
        row["contact_id"]: row
        for row in rows(staged, "select * from staging.stg_hubspot__contacts")
    }
    # 102 archived, 104 deleted via _fivetran_deleted, 105 by an undated tombstone.
    assert set(contacts) == {"101", "103"}

    latest = contacts["101"]
    assert latest["lead_status"] == "OPEN"
    assert latest["lifecycle_stage"] == "marketingqualifiedlead"
    assert latest["became_mql_at"] == datetime(2024, 3, 5, 15)
    assert latest["batch_id"] == "b2"
    assert latest["loaded_at"] == B2_LOADED


def test_hubspot_contacts_ui_export_row_is_cleaned(staged: duckdb.DuckDBPyConnection) -> None:
    [ui_row] = rows(staged, "select * from staging.stg_hubspot__contacts where contact_id = '103'")
    assert ui_row["owner_id"] is None
    assert ui_row["owner_name"] == "Ana Souza"
    # hs_v2_date_entered_* is preferred over hs_lifecyclestage_*_date.
    assert ui_row["became_mql_at"] == datetime(2024, 2, 4, 13, 30)
    assert ui_row["email"] == "ana.lead@example.com"
    assert ui_row["lead_status"] is None
    assert ui_row["company_name"] is None
    assert ui_row["hubspot_lead_response_time"] == "01:02:03"


def test_hubspot_owners_resolve_names(staged: duckdb.DuckDBPyConnection) -> None:
    owners = rows(staged, "select * from staging.stg_hubspot__owners order by owner_id")
    assert [(o["owner_id"], o["full_name"], o["email"]) for o in owners] == [
        ("9001", "Ana Souza", "ana.souza@example.com"),
        ("9002", "Bruno", None),
    ]


def test_hubspot_engagement_types_are_normalised(staged: duckdb.DuckDBPyConnection) -> None:
    types = staged.execute(
        "select engagement_id, engagement_type from staging.stg_hubspot__engagements"
        " order by engagement_id"
    ).fetchall()
    assert types == [("501", "CALL"), ("502", "INCOMING_EMAIL")]


def test_hubspot_events_dedupe_on_their_composite_key(staged: duckdb.DuckDBPyConnection) -> None:
    submissions = rows(staged, "select * from staging.stg_hubspot__form_submissions")
    assert len(submissions) == 1
    assert submissions[0]["form_title"] == "E-book 2024"
    assert submissions[0]["batch_id"] == "b2"
    changes = staged.execute(
        "select count(*) from staging.stg_hubspot__contact_property_history"
    ).fetchone()
    assert changes == (1,)


def test_salesforce_leads_latest_version_wins_and_deletions_are_honoured(
    staged: duckdb.DuckDBPyConnection,
) -> None:
    leads = rows(staged, "select * from staging.stg_salesforce__leads")
    assert [lead["lead_id"] for lead in leads] == ["00Q1"]
    [lead] = leads
    assert lead["status"] == "Working - Contacted"
    assert lead["is_converted"] is True
    assert lead["converted_date"] == date(2024, 3, 6)
    assert lead["email"] == "lead101@example.com"


def test_salesforce_lead_history_without_ids_gets_a_stable_key(
    staged: duckdb.DuckDBPyConnection,
) -> None:
    history = rows(staged, "select * from staging.stg_salesforce__lead_history order by changed_at")
    assert [(h["field_name"], h["new_value"]) for h in history] == [
        ("Status", "Working - Contacted"),
        ("Owner", "005B"),
    ]
    assert history[0]["lead_history_id"]  # hashed, not null
    assert history[1]["lead_history_id"] == "017A"


def test_salesforce_tasks_are_renamed(staged: duckdb.DuckDBPyConnection) -> None:
    [task] = rows(staged, "select * from staging.stg_salesforce__tasks")
    assert task["task_id"] == "00T1"
    assert task["person_id"] == "00Q1"
    assert task["completed_at"] == datetime(2024, 3, 6, 0, 30)
    assert task["due_date"] == date(2024, 3, 6)
    assert task["is_closed"] is True


def test_every_staging_model_obeys_its_crm_flag() -> None:
    for path in (PROJECT_DIR / "models" / "staging").glob("*/stg_*.sql"):
        crm = path.parent.name
        assert path.name.startswith(f"stg_{crm}__"), path
        assert f"where {{{{ crm_enabled('{crm}') }}}}" in path.read_text(), path


def test_a_disabled_crm_leaves_its_staging_empty_and_the_project_whole(tmp_path: Path) -> None:
    # A company on one CRM: the other CRM's staging models compile to empty views,
    # so the CRM-agnostic models downstream still build.
    result = run_dbt(
        tmp_path,
        "compile",
        *("--select", "stg_hubspot__contacts", "stg_salesforce__leads", "int_handoffs"),
        *("--vars", "{hubspot_enabled: false}"),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    compiled = next((tmp_path / "target" / "compiled").rglob("stg_hubspot__contacts.sql"))
    assert "(1 = 0)" in compiled.read_text()
    compiled = next((tmp_path / "target" / "compiled").rglob("stg_salesforce__leads.sql"))
    assert "(1 = 1)" in compiled.read_text()


def test_not_null_columns_fails_on_each_null_and_names_its_column(
    staged_home: Path, tmp_path: Path
) -> None:
    """The generic test that checks a model's required columns in one scan
    (tests/dbt/generic/test_not_null_columns.sql): it passes on the clean build, and
    with nulls in two of its columns it fails, counting every null value, one result
    row per column with how many."""
    name = "not_null_stg_salesforce__lead_versions"
    built = json.loads((staged_home / "target" / "run_results.json").read_text())["results"]
    assert [r["status"] for r in built if r["unique_id"].split(".")[2] == name] == ["pass"]

    home = tmp_path / "home"
    home.mkdir()
    shutil.copy2(staged_home / "build.duckdb", home / "build.duckdb")

    con = duckdb.connect(str(home / "build.duckdb"))
    versions = con.execute("select count(*) from staging.stg_salesforce__lead_versions").fetchone()
    assert versions[0] >= 3
    con.execute("update staging.stg_salesforce__lead_versions set loaded_at = null")
    con.execute(
        "update staging.stg_salesforce__lead_versions set source_line = null "
        "where lead_version_id = (select min(lead_version_id) "
        "from staging.stg_salesforce__lead_versions)"
    )
    con.close()

    failed = run_dbt(home, "test", "--select", name, "--store-failures")
    assert failed.returncode == 1, failed.stdout[-3000:] + failed.stderr[-2000:]
    results = json.loads((home / "target" / "run_results.json").read_text())["results"]
    assert [
        (r["unique_id"].split(".")[2], r["status"], r["failures"])
        for r in results
        if r["unique_id"].startswith("test.")
    ] == [(name, "fail", versions[0] + 1)]
    con = duckdb.connect(str(home / "build.duckdb"), read_only=True)
    (relation,) = [r["relation_name"] for r in results if r["unique_id"].startswith("test.")]
    stored = con.execute(f"select column_name, null_rows from {relation} order by 1").fetchall()
    con.close()
    assert stored == [("loaded_at", versions[0]), ("source_line", 1)]
