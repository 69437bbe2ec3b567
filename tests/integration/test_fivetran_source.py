"""Source mode (README, "Already syncing with Fivetran?"): staging reads Fivetran-synced
tables in place, on DuckDB.

- The connector fixtures of ``tests/fixtures/corpus/`` loaded into real schemas
  ``hubspot`` and ``salesforce`` of the build database (connector table names, typed
  columns): ``handoff run --source fivetran`` builds, audits and publishes.
- Known answer: the same few leads, once as export files (ingested into raw) and once
  as hand-built Fivetran tables (``property_`` columns, ``id`` keys,
  ``_fivetran_synced``, ``_fivetran_deleted``, association tables), give the same
  ``fct_handoffs`` rows, and those rows hold the figures worked out by hand below.
- A connector table lacking a required column stops the build before any model,
  with one sentence naming table and column; so does a database holding neither CRM's
  main table, while one CRM not synced reads as empty.

The leads (policy and teams as in test_sla_known_answers; as-of Friday 2025-12-05
12:00 UTC; New York is UTC-5 in November):

  A  Salesforce lead of Sam Seller (SDR - US East, America/New_York 09:00–17:00):
     MQL Friday 2025-11-21 23:30 UTC (18:30 EST, after hours) → the clock starts
     Monday 11-24 09:00 EST (14:00 UTC). Call Monday 15:15 UTC (10:15 EST) → first
     touch 75 business minutes; closed Wednesday 11-26 21:00 UTC (16:00 EST) →
     480 (Mon 09–17) + 480 (Tue) + 420 (Wed 09–16) = 1380 minutes to disposition.
  I  HubSpot contact of Hal Hubspot (HubSpot team Sales US East): MQL Monday
     2025-12-01 16:00 UTC (11:00 EST); CALL engagement 16:20 UTC → 20 minutes;
     hs_lead_status UNQUALIFIED Tuesday 15:00 UTC (10:00 EST) → 360 (Mon 11–17) +
     60 (Tue 09–10) = 420 minutes.
  S  a synced person: HubSpot contact 502 carries salesforceleadid of Salesforce
     lead S (Sam Seller's), one lead. MQL in HubSpot (lifecyclestage) Tuesday
     2025-12-02 15:00 UTC (10:00 EST; Salesforce's mirrored status is not counted
     again); Sam's call on lead S at 16:00 UTC → 60 minutes; still working, no
     disposition.
  X  a Salesforce lead the connector marks deleted (_fivetran_deleted; is_deleted
     in the files): not in the marts.

The Fivetran Lead table is in history mode (``_fivetran_start`` / ``_end`` /
``_active``) and holds A's earlier version as a row of its own: a version, not a
second lead.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from conftest import dbt_build_select
from fivetran_tables import TABLES, load_duckdb

from handoff.ingest.loader import ingest

PROJECT_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
AS_OF = "2025-12-05 12:00:00"

pytestmark = pytest.mark.slow

SELLER = "0058d000000KA01AAA"
ROLE = "00E8d000000KA01AAA"
HS_SELLER = "7001"
LEAD_A, LEAD_S, LEAD_X = "00Q8d000000KA0AAAA", "00Q8d000000KA0SAAA", "00Q8d000000KA0XAAA"
SYNCED = "2025-12-05 06:00:00"  # when the connector last synced every row


def _sf(text: str) -> str:
    return datetime.fromisoformat(text).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _csv(path: Path, header: str, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header] + [",".join(r) for r in rows]) + "\n")


# lead: (created, final status, last modified, deleted, status changes (old, new, at))
LEADS = {
    LEAD_A: (
        "2025-11-20 15:00",
        "Closed - Not Converted",
        "2025-11-26 21:00",
        False,
        [
            ("Open - Not Contacted", "Marketing Qualified", "2025-11-21 23:30"),
            ("Marketing Qualified", "Working - Contacted", "2025-11-24 15:15"),
            ("Working - Contacted", "Closed - Not Converted", "2025-11-26 21:00"),
        ],
    ),
    LEAD_S: (
        "2025-12-01 15:00",
        "Working - Contacted",
        "2025-12-02 16:00",
        False,
        [
            ("Open - Not Contacted", "Marketing Qualified", "2025-12-02 15:00"),
            ("Marketing Qualified", "Working - Contacted", "2025-12-02 16:00"),
        ],
    ),
    LEAD_X: (
        "2025-12-01 15:00",
        "Marketing Qualified",
        "2025-12-02 15:00",
        True,
        [("Open - Not Contacted", "Marketing Qualified", "2025-12-02 15:00")],
    ),
}
# task: (lead, completed at)
TASKS = [(LEAD_A, "2025-11-24 15:15"), (LEAD_S, "2025-12-02 16:00")]
# HubSpot contact: (id, created, last modified, stage, lead status, salesforce lead id)
CONTACTS = [
    ("501", "2025-12-01 14:00", "2025-12-02 15:00", "marketingqualifiedlead", "UNQUALIFIED", ""),
    ("502", "2025-12-01 15:00", "2025-12-02 15:00", "marketingqualifiedlead", "", LEAD_S),
]
HISTORY = [  # contact, property, value, at
    ("501", "lifecyclestage", "lead", "2025-12-01 14:00"),
    ("501", "lifecyclestage", "marketingqualifiedlead", "2025-12-01 16:00"),
    ("501", "hs_lead_status", "UNQUALIFIED", "2025-12-02 15:00"),
    ("502", "lifecyclestage", "lead", "2025-12-01 15:00"),
    ("502", "lifecyclestage", "marketingqualifiedlead", "2025-12-02 15:00"),
]
ENGAGEMENT = ("9001", "CALL", "2025-12-01 16:20", "501")


def write_files(landing: Path) -> None:
    """The leads as export files (Data Loader and HubSpot API layouts)."""
    sf_dir, hs_dir = landing / "salesforce" / "b1", landing / "hubspot" / "b1"
    _csv(sf_dir / "UserRole.csv", "Id,Name", [[ROLE, "SDR - US East"]])
    _csv(
        sf_dir / "User.csv",
        "Id,Email,FirstName,LastName,UserRoleId,TimeZoneSidKey,IsActive",
        [[SELLER, "sam@example.com", "Sam", "Seller", ROLE, "America/New_York", "true"]],
    )
    _csv(
        sf_dir / "Lead.csv",
        "Id,FirstName,LastName,Company,Email,Status,OwnerId,LeadSource,CreatedDate,"
        "LastModifiedDate,IsDeleted",
        [
            [lead, "Ann", "Lee", "Acme", "ann@example.com", status, SELLER, "Web"]
            + [_sf(created), _sf(modified), str(deleted).lower()]
            for lead, (created, status, modified, deleted, _) in LEADS.items()
        ],
    )
    _csv(
        sf_dir / "LeadHistory.csv",
        "Id,LeadId,Field,OldValue,NewValue,CreatedDate",
        [
            [f"017H{lead[-4:]}{n}", lead, "Status", old, new, _sf(at)]
            for lead, (*_, changes) in LEADS.items()
            for n, (old, new, at) in enumerate(changes)
        ],
    )
    _csv(
        sf_dir / "Task.csv",
        "Id,WhoId,OwnerId,Type,TaskSubtype,Status,CompletedDateTime,CreatedDate,"
        "LastModifiedDate,IsDeleted",
        [
            [f"00T{n}", lead, SELLER, "Call", "Call", "Completed", _sf(at), _sf(at), _sf(at)]
            + ["false"]
            for n, (lead, at) in enumerate(TASKS)
        ],
    )
    _csv(
        hs_dir / "owners.csv",
        "id,email,firstname,lastname,teams,archived",
        [[HS_SELLER, "hal@example.com", "Hal", "Hubspot", "Sales US East", "false"]],
    )
    _csv(
        hs_dir / "contacts.csv",
        "hs_object_id,createdate,lastmodifieddate,lifecyclestage,hs_lead_status,"
        "hubspot_owner_id,email,firstname,lastname,salesforceleadid,archived",
        [
            [cid, _sf(created), _sf(modified), stage, status, HS_SELLER]
            + [f"c{cid}@example.org", "Ivy", "Contact", sf_id, "false"]
            for cid, created, modified, stage, status, sf_id in CONTACTS
        ],
    )
    _csv(
        hs_dir / "contact_property_history.csv",
        "contact_id,property,value,timestamp",
        [[c, p, v, _sf(at)] for c, p, v, at in HISTORY],
    )
    eid, kind, at, contact = ENGAGEMENT
    _csv(
        hs_dir / "engagements.csv",
        "hs_object_id,type,hs_timestamp,hubspot_owner_id,contact_ids",
        [[eid, kind, _sf(at), HS_SELLER, contact]],
    )


def write_fivetran_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The same leads as the Fivetran connectors sync them: typed columns, Salesforce
    snake_case, HubSpot `property_` columns with `id` keys, engagements split into
    `engagement`, `engagement_call` and `engagement_contact`, `_fivetran_synced` and
    `_fivetran_deleted` on every table."""
    for schema in ("hubspot", "salesforce"):
        con.execute(f"create schema {schema}")
    meta = f"timestamp '{SYNCED}' as _fivetran_synced"
    con.execute(
        f"create table salesforce.user_role as select '{ROLE}' as id, "
        f"'SDR - US East' as name, false as _fivetran_deleted, {meta}"
    )
    con.execute(
        f"create table salesforce.user as select '{SELLER}' as id, 'sam@example.com' as email, "
        "'Sam' as first_name, 'Seller' as last_name, "
        f"'{ROLE}' as user_role_id, 'America/New_York' as time_zone_sid_key, "
        f"true as is_active, false as _fivetran_deleted, {meta}"
    )
    # Lead in history mode: each row a version valid from _fivetran_start; A's
    # earlier version (still MQL) is a row of its own
    con.execute(
        "create table salesforce.lead (id varchar, first_name varchar, last_name varchar, "
        "company varchar, email varchar, status varchar, owner_id varchar, "
        "lead_source varchar, created_date timestamp, last_modified_date timestamp, "
        "is_deleted boolean, _fivetran_deleted boolean, _fivetran_synced timestamp, "
        "_fivetran_start timestamp, _fivetran_end timestamp, _fivetran_active boolean)"
    )
    versions = [
        (LEAD_A, LEADS[LEAD_A][0], "Marketing Qualified", "2025-11-21 23:30", False, False),
        *((lead, c, s, m, d, True) for lead, (c, s, m, d, _) in LEADS.items()),
    ]
    for lead, created, status, modified, deleted, active in versions:
        end = "9999-12-31 23:59:59" if active else LEADS[lead][2]
        con.execute(
            "insert into salesforce.lead values (?, 'Ann', 'Lee', 'Acme', 'ann@example.com', "
            "?, ?, 'Web', ?, ?, false, ?, ?, ?, ?, ?)",
            [lead, status, SELLER, created, modified, deleted, SYNCED, modified, end, active],
        )
    con.execute(
        "create table salesforce.lead_history (id varchar, lead_id varchar, field varchar, "
        "old_value varchar, new_value varchar, created_date timestamp, "
        "is_deleted boolean, _fivetran_synced timestamp)"
    )
    for lead, (*_, changes) in LEADS.items():
        for n, (old, new, at) in enumerate(changes):
            con.execute(
                "insert into salesforce.lead_history values (?, ?, 'Status', ?, ?, ?, false, ?)",
                [f"017H{lead[-4:]}{n}", lead, old, new, at, SYNCED],
            )
    con.execute(
        "create table salesforce.task (id varchar, who_id varchar, owner_id varchar, "
        "type varchar, task_subtype varchar, status varchar, completed_date_time timestamp, "
        "created_date timestamp, last_modified_date timestamp, is_deleted boolean, "
        "_fivetran_synced timestamp)"
    )
    for n, (lead, at) in enumerate(TASKS):
        con.execute(
            "insert into salesforce.task values "
            "(?, ?, ?, 'Call', 'Call', 'Completed', ?, ?, ?, false, ?)",
            [f"00T{n}", lead, SELLER, at, at, at, SYNCED],
        )
    con.execute(
        f"create table hubspot.owner as select {HS_SELLER} as owner_id, "
        "'hal@example.com' as email, 'Hal' as first_name, 'Hubspot' as last_name, "
        f"'Sales US East' as teams, {meta}"
    )
    con.execute(
        "create table hubspot.contact (id bigint, property_createdate timestamp, "
        "property_lastmodifieddate timestamp, property_lifecyclestage varchar, "
        "property_hs_lead_status varchar, property_hubspot_owner_id varchar, "
        "property_email varchar, property_firstname varchar, property_lastname varchar, "
        "property_salesforceleadid varchar, _fivetran_deleted boolean, "
        "_fivetran_synced timestamp)"
    )
    for cid, created, modified, stage, status, sf_id in CONTACTS:
        con.execute(
            "insert into hubspot.contact values "
            "(?, ?, ?, ?, nullif(?, ''), ?, ?, 'Ivy', 'Contact', nullif(?, ''), false, ?)",
            [int(cid), created, modified, stage, status, HS_SELLER, f"c{cid}@example.org"]
            + [sf_id, SYNCED],
        )
    con.execute(
        "create table hubspot.contact_property_history (contact_id bigint, name varchar, "
        "value varchar, timestamp timestamp, source varchar, _fivetran_synced timestamp)"
    )
    for contact, prop, value, at in HISTORY:
        con.execute(
            "insert into hubspot.contact_property_history values (?, ?, ?, ?, 'CRM_UI', ?)",
            [int(contact), prop, value, at, SYNCED],
        )
    eid, kind, at, contact = ENGAGEMENT
    con.execute(
        f"create table hubspot.engagement as select {eid} as id, '{kind}' as type, "
        f"4703379 as portal_id, {meta}"
    )
    con.execute(
        f"create table hubspot.engagement_call as select {eid} as engagement_id, "
        f"timestamp '{at}' as property_hs_timestamp, '{HS_SELLER}' as property_hubspot_owner_id, "
        f"false as _fivetran_deleted, {meta}"
    )
    con.execute(
        f"create table hubspot.engagement_contact as select {contact} as contact_id, "
        f"{eid} as engagement_id, '{kind}' as engagement_type, {meta}"
    )


def dbt_build(home: Path, select: str, source: str) -> subprocess.CompletedProcess:
    """`dbt build` of ``select``'s models and seeds (their tests read marts outside the
    selection), the source mode ``source``."""
    variables = {"as_of": AS_OF, "handoff_source": source}
    return dbt_build_select(
        home,
        select,
        "duckdb",
        *("--resource-type", "model", "--resource-type", "seed"),
        *("--vars", json.dumps(variables)),
    )


def _handoffs(db: Path) -> tuple[list[str], list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select * from marts.fct_handoffs order by handoff_id").fetchall()
        names = [d[0] for d in con.description]
    return names, rows


def test_fivetran_tables_give_the_handoffs_of_the_same_files(tmp_path):
    files_home, fivetran_home = tmp_path / "files", tmp_path / "fivetran"
    files_home.mkdir()
    fivetran_home.mkdir()
    write_files(files_home / "landing")
    with duckdb.connect(str(files_home / "build.duckdb")) as con:
        report = ingest(files_home / "landing", con, work_dir=files_home / "work")
        assert not report.rejected, [b.error for b in report.rejected]
    with duckdb.connect(str(fivetran_home / "build.duckdb")) as con:
        write_fivetran_tables(con)
    for home, source in ((files_home, "files"), (fivetran_home, "fivetran")):
        result = dbt_build(home, "+fct_handoffs", source)
        assert result.returncode == 0, result.stdout[-4000:]

    names, from_files = _handoffs(files_home / "build.duckdb")
    assert _handoffs(fivetran_home / "build.duckdb") == (names, from_files)

    with duckdb.connect(str(fivetran_home / "build.duckdb"), read_only=True) as con:
        # the history-mode table's rows are versions: A's two, the latest in staging
        assert con.execute(
            "select status, loaded_at from staging.stg_salesforce__lead_versions "
            f"where lead_id = '{LEAD_A}' order by loaded_at"
        ).fetchall() == [
            ("Marketing Qualified", datetime(2025, 11, 21, 23, 30)),
            ("Closed - Not Converted", datetime(2025, 11, 26, 21, 0)),
        ]
        assert con.execute(
            f"select status from staging.stg_salesforce__leads where lead_id = '{LEAD_A}'"
        ).fetchall() == [("Closed - Not Converted",)]

    with duckdb.connect(str(fivetran_home / "build.duckdb"), read_only=True) as con:
        figures = con.execute(
            "select lead_id, crm, owner_id, handoff_at, business_minutes_to_first_touch, "
            "business_minutes_to_disposition from marts.fct_handoffs order by handoff_at"
        ).fetchall()
    assert figures == [
        # A: clock Monday 09:00 EST, touch 10:15 EST; closed Wednesday 16:00 EST
        (LEAD_A, "salesforce", SELLER, datetime(2025, 11, 21, 23, 30), 75, 480 + 480 + 420),
        # I: touch 16:20 UTC; UNQUALIFIED Tuesday 10:00 EST
        ("hs-501", "hubspot", HS_SELLER, datetime(2025, 12, 1, 16, 0), 20, 360 + 60),
        # S (synced with contact 502): touch an hour after the MQL, still working
        (LEAD_S, "hubspot+salesforce", SELLER, datetime(2025, 12, 2, 15, 0), 60, None),
    ]  # X, deleted by the connector, is not there


def test_the_source_contract_is_checked_before_any_model_builds(tmp_path):
    # no connector schema at all: a wrong schema, not an empty CRM
    duckdb.connect(str(tmp_path / "build.duckdb")).close()
    result = dbt_build(tmp_path, "stg_salesforce__leads", "fivetran")
    assert result.returncode != 0
    assert (
        "Source tables hubspot.contact and salesforce.lead do not exist: set the vars "
        "hubspot_schema / salesforce_schema"
    ) in result.stdout, result.stdout[-3000:]

    # Salesforce only: HubSpot reads as empty
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        load_duckdb(con, {k: v for k, v in TABLES.items() if k[0] == "salesforce"})
    result = dbt_build(tmp_path, "stg_salesforce__leads stg_hubspot__contacts", "fivetran")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "hubspot.contact does not exist; its CRM reads as empty" in result.stdout
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        assert con.execute("select count(*) from staging.stg_hubspot__contacts").fetchone() == (0,)
        assert con.execute("select count(*) from staging.stg_salesforce__leads").fetchone() == (1,)
        con.execute("drop schema staging cascade")
        load_duckdb(con)
        con.execute("alter table salesforce.lead drop column status")
    result = dbt_build(tmp_path, "stg_salesforce__leads", "fivetran")
    assert result.returncode != 0
    assert "Source table salesforce.lead lacks required column status." in result.stdout, (
        result.stdout[-3000:]
    )
    # before any model: nothing was built
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        assert not con.execute(
            "select * from duckdb_tables() where schema_name = 'staging'"
        ).fetchall()


def test_handoff_run_source_fivetran_builds_audits_and_publishes(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    with duckdb.connect(str(home / "build.duckdb")) as con:
        load_duckdb(con)
    result = subprocess.run(
        [str(BIN / "handoff"), "run", "--home", str(home), "--as-of", "2024-06-01"],
        env={**os.environ, "HANDOFF_SOURCE": "fivetran"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert "no file ingest" in result.stderr
    assert "audit passed" in result.stderr
    assert "published:" in result.stdout
    with duckdb.connect(str(home / "serving" / "handoff.duckdb"), read_only=True) as con:
        # the fixtures' 22 HubSpot contacts and 1 Salesforce lead (none synced to the other)
        assert con.execute("select count(*) from marts.dim_leads").fetchone()[0] == 23
        # 100 HubSpot owners and 10 Salesforce users
        assert con.execute("select count(*) from marts.dim_owners").fetchone()[0] == 110
    # no ledger: nothing was ingested
    with duckdb.connect(str(home / "build.duckdb"), read_only=True) as con:
        assert not con.execute("select * from duckdb_tables() where schema_name = 'raw'").fetchall()
    # `handoff status` knows the last run read the connector's tables (HANDOFF_SOURCE
    # unset): it says so, instead of "no batch has been loaded yet"
    env = {k: v for k, v in os.environ.items() if k != "HANDOFF_SOURCE"}
    status = subprocess.run(
        [str(BIN / "handoff"), "status", "--home", str(home)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert status.returncode == 0, status.stdout + status.stderr
    assert "source: fivetran, the connector's tables read in place (schemas hubspot, " in (
        status.stdout
    )
    assert f"salesforce of {home / 'build.duckdb'})" in status.stdout
    assert "no batch has been loaded yet" not in status.stdout
    assert not re.search(r"^landing:|landing /", status.stdout, re.M)
    assert "sales SLA:" in status.stdout
    assert re.search(r"last run: \S+ succeeded, as-of .*, the connector's tables", status.stdout)
