"""Ingest against real DuckDB files (docs/definitions.md, "Extracts and ingest"): good,
bad-row, missing-column, duplicate, corpus and crashed batches, with the ledger and
quarantine asserted."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from handoff.ingest.loader import ingest

CORPUS = Path(__file__).parent.parent / "fixtures" / "corpus"

LEAD_HEADER = (
    "Id,CreatedDate,LastModifiedDate,Status,LeadSource,OwnerId,IsConverted,ConvertedDate,Email"
)
GOOD_LEADS = (
    LEAD_HEADER
    + "\n"
    + "\n".join(
        [
            "00Q000000000001AAA,2025-01-06T14:03:00.000+0000,2025-01-06T14:03:00.000+0000,Open - Not Contacted,Web,005000000000001AAA,false,,a@example.com",
            "00Q000000000002AAA,2025-01-07T09:00:00.000+0000,2025-01-09T10:00:00.000+0000,Closed - Converted,Cold Call,005000000000001AAA,true,2025-01-09,b@example.com",
        ]
    )
    + "\n"
)
USERS = "Id,Email,FirstName,LastName,UserRoleId,TimeZoneSidKey,IsActive\n005000000000001AAA,ana@example.com,Ana,Silva,00E000000000001AAA,America/Sao_Paulo,true\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def run_ingest(landing: Path, db: Path, work: Path):
    with duckdb.connect(str(db)) as con:
        return ingest(landing, con, work_dir=work)


def query(db: Path, sql: str):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture
def env(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    return landing, tmp_path / "build.duckdb", tmp_path / "work"


def test_good_batch_loads_with_lineage_and_ledger(env):
    landing, db, work = env
    write(landing / "salesforce/2025-01-10/Lead.csv", GOOD_LEADS)
    write(landing / "salesforce/2025-01-10/User.csv", USERS)
    report = run_ingest(landing, db, work)
    assert [b.status for b in report.batches] == ["loaded"]
    assert report.rows_loaded == 3 and report.rows_quarantined == 0
    rows = query(
        db,
        "select id, status, is_converted, converted_date, created_date, _batch_id, "
        "_source_file, _source_line from raw.salesforce__lead order by id",
    )
    assert rows[1][:3] == ("00Q000000000002AAA", "Closed - Converted", True)
    assert str(rows[1][3]) == "2025-01-09"
    assert str(rows[0][4]) == "2025-01-06 14:03:00"
    assert rows[0][5:] == ("salesforce/2025-01-10", "salesforce/2025-01-10/Lead.csv", 2)
    assert rows[1][7] == 3
    ledger = query(
        db,
        "select batch_id, crm, path, status, rows_loaded, rows_quarantined, error, length(sha256) "
        "from raw._batches order by path",
    )
    assert ledger == [
        (
            "salesforce/2025-01-10",
            "salesforce",
            "salesforce/2025-01-10/Lead.csv",
            "loaded",
            2,
            0,
            None,
            64,
        ),
        (
            "salesforce/2025-01-10",
            "salesforce",
            "salesforce/2025-01-10/User.csv",
            "loaded",
            1,
            0,
            None,
            64,
        ),
    ]
    # Every contract table exists even when no file fed it (staging compiles).
    assert query(db, "select count(*) from raw.hubspot__contacts") == [(0,)]


def test_bad_rows_are_quarantined_and_the_rest_loads(env):
    landing, db, work = env
    text = (
        LEAD_HEADER
        + "\n00Q000000000001AAA,2025-01-06T14:03:00.000+0000,,Open - Not Contacted,Web,,false,,a@x.io"
        + "\n00Q000000000002AAA,last tuesday,,Open - Not Contacted,Web,,false,,b@x.io"
        + "\n,2025-01-06T14:03:00.000+0000,,Open - Not Contacted,Web,,false,,c@x.io"
        + "\n00Q000000000004AAA,2025-01-06T14:03:00.000+0000,,Open - Not Contacted,Web,,perhaps,,d@x.io"
        + "\n00Q000000000005AAA,2025-01-06T14:03:00.000+0000,,Open"
        + "\n00Q000000000006AAA,2025-01-08T14:03:00.000+0000,,Open - Not Contacted,Web,,true,,f@x.io\n"
    )
    write(landing / "salesforce/b1/Lead.csv", text)
    report = run_ingest(landing, db, work)
    assert report.batches[0].status == "loaded"
    assert query(db, "select id from raw.salesforce__lead order by id") == [
        ("00Q000000000001AAA",),
        ("00Q000000000006AAA",),
    ]
    quarantine = query(
        db,
        "select batch_id, source_file, line_number, column_name, reason, raw_line "
        "from raw._quarantine order by line_number",
    )
    assert [q[2:5] for q in quarantine] == [
        (3, "CreatedDate", "'last tuesday' is not a timestamp"),
        (4, "Id", "missing id"),
        (5, "IsConverted", "'perhaps' is not a boolean (true/false, 1/0, yes/no)"),
        (6, "LeadSource", quarantine[3][4]),
    ]
    assert quarantine[3][4] == "missing columns: Expected Number of Columns: 9 Found: 4"
    assert quarantine[0][:2] == ("salesforce/b1", "salesforce/b1/Lead.csv")
    assert quarantine[0][5].startswith("00Q000000000002AAA,last tuesday,")
    assert quarantine[3][5] == "00Q000000000005AAA,2025-01-06T14:03:00.000+0000,,Open"
    # The row after the malformed one keeps its true line number.
    assert query(db, "select _source_line from raw.salesforce__lead where id like '%6AAA'") == [
        (7,)
    ]
    assert query(db, "select rows_loaded, rows_quarantined from raw._batches") == [(2, 4)]
    first = report.batches[0].files[0].first_problem
    assert first == (
        # The log line names column and reason, never the value (it may be personal
        # data); the value itself stays in raw._quarantine.
        "salesforce/b1/Lead.csv line 3, column CreatedDate: the value is not a timestamp; "
        "the row went to raw._quarantine"
    )


def test_missing_required_column_rejects_the_whole_batch_only(env):
    landing, db, work = env
    write(landing / "salesforce/2025-01-01/Lead.csv", GOOD_LEADS)
    write(landing / "salesforce/2025-02-01/User.csv", USERS)  # good file, same batch
    write(
        landing / "salesforce/2025-02-01/Lead.csv",
        "Id,CreatedDate,LeadSource\n00Q9,2025-02-01,Web\n",
    )
    write(landing / "salesforce/2025-03-01/User.csv", USERS.replace("Ana", "Bia"))
    report = run_ingest(landing, db, work)
    assert [(b.batch_id, b.status) for b in report.batches] == [
        ("salesforce/2025-01-01", "loaded"),
        ("salesforce/2025-02-01", "rejected"),
        ("salesforce/2025-03-01", "loaded"),
    ]
    assert (
        report.rejected[0].error
        == (
            "salesforce/2025-02-01/Lead.csv: required column 'status' (or lead_status) is missing "
            "from the header on line 1 (the file has 3 columns)"
        )
        or "required column 'status'" in report.rejected[0].error
    )
    # nothing of the rejected batch loaded, not even its good User.csv
    assert query(
        db, "select count(*) from raw.salesforce__user where _batch_id = 'salesforce/2025-02-01'"
    ) == [(0,)]
    assert query(db, "select count(*) from raw.salesforce__lead") == [(2,)]
    ledger = query(
        db, "select path, status, error from raw._batches where status = 'rejected' order by path"
    )
    assert [r[:2] for r in ledger] == [
        ("salesforce/2025-02-01/Lead.csv", "rejected"),
        ("salesforce/2025-02-01/User.csv", "rejected"),
    ]
    assert "Lead.csv: required column 'status'" in ledger[0][2]
    assert "rejects the whole batch" in ledger[1][2]
    # A rerun does not load it, nor record it twice.
    again = run_ingest(landing, db, work)
    assert [b.status for b in again.batches] == [
        "already_loaded",
        "previously_rejected",
        "already_loaded",
    ]
    assert query(db, "select count(*) from raw._batches") == [(4,)]


def test_the_same_file_delivered_twice_loads_once(env):
    landing, db, work = env
    write(landing / "salesforce/b1/Lead.csv", GOOD_LEADS)
    write(landing / "salesforce/b2/leads.csv", GOOD_LEADS)  # same bytes, other name
    report = run_ingest(landing, db, work)
    assert [b.status for b in report.batches] == ["loaded", "already_loaded"]
    assert report.batches[1].files[0].status == "duplicate"
    assert query(db, "select count(*) from raw.salesforce__lead") == [(2,)]
    rerun = run_ingest(landing, db, work)
    assert rerun.rows_loaded == 0
    assert query(db, "select count(*) from raw.salesforce__lead") == [(2,)]
    assert query(db, "select count(*) from raw._batches") == [(1,)]


def test_formats_zip_gzip_jsonl_parquet_and_new_columns(env, tmp_path):
    landing, db, work = env
    # csv.gz with CRLF and an extra custom field
    gz = landing / "salesforce/b1/Lead.csv.gz"
    gz.parent.mkdir(parents=True)
    with gzip.open(gz, "wt", newline="") as fh:
        fh.write(LEAD_HEADER.replace(",Email", ",Email,MQL_Reason__c") + "\r\n")
        fh.write("00Q1,2025-01-06T14:03:00.000+0000,,Open,Web,,TRUE,,a@x.io,Website\r\n")
    # a zip batch
    src = write(tmp_path / "zip/User.csv", USERS)
    with zipfile.ZipFile(landing / "salesforce/b2.zip", "w") as zf:
        zf.write(src, "User.csv")
    # jsonl from an API pull, with an array of contact ids
    rows = [
        {
            "id": 11,
            "type": "CALL",
            "timestamp": 1736172180000,
            "owner_id": "7",
            "contact_ids": [1, 2],
        },
    ]
    write(landing / "hubspot/b1/engagements.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    with duckdb.connect() as con:
        con.execute(
            f"copy (select '3' as hs_object_id, timestamp '2025-01-02 10:00:00' as createdate, "
            f"'lead' as lifecyclestage) to '{landing / 'hubspot/b1/contacts.parquet'}'"
        )
    report = run_ingest(landing, db, work)
    assert [b.status for b in report.batches] == ["loaded", "loaded", "loaded"], [
        b.error for b in report.batches
    ]
    assert query(db, "select id, is_converted, mql_reason_c from raw.salesforce__lead") == [
        ("00Q1", True, "Website")
    ]
    assert query(db, "select first_name, _source_file from raw.salesforce__user") == [
        ("Ana", "salesforce/b2.zip/User.csv")
    ]
    eng = query(
        db,
        "select hs_object_id, type, hs_timestamp, hubspot_owner_id, contact_ids from raw.hubspot__engagements",
    )
    assert eng[0][:2] == ("11", "CALL") and str(eng[0][2]) == "2025-01-06 14:03:00"
    assert eng[0][3:] == ("7", "1;2")
    assert query(db, "select hs_object_id, createdate from raw.hubspot__contacts")[0][0] == "3"


def test_real_connector_and_export_layouts_load(env):
    landing, db, work = env
    sf = CORPUS / "fivetran_salesforce_seeds"
    batch = landing / "salesforce/2019-11-12"
    batch.mkdir(parents=True)
    shutil.copy(sf / "sf_lead_data.csv", batch / "Lead.csv")
    shutil.copy(sf / "sf_user_data.csv", batch / "User.csv")
    shutil.copy(sf / "sf_user_role_data.csv", batch / "UserRole.csv")
    shutil.copy(sf / "sf_task_data.csv", batch / "Task.csv")
    hs = CORPUS / "fivetran_hubspot_seeds"
    hbatch = landing / "hubspot/2021-04-02"
    hbatch.mkdir(parents=True)
    shutil.copy(hs / "contact_data.csv", hbatch / "contacts.csv")
    shutil.copy(hs / "owner_data.csv", hbatch / "owners.csv")
    shutil.copy(hs / "contact_form_submission_data.csv", hbatch / "form_submissions.csv")
    ui = landing / "hubspot/2023-02-21"
    ui.mkdir(parents=True)
    shutil.copy(
        CORPUS / "hubspot_ui_export/hubspot-crm-exports-all-contacts-2023-02-21.header.csv",
        ui / "hubspot-crm-exports-all-contacts-2023-02-21.csv",
    )
    report = run_ingest(landing, db, work)
    assert {b.batch_id: b.status for b in report.batches} == {
        "hubspot/2021-04-02": "loaded",
        "hubspot/2023-02-21": "loaded",
        "salesforce/2019-11-12": "loaded",
    }, [b.error for b in report.batches]
    lead = query(db, "select id, is_converted, status, created_date from raw.salesforce__lead")
    assert lead[0][:3] == ("00Q1G00000nDnM5UAK", True, "Converted")
    lead_columns = query(db, "select count(*) from (describe raw.salesforce__lead)")[0][0]
    assert lead_columns >= 382  # every custom field is kept
    assert query(db, "select count(*) from raw.salesforce__user") == [(10,)]
    assert query(db, "select count(*) from raw.salesforce__task") == [(10,)]
    assert query(
        db, "select count(*), count(createdate), count(archived) from raw.hubspot__contacts"
    ) == [(22, 22, 22)]
    assert query(db, "select count(*) from raw.hubspot__owners") == [(100,)]
    assert query(db, "select count(*) from raw.hubspot__form_submissions") == [(5,)]
    # the UI export's 181 labels: mapped ones take canonical names, the rest are kept
    cols = {r[0] for r in query(db, "describe raw.hubspot__contacts")}
    assert {"hubspot_owner_name", "hs_lifecyclestage_marketingqualifiedlead_date"} <= cols
    assert "number_of_times_contacted" in cols and "time_zone" in cols
    assert report.rows_quarantined == 0


def test_a_crash_mid_batch_leaves_nothing_and_the_next_run_completes(env):
    landing, db, work = env
    write(landing / "salesforce/b1/Lead.csv", GOOD_LEADS)
    write(landing / "salesforce/b1/User.csv", USERS)
    code = (
        "import duckdb, sys; from pathlib import Path; from handoff.ingest.loader import ingest; "
        f"con = duckdb.connect({str(db)!r}); ingest(Path({str(landing)!r}), con, work_dir=Path({str(work)!r}))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env={**__import__("os").environ, "HANDOFF_FAULT_AFTER_FILE": "salesforce/b1/Lead.csv"},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 86, proc.stderr
    assert query(db, "select count(*) from raw.salesforce__lead") == [(0,)]
    assert query(db, "select count(*) from raw._batches") == [(0,)]
    report = run_ingest(landing, db, work)
    assert report.batches[0].status == "loaded"
    assert query(db, "select count(*) from raw.salesforce__lead") == [(2,)]
    assert query(db, "select count(*) from raw.salesforce__user") == [(1,)]
