"""Schedules, the new-batch sensor and the Monday/Wednesday reviews; the alert
webhook, reachable or not, and its secrets kept out of errors and logs."""

from __future__ import annotations

import csv
import json
import shutil
import socket
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from conftest import copy_home

AS_OF = "2026-01-07 09:00:00"  # a Wednesday


@pytest.fixture(scope="module")
def defs():
    from handoff.dbt import prepare_manifest
    from handoff.settings import Settings

    prepare_manifest()
    from orchestration.definitions import build_defs

    return build_defs(Settings.from_env())


def test_definitions_load_with_the_schedules_and_the_sensor(defs):
    assert {s.name: s.cron_schedule for s in defs.schedules} == {
        "daily_pipeline": "0 6 * * *",
        "monday_marketing_sla_review": "0 7 * * 1",
        "wednesday_disposition_check": "0 10 * * 3",
    }
    assert [s.name for s in defs.sensors] == ["new_batch_sensor"]
    for job in ("handoff_pipeline", "marketing_sla_review", "disposition_check"):
        assert defs.resolve_job_def(job) is not None
    graph = defs.resolve_asset_graph()
    publish = graph.get(dg.AssetKey(["publish"]))
    assert any(k.path[-1] == "fct_handoffs" for k in publish.parent_keys)
    checks = {(c.asset_key.path[-1], c.name) for c in graph.asset_check_keys}
    assert ("fct_handoffs", "gx_suite") in checks
    # the raw contract has one home, the ingest: no second copy as a GX check on raw
    assert not any(name == "gx_contract" for _, name in checks)


def test_schedules_fix_the_runs_as_of(defs):
    from datetime import UTC, datetime

    schedule = next(s for s in defs.schedules if s.name == "wednesday_disposition_check")
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 1, 7, 10, tzinfo=UTC)
    )
    request = schedule.evaluate_tick(context).run_requests[0]
    assert request.run_config["resources"]["handoff"]["config"]["as_of"] == "2026-01-07 10:00:00"


def test_the_sensor_requests_a_run_for_a_new_batch_only(defs, tmp_path, monkeypatch):
    from orchestration.defs.schedules import new_batch_sensor

    landing = tmp_path / "landing"
    (landing / "hubspot" / "2025-06-30").mkdir(parents=True)
    (landing / "hubspot" / "2025-06-30" / "contacts.csv").write_text("hs_object_id\n1\n")
    monkeypatch.setenv("HANDOFF_LANDING", str(landing))
    monkeypatch.setenv("HANDOFF_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HANDOFF_SENSOR_SETTLE_SECONDS", "0")

    first = new_batch_sensor(dg.build_sensor_context())
    assert isinstance(first, dg.RunRequest)
    assert first.tags["handoff/new_batches"] == "hubspot/2025-06-30"
    cursor = json.dumps(["hubspot/2025-06-30"])

    unchanged = new_batch_sensor(dg.build_sensor_context(cursor=cursor))
    assert isinstance(unchanged, dg.SkipReason)

    (landing / "salesforce").mkdir()
    (landing / "salesforce" / "2025-07-07.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    second = new_batch_sensor(dg.build_sensor_context(cursor=cursor))
    assert isinstance(second, dg.RunRequest)
    assert second.tags["handoff/new_batches"] == "salesforce/2025-07-07.zip"
    assert second.run_key != first.run_key

    # A batch still being copied waits for its files to settle.
    monkeypatch.setenv("HANDOFF_SENSOR_SETTLE_SECONDS", "3600")
    assert isinstance(new_batch_sensor(dg.build_sensor_context(cursor=cursor)), dg.SkipReason)


@pytest.fixture(scope="module")
def published(built_sample, tmp_path_factory) -> Path:
    """A home whose pipeline ran (and published) once on the sample: a copy of the
    session's built sample, as the reviews write their reports into the home."""
    return copy_home(built_sample.home, tmp_path_factory.mktemp("schedules") / "home")


def _materialize(asset, home: Path, monkeypatch) -> dg.ExecuteInProcessResult:
    from orchestration.lib.resources import HandoffSettings

    monkeypatch.setenv("HANDOFF_HOME", str(home))
    monkeypatch.delenv("HANDOFF_AS_OF", raising=False)
    result = dg.materialize(
        [asset], resources={"handoff": HandoffSettings(as_of=AS_OF)}, raise_on_error=False
    )
    assert result.success, [
        e.step_failure_data.error.to_string() for e in result.all_events if e.is_step_failure
    ]
    return result


def test_monday_review_writes_the_latest_weeks(published, monkeypatch):
    from orchestration.defs.reports import marketing_sla_report

    _materialize(marketing_sla_report, published, monkeypatch)
    # The review judges the marts' last complete week (`is_week_complete`), not one
    # it works out from its own clock: the sample's marts were judged at Thu
    # 2026-01-01 00:00, so their last complete week is Mon 2025-12-22 (ISO 2025-W52)
    # although the review runs on Wed 2026-01-07, when 2025-12-29 has ended too.
    report = published / "reports" / "marketing_sla_2025-W52.csv"
    assert report.exists(), sorted(p.name for p in (published / "reports").iterdir())
    with open(report) as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {"week_start_date", "delivered_mqls", "is_met"} <= set(rows[0])
    # the four weeks up to it, every one complete
    assert sorted({r["week_start_date"] for r in rows}) == [
        "2025-12-01",
        "2025-12-08",
        "2025-12-15",
        "2025-12-22",
    ]
    assert {r["is_week_complete"] for r in rows} == {"True"}


class _Hook(BaseHTTPRequestHandler):
    bodies: list = []

    def do_POST(self):  # noqa: N802
        length = int(self.headers["Content-Length"])
        _Hook.bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_wednesday_check_posts_the_open_breaches(published, monkeypatch):
    from orchestration.defs.reports import open_sla_breach_alert

    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("HANDOFF_ALERT_WEBHOOK", f"http://127.0.0.1:{server.server_port}/x")
        _materialize(open_sla_breach_alert, published, monkeypatch)
    finally:
        server.shutdown()
    with duckdb.connect(str(published / "serving" / "handoff.duckdb"), read_only=True) as con:
        expected = con.execute("select count(*) from marts.rpt_open_sla_breaches").fetchone()[0]
        ids = {
            r[0]
            for r in con.execute("select handoff_id from marts.rpt_open_sla_breaches").fetchall()
        }
    assert len(_Hook.bodies) == 1
    body = _Hook.bodies[0]
    assert body["as_of"].startswith("2026-01-07T09:00")
    assert body["count"] == expected == len(body["breaches"])
    assert {b["handoff_id"] for b in body["breaches"]} == ids
    assert (published / "reports" / "open_sla_breaches_2026-01-07.csv").exists()
    shutil.rmtree(published / "reports")


def test_a_webhook_that_is_down_fails_the_alert_without_leaking_its_secrets(
    published, monkeypatch, capfd
):
    from handoff.pipeline import instance_config
    from orchestration.defs.reports import open_sla_breach_alert
    from orchestration.lib.resources import HandoffSettings

    # The home's own Dagster instance (SQLite under <home>/dagster), as `handoff run` uses.
    dagster_home = published / "dagster"
    dagster_home.mkdir(exist_ok=True)
    (dagster_home / "dagster.yaml").write_text(instance_config(dagster_home))
    monkeypatch.setenv("HANDOFF_HOME", str(published))
    monkeypatch.delenv("HANDOFF_AS_OF", raising=False)
    secrets = ("SECRET123", "hookuser", "PASSWORD789", "FRAGMENT456")
    closed = socket.socket()  # bound, never listening: connections are refused
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    monkeypatch.setenv(
        "HANDOFF_ALERT_WEBHOOK",
        f"http://hookuser:PASSWORD789@127.0.0.1:{port}/hook?token=SECRET123#FRAGMENT456",
    )
    try:
        with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
            result = dg.materialize(
                [open_sla_breach_alert],
                resources={"handoff": HandoffSettings(as_of=AS_OF)},
                instance=instance,
                raise_on_error=False,
            )
    finally:
        closed.close()
    assert not result.success
    errors = "\n".join(
        e.step_failure_data.error.to_string() for e in result.all_events if e.is_step_failure
    )
    # It tried 127.0.0.1 itself (the credentials went to a header, not into the host
    # name) and says where, without the secrets.
    assert f"could not POST the open breaches to http://127.0.0.1:{port}/hook: " in errors
    assert "Connection refused" in errors
    out, err = capfd.readouterr()
    stored = b"".join(p.read_bytes() for p in published.rglob("*") if p.is_file())
    assert b"could not POST the open breaches to http://127.0.0.1:" in stored  # the run's log
    for secret in secrets:
        assert secret not in errors
        assert secret not in out + err
        assert secret.encode() not in stored, secret
    shutil.rmtree(published / "reports")
    shutil.rmtree(dagster_home)


def test_a_scheduled_run_shows_in_status(built_sample, tmp_path, monkeypatch):
    """A run of a pipeline job that the CLI did not start (as the daemon runs a
    schedule's: the job of the code location, the schedule's run config, the home's
    instance) leaves its record in runs.jsonl, and `handoff status` shows it. Only the
    ingest step runs (a subset of the job, its hooks included): seconds, not a build."""
    from handoff.pipeline import ensure_instance
    from handoff.settings import Settings
    from handoff.status import render_status
    from orchestration.definitions import build_defs
    from orchestration.defs.schedules import as_of_config

    home = copy_home(built_sample.home, tmp_path / "home")
    landing = tmp_path / "landing"
    # A batch whose Lead file lacks a required column (Status): rejected, so the run
    # fails as the CLI's would (README, "The command line").
    (landing / "salesforce" / "2026-01-05").mkdir(parents=True)
    (landing / "salesforce" / "2026-01-05" / "Lead.csv").write_text(
        "Id,CreatedDate\n00Q000000000099AAA,2025-01-01\n"
    )
    monkeypatch.setenv("HANDOFF_HOME", str(home))
    monkeypatch.setenv("HANDOFF_LANDING", str(landing))
    monkeypatch.delenv("HANDOFF_AS_OF", raising=False)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    settings = Settings.from_env()
    records_before = (home / "runs.jsonl").read_text().splitlines()
    job = build_defs(settings).resolve_job_def("handoff_pipeline")
    ingest = [k for k in job.asset_layer.selected_asset_keys if k.path[0] == "raw"]
    with dg.DagsterInstance.from_config(ensure_instance(settings)) as instance:
        result = job.execute_in_process(
            instance=instance,
            run_config=as_of_config(datetime(2026, 1, 7, 6, tzinfo=UTC)),
            asset_selection=ingest,
            raise_on_error=False,
        )
    assert result.success
    records = (home / "runs.jsonl").read_text().splitlines()
    assert records[:-1] == records_before  # one record more, the CLI's kept
    record = json.loads(records[-1])
    assert record["run_id"] == result.run_id
    assert record["as_of"] == "2026-01-07 06:00:00"  # the schedule's
    assert record["landing"] == str(landing)
    assert record["batches_rejected"] == ["salesforce/2026-01-05"]
    assert (record["success"], record["pipeline_succeeded"]) == (False, True)
    text, ok = render_status(settings)
    assert not ok
    last_run = text.split("last run: ", 1)[1]
    assert last_run.startswith(f"{record['finished_at']} FAILED (1 batch(es) rejected: ")
    assert "as-of 2026-01-07 06:00:00" in last_run and f"landing {landing}" in last_run
