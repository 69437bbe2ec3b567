"""The sample generator: determinism, native layouts that resolve through the contract,
and the dynamics the marts are meant to show (docs/definitions.md, "The sample")."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from handoff.contract import object_for_file, objects, snake_case
from handoff.generate import EXTRA_COLUMNS, generate

HUBSPOT_FILES = {
    "owners.csv",
    "engagements.csv",
    "form_submissions.jsonl",
    "deals.csv",
    "companies.csv",
    "contact_property_history.csv",
}
SALESFORCE_FILES = {
    "Lead.csv",
    "LeadHistory.csv",
    "User.csv",
    "UserRole.csv",
    "Task.csv.gz",
    "Event.csv",
    "Opportunity.csv",
    "OpportunityHistory.csv",
    "Contact.csv",
    "Account.csv",
    "Campaign.csv",
    "CampaignMember.csv",
}


def _digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def _header(path: Path) -> list[str]:
    if path.name.endswith(".jsonl"):
        with open(path) as fh:
            line = fh.readline()
        return list(json.loads(line)) if line else []
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", newline="") as fh:  # type: ignore[operator]
        return next(csv.reader(fh))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("small")
    return out, generate(out, leads=400, seed=7)


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("medium")
    return out, generate(out, leads=2000, seed=42)


def test_same_arguments_give_identical_files(small: tuple[Path, dict], tmp_path: Path) -> None:
    out, summary = small
    again = generate(tmp_path / "again", leads=400, seed=7)
    assert _digests(out) == _digests(tmp_path / "again")
    assert summary == again
    assert any(name.endswith(".csv.gz") for name in _digests(out))


def test_other_seed_gives_other_files(small: tuple[Path, dict], tmp_path: Path) -> None:
    out, _ = small
    generate(tmp_path / "other", leads=400, seed=8)
    first, other = _digests(out), _digests(tmp_path / "other")
    assert first.keys() == other.keys()
    changed = [f for f in first if first[f] != other[f]]
    assert any("Lead.csv" in f for f in changed)
    assert any("contacts" in f for f in changed)


def test_layout_batches_and_sample_json(small: tuple[Path, dict]) -> None:
    out, summary = small
    sample = json.loads((out / "_sample.json").read_text())
    assert sample["extracted_at"] == "2026-01-01T00:00:00Z"
    assert summary["extracted_at"] == sample["extracted_at"]
    names = [b["batch"] for b in sample["batches"]]
    assert names == ["2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31"]
    for crm, expected in (("hubspot", HUBSPOT_FILES), ("salesforce", SALESFORCE_FILES)):
        batches = sorted(p.name for p in (out / crm).iterdir())
        assert batches == names
        for i, batch in enumerate(batches):
            files = {p.name for p in (out / crm / batch).iterdir()}
            if crm == "hubspot":
                contacts = (
                    f"hubspot-crm-exports-all-contacts-{batch}.csv" if i == 0 else "contacts.csv"
                )
                assert files == expected | {contacts}
            else:
                assert files == expected
    assert summary["activities"] > 7 * 400  # ~10 per lead
    assert set(summary["rows"]) <= set(summary["files"])


def test_every_header_resolves_through_the_contract(small: tuple[Path, dict]) -> None:
    out, _ = small
    contract = objects()
    seen_objects = set()
    for crm in ("hubspot", "salesforce"):
        for path in sorted((out / crm).rglob("*.*")):
            obj = object_for_file(crm, path.name)
            assert obj is not None, path
            spec = contract[(crm, obj)]
            seen_objects.add((crm, obj))
            header = _header(path)
            if not header:  # an empty JSONL batch
                continue
            extras = {snake_case(e) for e in EXTRA_COLUMNS.get((crm, obj), set())}
            mapped = [spec.canonical(h) for h in header]
            assert len(set(mapped)) == len(mapped), (path, mapped)
            unknown = {m for m in mapped if m not in spec.columns}
            assert unknown <= extras, (path, unknown)
            missing = set(spec.required) - set(mapped)
            assert not missing, (path, missing)
    assert seen_objects == set(contract)


def test_ui_batch_uses_labels_and_owner_names(small: tuple[Path, dict]) -> None:
    out, _ = small
    ui = out / "hubspot" / "2025-03-31" / "hubspot-crm-exports-all-contacts-2025-03-31.csv"
    header = _header(ui)
    for label in (
        "Record ID",
        "Create Date",
        "Lifecycle Stage",
        "Became a Marketing Qualified Lead Date",
        "Contact owner",
        "Original Source",
        "Salesforce Lead ID",
        "Number of times contacted",
    ):
        assert label in header
    spec = objects()[("hubspot", "contacts")]
    assert spec.canonical("Contact owner") == "hubspot_owner_name"
    owners = {
        f"{r['firstname']} {r['lastname']}"
        for r in _rows(out / "hubspot" / "2025-03-31" / "owners.csv")
    }
    rows = _rows(ui)
    names = {r["Contact owner"] for r in rows if r["Contact owner"]}
    assert names and names <= owners
    assert all(len(r["Create Date"]) == 16 for r in rows)  # YYYY-MM-DD HH:MM
    api = _rows(out / "hubspot" / "2025-06-30" / "contacts.csv")
    assert api and all(r["createdate"].endswith("Z") for r in api)
    assert all(r["lastmodifieddate"].isdigit() for r in api)  # epoch milliseconds
    lead = _rows(out / "salesforce" / "2025-06-30" / "Lead.csv")
    assert all(r["CreatedDate"].endswith(".000+0000") for r in lead)
    assert all(len(r["Id"]) == 18 and r["Id"].startswith("00Q") for r in lead)
    assert all(len(r["ConvertedDate"]) == 10 for r in lead if r["ConvertedDate"])


@pytest.fixture(scope="module")
def db(medium: tuple[Path, dict]) -> duckdb.DuckDBPyConnection:
    """The medium sample read back: latest state per record, all history rows."""
    out, _ = medium
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")

    def files(crm: str, pattern: str) -> str:
        return "[" + ", ".join(f"'{p}'" for p in sorted((out / crm).glob(f"*/{pattern}"))) + "]"

    def read(crm: str, pattern: str) -> str:
        return f"read_csv({files(crm, pattern)}, all_varchar = true, filename = true)"

    con.execute(
        f"""create view lead as
        select * from {read("salesforce", "Lead.csv")}
        qualify row_number() over (partition by "Id" order by filename desc) = 1"""
    )
    con.execute(
        f"create view lead_history as select * from {read('salesforce', 'LeadHistory.csv')}"
    )
    con.execute(f"create view lead_all as select * from {read('salesforce', 'Lead.csv')}")
    con.execute(f"create view contacts as select * from {read('hubspot', 'contacts.csv')}")
    con.execute(
        f"create view property_history as select * from {read('hubspot', 'contact_property_history.csv')}"
    )
    con.execute(
        f"create view task as select * from read_csv({files('salesforce', 'Task.csv.gz')}, all_varchar = true)"
    )
    return con


def test_synced_contacts_point_at_leads_with_the_same_email(db: duckdb.DuckDBPyConnection) -> None:
    (synced,) = db.execute(
        """
        select count(distinct c.hs_object_id)
        from contacts as c join lead as l on l."Id" = c.salesforceleadid
        where lower(c.email) = lower(l."Email")
        """
    ).fetchone()
    (contacts,) = db.execute("select count(distinct hs_object_id) from contacts").fetchone()
    assert synced > 0.2 * contacts


def _handoff_conversion(db: duckdb.DuckDBPyConnection, group: str) -> dict[str, float]:
    """Per group: share of Salesforce leads that reached Sales Qualified after Marketing
    Qualified (first handoff), from the latest Lead snapshot and LeadHistory."""
    rows = db.execute(
        f"""
        with mql as (
            select "LeadId" as lead_id from lead_history
            where "Field" = 'Status' and "NewValue" = 'Marketing Qualified'
            union select "Id" from lead where "Status" <> 'Open - Not Contacted'
        ),
        sql as (
            select distinct "LeadId" as lead_id from lead_history
            where "Field" = 'Status' and "NewValue" = 'Sales Qualified'
        )
        select {group} as grp, avg((sql.lead_id is not null)::int) as rate, count(*) as n
        from lead join mql on mql.lead_id = lead."Id"
        left join sql on sql.lead_id = lead."Id"
        where "CreatedDate" < '2025-11'
        group by grp
        """
    ).fetchall()
    return {g: r for g, r, _ in rows}


def test_inbound_converts_better_than_outbound(db: duckdb.DuckDBPyConnection) -> None:
    rates = _handoff_conversion(
        db,
        "case when \"LeadSource\" in ('Cold Call', 'Purchased List', 'Outbound Prospecting') "
        "then 'outbound' else 'inbound' end",
    )
    assert 0.28 <= rates["inbound"] <= 0.55
    assert 0.05 <= rates["outbound"] <= 0.2
    assert rates["inbound"] > 2 * rates["outbound"]


def test_good_fit_converts_better(db: duckdb.DuckDBPyConnection) -> None:
    good = (
        "(\"Industry\" in ('Software', 'SaaS', 'Financial Services'))::int"
        ' + ("NumberOfEmployees"::int between 50 and 1000)::int'
        " + (\"Country\" in ('United States', 'United Kingdom', 'Brazil', 'Germany'))::int"
        " + regexp_matches(\"Title\", 'Head|VP|Director|Manager')::int >= 3"
    )
    rates = _handoff_conversion(db, f"case when {good} then 'good' else 'poor' end")
    assert rates["good"] > 1.5 * rates["poor"]


def test_outbound_leads_get_more_touches(db: duckdb.DuckDBPyConnection) -> None:
    rows = dict(
        db.execute(
            """
            select "LeadSource" in ('Cold Call', 'Purchased List', 'Outbound Prospecting'),
                count(t."Id") / count(distinct l."Id")
            from lead as l join task as t on t."WhoId" = l."Id"
            where t."TaskSubtype" = 'Call'
            group by 1
            """
        ).fetchall()
    )
    assert rows[True] > 2 * rows[False]


def test_recycles_and_re_mqls_exist(db: duckdb.DuckDBPyConnection) -> None:
    (sf_remql,) = db.execute(
        """
        select count(*) from (
            select "LeadId" from lead_history
            where "Field" = 'Status' and "OldValue" = 'Recycled' and "NewValue" = 'Marketing Qualified'
        )
        """
    ).fetchone()
    assert sf_remql > 5
    (hs_remql,) = db.execute(
        """
        select count(*) from (
            select contact_id, value,
                lag(value) over (partition by contact_id order by timestamp) as previous
            from property_history where property = 'lifecyclestage'
        ) where value = 'marketingqualifiedlead' and previous = 'lead'
        """
    ).fetchone()
    assert hs_remql > 5
    (bad_timing,) = db.execute(
        "select count(*) from property_history where property = 'hs_lead_status' and value = 'BAD_TIMING'"
    ).fetchone()
    assert bad_timing > 5


def test_deletions_are_redelivered(db: duckdb.DuckDBPyConnection) -> None:
    (deleted,) = db.execute(
        """select count(*) from lead_all where "IsDeleted" = 'true'
           and "Id" in (select "Id" from lead_all where "IsDeleted" = 'false')"""
    ).fetchone()
    (archived,) = db.execute("select count(*) from contacts where archived = 'true'").fetchone()
    assert deleted + archived >= 3


def test_mqls_arrive_weekly_around_target_some_on_weekends(db: duckdb.DuckDBPyConnection) -> None:
    weekly = db.execute(
        """
        select date_trunc('week', timestamp::timestamptz) as week, count(*) as n
        from property_history
        where property = 'lifecyclestage' and value = 'marketingqualifiedlead'
        group by week
        """
    ).fetchall()
    weekend = db.execute(
        """
        select avg((isodow(timestamp::timestamptz) >= 6)::int)
        from property_history
        where property = 'lifecyclestage' and value = 'marketingqualifiedlead'
        """
    ).fetchone()[0]
    assert 0.03 < weekend < 0.3
    counts = sorted(n for _, n in weekly)
    # HubSpot carries ~70 % of the MQLs; the target is 25 a week at 2000 leads.
    assert 12 < counts[len(counts) // 2] < 25
    assert counts[0] < 0.6 * counts[len(counts) // 2]  # holiday / summer weeks dip
