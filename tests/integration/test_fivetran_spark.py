"""Source mode on Spark (README, "Already syncing with Fivetran?"): the connector
fixtures of ``tests/fixtures/corpus/`` loaded as typed Parquet tables of the Spark
databases ``hubspot`` and ``salesforce`` (connector table names), then ``handoff run
--target spark --source fivetran`` builds into ``marts__build``, audits there (the raw
bounds and the personal-data scan's lead names read the connector's tables in Spark)
and publishes the views of ``marts``, with no file ingest.

One Spark build (minutes), without dbt's unit tests as every `handoff run` (they
are SQL-only checks of the models, which test_spark.py's build runs on Spark)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fivetran_tables import load_spark
from test_spark import SMALL_DATA

from handoff.engines.spark import query as spark_query

pytestmark = [pytest.mark.spark, pytest.mark.slow]

PROJECT_DIR = Path(__file__).resolve().parents[2]
HANDOFF = Path(sys.executable).parent / "handoff"
# A made-up full name given to one fixture contact (the fixtures' names are hashed),
# so that the name scan has a lead's name to find in a mart.
NAMED = (
    "update hubspot.contact set property_firstname = 'Ana', "
    "property_lastname = 'Quaresma' where id = 78971951"
)


def test_handoff_run_source_fivetran_on_spark(
    spark_available: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in SMALL_DATA.items():
        monkeypatch.setenv(key, value)
    home = tmp_path / "home"
    load_spark(home, tmp_path / "parquet", changes=(NAMED,))
    env = {
        **os.environ,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    env.pop("HANDOFF_TARGET", None)
    result = subprocess.run(
        [str(HANDOFF), "run", "--target", "spark", "--source", "fivetran"]
        + ["--home", str(home), "--as-of", "2024-06-01"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "no file ingest" in output
    assert "audit passed" in output
    assert "published: the views of schema marts in Spark" in output, output[-3000:]
    assert not (home / "ingest.duckdb").exists()  # no ingest, no ledger
    # the gate's row-count bounds came from the connector's tables in Spark: distinct
    # people 22 HubSpot contacts + 1 lead + 4 Salesforce contacts = 27; owners 100 + 10
    validations = home / "docs" / "gx" / "uncommitted" / "validations"
    checked = "\n".join(p.read_text() for p in validations.rglob("*.json"))
    assert "at most one row per raw lead/contact record (27)" in checked
    assert "at most one row per raw owner/user record (110)" in checked

    spark = spark_query(
        home,
        {
            "leads": "select count(*) from marts.dim_leads",
            "owners": "select count(*) from marts.dim_owners",
            "schemas": "show databases",
        },
    )
    # the fixtures' 22 HubSpot contacts and 1 Salesforce lead; 100 owners and 10 users
    assert spark["leads"] == [[23]]
    assert spark["owners"] == [[110]]
    assert ["raw"] not in spark["schemas"]

    gate = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("spark_source_gate.py"))] + ["Quaresma, Ana"],
        cwd=PROJECT_DIR,
        env={
            **env,
            "HANDOFF_HOME": str(home),
            "HANDOFF_TARGET": "spark",
            "HANDOFF_SOURCE": "fivetran",
            "HANDOFF_AS_OF": "2024-06-01",
        },
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert gate.returncode == 0, gate.stderr[-4000:]
    seen = json.loads(gate.stdout.strip().splitlines()[-1])
    assert seen["bounds"] == {"people": 27, "owners": 110}
    # each canonical column read from the connector column that spells it, quoted
    # for Spark
    relation, columns = seen["layout"]["hubspot__contacts"]
    assert relation == "`hubspot`.`contact`"
    assert columns["firstname"] == "`property_firstname`"
    assert seen["layout"]["salesforce__lead"][0] == "`salesforce`.`lead`"
    # the lead's name, copied out of Spark's hubspot.contact, is found in the probe
    assert seen["findings"] == [
        {"table": "marts.dim_probe", "column": "label", "kind": "a lead's name", "rows": 1}
    ]
