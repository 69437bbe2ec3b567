"""Source mode on PostgreSQL (README, "Already syncing with Fivetran?"): the connector
fixtures of ``tests/fixtures/corpus/`` loaded into real schemas ``hubspot`` and
``salesforce`` (connector table names, typed columns), then ``handoff run --target
postgres --source fivetran`` builds into ``marts__build``, audits there (the raw
bounds read the connector's tables) and publishes ``marts``, with no file ingest."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fivetran_tables import load_postgres

from handoff.audit import _PgQueries, raw_bounds
from handoff.engines.postgres import connect
from handoff.settings import Settings

pytestmark = pytest.mark.postgres

BIN = Path(sys.executable).parent


def pg_query(sql: str) -> list[tuple]:
    with connect() as pg, pg.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def test_handoff_run_source_fivetran_on_postgres(postgres_env, tmp_path):
    with connect() as pg:
        load_postgres(pg)
    home = tmp_path / "home"
    env = {**os.environ, **postgres_env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.pop("HANDOFF_TARGET", None)
    result = subprocess.run(
        [str(BIN / "handoff"), "run", "--target", "postgres", "--source", "fivetran"]
        + ["--home", str(home), "--as-of", "2024-06-01"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    assert "no file ingest" in result.stderr
    assert "audit passed" in result.stderr
    assert "published: schema marts of PostgreSQL" in result.stdout
    assert not (home / "ingest.duckdb").exists()  # no ingest, no ledger
    assert pg_query(
        "select count(*) from information_schema.schemata where schema_name in ('raw', 'marts__build')"
    ) == [(0,)]
    # the fixtures' 22 HubSpot contacts and 1 Salesforce lead; 100 owners and 10 users
    assert pg_query("select count(*) from marts.dim_leads") == [(23,)]
    assert pg_query("select count(*) from marts.dim_owners") == [(110,)]
    # the gate's row-count bounds come from the connector's tables: distinct people
    # 22 HubSpot contacts + 1 lead + 4 Salesforce contacts = 27; owners 100 + 10 = 110
    settings = Settings.from_env(home=home, target="postgres", source="fivetran")
    with connect() as pg:
        assert raw_bounds(_PgQueries(pg), settings) == {"people": 27, "owners": 110}


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "dbt-package"


def test_the_example_dbt_package_project_builds_the_marts_on_postgres(postgres_env, tmp_path):
    """examples/dbt-package, a user's dbt project that installs handoff through
    packages.yml (`local:`), sets the vars and replaces one seed: `dbt deps`, `dbt
    seed` (the project's own seed, which handoff's models read) and `dbt build
    --select package:handoff` give the marts in schema marts, without the handoff
    CLI."""
    with connect() as pg:
        load_postgres(pg)
    project = tmp_path / "project"
    shutil.copytree(EXAMPLE, project)
    # the copy installs this checkout, as ../.. does from examples/dbt-package
    packages = (project / "packages.yml").read_text()
    assert "local: ../..\n" in packages
    (project / "packages.yml").write_text(
        packages.replace("local: ../..\n", f"local: {EXAMPLE.parents[1]}\n")
    )
    env = {**os.environ, **postgres_env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    for key in ("HANDOFF_HOME", "HANDOFF_PROJECT_DIR", "HANDOFF_TARGET"):
        env.pop(key, None)

    def dbt(*command: str) -> str:
        target = [] if "deps" in command else ["--target-path", str(tmp_path / "target")]
        result = subprocess.run(
            [str(BIN / "dbt"), *command, "--profiles-dir", str(project), *target]
            + ["--log-path", str(tmp_path / "logs")],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stdout[-5000:]
        return result.stdout

    dbt("deps")
    dbt("seed")
    dbt("build", "-s", "package:handoff")
    # `--select +package:handoff`, the README's other way, takes the project's seed
    # along (handoff's models read it) and not the package's disabled one
    listed = dbt("--quiet", "ls", "-s", "+package:handoff", "--resource-type", "seed")
    seeds = listed.split()
    assert "my_crm_analytics.lifecycle_stage_map" in seeds
    assert "handoff.lifecycle_stage_map" not in seeds
    # the fixtures' 22 HubSpot contacts and 1 Salesforce lead
    assert pg_query("select count(*) from marts.dim_leads") == [(23,)]
    # the fixture lead's status `Converted`, which handoff's own seed does not map,
    # is mapped by the project's seed: nothing unmapped
    assert pg_query("select count(*) from marts.rpt_unmapped_values") == [(0,)]
    assert pg_query(
        "select count(*) from information_schema.tables "
        "where table_schema = 'analytics' and table_name = 'lifecycle_stage_map'"
    ) == [(1,)]
