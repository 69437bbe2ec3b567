"""What BI sees when a run goes wrong (README: the bad-input table, Publishing): a bad
seed row fails the run and leaves the serving copy byte-identical; two SLA policies
for one segment and day fail it with a sentence naming both rows; a run killed
mid-build leaves serving intact and the next run completes without duplicates; a run
killed right after the publish swap leaves the serving file, the Parquet set and
publish.json agreeing with each other."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
from conftest import SAMPLE_AS_OF, copy_home, project_copy

HANDOFF = str(Path(sys.executable).parent / "handoff")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_bad_seed_rows_fail_the_run_with_their_sentences_and_serving_stays_byte_identical(
    built_sample, tmp_path
):
    # Two seed mistakes in one run: a stage map row naming no canonical stage, and two
    # SLA policies for one segment and day (named by both rows, as the run goes and in
    # the error it ends with).
    project = project_copy(tmp_path)
    with open(project / "seeds" / "lifecycle_stage_map.csv", "a") as fh:
        fh.write("salesforce,Status,Zombie,undead\n")  # not a canonical stage
    with open(project / "seeds" / "sla_policy.csv", "a") as fh:
        fh.write("P1,*,2025-01-01,50,0.60,4,2,30\nP7,*,2025-01-01,40,0.60,2,2,30\n")
    home = copy_home(built_sample.home, tmp_path / "home")
    serving = home / "serving" / "handoff.duckdb"
    before = sha256(serving)
    proc = subprocess.run(
        [
            HANDOFF,
            "run",
            "--landing",
            str(built_sample.landing),
            "--home",
            str(home),
            "--as-of",
            SAMPLE_AS_OF,
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "HANDOFF_PROJECT_DIR": str(project)},
    )
    assert proc.returncode != 0
    assert "lifecycle_stage_map" in proc.stdout + proc.stderr
    sentence = "sla_policy rows P1 (line 3) and P7 (line 4) both apply to segment * from 2025-01-01"
    progress, _, error = proc.stderr.partition("\nerror: ")
    assert f"dbt: problem: {sentence}" in progress  # as the run goes
    assert "sla_policy_is_sound: failed" in error
    assert f"problem: {sentence}" in error  # and in the error the run ends with
    assert "serving copy unchanged" in proc.stdout + proc.stderr
    # no SLA figures from a build that failed half-way (and was not published)
    assert "marketing SLA:" not in proc.stdout and "sales SLA:" not in proc.stdout
    assert sha256(serving) == before


def test_a_run_killed_mid_build_leaves_serving_intact_and_the_next_run_recovers(
    built_sample, tmp_path
):
    landing = tmp_path / "landing"
    shutil.copytree(built_sample.landing, landing)
    late = landing / "salesforce" / "2026-01-15"
    late.mkdir()
    (late / "Lead.csv").write_text(
        "Id,CreatedDate,LastModifiedDate,Status,LeadSource,OwnerId,IsConverted,Email\n"
        "00Q9z000000LATE1AAA,2026-01-14T10:00:00.000+0000,2026-01-14T10:00:00.000+0000,"
        "Open - Not Contacted,Web,,false,late@example.com\n"
    )
    home = copy_home(built_sample.home, tmp_path / "home")
    serving = home / "serving" / "handoff.duckdb"
    before = sha256(serving)
    with duckdb.connect(str(home / "build.duckdb"), read_only=True) as con:
        leads_before = con.execute("select count(*) from raw.salesforce__lead").fetchone()[0]

    args = [
        HANDOFF,
        "run",
        "--landing",
        str(landing),
        "--home",
        str(home),
        "--as-of",
        "2026-01-20T00:00:00Z",
    ]
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    killed = False
    deadline = time.monotonic() + 900
    assert proc.stdout is not None
    for line in proc.stdout:
        if "dbt: " in line and "OK created" in line:  # dbt is writing models
            os.killpg(proc.pid, signal.SIGKILL)
            killed = True
            break
        assert time.monotonic() < deadline, "dbt never started"
    proc.wait(timeout=60)
    assert killed and proc.returncode != 0
    assert sha256(serving) == before  # BI still reads the last good copy

    again = subprocess.run(args, capture_output=True, text=True, timeout=1800)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-3000:]
    assert "published:" in again.stdout
    with duckdb.connect(str(home / "build.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.salesforce__lead").fetchone()[0] == (
            leads_before + 1
        )
        assert (
            con.execute(
                "select count(*) from raw._batches where batch_id = 'salesforce/2026-01-15'"
            ).fetchone()[0]
            == 1
        )
    with duckdb.connect(str(serving), read_only=True) as con:
        assert (
            con.execute(
                "select count(*) from marts.dim_leads where salesforce_lead_id = '00Q9z000000LATE1AAA'"
            ).fetchone()[0]
            == 1
        )


def published_state(home: Path) -> dict:
    """What each path BI reads says it holds: the serving file, every
    serving/parquet/<mart>.parquet and serving/publish.json."""
    serving = home / "serving"
    record = json.loads((serving / "publish.json").read_text())
    with duckdb.connect(str(serving / "handoff.duckdb"), read_only=True) as con:
        columns = {
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_name = '_publish'"
            ).fetchall()
        }
        publish_id, as_of = con.execute(
            f"select {'publish_id' if 'publish_id' in columns else 'null'}, as_of_at from _publish"
        ).fetchone()
        marts = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        rows = {m: con.execute(f"select count(*) from marts.{m}").fetchone()[0] for m in marts}
        parquet_rows, parquet_ids = {}, set()
        for path in sorted((serving / "parquet").glob("*.parquet")):
            parquet_rows[path.stem] = con.execute(f"select count(*) from '{path}'").fetchone()[0]
            kv = dict(
                con.execute(f"select key, value from parquet_kv_metadata('{path}')").fetchall()
            )
            parquet_ids.add(kv.get(b"publish_id", b"").decode() or None)
    return {
        "serving": {"publish_id": publish_id, "as_of": as_of.isoformat(sep=" "), "rows": rows},
        "publish.json": {
            "publish_id": record.get("publish_id"),
            "as_of": record["as_of"],
            "rows": record["marts"],
        },
        "parquet": {"publish_ids": parquet_ids, "rows": parquet_rows},
    }


def assert_agree(state: dict) -> str:
    """The serving file, publish.json and the Parquet set hold one publish; its id."""
    serving, record, parquet = state["serving"], state["publish.json"], state["parquet"]
    assert serving["as_of"] == record["as_of"], state
    assert serving["rows"] == record["rows"] == parquet["rows"], state
    assert serving["publish_id"] and {serving["publish_id"]} == {record["publish_id"]}, state
    assert parquet["publish_ids"] == {serving["publish_id"]}, state
    return serving["publish_id"]


def test_a_publish_killed_right_after_its_swap_leaves_serving_and_parquet_agreeing(
    built_sample, tmp_path
):
    home = copy_home(built_sample.home, tmp_path / "home")
    serving = home / "serving"
    first = published_state(home)["serving"]["publish_id"]

    def publish(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [HANDOFF, "publish", "--home", str(home), *args],
            capture_output=True,
            text=True,
            timeout=900,
            env={**os.environ, **(env or {})},
        )

    # Republish at another as-of, and die just after the serving file was swapped in.
    killed = publish(
        "--as-of", "2026-01-02T00:00:00Z", env={"HANDOFF_FAULT_DURING_PUBLISH": "swapped"}
    )
    assert killed.returncode != 0
    state = published_state(home)
    assert state["serving"]["as_of"] == "2026-01-02 00:00:00"  # the new publish is in
    second = assert_agree(state)  # … and the Parquet set and publish.json with it
    assert second != first
    # the old publish is still on disk (the clean-up never ran), but nothing names it
    assert {p.name for p in serving.glob("publish-*")} == {f"publish-{first}", f"publish-{second}"}

    again = publish()
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-3000:]
    state = published_state(home)
    assert state["serving"]["as_of"] == SAMPLE_AS_OF.replace("T", " ").removesuffix("Z")
    third = assert_agree(state)
    assert third not in (first, second)
    assert [p.name for p in serving.glob("publish-*")] == [f"publish-{third}"]
    assert os.readlink(serving / "current") == f"publish-{third}"
    assert not list(serving.glob(".*.tmp*"))
