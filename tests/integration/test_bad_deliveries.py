"""Bad deliveries against real DuckDB files: one unreadable or odd delivery never
stops the others, never vanishes without a word, and never leaks its values into logs
(README, "What happens to bad input")."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import os
import random
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from handoff.ingest.loader import ingest
from handoff.settings import Settings
from handoff.status import render_status

LEAD_HEADER = "Id,CreatedDate,LastModifiedDate,Status,LeadSource,OwnerId,IsConverted,Email"


def lead_rows(n: int, start: int = 1) -> str:
    return "".join(
        f"00Q{i:015d},2025-01-06T14:03:00.000+0000,2025-01-06T14:03:00.000+0000,"
        f"Open - Not Contacted,Web,005000000000001AAA,false,lead{i}@example.com\n"
        for i in range(start, start + n)
    )


LEADS = LEAD_HEADER + "\n" + lead_rows(3)
USERS = "Id,Email,FirstName,LastName\n005000000000001AAA,ana@example.com,Ana,Silva\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def run_ingest(landing: Path, db: Path, work: Path, lines: list[str] | None = None):
    with duckdb.connect(str(db)) as con:
        return ingest(
            landing, con, work_dir=work, progress=(lines if lines is not None else []).append
        )


def query(db: Path, sql: str):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture
def env(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    return landing, tmp_path / "build.duckdb", tmp_path / "work"


def test_an_unreadable_file_rejects_its_batch_and_the_others_load(env, tmp_path):
    landing, db, work = env
    write(landing / "salesforce/2025-01-01/Lead.csv", LEADS)
    # A .zip that is not a zip.
    write(landing / "salesforce/2025-01-02.zip", "this is not a zip file\n")
    # A truncated gzip: its header line reads, its body ends early.
    big = LEAD_HEADER + "\n" + lead_rows(20_000, 100)
    gz = gzip.compress(big.encode())
    (landing / "salesforce/2025-01-03").mkdir(parents=True)
    (landing / "salesforce/2025-01-03/Lead.csv.gz").write_bytes(gz[: len(gz) // 2])
    write(landing / "salesforce/2025-01-03/User.csv", USERS)
    # A Parquet file with a corrupt data page (its footer and schema still read).
    good = tmp_path / "contacts.parquet"
    with duckdb.connect() as con:
        con.execute(
            "copy (select 'c' || range as hs_object_id, '2025-01-06' as createdate, "
            "md5(range::varchar) as note from range(50000)) "
            f"to '{good}' (format parquet, compression snappy)"
        )
    data = bytearray(good.read_bytes())
    data[len(data) // 3 : len(data) // 3 + 400] = bytes(400)
    (landing / "hubspot/2025-01-04").mkdir(parents=True)
    (landing / "hubspot/2025-01-04/contacts.parquet").write_bytes(bytes(data))
    write(landing / "salesforce/2025-01-05/User.csv", USERS.replace("Ana", "Bia"))

    lines: list[str] = []
    report = run_ingest(landing, db, work, lines)
    assert [(b.batch_id, b.status) for b in report.batches] == [
        ("hubspot/2025-01-04", "rejected"),
        ("salesforce/2025-01-01", "loaded"),
        ("salesforce/2025-01-02", "rejected"),
        ("salesforce/2025-01-03", "rejected"),
        ("salesforce/2025-01-05", "loaded"),
    ]
    errors = {b.batch_id: b.error for b in report.rejected}
    assert errors["salesforce/2025-01-02"].startswith(
        "salesforce/2025-01-02.zip: cannot be read as a zip"
    )
    assert errors["salesforce/2025-01-03"].startswith(
        "salesforce/2025-01-03/Lead.csv.gz: cannot be read as csv (IO Error: Unexpected end of GZIP"
    )
    assert errors["hubspot/2025-01-04"].startswith(
        "hubspot/2025-01-04/contacts.parquet: cannot be read as parquet ("
    )
    for error in errors.values():  # one sentence each
        assert "\n" not in error and "Traceback" not in error
    # The ledger records each, and nothing of the bad batches loaded.
    assert query(
        db, "select path, status from raw._batches where status = 'rejected' order by path"
    ) == [
        ("hubspot/2025-01-04/contacts.parquet", "rejected"),
        ("salesforce/2025-01-02.zip", "rejected"),
        ("salesforce/2025-01-03/Lead.csv.gz", "rejected"),
        ("salesforce/2025-01-03/User.csv", "rejected"),
    ]
    assert query(db, "select count(*) from raw.salesforce__lead") == [(3,)]
    assert query(db, "select count(*) from raw.hubspot__contacts") == [(0,)]
    assert query(db, "select count(*) from raw.salesforce__user") == [(1,)]
    # A rerun changes nothing and raises nothing.
    again = run_ingest(landing, db, work)
    assert [b.status for b in again.batches] == [
        "previously_rejected",
        "already_loaded",
        "previously_rejected",
        "previously_rejected",
        "already_loaded",
    ]
    assert query(db, "select count(*) from raw._batches") == [(6,)]


def test_a_rejected_batch_is_judged_again_when_its_files_change(env):
    landing, db, work = env
    batch = landing / "salesforce/2025-02-01"
    write(batch / "Lead.csv", LEADS)
    write(batch / "Task.csv", "Id,Subject\n00T1,Call\n")  # no CreatedDate
    write(landing / "salesforce/2025-02-02/User.csv", USERS)
    assert [b.status for b in run_ingest(landing, db, work).batches] == ["rejected", "loaded"]
    assert [b.status for b in run_ingest(landing, db, work).batches] == [
        "previously_rejected",
        "already_loaded",
    ]
    settings = Settings(
        home=db.parent, landing=landing, target="duckdb", as_of=None, source_timezones={}
    )
    text, ok = render_status(settings)
    assert not ok
    assert "salesforce/2025-02-01" in text and "rejected" in text
    # The bad file is fixed: the whole batch is judged again and loads.
    write(batch / "Task.csv", "Id,Subject,CreatedDate\n00T1,Call,2025-01-06\n")
    third = run_ingest(landing, db, work)
    assert [(b.status, b.rows_loaded) for b in third.batches] == [
        ("loaded", 4),
        ("already_loaded", 0),
    ]
    assert query(db, "select count(*) from raw.salesforce__lead") == [(3,)]
    # Status shows each batch's current state, not a sum over its attempts.
    text, ok = render_status(settings)
    assert ok, text
    assert "2 batch(es) loaded, 0 rejected" in text
    row = next(line for line in text.splitlines() if line.startswith("salesforce/2025-02-01 "))
    assert row.split()[1] == "loaded"
    # Removing a file from a rejected batch is a change too.
    other = landing / "salesforce/2025-02-03"
    write(other / "Lead.csv", LEAD_HEADER + "\n" + lead_rows(2, 50))
    write(other / "Task.csv", "Id,Subject\n00T1,Call\n")  # no CreatedDate
    assert run_ingest(landing, db, work).batches[-1].status == "rejected"
    (other / "Task.csv").unlink()
    last = run_ingest(landing, db, work).batches[-1]
    assert (last.status, last.rows_loaded) == ("loaded", 2)


def test_glob_characters_in_paths_are_read_literally(env):
    landing, db, work = env
    write(landing / "salesforce/2025-1*/Lead.csv", LEAD_HEADER + "\n" + lead_rows(1, 1))
    write(landing / "salesforce/2025-12-31/Lead.csv", LEAD_HEADER + "\n" + lead_rows(5, 10))
    write(landing / "salesforce/2025-?x/Lead.csv", LEAD_HEADER + "\n" + lead_rows(2, 20))
    write(landing / "salesforce/2025-[1]/Lead.csv", LEAD_HEADER + "\n" + lead_rows(3, 30))
    write(landing / "salesforce/2025-1/Lead.csv", LEAD_HEADER + "\n" + lead_rows(4, 40))
    write(
        landing / "hubspot/b*/engagements.jsonl",
        '{"hs_object_id": 1, "type": "CALL", "hs_timestamp": "2025-01-06T10:00:00Z"}\n',
    )
    write(
        landing / "hubspot/bx/engagements.jsonl",
        "".join(
            f'{{"hs_object_id": {i}, "type": "CALL", "hs_timestamp": "2025-01-06T10:00:00Z"}}\n'
            for i in range(2, 6)
        ),
    )
    report = run_ingest(landing, db, work)
    assert all(b.status == "loaded" for b in report.batches), report.batches
    assert query(
        db,
        "select _source_file, count(*) from raw.salesforce__lead group by 1 order by 1",
    ) == [
        ("salesforce/2025-1*/Lead.csv", 1),
        ("salesforce/2025-1/Lead.csv", 4),
        ("salesforce/2025-12-31/Lead.csv", 5),
        ("salesforce/2025-?x/Lead.csv", 2),
        ("salesforce/2025-[1]/Lead.csv", 3),
    ]
    assert query(
        db, "select _source_file, count(*) from raw.hubspot__engagements group by 1 order by 1"
    ) == [("hubspot/b*/engagements.jsonl", 1), ("hubspot/bx/engagements.jsonl", 4)]


def _bomb(path: Path, megabytes: int) -> None:
    row = lead_rows(1, 7)
    body = LEAD_HEADER + "\n" + row * (megabytes * (1 << 20) // len(row))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Lead.csv", body)


def test_zip_expansion_is_bounded_and_unpacked_copies_are_removed(env, monkeypatch):
    landing, db, work = env
    (landing / "salesforce").mkdir()
    _bomb(landing / "salesforce/2025-03-01.zip", 8)  # ~8 MB of one repeated row: ~300×
    with zipfile.ZipFile(landing / "salesforce/2025-03-02.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Lead.csv", LEADS)
    report = run_ingest(landing, db, work)
    assert [b.status for b in report.batches] == ["rejected", "loaded"]
    error = report.batches[0].error
    assert error.startswith("salesforce/2025-03-01.zip: would expand from ")
    assert "past the bound of 4,096.0 MB and 100×" in error
    assert "HANDOFF_MAX_UNZIP_RATIO" in error
    # Nothing of the bomb was written; the loaded zip's copy is gone, its hashes kept.
    assert [p.name for p in work.iterdir() if p.is_dir()] == []
    assert len(list(work.glob("*.json"))) == 1
    # A rerun needs no unpacking to know the loaded zip is loaded.
    assert [b.status for b in run_ingest(landing, db, work).batches] == [
        "previously_rejected",
        "already_loaded",
    ]
    assert [p for p in work.iterdir() if p.is_dir()] == []
    # A higher bound lets the same zip load; a lower size bound stops it by size.
    monkeypatch.setenv("HANDOFF_MAX_UNZIP_RATIO", "5")
    monkeypatch.setenv("HANDOFF_MAX_UNZIPPED_MB", "1")
    _bomb(landing / "salesforce/2025-03-03.zip", 2)
    third = run_ingest(landing, db, work).batches[-1]
    assert third.status == "rejected" and "past the bound of 1.0 MB and 5×" in third.error
    monkeypatch.setenv("HANDOFF_MAX_UNZIP_RATIO", "1000")
    monkeypatch.setenv("HANDOFF_MAX_UNZIPPED_MB", "100")
    fourth = run_ingest(landing, db, work)
    assert [b.status for b in fourth.batches] == ["loaded", "already_loaded", "loaded"]
    assert [p for p in work.iterdir() if p.is_dir()] == []


def test_a_quarantined_row_after_a_multi_line_field_points_at_its_own_line(env):
    landing, db, work = env
    header = "Id,CreatedDate,Status,Description\n"
    rows = (
        "00Q1,2025-01-06T10:00:00Z,Open,one line\n"  # line 2
        '00Q2,2025-01-06T10:00:00Z,Open,"spans\nthree\nlines"\n'  # lines 3-5
        '00Q3,2025-01-06T10:00:00Z,Open,"quoted ""twice"""\n'  # line 6
        "00Q4,not a date,Open,bad row\n"  # line 7
        '00Q5,also bad,Open,"two\nlines"\n'  # lines 8-9
        "00Q6,2025-01-06T10:00:00Z,Open,x,extra field\n"  # line 10: too many fields
        "00Q7,2025-01-06T10:00:00Z,Open,last\n"  # line 11
    )
    write(landing / "salesforce/b1/Lead.csv", header + rows)
    report = run_ingest(landing, db, work)
    assert report.batches[0].status == "loaded"
    assert query(
        db, "select line_number, column_name, raw_line from raw._quarantine order by 1"
    ) == [
        (7, "CreatedDate", "00Q4,not a date,Open,bad row"),
        (8, "CreatedDate", '00Q5,also bad,Open,"two\nlines"'),
        (10, None, "00Q6,2025-01-06T10:00:00Z,Open,x,extra field"),  # too many fields
    ]
    assert query(db, "select id, _source_line from raw.salesforce__lead order by 1") == [
        ("00Q1", 2),
        ("00Q2", 3),
        ("00Q3", 6),
        ("00Q7", 11),
    ]


def test_jsonl_numbers_and_strings_give_the_same_text(env):
    landing, db, work = env
    write(
        landing / "hubspot/b1/form_submissions.jsonl",
        '{"contact_id": 1001, "form_id": "f1", "submitted_at": "2025-01-06T10:00:00Z"}\n'
        '{"contact_id": "1002", "form_id": 7, "submitted_at": 1736157600000}\n',
    )
    assert run_ingest(landing, db, work).batches[0].status == "loaded"
    assert query(
        db, "select contact_id, form_id from raw.hubspot__form_submissions order by 1"
    ) == [("1001", "f1"), ("1002", "7")]


def test_the_header_decides_the_delimiter_and_the_error_names_it(env):
    landing, db, work = env
    # More ';' than ',' in the header, all inside one quoted name.
    write(
        landing / "salesforce/b1/User.csv",
        'Id,"Team; region; office; desk"\n005A,"EMEA; north; Lisbon; 4"\n',
    )
    # A semicolon file that lacks a required column: the error says how it was read.
    write(landing / "salesforce/b2/Lead.csv", "Id;CreatedDate\n00Q1;2025-01-06\n")
    report = run_ingest(landing, db, work)
    assert [b.status for b in report.batches] == ["loaded", "rejected"]
    assert query(db, "select id from raw.salesforce__user") == [("005A",)]
    assert report.batches[1].error == (
        "salesforce/b2/Lead.csv: required column 'status' is missing from "
        "the header on line 1 (the file has 2 columns, read as semicolon-separated)"
    )


def test_everything_not_read_is_reported_and_real_export_formats_load(env, tmp_path):
    landing, db, work = env
    sf = landing / "salesforce"
    write(landing / "Lead.csv", LEADS)  # at the landing's root
    write(landing / "pipedrive/b1/deals.csv", "id\n1\n")  # a CRM handoff does not read
    write(sf / "Lead.csv", LEADS)  # outside a batch folder
    write(sf / "tsv/Lead.tsv", LEADS.replace(",", "\t"))
    write(
        sf / "json/Lead.json",
        json.dumps([{"Id": "00Q9", "CreatedDate": "2025-01-06", "Status": "Open"}]),
    )
    (sf / "bz2").mkdir()
    (sf / "bz2/Lead.csv.bz2").write_bytes(
        bz2.compress(LEAD_HEADER.encode() + b"\n" + lead_rows(2, 60).encode())
    )
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("Lead.csv", LEAD_HEADER + "\n" + lead_rows(2, 70))
    (sf / "zip-in-folder").mkdir()
    (sf / "zip-in-folder/Lead.zip").write_bytes(inner.getvalue())
    with zipfile.ZipFile(sf / "zip-in-zip.zip", "w") as zf:
        zf.writestr("export/Lead.zip", inner.getvalue())
    write(sf / "xlsx/User.csv", USERS)
    (sf / "xlsx/Lead.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    write(sf / "other/Lead.csv", LEADS)
    write(sf / "other/README.pdf", "notes")

    lines: list[str] = []
    report = run_ingest(landing, db, work, lines)
    status = {b.batch_id: b.status for b in report.batches}
    assert status == {
        "salesforce/bz2": "loaded",
        "salesforce/json": "loaded",
        "salesforce/other": "loaded",
        "salesforce/tsv": "loaded",  # the same rows as other/, in other bytes
        "salesforce/xlsx": "rejected",
        "salesforce/zip-in-folder": "loaded",
        "salesforce/zip-in-zip": "already_loaded",  # the same Lead.zip, one level deeper
    }
    assert query(
        db, "select _source_file, count(*) from raw.salesforce__lead group by 1 order by 1"
    ) == [
        ("salesforce/bz2/Lead.csv.bz2", 2),
        ("salesforce/json/Lead.json", 1),
        ("salesforce/other/Lead.csv", 3),
        ("salesforce/tsv/Lead.tsv", 3),
        ("salesforce/zip-in-folder/Lead.zip/Lead.csv", 2),
    ]
    rejected = next(b for b in report.batches if b.batch_id == "salesforce/xlsx")
    assert rejected.error.startswith(
        "salesforce/xlsx/Lead.xlsx: an Excel workbook is not read: save the sheet as CSV"
    )
    notices = {n.path: n.reason for n in report.notices}
    assert set(notices) == {
        "Lead.csv",
        "pipedrive/",
        "salesforce/Lead.csv",
        "salesforce/other/README.pdf",
    }
    assert "put it in <crm>/<batch>/Lead.csv" in notices["Lead.csv"]
    assert "not a CRM handoff reads (hubspot, salesforce)" in notices["pipedrive/"]
    assert "salesforce/<batch>/Lead.csv" in notices["salesforce/Lead.csv"]
    assert notices["salesforce/other/README.pdf"].startswith("not a format handoff reads (.csv")
    for path in notices:
        assert any(line.startswith(f"not read: {path}: ") for line in lines), lines
    # ... and kept for `handoff status`.
    settings = Settings(
        home=db.parent, landing=landing, target="duckdb", as_of=None, source_timezones={}
    )
    text, _ = render_status(settings)
    for path in notices:
        assert f"    {path}: " in text
    # The unpacked copies and the decompressed bz2 are gone.
    assert [p.name for p in work.iterdir() if not p.name.endswith(".json")] == []


def test_quarantined_values_stay_out_of_logs_and_status(env):
    landing, db, work = env
    write(
        landing / "salesforce/b1/Lead.csv",
        "Id,CreatedDate,Status\n00Q1,chloe.martin@example.com,Open\n00Q2,2025-01-06,Open\n",
    )
    lines: list[str] = []
    run_ingest(landing, db, work, lines)
    assert any("column CreatedDate: the value is not a timestamp" in line for line in lines)
    assert not any("chloe" in line for line in lines)
    settings = Settings(
        home=db.parent, landing=landing, target="duckdb", as_of=None, source_timezones={}
    )
    text, _ = render_status(settings)
    assert "the value is not a timestamp" in text and "chloe" not in text
    # The value itself is kept where it belongs.
    assert query(db, "select reason from raw._quarantine") == [
        ("'chloe.martin@example.com' is not a timestamp",)
    ]


FULL_DISK = r"""
set -e
mount -t tmpfs -o size=6m tmpfs "$HOME_DIR"
status=0
"$PY" -c "$INGEST" > "$OUT/first.txt" 2>&1 || status=$?
echo "$status" > "$OUT/first.rc"
ls -a "$HOME_DIR/work" > "$OUT/leftovers.txt" 2>/dev/null || true
mount -o remount,size=200m "$HOME_DIR"
"$PY" -c "$INGEST" > "$OUT/second.txt" 2>&1
"""

INGEST = """
import duckdb, sys
from pathlib import Path
from handoff.ingest.loader import ingest
home = Path(sys.argv[0] if False else __import__('os').environ['HOME_DIR'])
with duckdb.connect(str(home / 'build.duckdb')) as con:
    report = ingest(Path(__import__('os').environ['LANDING']), con, work_dir=home / 'work',
                    progress=print)
    print('STATUSES', [b.status for b in report.batches])
"""


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare (util-linux)")
def test_a_full_disk_says_so_in_one_sentence_and_the_next_run_recovers(tmp_path):
    landing, home, out = tmp_path / "landing", tmp_path / "home", tmp_path / "out"
    home.mkdir()
    out.mkdir()
    write(landing / "salesforce/2025-04-01/Lead.csv", LEADS)
    # Unpacks to ~12 MB (well within the ratio bound) on a 6 MB disk.
    body = LEAD_HEADER + "\n" + lead_rows(80_000, 1000)
    with zipfile.ZipFile(landing / "salesforce/2025-04-02.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Lead.csv", body)
    # A plain file too big for the database on that disk (random text: incompressible).
    rng = random.Random(5)
    write(
        landing / "salesforce/2025-04-03/Lead.csv",
        "Id,CreatedDate,Status,Description\n"
        + "".join(
            f"00Q{i:015d},2025-01-06,Open,{rng.getrandbits(256):064x}{rng.getrandbits(256):064x}\n"
            for i in range(100_000)
        ),
    )
    env = dict(
        os.environ,
        HOME_DIR=str(home),
        LANDING=str(landing),
        OUT=str(out),
        PY=sys.executable,
        INGEST=INGEST,
    )
    cmd = ["unshare", "--mount", "sh", "-c", FULL_DISK]
    if os.geteuid() != 0:
        cmd[1:1] = ["--user", "--map-root-user"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr + (out / "first.txt").read_text()
    first = (out / "first.txt").read_text()
    assert (out / "first.rc").read_text().strip() == "0", first
    assert "Traceback" not in first
    assert "STATUSES ['loaded', 'no_space', 'no_space']" in first, first
    sentences = [line for line in first.splitlines() if "NOT LOADED" in line]
    assert len(sentences) == 2
    for line in sentences:
        assert f"no space left under {home}" in line
        assert " MB free" in line
    assert "MB needed" in sentences[0]
    assert ".partial" not in (out / "leftovers.txt").read_text()
    second = (out / "second.txt").read_text()
    assert "STATUSES ['already_loaded', 'loaded', 'loaded']" in second, second


def test_check_reports_what_a_run_would_do_and_changes_nothing(env, tmp_path):
    landing, db, work = env
    write(landing / "salesforce/2025-05-01/Lead.csv", LEADS)
    run_ingest(landing, db, work)  # the home has loaded this batch before
    write(
        landing / "salesforce/2025-05-02/Lead.csv",
        LEAD_HEADER
        + "\n"
        + lead_rows(2, 80)
        + "00Q9,not a date,x,Open,Web,005A,false,z@example.com\n",
    )
    write(landing / "salesforce/2025-05-03/Lead.csv", "Id,CreatedDate\n00Q1,2025-01-01\n")
    write(landing / "salesforce/Lead.csv", LEADS)
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    handoff = Path(sys.executable).parent / "handoff"
    proc = subprocess.run(
        [str(handoff), "check", "--landing", str(landing), "--home", str(db.parent)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HANDOFF_LANDING": ""},
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout.splitlines()
    assert "salesforce/2025-05-01: already loaded (unchanged)" in out
    assert "salesforce/2025-05-02: would load, 2 rows, 1 quarantined" in out
    assert "    salesforce/2025-05-02/Lead.csv → salesforce lead: 2 rows, 1 to quarantine" in out
    assert (
        "        first: salesforce/2025-05-02/Lead.csv line 4, column CreatedDate: "
        "the value is not a timestamp; the row went to raw._quarantine"
    ) in out
    assert "salesforce/2025-05-03: would be REJECTED" in out
    assert any(
        line.startswith("    salesforce/2025-05-03/Lead.csv: required column 'status'")
        for line in out
    )
    assert any(line.startswith("not read: salesforce/Lead.csv: a file outside") for line in out)
    assert out[-1] == "1 batch(es) would not load: salesforce/2025-05-03"
    assert any(
        "judge it at the end of the data with --as-of 2025-01-06T14:03:00" in line for line in out
    )
    assert "z@example.com" not in proc.stdout
    # Nothing under the home or the landing changed, nothing was added.
    after = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before
    assert query(db, "select count(*) from raw.salesforce__lead") == [(3,)]


CORPUS = Path(__file__).parent.parent / "fixtures" / "corpus"


def test_a_fivetran_salesforce_folder_copied_as_is_loads_every_file_it_can(env):
    landing, db, work = env
    shutil.copytree(CORPUS / "fivetran_salesforce_seeds", landing / "salesforce/fivetran")
    # Named like OpportunityHistory, but a different table altogether.
    write(landing / "salesforce/other/Lead.csv", LEADS)
    write(landing / "salesforce/other/OpportunityHistory.csv", "region,quota\nEMEA,10\n")
    report = run_ingest(landing, db, work)
    assert [(b.batch_id, b.status) for b in report.batches] == [
        ("salesforce/fivetran", "loaded"),
        ("salesforce/other", "loaded"),
    ]
    files = {f.display.rsplit("/", 1)[1]: f for b in report.batches for f in b.files}
    # History-mode tables are versions of their base object.
    for name, obj in [
        ("sf_opportunity_history_data.csv", "opportunity"),
        ("sf_account_history_data.csv", "account"),
        ("sf_contact_history_data.csv", "contact"),
    ]:
        assert (files[name].status, files[name].object) == ("loaded", obj), files[name]
    for name in ("sf_order_data.csv", "sf_product_2_data.csv", "sf_opportunity_line_item_data.csv"):
        assert files[name].status == "ignored"
    assert files["OpportunityHistory.csv"].status == "ignored"
    assert files["OpportunityHistory.csv"].error == (
        "named like salesforce opportunity_history but carries none of its required columns "
        "(opportunity_id, created_date): a different table, skipped"
    )
    history = CORPUS / "fivetran_salesforce_seeds" / "sf_opportunity_history_data.csv"
    with duckdb.connect() as con:
        expected = con.execute(
            f"select count(*), count(distinct id), max(_fivetran_start) "
            f"from read_csv('{history}', all_varchar = true)"
        ).fetchone()
    got = query(
        db,
        "select count(*), count(distinct id), strftime(max(last_modified_date), '%Y-%m-%d %H:%M:%S') "
        "from raw.salesforce__opportunity "
        "where _source_file like '%sf_opportunity_history_data.csv'",
    )[0]
    assert got == expected  # every version, each stamped with its _fivetran_start
    assert query(db, "select count(*) from raw.salesforce__opportunity_history") == [(0,)]


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare (util-linux)")
def test_handoff_run_on_a_full_disk_ends_in_one_sentence(tmp_path):
    # The home on a 4 MB disk: the run fails where the disk fills (here dbt's parse),
    # with one sentence naming the home, not a traceback.
    landing, home = tmp_path / "landing", tmp_path / "home"
    home.mkdir()
    write(landing / "salesforce/2025-04-01/Lead.csv", LEADS)
    script = (
        'mount -t tmpfs -o size=4m tmpfs "$HOME_DIR" && '
        '"$HANDOFF" run --home "$HOME_DIR" --landing "$LANDING" --as-of 2025-02-01'
    )
    cmd = ["unshare", "--mount", "sh", "-c", script]
    if os.geteuid() != 0:
        cmd[1:1] = ["--user", "--map-root-user"]
    proc = subprocess.run(
        cmd,
        env=dict(
            os.environ,
            HOME_DIR=str(home),
            LANDING=str(landing),
            HANDOFF=str(Path(sys.executable).parent / "handoff"),
        ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "error: " in line]
    assert len(errors) == 1, proc.stderr
    assert f"error: no space left under {home}: " in errors[0]
    assert "MB free; free some and run again" in errors[0]
    # The sentence first; any detail (dbt's own message) only after it.
    before = proc.stderr[: proc.stderr.index("error: ")]
    assert "Traceback" not in before
