"""The CLI end to end: real generate, real ingest, real Dagster run, real dbt build."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
from conftest import copy_home, full_parses

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


def test_run_twice_is_idempotent(built_sample, tmp_path):
    first = built_sample.run  # the session's first run of this sample
    assert "build database:" in first.stdout
    assert "rejected" in first.stdout
    assert "FutureWarning" not in first.stderr  # no pyspark noise on a DuckDB run
    # The sample's one dbt warning is explained, not just counted.
    warnings = [line for line in first.stdout.splitlines() if line.startswith("dbt warning")]
    assert len(warnings) == 1, first.stdout
    assert warnings[0].startswith(
        "dbt warning (not blocking): staging/stg_salesforce__lead_history "
        "relationships_stg_salesforce__lead_history_lead_id__lead_id__ref_stg_salesforce__leads_: "
    )
    assert warnings[0].endswith(
        " row(s): rows that point at a lead the extracts do not hold (deleted since, or never "
        "extracted): kept and reported, they block nothing"
    )
    sample = built_sample.landing
    home = copy_home(built_sample.home, tmp_path / "home")
    counts = raw_counts(home / "build.duckdb")
    assert counts["salesforce__lead"] > 0 and counts["hubspot__contacts"] > 0
    assert counts["_batches"] > 0
    with duckdb.connect(str(home / "build.duckdb"), read_only=True) as con:
        staged = con.execute("select count(*) from staging.stg_salesforce__leads").fetchone()[0]
        raw_ids = con.execute("select count(distinct id) from raw.salesforce__lead").fetchone()[0]
    assert 0 < staged <= raw_ids  # latest version only, deleted leads gone

    parses_before = full_parses(home)
    second = handoff("run", "--landing", str(sample), "--home", str(home), "--as-of", AS_OF)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "already loaded" in second.stderr
    # the same code as the build it reruns: the incremental models are not rebuilt in
    # full (tests/e2e/test_upgrade.py changes a model and sees that they are)
    assert "changed since this home's last build" not in second.stdout + second.stderr
    assert raw_counts(home / "build.duckdb") == counts
    # dbt's artifacts live in the home, and the rerun parsed the project once: the
    # copy moved the home (the profile's path changed), so its first parse is full,
    # and the build and the docs reuse it (the same vars every time).
    assert (home / "target" / "duckdb" / "manifest.json").exists()
    assert full_parses(home) == parses_before + 1

    # dbt docs open on the project's own overview page, not dbt's "Welcome".
    docs = json.loads((home / "docs" / "manifest.json").read_text())["docs"]
    overview = docs["doc.handoff.__overview__"]["block_contents"]
    assert "handoff — the marketing–sales agreement" in overview

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


def _bad_deliveries(landing: Path) -> dict[str, str]:
    """Every kind of bad delivery at once, beside the sample's good batches: what each
    one's sentence in the run's output must say."""
    sf, hs = landing / "salesforce", landing / "hubspot"
    lead_header = "Id,CreatedDate,LastModifiedDate,Status,Email\n"
    lead = "00Q{n:015d},2025-01-06T10:00:00Z,2025-01-06T10:00:00Z,Open,l{n}@example.com\n"
    # A missing required column.
    (sf / "9999-12-31").mkdir()
    (sf / "9999-12-31" / "Lead.csv").write_text("Id,CreatedDate\n00Q000000000099AAA,2025-01-01\n")
    # Not a zip; a truncated gzip; a corrupt Parquet page; a zip that expands too far.
    (sf / "9999-12-30.zip").write_text("not a zip\n")
    body = (lead_header + "".join(lead.format(n=n) for n in range(20_000))).encode()
    (sf / "9999-12-29").mkdir()
    (sf / "9999-12-29" / "Lead.csv.gz").write_bytes(gzip.compress(body)[:20_000])
    parquet = landing.parent / "contacts.parquet"
    with duckdb.connect() as con:
        con.execute(
            "copy (select 'c' || range as hs_object_id, '2025-01-06' as createdate, "
            f"md5(range::varchar) as note from range(50000)) to '{parquet}' (format parquet)"
        )
    data = bytearray(parquet.read_bytes())
    data[len(data) // 3 : len(data) // 3 + 400] = bytes(400)
    (hs / "9999-12-28").mkdir()
    (hs / "9999-12-28" / "contacts.parquet").write_bytes(bytes(data))
    with zipfile.ZipFile(sf / "9999-12-27.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Lead.csv", lead_header + lead.format(n=1) * 200_000)
    # An Excel workbook, a file outside a batch, a folder of no CRM.
    (sf / "9999-12-26").mkdir()
    (sf / "9999-12-26" / "Lead.xlsx").write_bytes(b"PK\x03\x04")
    (sf / "Lead.csv").write_text(lead_header + lead.format(n=2))
    (landing / "pipedrive").mkdir()
    (landing / "pipedrive" / "deals.csv").write_text("id\n1\n")
    # Good deliveries with traps: a glob in the folder name, a multi-line field.
    (sf / "9999-1*").mkdir()
    (sf / "9999-1*" / "Lead.csv").write_text(lead_header + lead.format(n=3))
    (sf / "9999-12-25").mkdir()
    (sf / "9999-12-25" / "Lead.csv").write_text(
        "Id,CreatedDate,Status,Description\n"
        '00Q000000000000004,2025-01-06T10:00:00Z,Open,"two\nlines"\n'
        "00Q000000000000005,not a date,Open,x\n"
    )
    # JSON ids as numbers and as strings; a header whose quoted name holds semicolons.
    (hs / "9999-12-24").mkdir()
    (hs / "9999-12-24" / "form_submissions.jsonl").write_text(
        '{"contact_id": 99001, "form_id": "f1", "submitted_at": "2025-01-06T10:00:00Z"}\n'
        '{"contact_id": "99002", "form_id": "f1", "submitted_at": "2025-01-06T11:00:00Z"}\n'
    )
    (sf / "9999-12-24").mkdir()
    (sf / "9999-12-24" / "UserRole.csv").write_text(
        'Id,Name,"Desk; floor; wing; site"\n00E000000000099AAA,SDR - EMEA,"4; 2; B; LIS"\n'
    )
    return {
        "salesforce/9999-12-31": "salesforce/9999-12-31/Lead.csv: required column 'status'",
        "salesforce/9999-12-30": "salesforce/9999-12-30.zip: cannot be read as a zip",
        "salesforce/9999-12-29": "salesforce/9999-12-29/Lead.csv.gz: cannot be read as csv",
        "hubspot/9999-12-28": "hubspot/9999-12-28/contacts.parquet: cannot be read as parquet",
        "salesforce/9999-12-27": "salesforce/9999-12-27.zip: would expand from",
        "salesforce/9999-12-26": "salesforce/9999-12-26/Lead.xlsx: an Excel workbook is not read",
        "salesforce/Lead.csv": "not read: salesforce/Lead.csv: a file outside a batch folder",
        "pipedrive/": "not read: pipedrive/: not a CRM handoff reads",
    }


def test_a_landing_of_bad_deliveries_fails_the_run_but_every_good_batch_is_built(
    built_sample, tmp_path
):
    # New deliveries to a home built before: each bad one is named in one sentence,
    # every good one loads, the marts are built and published, the run exits 1.
    landing = tmp_path / "landing"
    shutil.copytree(built_sample.landing, landing)
    expected = _bad_deliveries(landing)
    home = copy_home(built_sample.home, tmp_path / "home")
    before = json.loads((home / "serving" / "publish.json").read_text())["published_at"]
    proc = handoff("run", "--landing", str(landing), "--home", str(home), "--as-of", AS_OF)
    assert proc.returncode == 1
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out
    for sentence in expected.values():
        assert sentence in out, sentence
    rejected = [b for b in expected if not b.endswith((".csv", "/"))]
    assert f"{len(rejected)} batch(es) were rejected" in proc.stderr
    for batch in rejected:
        assert batch in proc.stderr.splitlines()[-2]
    with duckdb.connect(str(home / "build.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from staging.stg_salesforce__leads").fetchone()[0] > 0
        assert con.execute(
            "select count(*) from raw.salesforce__lead where _batch_id like 'salesforce/9999-12-%'"
            " and _batch_id <> 'salesforce/9999-12-25'"
        ).fetchone() == (0,)
        assert con.execute(
            "select _source_file, count(*) from raw.salesforce__lead "
            "where _batch_id in ('salesforce/9999-1*', 'salesforce/9999-12-25') group by 1 order by 1"
        ).fetchall() == [("salesforce/9999-1*/Lead.csv", 1), ("salesforce/9999-12-25/Lead.csv", 1)]
        assert con.execute(
            "select line_number from raw._quarantine where batch_id = 'salesforce/9999-12-25'"
        ).fetchall() == [(4,)]
        assert con.execute(
            "select contact_id from raw.hubspot__form_submissions "
            "where _batch_id = 'hubspot/9999-12-24' order by 1"
        ).fetchall() == [("99001",), ("99002",)]
        assert con.execute(
            "select id from raw.salesforce__user_role where _batch_id = 'salesforce/9999-12-24'"
        ).fetchall() == [("00E000000000099AAA",)]
    after = json.loads((home / "serving" / "publish.json").read_text())["published_at"]
    assert after > before  # the good batches were published
    status = handoff("status", "--home", str(home))
    assert status.returncode == 1
    assert "rejected" in status.stdout
    assert "salesforce/Lead.csv: a file outside a batch folder" in status.stdout
    # The run exited 1: status says it failed, and names the landing it used.
    assert f"landing: {landing} (the last run's)" in status.stdout
    last_run = next(line for line in status.stdout.splitlines() if line.startswith("last run:"))
    assert f"FAILED ({len(rejected)} batch(es) rejected: " in last_run


def test_errors_are_one_sentence(tmp_path):
    proc = handoff("run", "--landing", str(tmp_path / "nowhere"), "--home", str(tmp_path / "h"))
    assert proc.returncode != 0
    assert "does not exist" in proc.stderr
    bad = handoff(
        "run", "--home", str(tmp_path / "h"), "--as-of", "last tuesday", "--landing", str(tmp_path)
    )
    assert bad.returncode != 0
    assert "--as-of 'last tuesday' is not an ISO 8601 date or timestamp" in bad.stderr


def _one_sentence(proc: subprocess.CompletedProcess, sentence: str) -> None:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr.startswith(f"error: {sentence}"), proc.stderr
    assert "Traceback" not in proc.stderr


def test_user_errors_are_one_sentence_before_any_work(tmp_path):
    home = tmp_path / "h"
    # A target the profile lacks: said before the sample is generated.
    _one_sentence(
        handoff("run", "--home", str(home), "--target", "nosuch"),
        "--target 'nosuch' is not a target of profiles/profiles.yml (one of: duckdb, postgres, spark)",
    )
    assert not home.exists()
    # A PostgreSQL server that is not there: the first line, not line 124.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    unreachable = handoff(
        "run",
        "--home",
        str(home),
        "--target",
        "postgres",
        env={"HANDOFF_PG_HOST": "127.0.0.1", "HANDOFF_PG_PORT": str(port)},
    )
    _one_sentence(unreachable, f"cannot reach PostgreSQL at 127.0.0.1:{port} as user ")
    assert not home.exists()
    # --out that is a file.
    (tmp_path / "a-file").write_text("x")
    _one_sentence(
        handoff("generate", "--out", str(tmp_path / "a-file"), "--leads", "10"),
        f"--out {tmp_path / 'a-file'} is a file",
    )
    # An empty landing: nothing to load, nothing built or published.
    empty = tmp_path / "empty"
    (empty / "salesforce").mkdir(parents=True)
    _one_sentence(
        handoff("run", "--landing", str(empty), "--home", str(home)),
        f"there is nothing to load in {empty}",
    )
    assert not (home / "serving").exists()
    # status: a target the profile lacks, a home that does not exist.
    _one_sentence(
        handoff("status", "--home", str(home), "--target", "nosuch"),
        "--target 'nosuch' is not a target",
    )
    _one_sentence(
        handoff("status", "--home", str(tmp_path / "nowhere")),
        f"there is no handoff home at {tmp_path / 'nowhere'}",
    )
