"""Ingest into PostgreSQL (README, "Running on PostgreSQL") on a real server: the raw
layer mirrored from the ingest DuckDB file (same rows, ledger and quarantine; new
columns added; nothing copied twice; a crash mid-copy leaves nothing and the next run
completes it), and `handoff run --target postgres` end to end."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import dbt_build_select
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from handoff.engines.postgres import PostgresUnreachable, connect
from handoff.ingest.loader import ingest
from handoff.ingest.publish_raw import FAULT_ENV, FAULT_EXIT, duck_raw_tables, mirror_raw
from handoff.reports import marketing_sla_review, open_breaches
from handoff.settings import Settings

pytestmark = pytest.mark.postgres

PROJECT_DIR = Path(__file__).resolve().parents[2]
HANDOFF = Path(sys.executable).parent / "handoff"

LEAD_HEADER = (
    "Id,CreatedDate,LastModifiedDate,Status,LeadSource,OwnerId,IsConverted,ConvertedDate,Email"
)
LEADS = (
    LEAD_HEADER
    + "\n00Q000000000001AAA,2025-01-06T14:03:00.000+0000,2025-01-06T14:03:00.000+0000,Open - Not Contacted,Web,005000000000001AAA,false,,a@example.com"
    + "\n00Q000000000002AAA,last tuesday,,Open - Not Contacted,Web,,false,,b@x.io"
    + '\n00Q000000000003AAA,2025-01-07T09:00:00.123+0000,2025-01-09T10:00:00.000+0000,"Closed, Converted",,005000000000001AAA,true,2025-01-09,"q""uote@example.com"\n'
)
USERS = (
    "Id,Email,FirstName,LastName,UserRoleId,TimeZoneSidKey,IsActive\n"
    "005000000000001AAA,ana@example.com,Ana,Silva,00E000000000001AAA,America/Sao_Paulo,true\n"
)
CONTACTS = (
    "hs_object_id,createdate,lifecyclestage,numemployees,email\n"
    "101,1736172180000,lead,250,c101@example.com\n"
    "102,soon,marketingqualifiedlead,many,c102@example.com\n"
)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def ingest_and_mirror(landing: Path, db: Path, work: Path) -> Any:
    with duckdb.connect(str(db)) as duck:
        ingest(landing, duck, work_dir=work)
        pg = connect()
        try:
            return mirror_raw(duck, pg)
        finally:
            pg.close()


def _sorted(rows: list[tuple]) -> list[tuple]:
    return sorted(rows, key=lambda row: [(v is None, str(v)) for v in row])


def raw_contents(db: Path) -> dict[str, list[tuple]]:
    """Every raw table (ledger and quarantine included), as sorted rows, from DuckDB
    and from PostgreSQL, selected by DuckDB's column names."""
    with duckdb.connect(str(db), read_only=True) as duck:
        tables = duck_raw_tables(duck)
        expected = {
            table: _sorted(
                duck.execute(
                    f"select {', '.join(chr(34) + c.name + chr(34) for c in cols)} "
                    f'from raw."{table}"'
                ).fetchall()
            )
            for table, cols in tables.items()
        }
    pg = connect()
    try:
        with pg.cursor() as cur:
            actual = {}
            for table, cols in tables.items():
                cur.execute(
                    f"select {', '.join(chr(34) + c.pg_name + chr(34) for c in cols)} "
                    f'from raw."{table}"'
                )
                actual[table] = _sorted(cur.fetchall())
    finally:
        pg.close()
    return {"duckdb": expected, "postgres": actual}


def pg_query(sql: str) -> list[tuple]:
    pg = connect()
    try:
        with pg.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        pg.close()


def test_connect_names_host_port_and_user_when_unreachable(monkeypatch):
    monkeypatch.setenv("HANDOFF_PG_HOST", "127.0.0.1")
    monkeypatch.setenv("HANDOFF_PG_PORT", "1")
    monkeypatch.setenv("HANDOFF_PG_USER", "nobody")
    with pytest.raises(
        PostgresUnreachable, match=r"^cannot reach PostgreSQL at 127\.0\.0\.1:1 as user nobody"
    ):
        connect()


def test_raw_layer_is_mirrored_once_and_survives_a_crash(postgres_env, tmp_path):
    landing, db, work = tmp_path / "landing", tmp_path / "ingest.duckdb", tmp_path / "work"
    write(landing / "salesforce/2025-01-10/Lead.csv", LEADS)  # one bad row (line 3)
    write(landing / "salesforce/2025-01-10/User.csv", USERS)
    write(landing / "hubspot/2025-01-10/contacts.csv", CONTACTS)  # "soon" is no timestamp: bad
    # Rejected: Lead.csv misses Status; its good User.csv must not load either.
    write(landing / "salesforce/2025-02-01/Lead.csv", "Id,CreatedDate\n00Q9,2025-02-01\n")
    write(landing / "salesforce/2025-02-01/User.csv", USERS.replace("Ana", "Bia"))

    report = ingest_and_mirror(landing, db, work)
    assert sorted(report.copied) == [
        ("hubspot/2025-01-10", "loaded"),
        ("salesforce/2025-01-10", "loaded"),
        ("salesforce/2025-02-01", "rejected"),
    ]
    assert report.rows_by_table == {
        "salesforce__lead": 2,
        "salesforce__user": 1,
        "hubspot__contacts": 1,
    }
    contents = raw_contents(db)
    assert contents["postgres"] == contents["duckdb"]
    assert pg_query("select count(*) from raw._quarantine") == [(2,)]
    assert pg_query(
        "select email, status, is_converted, converted_date, created_date "
        "from raw.salesforce__lead where id like '%3AAA'"
    ) == [
        (
            'q"uote@example.com',
            "Closed, Converted",
            True,
            date(2025, 1, 9),
            datetime(2025, 1, 7, 9, 0, 0, 123000),
        )
    ]
    assert pg_query(
        "select status, count(*) from raw._batches group by status order by status"
    ) == [("loaded", 3), ("rejected", 2)]
    types = dict(
        pg_query(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'salesforce__lead'"
        )
    )
    assert types["created_date"] == "timestamp without time zone"
    assert types["converted_date"] == "date"
    assert types["is_converted"] == "boolean"
    assert types["_source_line"] == "bigint"
    assert types["id"] == "text"
    every_table = {
        t
        for (t,) in pg_query(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        )
    }
    with duckdb.connect(str(db), read_only=True) as duck:
        assert every_table == set(duck_raw_tables(duck))

    # A rerun copies nothing twice.
    again = ingest_and_mirror(landing, db, work)
    assert again.copied == [] and again.already_there == 3
    assert raw_contents(db)["postgres"] == contents["postgres"]

    # A later batch brings a custom field: the column is added in PostgreSQL.
    write(
        landing / "salesforce/2025-03-01/Lead.csv",
        LEAD_HEADER
        + ",MQL_Reason__c\n00Q4,2025-03-01T08:00:00Z,,Open,Web,,false,,d@x.io,Webinar\n",
    )
    write(landing / "salesforce/2025-03-01/User.csv", USERS.replace("Ana", "Caio"))
    with duckdb.connect(str(db)) as duck:
        ingest(landing, duck, work_dir=work)
    # The mirror dies after copying the batch's leads, before its users and ledger.
    code = (
        "import duckdb; from handoff.engines.postgres import connect; "
        "from handoff.ingest.publish_raw import mirror_raw; "
        f"mirror_raw(duckdb.connect({str(db)!r}, read_only=True), connect())"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, FAULT_ENV: "salesforce__lead"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == FAULT_EXIT, proc.stderr
    assert pg_query("select count(*) from raw.salesforce__lead where id = '00Q4'") == [(0,)]
    assert pg_query(
        "select count(*) from raw._batches where batch_id = 'salesforce/2025-03-01'"
    ) == [(0,)]
    # The DDL (the new column) committed before any row: harmless, and kept.
    assert pg_query(
        "select count(*) from information_schema.columns "
        "where table_schema = 'raw' and table_name = 'salesforce__lead' and column_name = 'mql_reason_c'"
    ) == [(1,)]

    completed = ingest_and_mirror(landing, db, work)
    assert completed.copied == [("salesforce/2025-03-01", "loaded")]
    assert completed.rows_by_table == {"salesforce__lead": 1, "salesforce__user": 1}
    contents = raw_contents(db)
    assert contents["postgres"] == contents["duckdb"]
    assert pg_query("select mql_reason_c from raw.salesforce__lead where id = '00Q4'") == [
        ("Webinar",)
    ]


def test_a_batch_delivered_again_corrected_builds_on_postgres(postgres_env, tmp_path):
    # The same batch folder delivered twice, the second time with one lead corrected:
    # two loads of one batch, and the versions model keeps the later copy only (it
    # failed its unique test before). Built by dbt on the mirrored raw layer.
    landing, db, work = tmp_path / "landing", tmp_path / "build.duckdb", tmp_path / "work"
    lead = landing / "salesforce/2025-04-01/Lead.csv"
    row = "00Q5,2025-04-01T08:00:00Z,2025-04-01T08:00:00Z,Open,Web,,false,,e@x.io"
    write(lead, LEAD_HEADER + "\n" + row + "\n")
    ingest_and_mirror(landing, db, work)
    write(lead, LEAD_HEADER + "\n" + row.replace("01T08:00:00Z,Open", "02T09:30:00Z,Open") + "\n")
    assert ingest_and_mirror(landing, db, work).copied == [("salesforce/2025-04-01", "loaded")]
    assert pg_query("select count(*) from raw.salesforce__lead where id = '00Q5'") == [(2,)]
    build = dbt_build_select(tmp_path, "stg_salesforce__lead_versions", "postgres")
    assert build.returncode == 0, build.stdout[-3000:]
    assert pg_query(
        "select count(*), max(updated_at) from staging.stg_salesforce__lead_versions "
        "where lead_id = '00Q5'"
    ) == [(1, datetime(2025, 4, 2, 9, 30))]


def _mart_digests() -> dict[str, str]:
    """Every published mart's rows, as an order-free digest: equal digests, equal rows."""
    marts = [
        name
        for (name,) in pg_query(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "and table_name != '_publish' order by 1"
        )
    ]
    return {
        mart: pg_query(
            f"select count(*), md5(string_agg(md5(t::text), '' order by md5(t::text))) "
            f"from marts.{mart} as t"
        )[0]
        for mart in marts
    }


class _Reader(threading.Thread):
    """BI querying `marts` in a loop on its own connection while runs rebuild them."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop, self.errors, self.seen = threading.Event(), [], set()

    def run(self) -> None:
        pg = connect()
        pg.autocommit = True
        try:
            while not self.stop.is_set():
                try:
                    with pg.cursor() as cur:
                        cur.execute(
                            "select (select count(*) from marts.fct_handoffs), "
                            "(select count(*) from marts.fct_sales_sla_weekly), "
                            "(select max(publish_id) from marts._publish)"
                        )
                        self.seen.add(cur.fetchone())
                except Exception as exc:  # noqa: BLE001 — what BI would see
                    self.errors.append(str(exc).strip())
                time.sleep(0.05)
        finally:
            pg.close()


def test_handoff_run_on_postgres_end_to_end(postgres_env, tmp_path):
    landing, home = tmp_path / "landing", tmp_path / "home"
    env = {**os.environ, **postgres_env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env["HANDOFF_UNIT_TESTS"] = "1"  # dbt's unit tests on PostgreSQL too, in its build
    env.pop("HANDOFF_TARGET", None)
    gen = subprocess.run(
        [str(HANDOFF), "generate", "--out", str(landing), "--leads", "300", "--seed", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert gen.returncode == 0, gen.stderr[-3000:]

    def run(as_of: str, project: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                str(HANDOFF),
                "run",
                *("--target", "postgres"),
                *("--landing", str(landing), "--home", str(home), "--as-of", as_of),
            ],
            env={**env, **({"HANDOFF_PROJECT_DIR": str(project)} if project else {})},
            capture_output=True,
            text=True,
            timeout=900,
        )

    first = run("2026-01-01")
    assert first.returncode == 0, (first.stdout + first.stderr)[-5000:]
    assert (home / "ingest.duckdb").exists() and not (home / "build.duckdb").exists()
    # Write-audit-publish: dbt built into marts__build, the GX gate ran there through
    # its SQL engine, and the publish renamed it to marts.
    assert "audit passed" in first.stderr
    assert "published: schema marts of PostgreSQL" in first.stdout
    assert pg_query(
        "select count(*) from information_schema.schemata where schema_name = 'marts__build'"
    ) == [(0,)]
    ((publish_id, as_of),) = pg_query("select publish_id, as_of_at from marts._publish")
    assert as_of == datetime(2026, 1, 1)
    docs = home / "docs" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    assert docs.exists()
    assert "postgres_build" in docs.read_text() or any(
        "marts__fct_handoffs" in p.name for p in docs.parent.rglob("*.html")
    )

    # staging is materialized as tables (see dbt_project.yml: its tests re-scan it)
    staging = {
        name
        for (name,) in pg_query(
            "select table_name from information_schema.tables where table_schema = 'staging'"
        )
    }
    assert {"stg_hubspot__contacts", "stg_salesforce__leads"} <= staging
    assert pg_query("select count(*) > 0 from staging.stg_hubspot__contacts") == [(True,)]
    assert pg_query("select count(*) > 0 from staging.stg_salesforce__leads") == [(True,)]
    # the alignment marts build on PostgreSQL too, and reconcile with the handoffs
    for mart in (
        "dim_offers",
        "fct_offer_performance",
        "fct_channel_performance",
        "fct_offer_attribution",
        "fct_routing_fairness",
    ):
        assert pg_query(f"select count(*) > 0 from marts.{mart}") == [(True,)], mart
    # the unmapped-values report builds there too (the sample maps every value)
    assert pg_query("select count(*) from marts.rpt_unmapped_values") == [(0,)]
    # six attribution models, one total (README "Who gets the credit"); every handoff in
    # the fairness mart once; breach causes split the first-touch breaches
    assert pg_query(
        "select count(distinct attribution_model), "
        "max(revenue) - min(revenue) < 0.01 from ("
        "select attribution_model, sum(credited_revenue) as revenue "
        "from marts.fct_offer_attribution group by attribution_model) as models"
    ) == [(6, True)]
    assert pg_query(
        "select (select sum(handoffs) from marts.fct_routing_fairness) "
        "= (select count(*) from marts.fct_handoffs), "
        "(select sum(routing_breaches) + sum(rep_breaches) - sum(first_touch_breaches) "
        "from marts.fct_sales_sla_weekly)"
    ) == [(True, 0)]
    assert pg_query(
        "select (select sum(mqls) from marts.fct_channel_performance) "
        "= (select count(*) from marts.fct_handoffs), "
        "(select sum(handoffs) from marts.fct_team_capacity) "
        "= (select count(*) from marts.fct_handoffs)"
    ) == [(True, True)]
    # the statistics marts (README "Statistics") build on PostgreSQL, and their figures
    # are the reference implementations' on PostgreSQL's own counts
    for mart in ("fct_conversion_curves", "fct_inbound_vs_outbound", "fct_marketing_sla_pacing"):
        assert pg_query(f"select count(*) > 0 from marts.{mart}") == [(True,)], mart
    assert pg_query(
        "select (select sum(at_risk) from marts.fct_conversion_curves where days_since_handoff = 0) "
        "= (select count(*) from marts.fct_handoffs), "
        "(select sum(sql_events + rejection_events + censored) from marts.fct_conversion_curves) "
        "= (select count(*) from marts.fct_handoffs)"
    ) == [(True, True)]
    for successes, trials, low, high in pg_query(
        "select sqls_in_window, handoffs, mql_to_sql_rate_ci_low, mql_to_sql_rate_ci_high "
        "from marts.fct_funnel_cohorts"
    ):
        assert (low, high) == pytest.approx(
            proportion_confint(successes, trials, method="wilson"), abs=1e-12
        )
    tested = pg_query(
        "select inbound_sqls, inbound_mqls, outbound_sqls, outbound_mqls, p_value "
        "from marts.fct_inbound_vs_outbound where p_value is not null"
    )
    assert tested
    for inbound_sqls, inbound_mqls, outbound_sqls, outbound_mqls, p_value in tested:
        _, expected = proportions_ztest(
            [inbound_sqls, outbound_sqls], [inbound_mqls, outbound_mqls]
        )
        assert p_value == pytest.approx(expected, rel=1e-12, abs=1e-15)
    with duckdb.connect(str(home / "ingest.duckdb"), read_only=True) as duck:
        loads = duck.execute(
            "select count(distinct (batch_id, loaded_at)) from raw._batches"
        ).fetchone()
    assert pg_query("select count(distinct (batch_id, loaded_at)) from raw._batches") == [loads]

    # A bad stage-mapping seed row fails the next run (its dbt tests, in marts__build)
    # and leaves marts exactly as they were; a good run then replaces them. A reader
    # querying marts all along never sees a missing or half-built table.
    before = _mart_digests()
    assert len(before) >= 15
    project = tmp_path / "project"
    for part in ("models", "macros", "seeds", "snapshots", "tests/dbt", "profiles"):
        if (PROJECT_DIR / part).exists():
            shutil.copytree(PROJECT_DIR / part, project / part)
    shutil.copy(PROJECT_DIR / "dbt_project.yml", project / "dbt_project.yml")
    with open(project / "seeds" / "lifecycle_stage_map.csv", "a") as fh:
        fh.write("salesforce,Status,Zombie,undead\n")  # not a canonical stage
    reader = _Reader()
    reader.start()
    try:
        failed = run("2026-01-01", project)
        assert failed.returncode != 0
        assert "lifecycle_stage_map" in failed.stdout + failed.stderr
        assert "marts unchanged: schema marts of PostgreSQL" in failed.stdout
        assert _mart_digests() == before  # row for row
        second = run("2026-01-08")
        assert second.returncode == 0, (second.stdout + second.stderr)[-5000:]
    finally:
        reader.stop.set()
        reader.join(timeout=30)
    assert reader.errors == []
    publishes = {seen[2] for seen in reader.seen}
    assert publish_id in publishes and len(publishes) == 2  # the old, then the new
    ((new_as_of,),) = pg_query("select as_of_at from marts._publish")
    assert new_as_of == datetime(2026, 1, 8)
    assert _mart_digests() != before

    # The reviews read the published marts of PostgreSQL (no serving file there).
    settings = dataclasses.replace(
        Settings.from_env(), home=home, target="postgres", as_of=datetime(2026, 1, 8)
    )
    names, breaches = open_breaches(settings)
    assert "breach_type" in names
    assert len(breaches) == pg_query("select count(*) from marts.rpt_open_sla_breaches")[0][0]
    review = marketing_sla_review(settings, progress=lambda _line: None)
    assert review.rows > 0 and review.path.exists()
    assert review.summary.startswith("marketing SLA 2026-W01: ")  # the week of 2025-12-29
