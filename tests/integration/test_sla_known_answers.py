"""The SLA marts against answers computed by hand (README "Business time", "Who lost
the time").

Tiny Salesforce (Data Loader layout) and HubSpot (API names) batches are written as
CSV files, `handoff run` ingests them and builds every model, and each figure of
`marts.fct_handoffs`, `fct_marketing_sla_weekly`, `fct_sales_sla_weekly` and
`rpt_open_sla_breaches` is compared with the value worked out below from the
design's rules — not with the models' own output.

Policy: the seeded `default` row — 4 business hours to first touch, 2 business days
to disposition, 30-day conversion window, 50 MQLs a week, 60 % good fit.
Teams (seeds): `Sales US East` = America/New_York 09:00–17:00, US holidays; the
`default` team = UTC 09:00–17:00, no holidays. New York is UTC-5 (EST) except
2025-03-09 … 2025-11-02 (EDT, UTC-4). All times below are UTC unless marked.

People
  * Sam Seller (Salesforce user, role `SDR - US East` → crm_team_map → Sales US
    East, sdr): owns every Salesforce lead but E.
  * Mary Marketer (Salesforce user, role `Marketing` → team marketing): her call
    on F is no sales touch.
  * Hal Hubspot (HubSpot owner 7001 in HubSpot team `Sales US East` → sdr): owns I.
  * E sits in a Salesforce queue (00G…): no owner → team `default`.

Handoffs (lead entering mql); as-of = Friday 2025-12-05 12:00 UTC
  A  Friday 2025-11-21 18:30 EST (23:30): clock Monday 11-24 09:00 EST (14:00);
     first-touch deadline 13:00 EST (18:00); disposition deadline Wednesday 11-26
     17:00 EST (22:00). A seller call before the MQL (11-21 15:00) does not count;
     touch Monday 10:15 EST (15:15) → 75 min; disqualified Wednesday 16:00 EST
     (21:00) → 480 + 480 + 420 = 1380 min. No breach.
  B  Wednesday 2025-11-26 15:00 EST (20:00), the day before Thanksgiving (US
     holiday Thursday 11-27): clock at once; 2 h on Wednesday + 2 h on Friday →
     first-touch deadline Friday 11-28 11:00 EST (16:00); disposition deadline:
     Friday is business day 1, Monday 12-01 day 2 → 17:00 EST (22:00). Touch
     Friday 11:30 EST (16:30) → 120 + 150 = 270 min: breached by 30 min. No
     disposition, deadline passed → breached, open.
  C  Friday 2025-03-07 16:00 EST (21:00), the week US clocks change (Sunday
     03-09): 1 h on Friday + 3 h on Monday 03-10 (EDT, window 13:00–21:00 UTC) →
     first-touch deadline Monday 12:00 EDT (16:00); disposition deadline Tuesday
     03-11 17:00 EDT (21:00). Touch Monday 09:30 EDT (13:30) → 60 + 30 = 90 min;
     sql Wednesday 03-12 10:00 EDT (14:00) → 60 + 480 + 480 + 60 = 1080 min: late,
     disposition breached.
  D  recycle then re-MQL: two handoffs.
     #1 Monday 2025-11-03 10:00 EST (15:00): deadlines 14:00 EST (19:00) and
        Wednesday 11-05 (22:00); touch 11:00 EST (16:00) → 60 min; recycled Tuesday
        10:00 EST (15:00) → 420 + 60 = 480 min. No breach.
     #2 Monday 2025-11-17 09:30 EST (14:30): deadlines 13:30 EST (18:30) and
        Wednesday 11-19 (22:00); touch 15:00 EST (20:00) → 330 min, breached; sql
        Tuesday 09:00 EST (14:00) → 450 + 0 = 450 min, in time.
  E  no owner (queue) → team default, UTC: Saturday 2025-11-29 10:00 → clock
     Monday 12-01 09:00; deadlines 13:00 and Wednesday 12-03 17:00. A seller's
     call Monday 12:00 → 180 min; no disposition → breached, open.
  F  Tuesday 2025-12-02 14:00 EST (19:00): 3 h on Tuesday + 1 h → first-touch
     deadline Wednesday 10:00 EST (15:00); disposition deadline Thursday 12-04
     17:00 EST (22:00). The marketer's call at 19:30 does not count; the seller's
     call Wednesday 11:00 EST (16:00) → 180 + 120 = 300 min, breached. No
     disposition → breached, open.
  G  Wednesday 2025-12-03 09:00 EST (14:00), never touched: first-touch deadline
     13:00 EST (18:00) passed → breached; disposition deadline Friday 12-05 17:00
     EST (22:00) is after the as-of → not breached, due within 24 h. A seller
     call at 12-05 15:00 (after the as-of) is not known yet.
  H  Thursday 2025-12-04 10:00 EST (15:00), touched in time and qualified: touch
     10:04 EST (15:04) → 4 min; sql 16:00 EST (21:00) → 360 min; deadlines 19:00
     and Monday 12-08 17:00 EST (22:00). No breach.
  I  HubSpot contact (not synced), Monday 2025-12-01 11:00 EST (16:00): deadlines
     15:00 EST (20:00) and Wednesday 12-03 (22:00); CALL engagement 11:20 EST
     (16:20) → 20 min; hs_lead_status UNQUALIFIED Tuesday 10:00 EST (15:00) →
     360 + 60 = 420 min. No breach. HubSpot's own figures: owner assigned at
     16:00, `hs_time_to_first_engagement` 1 200 000 ms → 20.0 minutes.

Who lost the time (assignment): a seller holds A–D and F–I from the handoff (no
owner history: the current owner, a seller; I's owner-assigned date is the
handoff) → assigned_at = handoff_at, 0 minutes to assignment, the rest of the
wait is the rep's; every first-touch breach among them (B, D #2, F, G) is `rep`.
E sits in the queue (never assigned): not breached, no cause. In the week of
2025-10-20 (EDT, UTC-4: window 13:00–21:00 UTC), Sam Seller again; each owner
change is two LeadHistory rows, ids then names (the name rows must be ignored):
  J  MQL Tuesday 10-21 14:00, owner queue → Mary Marketer at that instant, →
     Sam Seller at 20:00 (6 business hours later, 2 after the first-touch deadline
     18:00): assigned_at 20:00, 360 min to assignment. Touch Wednesday 13:30 →
     420 + 30 = 450 min, of which 60 + 30 = 90 after the assignment: breached,
     cause `routing`. Disqualified Wednesday 15:00 → 420 + 120 = 540 min, in time
     (deadline Thursday 10-23 21:00).
  K  MQL Tuesday 10-21 15:00, queue → Sam Seller at that instant: assigned at
     once (0 min). Touch Wednesday 14:00 → 360 + 60 = 420 min (deadline Tuesday
     19:00): breached, cause `rep`. sql Wednesday 16:00 → 360 + 180 = 540 min.
  L  MQL Thursday 10-23 13:00 (the window's opening), queue → Sam Seller at that
     instant, reassigned to Sue Second (also SDR - US East) at 15:00: the owner
     and assigned_at stay Sam's at 13:00 (0 min). Sue touches Friday 13:30 →
     480 + 30 = 510 min (deadline Thursday 17:00): breached, cause `rep`; recycled
     Friday 14:00 → 540 min, in time (deadline Monday 10-27 21:00).

Fit (seeds/fit_rules: Software, 50–1000 employees, United States, a Head/VP/
Director/Manager title, a point each; A = 4, B = 3): A, D, F tier A; C, H tier B;
B, E, G, I, J, K, L tier D.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
HANDOFF = Path(sys.executable).parent / "handoff"
AS_OF = "2025-12-05T12:00:00Z"
AS_OF_AT = datetime(2025, 12, 5, 12, 0)

pytestmark = pytest.mark.slow

SELLER = "0058d000000KA01AAA"
MARKETER = "0058d000000KA02AAA"
SELLER_2 = "0058d000000KA03AAA"
QUEUE = "00G8d000000KA01AAA"
HS_SELLER = "7001"
LEADS = {key: f"00Q8d000000KA0{key}AA" for key in "ABCDEFGHJKL"}
CONTACT_I = "501"


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def sf(text: str) -> str:
    """A UTC time in Salesforce's Data Loader format."""
    return ts(text).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def hs(text: str) -> str:
    return ts(text).strftime("%Y-%m-%dT%H:%M:%SZ")


def csv(path: Path, header: str, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [header] + [",".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n")


# lead: created, owner, source, industry, employees, country, title, final status,
# status changes (old → new at time)
SALESFORCE_LEADS = {
    "A": (
        "2025-11-20 15:00",
        SELLER,
        "Web",
        "Software",
        "200",
        "United States",
        "Director of IT",
        [
            ("Open - Not Contacted", "Marketing Qualified", "2025-11-21 23:30"),
            ("Marketing Qualified", "Working - Contacted", "2025-11-24 15:15"),
            ("Working - Contacted", "Closed - Not Converted", "2025-11-26 21:00"),
        ],
    ),
    "B": (
        "2025-11-25 15:00",
        SELLER,
        "Web",
        "Retail",
        "10",
        "France",
        "Engineer",
        [
            ("Open - Not Contacted", "Marketing Qualified", "2025-11-26 20:00"),
            ("Marketing Qualified", "Working - Contacted", "2025-11-28 16:30"),
        ],
    ),
    "C": (
        "2025-03-05 15:00",
        SELLER,
        "Web",
        "Software",
        "200",
        "United States",
        "Engineer",
        [
            ("Open - Not Contacted", "Marketing Qualified", "2025-03-07 21:00"),
            ("Marketing Qualified", "Sales Qualified", "2025-03-12 14:00"),
        ],
    ),
    "D": (
        "2025-10-30 15:00",
        SELLER,
        "Web",
        "Software",
        "200",
        "United States",
        "VP Operations",
        [
            ("Open - Not Contacted", "Marketing Qualified", "2025-11-03 15:00"),
            ("Marketing Qualified", "Working - Contacted", "2025-11-03 16:00"),
            ("Working - Contacted", "Recycled", "2025-11-04 15:00"),
            ("Recycled", "Marketing Qualified", "2025-11-17 14:30"),
            ("Marketing Qualified", "Sales Qualified", "2025-11-18 14:00"),
        ],
    ),
    "E": (
        "2025-11-28 10:00",
        QUEUE,
        "Web",
        "Retail",
        "10",
        "United States",
        "Engineer",
        [("Open - Not Contacted", "Marketing Qualified", "2025-11-29 10:00")],
    ),
    "F": (
        "2025-12-01 15:00",
        SELLER,
        "Web",
        "Software",
        "200",
        "United States",
        "VP Sales",
        [
            ("Open - Not Contacted", "Marketing Qualified", "2025-12-02 19:00"),
            ("Marketing Qualified", "Working - Contacted", "2025-12-03 16:00"),
        ],
    ),
    "G": (
        "2025-12-02 15:00",
        SELLER,
        "Cold Call",
        "Retail",
        "10",
        "France",
        "Engineer",
        [("Open - Not Contacted", "Marketing Qualified", "2025-12-03 14:00")],
    ),
    "H": (
        "2025-12-03 15:00",
        SELLER,
        "Web",
        "Software",
        "200",
        "United States",
        "Engineer",
        [
            ("Open - Not Contacted", "Marketing Qualified", "2025-12-04 15:00"),
            ("Marketing Qualified", "Sales Qualified", "2025-12-04 21:00"),
        ],
    ),
    "J": (
        "2025-10-20 14:00",
        SELLER,
        "Web",
        "Retail",
        "10",
        "France",
        "Engineer",
        [
            ("Open - Not Contacted", "Marketing Qualified", "2025-10-21 14:00"),
            ("Marketing Qualified", "Working - Contacted", "2025-10-22 13:30"),
            ("Working - Contacted", "Closed - Not Converted", "2025-10-22 15:00"),
        ],
    ),
    "K": (
        "2025-10-20 14:00",
        SELLER,
        "Web",
        "Retail",
        "10",
        "France",
        "Engineer",
        [
            ("Open - Not Contacted", "Marketing Qualified", "2025-10-21 15:00"),
            ("Marketing Qualified", "Working - Contacted", "2025-10-22 14:00"),
            ("Working - Contacted", "Sales Qualified", "2025-10-22 16:00"),
        ],
    ),
    "L": (
        "2025-10-20 14:00",
        SELLER_2,
        "Web",
        "Retail",
        "10",
        "France",
        "Engineer",
        [
            ("Open - Not Contacted", "Marketing Qualified", "2025-10-23 13:00"),
            ("Marketing Qualified", "Working - Contacted", "2025-10-24 13:30"),
            ("Working - Contacted", "Recycled", "2025-10-24 14:00"),
        ],
    ),
}

# owner changes: lead → (old id, old name, new id, new name, at); each is written
# as Salesforce exports it, an id row then a name row
OWNER_CHANGES = {
    "J": [
        (QUEUE, "Inbound Queue", MARKETER, "Mary Marketer", "2025-10-21 14:00"),
        (MARKETER, "Mary Marketer", SELLER, "Sam Seller", "2025-10-21 20:00"),
    ],
    "K": [(QUEUE, "Inbound Queue", SELLER, "Sam Seller", "2025-10-21 15:00")],
    "L": [
        (QUEUE, "Inbound Queue", SELLER, "Sam Seller", "2025-10-23 13:00"),
        (SELLER, "Sam Seller", SELLER_2, "Sue Second", "2025-10-23 15:00"),
    ],
}

# task: lead, owner, completed at
TASKS = [
    ("A", SELLER, "2025-11-21 15:00"),  # before the handoff: not its first touch
    ("A", SELLER, "2025-11-24 15:15"),
    ("B", SELLER, "2025-11-28 16:30"),
    ("C", SELLER, "2025-03-10 13:30"),
    ("D", SELLER, "2025-11-03 16:00"),
    ("D", SELLER, "2025-11-17 20:00"),
    ("E", SELLER, "2025-12-01 12:00"),
    ("F", MARKETER, "2025-12-02 19:30"),  # a marketer's call: no sales touch
    ("F", SELLER, "2025-12-03 16:00"),
    ("G", SELLER, "2025-12-05 15:00"),  # after the as-of: not known yet
    ("H", SELLER, "2025-12-04 15:04"),
    ("J", SELLER, "2025-10-22 13:30"),
    ("K", SELLER, "2025-10-22 14:00"),
    ("L", SELLER_2, "2025-10-24 13:30"),
]


def write_batches(landing: Path) -> None:
    sf_dir = landing / "salesforce" / "2025-12-05"
    csv(
        sf_dir / "UserRole.csv",
        "Id,Name",
        [
            ["00E8d000000KA01AAA", "SDR - US East"],
            ["00E8d000000KA02AAA", "Marketing"],
        ],
    )
    csv(
        sf_dir / "User.csv",
        "Id,Email,FirstName,LastName,UserRoleId,TimeZoneSidKey,IsActive,LastModifiedDate",
        [
            [
                SELLER,
                "sam.seller@example.com",
                "Sam",
                "Seller",
                "00E8d000000KA01AAA",
                "America/New_York",
                "true",
                sf("2025-01-01 00:00"),
            ],
            [
                MARKETER,
                "mary.marketer@example.com",
                "Mary",
                "Marketer",
                "00E8d000000KA02AAA",
                "America/New_York",
                "true",
                sf("2025-01-01 00:00"),
            ],
            [
                SELLER_2,
                "sue.second@example.com",
                "Sue",
                "Second",
                "00E8d000000KA01AAA",
                "America/New_York",
                "true",
                sf("2025-01-01 00:00"),
            ],
        ],
    )
    lead_rows, history_rows = [], []
    for key, (
        created,
        owner,
        source,
        industry,
        employees,
        country,
        title,
        changes,
    ) in SALESFORCE_LEADS.items():
        lead_rows.append(
            [
                LEADS[key],
                f"First{key}",
                f"Last{key}",
                f"Company {key}",
                title,
                f"lead.{key.lower()}@example.com",
                "+1 555 0100",
                industry,
                employees,
                country,
                source,
                changes[-1][1],
                owner,
                "false",
                "",
                "",
                "",
                sf(created),
                sf(changes[-1][2]),
                "false",
            ]
        )
        for number, (old, new, at) in enumerate(changes, start=1):
            history_rows.append(
                [
                    f"0178d000000K{key}{number:02d}AA",
                    LEADS[key],
                    "Status",
                    old,
                    new,
                    sf(at),
                    "false",
                ]
            )
        for number, (old_id, old_name, new_id, new_name, at) in enumerate(
            OWNER_CHANGES.get(key, []), start=1
        ):
            for row_kind, old, new in (("I", old_id, new_id), ("N", old_name, new_name)):
                history_rows.append(
                    [
                        f"0178d000000K{key}{number:02d}{row_kind}A",
                        LEADS[key],
                        "Owner",
                        old,
                        new,
                        sf(at),
                        "false",
                    ]
                )
    csv(
        sf_dir / "Lead.csv",
        "Id,FirstName,LastName,Company,Title,Email,Phone,Industry,NumberOfEmployees,Country,"
        "LeadSource,Status,OwnerId,IsConverted,ConvertedDate,ConvertedOpportunityId,"
        "ConvertedContactId,CreatedDate,LastModifiedDate,IsDeleted",
        lead_rows,
    )
    csv(
        sf_dir / "LeadHistory.csv",
        "Id,LeadId,Field,OldValue,NewValue,CreatedDate,IsDeleted",
        history_rows,
    )
    csv(
        sf_dir / "Task.csv",
        "Id,WhoId,OwnerId,Subject,Type,TaskSubtype,Status,IsClosed,ActivityDate,"
        "CompletedDateTime,CreatedDate,LastModifiedDate,IsDeleted",
        [
            [
                f"00T8d000000KA{number:02d}AAA",
                LEADS[key],
                owner,
                "Call",
                "Call",
                "Call",
                "Completed",
                "true",
                at[:10],
                sf(at),
                sf(at),
                sf(at),
                "false",
            ]
            for number, (key, owner, at) in enumerate(TASKS, start=1)
        ],
    )
    csv(
        sf_dir / "Event.csv",
        "Id,WhoId,OwnerId,Subject,Type,StartDateTime,ActivityDate,CreatedDate,LastModifiedDate,"
        "IsDeleted",
        [],
    )

    hs_dir = landing / "hubspot" / "2025-12-05"
    csv(
        hs_dir / "owners.csv",
        "id,email,firstname,lastname,teams,archived",
        [
            [HS_SELLER, "hal.hubspot@example.com", "Hal", "Hubspot", "Sales US East", "false"],
        ],
    )
    csv(
        hs_dir / "contacts.csv",
        "hs_object_id,createdate,lastmodifieddate,lifecyclestage,hs_lead_status,"
        "hubspot_owner_id,hubspot_owner_assigneddate,hs_time_to_first_engagement,"
        "hs_analytics_source,email,firstname,lastname,company,industry,"
        "numemployees,country,jobtitle,archived",
        [
            [
                CONTACT_I,
                hs("2025-12-01 14:00"),
                hs("2025-12-02 15:00"),
                "marketingqualifiedlead",
                "UNQUALIFIED",
                HS_SELLER,
                hs("2025-12-01 16:00"),
                "1200000",
                "ORGANIC_SEARCH",
                "contact.i@example.org",
                "Ivy",
                "Contact",
                "Company I",
                "Retail",
                "1-5",
                "Brazil",
                "Intern",
                "false",
            ],
        ],
    )
    csv(
        hs_dir / "contact_property_history.csv",
        "contact_id,property,value,timestamp",
        [
            [CONTACT_I, "lifecyclestage", "lead", hs("2025-12-01 14:00")],
            [CONTACT_I, "lifecyclestage", "marketingqualifiedlead", hs("2025-12-01 16:00")],
            [CONTACT_I, "hs_lead_status", "UNQUALIFIED", hs("2025-12-02 15:00")],
        ],
    )
    csv(
        hs_dir / "engagements.csv",
        "hs_object_id,type,hs_timestamp,hubspot_owner_id,contact_ids,archived",
        [
            ["90001", "CALL", hs("2025-12-01 16:20"), HS_SELLER, CONTACT_I, "false"],
        ],
    )


@pytest.fixture(scope="module")
def marts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    root = tmp_path_factory.mktemp("known_answers")
    landing, home = root / "landing", root / "home"
    write_batches(landing)
    result = subprocess.run(
        [str(HANDOFF), "run", "--landing", str(landing), "--home", str(home), "--as-of", AS_OF],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, f"handoff run failed:\n{result.stdout}\n{result.stderr}"
    con = duckdb.connect(str(home / "build.duckdb"), read_only=True)
    yield con
    con.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# lead key, handoff number → expected fct_handoffs values
EXPECTED_HANDOFFS = {
    ("A", 1): dict(
        team="Sales US East",
        owner_id=SELLER,
        handoff_at=ts("2025-11-21 23:30"),
        clock_start_at=ts("2025-11-24 14:00"),
        first_touch_deadline_at=ts("2025-11-24 18:00"),
        disposition_deadline_at=ts("2025-11-26 22:00"),
        first_touch_at=ts("2025-11-24 15:15"),
        disposition_at=ts("2025-11-26 21:00"),
        disposition="disqualified",
        business_minutes_to_first_touch=75,
        business_minutes_to_disposition=1380,
        is_first_touch_breached=False,
        is_disposition_breached=False,
        fit_tier="A",
        is_good_fit=True,
        is_open=False,
    ),
    ("B", 1): dict(
        team="Sales US East",
        owner_id=SELLER,
        handoff_at=ts("2025-11-26 20:00"),
        clock_start_at=ts("2025-11-26 20:00"),
        first_touch_deadline_at=ts("2025-11-28 16:00"),
        disposition_deadline_at=ts("2025-12-01 22:00"),
        first_touch_at=ts("2025-11-28 16:30"),
        disposition_at=None,
        disposition=None,
        business_minutes_to_first_touch=270,
        business_minutes_to_disposition=None,
        is_first_touch_breached=True,
        is_disposition_breached=True,
        fit_tier="D",
        is_good_fit=False,
        is_open=True,
    ),
    ("C", 1): dict(
        team="Sales US East",
        owner_id=SELLER,
        handoff_at=ts("2025-03-07 21:00"),
        clock_start_at=ts("2025-03-07 21:00"),
        first_touch_deadline_at=ts("2025-03-10 16:00"),
        disposition_deadline_at=ts("2025-03-11 21:00"),
        first_touch_at=ts("2025-03-10 13:30"),
        disposition_at=ts("2025-03-12 14:00"),
        disposition="sql",
        business_minutes_to_first_touch=90,
        business_minutes_to_disposition=1080,
        is_first_touch_breached=False,
        is_disposition_breached=True,
        fit_tier="B",
        is_good_fit=True,
        is_open=False,
    ),
    ("D", 1): dict(
        team="Sales US East",
        owner_id=SELLER,
        handoff_at=ts("2025-11-03 15:00"),
        clock_start_at=ts("2025-11-03 15:00"),
        first_touch_deadline_at=ts("2025-11-03 19:00"),
        disposition_deadline_at=ts("2025-11-05 22:00"),
        first_touch_at=ts("2025-11-03 16:00"),
        disposition_at=ts("2025-11-04 15:00"),
        disposition="recycled",
        business_minutes_to_first_touch=60,
        business_minutes_to_disposition=480,
        is_first_touch_breached=False,
        is_disposition_breached=False,
        fit_tier="A",
        is_good_fit=True,
        is_open=False,
    ),
    ("D", 2): dict(
        team="Sales US East",
        owner_id=SELLER,
        handoff_at=ts("2025-11-17 14:30"),
        clock_start_at=ts("2025-11-17 14:30"),
        first_touch_deadline_at=ts("2025-11-17 18:30"),
        disposition_deadline_at=ts("2025-11-19 22:00"),
        first_touch_at=ts("2025-11-17 20:00"),
        disposition_at=ts("2025-11-18 14:00"),
        disposition="sql",
        business_minutes_to_first_touch=330,
        business_minutes_to_disposition=450,
        is_first_touch_breached=True,
        is_disposition_breached=False,
        fit_tier="A",
        is_good_fit=True,
        is_open=False,
    ),
    ("E", 1): dict(
        team="default",
        owner_id=None,
        handoff_at=ts("2025-11-29 10:00"),
        clock_start_at=ts("2025-12-01 09:00"),
        first_touch_deadline_at=ts("2025-12-01 13:00"),
        disposition_deadline_at=ts("2025-12-03 17:00"),
        first_touch_at=ts("2025-12-01 12:00"),
        disposition_at=None,
        disposition=None,
        business_minutes_to_first_touch=180,
        business_minutes_to_disposition=None,
        is_first_touch_breached=False,
        is_disposition_breached=True,
        fit_tier="D",
        is_good_fit=False,
        is_open=True,
    ),
    ("F", 1): dict(
        team="Sales US East",
        owner_id=SELLER,
        handoff_at=ts("2025-12-02 19:00"),
        clock_start_at=ts("2025-12-02 19:00"),
        first_touch_deadline_at=ts("2025-12-03 15:00"),
        disposition_deadline_at=ts("2025-12-04 22:00"),
        first_touch_at=ts("2025-12-03 16:00"),
        disposition_at=None,
        disposition=None,
        business_minutes_to_first_touch=300,
        business_minutes_to_disposition=None,
        is_first_touch_breached=True,
        is_disposition_breached=True,
        fit_tier="A",
        is_good_fit=True,
        is_open=True,
    ),
    ("G", 1): dict(
        team="Sales US East",
        owner_id=SELLER,
        handoff_at=ts("2025-12-03 14:00"),
        clock_start_at=ts("2025-12-03 14:00"),
        first_touch_deadline_at=ts("2025-12-03 18:00"),
        disposition_deadline_at=ts("2025-12-05 22:00"),
        first_touch_at=None,
        disposition_at=None,
        disposition=None,
        business_minutes_to_first_touch=None,
        business_minutes_to_disposition=None,
        is_first_touch_breached=True,
        is_disposition_breached=False,
        fit_tier="D",
        is_good_fit=False,
        is_open=True,
    ),
    ("H", 1): dict(
        team="Sales US East",
        owner_id=SELLER,
        handoff_at=ts("2025-12-04 15:00"),
        clock_start_at=ts("2025-12-04 15:00"),
        first_touch_deadline_at=ts("2025-12-04 19:00"),
        disposition_deadline_at=ts("2025-12-08 22:00"),
        first_touch_at=ts("2025-12-04 15:04"),
        disposition_at=ts("2025-12-04 21:00"),
        disposition="sql",
        business_minutes_to_first_touch=4,
        business_minutes_to_disposition=360,
        is_first_touch_breached=False,
        is_disposition_breached=False,
        fit_tier="B",
        is_good_fit=True,
        is_open=False,
    ),
    ("I", 1): dict(
        team="Sales US East",
        owner_id=HS_SELLER,
        handoff_at=ts("2025-12-01 16:00"),
        clock_start_at=ts("2025-12-01 16:00"),
        first_touch_deadline_at=ts("2025-12-01 20:00"),
        disposition_deadline_at=ts("2025-12-03 22:00"),
        first_touch_at=ts("2025-12-01 16:20"),
        disposition_at=ts("2025-12-02 15:00"),
        disposition="disqualified",
        business_minutes_to_first_touch=20,
        business_minutes_to_disposition=420,
        is_first_touch_breached=False,
        is_disposition_breached=False,
        fit_tier="D",
        is_good_fit=False,
        is_open=False,
    ),
}


EXPECTED_HANDOFFS |= {
    ("J", 1): dict(
        team="Sales US East",
        owner_id=SELLER,
        handoff_at=ts("2025-10-21 14:00"),
        clock_start_at=ts("2025-10-21 14:00"),
        first_touch_deadline_at=ts("2025-10-21 18:00"),
        disposition_deadline_at=ts("2025-10-23 21:00"),
        first_touch_at=ts("2025-10-22 13:30"),
        disposition_at=ts("2025-10-22 15:00"),
        disposition="disqualified",
        business_minutes_to_first_touch=450,
        business_minutes_to_disposition=540,
        is_first_touch_breached=True,
        is_disposition_breached=False,
        fit_tier="D",
        is_good_fit=False,
        is_open=False,
    ),
    ("K", 1): dict(
        team="Sales US East",
        owner_id=SELLER,
        handoff_at=ts("2025-10-21 15:00"),
        clock_start_at=ts("2025-10-21 15:00"),
        first_touch_deadline_at=ts("2025-10-21 19:00"),
        disposition_deadline_at=ts("2025-10-23 21:00"),
        first_touch_at=ts("2025-10-22 14:00"),
        disposition_at=ts("2025-10-22 16:00"),
        disposition="sql",
        business_minutes_to_first_touch=420,
        business_minutes_to_disposition=540,
        is_first_touch_breached=True,
        is_disposition_breached=False,
        fit_tier="D",
        is_good_fit=False,
        is_open=False,
    ),
    ("L", 1): dict(
        team="Sales US East",
        owner_id=SELLER,
        handoff_at=ts("2025-10-23 13:00"),
        clock_start_at=ts("2025-10-23 13:00"),
        first_touch_deadline_at=ts("2025-10-23 17:00"),
        disposition_deadline_at=ts("2025-10-27 21:00"),
        first_touch_at=ts("2025-10-24 13:30"),
        disposition_at=ts("2025-10-24 14:00"),
        disposition="recycled",
        business_minutes_to_first_touch=510,
        business_minutes_to_disposition=540,
        is_first_touch_breached=True,
        is_disposition_breached=False,
        fit_tier="D",
        is_good_fit=False,
        is_open=False,
    ),
}

# (assigned_at, business minutes to assignment, from assignment to first touch,
#  breach cause, HubSpot's own response minutes): see "Who lost the time" above
RESPONSIBILITY = {
    ("A", 1): (ts("2025-11-21 23:30"), 0, 75, None, None),
    ("B", 1): (ts("2025-11-26 20:00"), 0, 270, "rep", None),
    ("C", 1): (ts("2025-03-07 21:00"), 0, 90, None, None),
    ("D", 1): (ts("2025-11-03 15:00"), 0, 60, None, None),
    ("D", 2): (ts("2025-11-17 14:30"), 0, 330, "rep", None),
    ("E", 1): (None, None, None, None, None),
    ("F", 1): (ts("2025-12-02 19:00"), 0, 300, "rep", None),
    ("G", 1): (ts("2025-12-03 14:00"), 0, None, "rep", None),
    ("H", 1): (ts("2025-12-04 15:00"), 0, 4, None, None),
    ("I", 1): (ts("2025-12-01 16:00"), 0, 20, None, 20.0),
    ("J", 1): (ts("2025-10-21 20:00"), 360, 90, "routing", None),
    ("K", 1): (ts("2025-10-21 15:00"), 0, 420, "rep", None),
    ("L", 1): (ts("2025-10-23 13:00"), 0, 510, "rep", None),
}
for key, values in RESPONSIBILITY.items():
    EXPECTED_HANDOFFS[key] |= dict(
        zip(
            (
                "assigned_at",
                "business_minutes_to_assignment",
                "business_minutes_assignment_to_first_touch",
                "breach_cause",
                "crm_reported_response_minutes",
            ),
            values,
            strict=True,
        )
    )


def lead_key(lead_id: str) -> str:
    if lead_id == f"hs-{CONTACT_I}":
        return "I"
    return next(key for key, value in LEADS.items() if value == lead_id)


@pytest.fixture(scope="module")
def handoffs(marts: duckdb.DuckDBPyConnection) -> dict[tuple[str, int], dict]:
    found = rows(marts, "select * from marts.fct_handoffs")
    return {(lead_key(row["lead_id"]), row["handoff_number"]): row for row in found}


def test_every_expected_handoff_and_no_other(handoffs: dict) -> None:
    assert sorted(handoffs) == sorted(EXPECTED_HANDOFFS)


@pytest.mark.parametrize("key", sorted(EXPECTED_HANDOFFS), ids=lambda k: f"{k[0]}{k[1]}")
def test_handoff_matches_the_hand_computed_answer(handoffs: dict, key: tuple[str, int]) -> None:
    row = handoffs[key]
    expected = EXPECTED_HANDOFFS[key]
    actual = {column: row[column] for column in expected}
    assert actual == expected
    assert row["as_of_at"] == AS_OF_AT
    assert row["policy_id"] == "default"
    assert row["crm"] == ("hubspot" if key[0] == "I" else "salesforce")


def test_marketers_touch_and_touches_after_as_of_do_not_count(handoffs: dict) -> None:
    assert handoffs[("F", 1)]["first_touch_at"] == ts("2025-12-03 16:00")
    assert handoffs[("G", 1)]["first_touch_at"] is None
    # a seller's call before the MQL is not this handoff's touch
    assert handoffs[("A", 1)]["first_touch_at"] == ts("2025-11-24 15:15")


def test_marketing_weekly_sla(marts: duckdb.DuckDBPyConnection) -> None:
    weeks = {
        row["week_start_date"]: row
        for row in rows(marts, "select * from marts.fct_marketing_sla_weekly")
    }
    # every ISO week from the first handoff's (C, week of 2025-03-03) to the as-of's
    # (week of 2025-12-01): 40 weeks, empty weeks included
    assert min(weeks) == date(2025, 3, 3)
    assert max(weeks) == date(2025, 12, 1)
    assert len(weeks) == 40
    # week of 12-01: F (A), G (D), H (B), I (D) → 4 delivered, 2 good fit
    week = weeks[date(2025, 12, 1)]
    assert week["segment"] == "*"
    assert week["target_mqls"] == 50
    assert week["delivered_mqls"] == 4
    assert week["good_fit_mqls"] == 2
    assert week["good_fit_share"] == pytest.approx(0.5)
    assert week["min_good_fit_share"] == pytest.approx(0.6)
    assert week["attainment"] == pytest.approx(4 / 50)
    assert week["is_met"] is False
    assert week["is_week_complete"] is False
    assert week["policy_id"] == "default"
    # week of 11-17: A and D's re-MQL, both tier A → share 1.0 but 2 of 50
    assert weeks[date(2025, 11, 17)]["delivered_mqls"] == 2
    assert weeks[date(2025, 11, 17)]["good_fit_share"] == pytest.approx(1.0)
    assert weeks[date(2025, 11, 17)]["is_met"] is False
    # week of 11-24: B and E (tier D); an empty summer week has a row of zeros
    assert weeks[date(2025, 11, 24)]["delivered_mqls"] == 2
    assert weeks[date(2025, 11, 24)]["good_fit_share"] == pytest.approx(0.0)
    empty = weeks[date(2025, 6, 2)]
    assert (empty["delivered_mqls"], empty["good_fit_mqls"], empty["good_fit_share"]) == (
        0,
        0,
        None,
    )
    assert empty["attainment"] == pytest.approx(0.0)
    assert empty["is_met"] is False
    # week of 10-20: J, K, L (tier D)
    assert weeks[date(2025, 10, 20)]["delivered_mqls"] == 3
    assert weeks[date(2025, 10, 20)]["good_fit_mqls"] == 0
    assert sum(row["delivered_mqls"] for row in weeks.values()) == 13
    # The data begins Wednesday 2025-03-05 15:00 (C created, the earliest record): the
    # week of 03-03 is partial and not judged, like the as-of's own week of 12-01; the
    # 38 weeks between are.
    assert weeks[date(2025, 3, 3)]["delivered_mqls"] == 1
    assert weeks[date(2025, 3, 3)]["is_week_complete"] is False
    assert weeks[date(2025, 3, 10)]["is_week_complete"] is True
    assert sum(row["is_week_complete"] for row in weeks.values()) == 38


def test_sales_weekly_sla(marts: duckdb.DuckDBPyConnection) -> None:
    found = {
        (row["week_start_date"], row["team"], row["owner_id"]): row
        for row in rows(marts, "select * from marts.fct_sales_sla_weekly")
    }
    # (handoffs, touched in SLA, dispositioned in SLA, touch breaches,
    #  disposition breaches, median business minutes to first touch,
    #  routing breaches, rep breaches)
    expected = {
        # F (300, late, open past deadline), G (never, open, not yet due), H (4, sql)
        (date(2025, 12, 1), "Sales US East", SELLER): (3, 1, 1, 2, 1, 152.0, 0, 2),
        (date(2025, 12, 1), "Sales US East", HS_SELLER): (1, 1, 1, 0, 0, 20.0, 0, 0),
        (date(2025, 11, 24), "Sales US East", SELLER): (1, 0, 0, 1, 1, 270.0, 0, 1),
        (date(2025, 11, 24), "default", None): (1, 1, 0, 0, 1, 180.0, 0, 0),
        # A (75, disqualified in time), D #2 (330 late, sql in time)
        (date(2025, 11, 17), "Sales US East", SELLER): (2, 1, 2, 1, 0, 202.5, 0, 1),
        (date(2025, 11, 3), "Sales US East", SELLER): (1, 1, 1, 0, 0, 60.0, 0, 0),
        # J (450, routing), K (420, rep), L (510, rep; reassigned but Sam's): median 450
        (date(2025, 10, 20), "Sales US East", SELLER): (3, 0, 3, 3, 0, 450.0, 1, 2),
        (date(2025, 3, 3), "Sales US East", SELLER): (1, 1, 0, 0, 1, 90.0, 0, 0),
    }
    assert set(found) == set(expected)
    for key, values in expected.items():
        row = found[key]
        assert (
            row["handoffs"],
            row["first_touched_in_sla"],
            row["dispositioned_in_sla"],
            row["first_touch_breaches"],
            row["disposition_breaches"],
            row["median_business_minutes_to_first_touch"],
            row["routing_breaches"],
            row["rep_breaches"],
        ) == values, key


def test_open_sla_breaches_report(marts: duckdb.DuckDBPyConnection) -> None:
    found = {
        (lead_key(row["lead_id"]), row["breach_type"]): row
        for row in rows(marts, "select * from marts.rpt_open_sla_breaches")
    }
    # open = no disposition at the as-of: B, E, F, G. B, E and F were touched.
    # (deadline, is_overdue, minutes from deadline to as-of 2025-12-05 12:00)
    expected = {
        ("B", "disposition"): (ts("2025-12-01 22:00"), True, 5160),
        ("E", "disposition"): (ts("2025-12-03 17:00"), True, 2580),
        ("F", "disposition"): (ts("2025-12-04 22:00"), True, 840),
        ("G", "first_touch"): (ts("2025-12-03 18:00"), True, 2520),
        ("G", "disposition"): (ts("2025-12-05 22:00"), False, -600),
    }
    assert set(found) == set(expected)
    for key, (deadline, overdue, minutes) in expected.items():
        row = found[key]
        assert (row["deadline_at"], row["is_overdue"], row["minutes_overdue"]) == (
            deadline,
            overdue,
            minutes,
        ), key
        assert row["as_of_at"] == AS_OF_AT
    assert found[("E", "disposition")]["owner_id"] is None
    assert found[("E", "disposition")]["team"] == "default"
    assert found[("G", "first_touch")]["owner_name"] == "Sam Seller"
    assert found[("G", "first_touch")]["team"] == "Sales US East"


def test_speed_to_lead_buckets(marts: duckdb.DuckDBPyConnection) -> None:
    buckets = {
        (row["month_start_date"], row["delay_bucket"]): row["handoffs"]
        for row in rows(
            marts,
            "select month_start_date, delay_bucket, sum(handoffs) as handoffs "
            "from marts.fct_speed_to_lead group by 1, 2",
        )
    }
    # December: H 4 min wall clock, I 20 min, F 21 h wall clock but 300 business
    # min (< one 480-min business day), G never touched
    december = date(2025, 12, 1)
    assert buckets[(december, "< 5 min")] == 1
    assert buckets[(december, "< 1 h")] == 1
    assert buckets[(december, "< 1 business day")] == 1
    assert buckets[(december, "never")] == 1
    # November: A (Friday-night MQL, 75 business min), D #1 (exactly 60 min of wall
    # clock: not < 1 h; 60 business min) and E (Saturday MQL, 180 business min) are
    # < 4 business h; B 270 and D #2 330 are < 1 business day
    november = date(2025, 11, 1)
    assert buckets[(november, "< 4 business h")] == 3
    assert buckets[(november, "< 1 business day")] == 2


def test_lifecycle_transitions_of_the_recycled_lead(marts: duckdb.DuckDBPyConnection) -> None:
    found = rows(
        marts,
        f"select from_stage, to_stage, transitioned_at, handoff_number, is_regression, is_exit "
        f"from marts.fct_lifecycle_transitions where lead_id = '{LEADS['D']}' "
        f"order by transition_number",
    )
    assert [(r["from_stage"], r["to_stage"], r["handoff_number"]) for r in found] == [
        (None, "lead", None),
        ("lead", "mql", 1),
        ("mql", "recycled", None),
        ("recycled", "mql", 2),
        ("mql", "sql", None),
    ]
    assert [r["is_exit"] for r in found] == [False, False, True, False, False]
    assert not any(r["is_regression"] for r in found)


# The statistics marts and interval columns, compared between the engines.
STATISTICS = {
    "curves": (
        "select cohort_month_start_date, channel, fit_tier, days_since_handoff, at_risk, "
        "sql_events, rejection_events, censored, cumulative_sql_share, "
        "cumulative_sql_share_ci_low, cumulative_sql_share_ci_high, cumulative_rejection_share "
        "from marts.fct_conversion_curves "
        "order by cohort_month_start_date, channel, fit_tier, days_since_handoff"
    ),
    "inbound_vs_outbound": (
        "select month_start_date, inbound_mqls, outbound_mqls, mql_to_sql_rate_difference, "
        "mql_to_sql_rate_difference_ci_low, mql_to_sql_rate_difference_ci_high, z_statistic, "
        "p_value, is_significant, is_mature from marts.fct_inbound_vs_outbound "
        "order by month_start_date"
    ),
    "pacing": (
        "select week_start_date, segment, business_day_of_week, delivered_so_far, "
        "good_fit_share_so_far, target_mqls, expected_week_end_mqls, "
        "probability_of_meeting_target, fitted_weeks from marts.fct_marketing_sla_pacing "
        "order by week_start_date, segment, business_day_of_week"
    ),
    "cohort_intervals": (
        "select cohort_week_start_date, channel, fit_tier, mql_to_sql_rate_ci_low, "
        "mql_to_sql_rate_ci_high from marts.fct_funnel_cohorts "
        "order by cohort_week_start_date, channel, fit_tier"
    ),
    "sales_intervals": (
        "select week_start_date, team, owner_id, first_touch_sla_rate_ci_low, "
        "first_touch_sla_rate_ci_high, disposition_sla_rate_ci_low, disposition_sla_rate_ci_high "
        "from marts.fct_sales_sla_weekly order by week_start_date, team, owner_id"
    ),
    "marketing_intervals": (
        "select week_start_date, segment, good_fit_share_ci_low, good_fit_share_ci_high "
        "from marts.fct_marketing_sla_weekly order by week_start_date, segment"
    ),
    "speed_intervals": (
        "select month_start_date, channel, delay_bucket, mql_to_sql_rate_ci_low, "
        "mql_to_sql_rate_ci_high from marts.fct_speed_to_lead "
        "order by month_start_date, channel, delay_bucket"
    ),
    "channel_intervals": (
        "select month_start_date, channel, is_inbound, mql_to_sql_rate_ci_low, "
        "mql_to_sql_rate_ci_high, win_rate_ci_low, win_rate_ci_high "
        "from marts.fct_channel_performance order by month_start_date, channel, is_inbound"
    ),
}


@pytest.mark.postgres
def test_known_answers_on_postgres(
    postgres_env: dict[str, str], tmp_path: Path, marts: duckdb.DuckDBPyConnection
) -> None:
    """The same batches built on PostgreSQL (README, "Running on PostgreSQL") give the
    same answers, and the statistics (README "Statistics") equal the DuckDB build's row
    for row."""
    from handoff.engines.postgres import connect

    landing, home = tmp_path / "landing", tmp_path / "home"
    write_batches(landing)
    result = subprocess.run(
        [
            str(HANDOFF),
            "run",
            "--target",
            "postgres",
            "--landing",
            str(landing),
            "--home",
            str(home),
            "--as-of",
            AS_OF,
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, f"handoff run failed:\n{result.stdout}\n{result.stderr}"
    pg = connect()
    try:
        with pg.cursor() as cursor:
            cursor.execute("select * from marts.fct_handoffs")
            names = [column[0] for column in cursor.description]
            found = {
                (lead_key(row["lead_id"]), row["handoff_number"]): row
                for row in (dict(zip(names, values, strict=True)) for values in cursor.fetchall())
            }
            cursor.execute(
                "select delivered_mqls, good_fit_mqls, good_fit_share, attainment, is_met "
                "from marts.fct_marketing_sla_weekly where week_start_date = date '2025-12-01'"
            )
            weekly = cursor.fetchall()
            cursor.execute(
                "select handoffs, median_business_minutes_to_first_touch "
                "from marts.fct_sales_sla_weekly where week_start_date = date '2025-11-17'"
            )
            sales = cursor.fetchall()
            cursor.execute(
                "select first_touch_breaches, routing_breaches, rep_breaches "
                "from marts.fct_sales_sla_weekly where week_start_date = date '2025-10-20'"
            )
            causes = cursor.fetchall()
            cursor.execute(
                "select breach_type, minutes_overdue from marts.rpt_open_sla_breaches "
                "order by minutes_overdue"
            )
            breaches = cursor.fetchall()
            statistics = {}
            for name, sql in STATISTICS.items():
                cursor.execute(sql)
                statistics[name] = [tuple(row) for row in cursor.fetchall()]
    finally:
        pg.close()
    assert sorted(found) == sorted(EXPECTED_HANDOFFS)
    for key, expected in EXPECTED_HANDOFFS.items():
        assert {column: found[key][column] for column in expected} == expected, key
    assert [tuple(row) for row in weekly] == [
        (4, 2, pytest.approx(0.5), pytest.approx(0.08), False)
    ]
    assert [tuple(row) for row in sales] == [(2, pytest.approx(202.5))]
    for name, sql in STATISTICS.items():
        expected = marts.execute(sql).fetchall()
        assert expected, name
        assert len(statistics[name]) == len(expected), name
        for got, want in zip(statistics[name], expected, strict=True):
            assert got == tuple(
                pytest.approx(value, rel=1e-9, abs=1e-12) if isinstance(value, float) else value
                for value in want
            ), (name, got, want)
    assert [tuple(row) for row in causes] == [(3, 1, 2)]
    assert [tuple(row) for row in breaches] == [
        ("disposition", -600),
        ("disposition", 840),
        ("first_touch", 2520),
        ("disposition", 2580),
        ("disposition", 5160),
    ]
