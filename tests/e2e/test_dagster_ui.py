"""`handoff dagster` (and `make dagster`): the real Dagster UI server on a home the
pipeline ran on. Its code location loads — with the four jobs, the schedules and the
sensor — and its instance is the one `handoff run` recorded into, so the CLI's run
shows there. Asked over the webserver's own GraphQL API."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import _free_port, stop_process_group

HANDOFF = str(Path(sys.executable).parent / "handoff")

QUERY = """
{
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        locationOrLoadError {
          __typename
          ... on PythonError { message }
          ... on RepositoryLocation {
            repositories { name jobs { name } schedules { name } sensors { name } }
          }
        }
      }
    }
  }
  runsOrError { ... on Runs { results { jobName status } } }
}
"""


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["data"]


def test_the_ui_loads_the_code_location_and_shows_the_clis_runs(built_sample, tmp_path) -> None:
    # The whole home, the Dagster instance included (the shared build is read-only).
    home = tmp_path / "home"
    shutil.copytree(built_sample.home, home, ignore=shutil.ignore_patterns("build.lock"))
    port = _free_port()
    # A PATH without the environment's bin: the UI must find dbt anyway.
    env = {**os.environ, "PATH": "/usr/bin:/bin"}
    env.pop("DAGSTER_HOME", None)
    log = open(tmp_path / "dagster.log", "w")  # noqa: SIM115 — closed below
    server = subprocess.Popen(
        [HANDOFF, "dagster", "--home", str(home), "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        data, deadline = None, time.monotonic() + 180
        while time.monotonic() < deadline:
            assert server.poll() is None, (tmp_path / "dagster.log").read_text()[-3000:]
            try:
                data = graphql(port, QUERY)
                entries = data["workspaceOrError"]["locationEntries"]
                if entries and entries[0]["locationOrLoadError"]:
                    break
            except OSError:
                pass
            time.sleep(1)
        assert data, "the Dagster UI never answered: " + (tmp_path / "dagster.log").read_text()
        (entry,) = data["workspaceOrError"]["locationEntries"]
        location = entry["locationOrLoadError"]
        assert location["__typename"] == "RepositoryLocation", location
        (repository,) = location["repositories"]
        jobs = {job["name"] for job in repository["jobs"]}
        assert {
            "handoff_pipeline",
            "marketing_sla_review",
            "disposition_check",
            "audit_and_publish",
        } <= jobs
        assert {s["name"] for s in repository["schedules"]} == {
            "daily_pipeline",
            "monday_marketing_sla_review",
            "wednesday_disposition_check",
        }
        assert [s["name"] for s in repository["sensors"]] == ["new_batch_sensor"]
        # The run `handoff run` made on this home is in the instance the UI reads.
        runs = data["runsOrError"]["results"]
        assert {"jobName": "handoff_pipeline", "status": "SUCCESS"} in runs, runs
        assert (home / "dagster" / "dagster.yaml").exists()
    finally:
        stop_process_group(server, timeout=60)
        log.close()
