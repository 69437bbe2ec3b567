"""Deterministic synthetic CRM extracts: HubSpot and Salesforce, in their native layouts.

``generate(out, leads, seed, batches)`` writes one year (2025-01-01 .. 2025-12-31) of a
company that markets in HubSpot and sells in Salesforce (DESIGN §1, §4, §5, §6, §10)::

    out/hubspot/<batch>/   contacts.csv (first batch: the UI export
                           hubspot-crm-exports-all-contacts-<batch>.csv), owners.csv,
                           engagements.csv, form_submissions.jsonl, deals.csv,
                           companies.csv, contact_property_history.csv
    out/salesforce/<batch>/ Lead.csv, LeadHistory.csv, User.csv, UserRole.csv,
                           Task.csv.gz, Event.csv, Opportunity.csv, OpportunityHistory.csv,
                           Contact.csv, Account.csv, Campaign.csv, CampaignMember.csv
    out/_sample.json       arguments, period, batch cutoffs, extracted_at (last cutoff)

``<batch>`` is the last day a batch covers (``2025-03-31`` …); with ``batches`` dividing
12 the cutoffs are month ends (quarterly by default). The cutoff instant is the next
midnight UTC: a batch holds what existed strictly before it.

Everything is a pure function of ``(leads, seed, batches)``: random numbers are
``hash(seed, row, salt)`` inside DuckDB, rows are built with SQL over ``range(n)`` and
written with ``COPY (… order by …)``, so the same arguments give byte-identical files
(gzip headers carry no mtime) and memory stays bounded (DuckDB spills to a temp dir).

Batches
    Records (contacts, leads, deals, opportunities, contacts/accounts, tasks that get
    completed) appear in every batch in whose window they were created or modified,
    carrying their state as of that batch's cutoff. Event rows (LeadHistory,
    OpportunityHistory, Task, Event, engagements, form submissions, property history,
    campaign members) appear in the batch covering their timestamp. Users, roles,
    owners and campaigns are full snapshots in every batch. About 0.5 % of
    leads/contacts are deleted in a later batch: re-delivered once with
    ``IsDeleted=true`` / ``archived=true``.

Formats
    Salesforce (Data Loader): PascalCase API names, timestamps
    ``2025-01-06T14:03:00.000+0000``, ``ConvertedDate``/``ActivityDate``/``CloseDate``
    ``YYYY-MM-DD``, booleans ``true``/``false``, 18-character ids with real prefixes
    (00Q lead, 005 user, 00E role, 00G queue, 00T task, 00U event, 006 opportunity,
    008 opportunity history, 017 lead history, 003 contact, 001 account, 701 campaign,
    00v campaign member) and the case-checksum suffix.
    HubSpot API batches: internal names, timestamps ISO ``…T14:03:00.000Z``, except
    ``contacts.lastmodifieddate`` and ``form_submissions.submitted_at`` in epoch
    milliseconds; ``hs_time_to_first_engagement`` in milliseconds.
    HubSpot UI batch (the first): labels as headers *and* as enumeration values (see
    ``HUBSPOT_UI_LABELS``), ``Contact owner`` = owner's full name, naive UTC timestamps
    ``YYYY-MM-DD HH:MM``, ``Lead response time (HH:mm:ss)``, extra label columns not in
    the contract (``Number of times contacted`` …), no archived column.

Status / stage values (for ``seeds/lifecycle_stage_map.csv``)
    salesforce ``Lead.Status`` (and ``LeadHistory`` Field ``Status``):
      ``Open - Not Contacted`` → lead, ``Marketing Qualified`` → mql,
      ``Working - Contacted`` → mql (being worked; the first touch),
      ``Sales Qualified`` → sql, ``Closed - Converted`` → sql (``IsConverted``,
      ``ConvertedDate``, opportunity created), ``Closed - Not Converted`` →
      disqualified, ``Recycled`` → recycled. LeadHistory also carries Field ``created``
      and ``Owner`` (old/new owner ids; the unassigned owner is a queue ``00G…``).
    salesforce ``Opportunity.StageName``: ``Qualification`` → ``Proposal/Price Quote``
      → ``Closed Won`` | ``Closed Lost``.
    hubspot ``lifecyclestage``: ``subscriber`` and ``lead`` → lead,
      ``marketingqualifiedlead`` → mql, ``salesqualifiedlead`` → sql, ``opportunity`` →
      opportunity, ``customer`` → customer, ``other`` → disqualified. A recycle sets
      lifecyclestage back to ``lead`` with ``hs_lead_status`` ``BAD_TIMING``; a
      disqualification sets ``other`` + ``UNQUALIFIED``. ``hs_lead_status`` otherwise:
      ``NEW`` (at MQL), ``IN_PROGRESS`` (first touch), ``OPEN_DEAL`` (sql).
      ``contact_property_history`` holds every ``lifecyclestage`` / ``hs_lead_status``
      change (source ``FORM``, ``IMPORT``, ``CRM_UI``, ``AUTOMATION_PLATFORM``,
      ``SALESFORCE``). ``hs_lifecyclestage_<stage>_date`` = first entry,
      ``hs_v2_date_entered_<stage>`` = latest entry.
    hubspot ``deals.dealstage`` (pipeline ``default``): ``appointmentscheduled`` →
      ``presentationscheduled`` → ``closedwon`` | ``closedlost``.
    hubspot engagements ``type``: CALL, EMAIL, MEETING, TASK (``hs_task_status``
      COMPLETED / NOT_STARTED), NOTE (not a touch).
    Salesforce Task: Type ``Call``/``Email``/``Other``, TaskSubtype ``Call``/``Email``/
      ``Task``, Status ``Completed``/``Not Started``; Event: Type ``Meeting``.

Populations and sources
    ~30 % HubSpot-only contacts, ~30 % Salesforce-only leads, ~40 % HubSpot contacts
    synced to Salesforce once they become MQL: the Salesforce lead is created minutes
    after the HubSpot MQL with the same e-mail (a few differ only in letter case) and
    ``salesforceleadid`` is written back; owner, touches and disposition then live in
    Salesforce, lifecycle changes are mirrored to HubSpot two minutes later.
    ~65 % inbound: HubSpot ``ORGANIC_SEARCH``, ``PAID_SEARCH``, ``SOCIAL_MEDIA``,
    ``REFERRALS``, ``DIRECT_TRAFFIC``, ``EMAIL_MARKETING``; Salesforce ``Web``,
    ``Webinar``, ``Partner Referral``, ``Content Download``. ~35 % outbound: HubSpot
    ``OFFLINE`` (drill-down ``IMPORT`` / ``CRM_UI``), Salesforce ``Cold Call``,
    ``Purchased List``, ``Outbound Prospecting``. Synced leads carry the Salesforce
    LeadSource mapped from the HubSpot source (``SF_SOURCE_FOR_HUBSPOT``).

Fit (ICP: industry Software / SaaS / Financial Services; 50–1000 employees; country
United States / United Kingdom / Brazil / Germany; title containing Head, VP, Director or
Manager): each criterion holds with p ≈ 0.67 (0.6 outbound); tier A = 4 criteria, B = 3,
C = 2, D ≤ 1; about 55 % of leads are A/B. HubSpot ``numemployees`` holds HubSpot's
bands (``1-5``, ``5-25``, ``25-50``, ``50-100``, ``100-500``, ``500-1000``, ``1000+``);
Salesforce ``NumberOfEmployees`` the integer. Countries are English names in both CRMs.

Intended rates (the tests check them on the output)
    * ~60 % of leads become MQL once, ~10 % of those again after a recycle; weekly
      handoffs ≈ ``50 * leads / 4000`` with a summer dip (July–August ×0.7), holiday
      weeks (Christmas/New Year ×0.45, single-region holidays ×0.6), ~10 % at weekends
      and about a quarter outside 08:00–22:00 UTC.
    * MQL→SQL: inbound ≈ 35–45 %, outbound ≈ 10–15 %; fit multiplies the odds
      (A ×1.45, B ×1.15, C ×0.75, D ×0.45); first-touch delay too (< 5 min ×1.5,
      < 1 h ×1.25, < 4 h ×1.05, < 1 day ×0.85, later ×0.6, never touched → no SQL);
      offers too (demo request ×1.6 … newsletter ×0.45).
    * Sellers: 3 teams (Sales Brazil America/Sao_Paulo, Sales US East America/New_York,
      Sales UK Europe/London) of SDRs with median first-touch delays from 3 minutes to
      3 days, one (Henry Walker) who leaves 75 % of his leads untouched, one AE per
      team owning opportunities, a manager in two teams; 4 marketers, one of whom
      (Marina Costa, Marketing Operations) logs an e-mail on ~8 % of handoffs right
      after the MQL (not a sales touch). ~2 % of leads have no owner (queue).
    * Touches per touched handoff: inbound ≈ 7, outbound ≈ 24 (the "called 20 times"
      pattern); outbound leads also get 0–5 prospecting calls before the MQL.
    * Rejections: disqualified or recycled; untouched MQLs are auto-recycled after
      30–60 days in 40 % of cases; 35 % of recycled leads become MQL again 3–13 weeks
      later (a new handoff).
    * SQL → opportunity 75 %; win rate inbound 34 %, outbound 20 % (× fit); amounts
      log-normal around 8 000 scaled by company size.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

PERIOD_START = date(2025, 1, 1)
PERIOD_END = date(2025, 12, 31)
WEEKLY_MQL_TARGET_PER_4000_LEADS = 50
EMAIL_DOMAIN = "handoff-demo.com"

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CHECKSUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

# Sales teams: key → (team name, timezone).
TEAMS = {
    "BR": ("Sales Brazil", "America/Sao_Paulo"),
    "US": ("Sales US East", "America/New_York"),
    "UK": ("Sales UK", "Europe/London"),
}
ROLES = [
    (1, "Marketing"),
    (2, "Marketing Operations"),
    (3, "SDR - Brazil"),
    (4, "SDR - US East"),
    (5, "SDR - UK"),
    (6, "Account Executive"),
    (7, "Sales Manager"),
]
# j, first, last, role, teams (;-separated), timezone, kind,
# median first-touch delay (business minutes), share of leads never touched, active.
USERS: list[tuple[int, str, str, int, str, str, str, float, float, bool]] = [
    (1, "Marina", "Costa", 2, "Marketing", "America/Sao_Paulo", "mops", 0, 1, True),
    (2, "Lucas", "Almeida", 1, "Marketing", "America/Sao_Paulo", "marketing", 0, 1, True),
    (3, "Sophie", "Turner", 1, "Marketing", "Europe/London", "marketing", 0, 1, True),
    (4, "Paula", "Reyes", 1, "Marketing", "America/New_York", "marketing", 0, 1, False),
    (5, "Ana", "Souza", 3, "Sales Brazil", "America/Sao_Paulo", "sdr", 4, 0.03, True),
    (6, "Bruno", "Lima", 3, "Sales Brazil", "America/Sao_Paulo", "sdr", 50, 0.05, True),
    (7, "Carla", "Mendes", 3, "Sales Brazil", "America/Sao_Paulo", "sdr", 420, 0.08, True),
    (8, "Diego", "Ferreira", 6, "Sales Brazil", "America/Sao_Paulo", "ae", 0, 1, True),
    (9, "Emma", "Johnson", 4, "Sales US East", "America/New_York", "sdr", 3, 0.02, True),
    (10, "Frank", "Miller", 4, "Sales US East", "America/New_York", "sdr", 120, 0.06, True),
    (11, "Grace", "Lee", 4, "Sales US East", "America/New_York", "sdr", 2160, 0.10, True),
    (12, "Henry", "Walker", 4, "Sales US East", "America/New_York", "sdr", 4320, 0.75, True),
    (13, "Isabel", "Garcia", 6, "Sales US East", "America/New_York", "ae", 0, 1, True),
    (14, "Jack", "Smith", 5, "Sales UK", "Europe/London", "sdr", 20, 0.04, True),
    (15, "Kate", "Brown", 5, "Sales UK", "Europe/London", "sdr", 1440, 0.08, True),
    (16, "Liam", "Wilson", 5, "Sales UK", "Europe/London", "sdr", 4320, 0.15, True),
    (17, "Mia", "Taylor", 6, "Sales UK", "Europe/London", "ae", 0, 1, True),
    (
        18,
        "Olivia",
        "Martin",
        7,
        "Sales US East;Sales UK",
        "America/New_York",
        "manager",
        0,
        1,
        True,
    ),
]
SDRS = {"BR": [5, 6, 7], "US": [9, 10, 11, 12], "UK": [14, 15, 16]}
AES = {"BR": 8, "US": 13, "UK": 17}
MOPS_USER = 1
HS_OWNER_BASE = 51_000_000

# o, title, pick weight, conversion multiplier, page path, campaign type.
OFFERS = [
    (1, "Pricing page demo request", 8, 1.6, "/pricing", "Website"),
    (2, "Contact sales", 6, 1.45, "/contact", "Website"),
    (3, "Free trial signup", 9, 1.25, "/trial", "Website"),
    (4, "ROI calculator", 9, 1.1, "/roi-calculator", "Website"),
    (5, "Webinar: Inbound 101", 13, 0.95, "/webinars/inbound-101", "Webinar"),
    (6, "Ebook: Sales & Marketing SLA", 20, 0.8, "/ebooks/sales-marketing-sla", "Content"),
    (7, "Checklist: Lead handoff template", 13, 0.75, "/checklists/lead-handoff", "Content"),
    (8, "Newsletter signup", 22, 0.45, "/blog", "Email"),
]
OUTBOUND_CAMPAIGNS = [
    (9, "Outbound: Purchased list 2025", "List Upload"),
    (10, "Outbound: Cold calling program", "Telemarketing"),
]
WEBINAR_OFFER = 5
NEWSLETTER_OFFER = 8

HS_INBOUND = [
    ("ORGANIC_SEARCH", 30),
    ("PAID_SEARCH", 20),
    ("SOCIAL_MEDIA", 12),
    ("REFERRALS", 10),
    ("DIRECT_TRAFFIC", 15),
    ("EMAIL_MARKETING", 13),
]
SF_INBOUND = [("Web", 45), ("Webinar", 20), ("Partner Referral", 15), ("Content Download", 20)]
SF_OUTBOUND = [("Cold Call", 30), ("Purchased List", 35), ("Outbound Prospecting", 35)]
SF_SOURCE_FOR_HUBSPOT = {
    "ORGANIC_SEARCH": "Web",
    "PAID_SEARCH": "Web",
    "SOCIAL_MEDIA": "Web",
    "REFERRALS": "Partner Referral",
    "DIRECT_TRAFFIC": "Web",
    "EMAIL_MARKETING": "Content Download",
    "OFFLINE": "Purchased List",
}
HS_DRILL_DOWN = {
    "ORGANIC_SEARCH": "google",
    "PAID_SEARCH": "google",
    "SOCIAL_MEDIA": "linkedin",
    "REFERRALS": "g2.com",
    "DIRECT_TRAFFIC": "Unknown",
    "EMAIL_MARKETING": "newsletter",
}
# HubSpot UI exports show labels for enumerations: internal value → label.
HUBSPOT_UI_LABELS = {
    "lifecyclestage": {
        "subscriber": "Subscriber",
        "lead": "Lead",
        "marketingqualifiedlead": "Marketing Qualified Lead",
        "salesqualifiedlead": "Sales Qualified Lead",
        "opportunity": "Opportunity",
        "customer": "Customer",
        "other": "Other",
    },
    "hs_lead_status": {
        "NEW": "New",
        "IN_PROGRESS": "In Progress",
        "OPEN_DEAL": "Open Deal",
        "UNQUALIFIED": "Unqualified",
        "BAD_TIMING": "Bad Timing",
    },
    "hs_analytics_source": {
        "ORGANIC_SEARCH": "Organic Search",
        "PAID_SEARCH": "Paid Search",
        "SOCIAL_MEDIA": "Organic Social",
        "REFERRALS": "Referrals",
        "DIRECT_TRAFFIC": "Direct Traffic",
        "EMAIL_MARKETING": "Email Marketing",
        "OFFLINE": "Offline Sources",
    },
}

INDUSTRY_GOOD = ["Software", "SaaS", "Financial Services"]
INDUSTRY_POOR = [
    "Retail",
    "Manufacturing",
    "Healthcare",
    "Education",
    "Consulting",
    "Non-profit",
    "Government",
]
COUNTRY_GOOD = [("United States", 40), ("United Kingdom", 20), ("Brazil", 30), ("Germany", 10)]
COUNTRY_POOR = [
    ("France", 18),
    ("India", 16),
    ("Mexico", 16),
    ("Canada", 16),
    ("Australia", 10),
    ("Spain", 12),
    ("Portugal", 12),
]
TEAM_OF_COUNTRY = {
    "United States": "US",
    "Canada": "US",
    "Brazil": "BR",
    "Mexico": "BR",
    "Portugal": "BR",
}
TITLE_GOOD = [
    "Head of Marketing",
    "Head of Sales",
    "VP of Sales",
    "VP Marketing",
    "Director of Revenue Operations",
    "Sales Director",
    "Marketing Manager",
    "Sales Manager",
    "Growth Manager",
]
TITLE_POOR = [
    "Analyst",
    "Marketing Coordinator",
    "Student",
    "Intern",
    "Software Engineer",
    "Consultant",
    "Founder",
    "Sales Representative",
]
FIRST_NAMES = (
    "James Maria Pedro Julia Oliver Sarah Lucas Laura Ethan Camila Noah Beatriz Liam Emily "
    "Mateus Hannah Rafael Chloe Gabriel Lena Daniel Sofia Thomas Isabela Leon Amelia Felipe "
    "Grace Jonas Mariana Henry Alice Samuel Clara Arthur Olivia Miguel Anna David Leticia"
).split()
LAST_NAMES = (
    "Smith Silva Johnson Santos Williams Oliveira Brown Souza Jones Pereira Miller Costa Davis "
    "Rodrigues Garcia Almeida Wilson Nascimento Taylor Lima Anderson Araujo Thomas Fernandes "
    "Moore Carvalho Martin Gomes Jackson Martins Mueller Schmidt Schneider Fischer Weber Meyer "
    "Evans Wright Walker Hughes"
).split()
COMPANY_A = (
    "Blue North Bright Silver Green Rapid Clear Prime Nova Summit Iron Golden Urban Atlas "
    "Vector Quantum Cedar Harbor Orbit Pixel"
).split()
COMPANY_B = (
    "Harbor Labs Systems Works Cloud Data Logic Metrics Partners Bridge Stack Signal Forge "
    "Path Wave Point Grid Scale Loop Field"
).split()
COMPANY_SUFFIX = ["Inc", "Ltd", "GmbH", "Ltda", "LLC", "Group", "Co"]
EMPLOYEE_BANDS = [
    (5, "1-5"),
    (25, "5-25"),
    (50, "25-50"),
    (100, "50-100"),
    (500, "100-500"),
    (1000, "500-1000"),
]

# Activity slots per person: the activity number is idx * 128 + slot.
SLOT_TOUCHES = 58  # 0..57 handoff 1, 58..115 handoff 2
SLOT_FOLLOW_UP = 116  # + handoff - 1
SLOT_MARKETING = 118
SLOT_NOTE = 120
SLOT_PROSPECT = 122  # .. 127

SF_TS = "%Y-%m-%dT%H:%M:%S.000+0000"
HS_TS = "%Y-%m-%dT%H:%M:%S.000Z"
UI_TS = "%Y-%m-%d %H:%M"


# --------------------------------------------------------------------------- helpers


def _lit(text: str | None) -> str:
    if text is None:
        return "null"
    return "'" + text.replace("'", "''") + "'"


def _list(items: list[str]) -> str:
    return "[" + ", ".join(_lit(i) for i in items) + "]"


def _pick(u: str, choices: list[tuple[str, float]]) -> str:
    """SQL: the value whose cumulative weight band contains ``u`` (in [0, 1))."""
    total = sum(w for _, w in choices)
    parts, acc = [], 0.0
    for value, weight in choices[:-1]:
        acc += weight / total
        parts.append(f"when {u} < {acc!r} then {_lit(value)}")
    return f"(case {' '.join(parts)} else {_lit(choices[-1][0])} end)"


def _choose(u: str, items: list[str]) -> str:
    """SQL: one of ``items`` uniformly by ``u``."""
    return f"{_list(items)}[1 + least(floor({u} * {len(items)}), {len(items) - 1})::int]"


def sfid(prefix: str, n: str) -> str:
    """SQL for an 18-character Salesforce id: prefix, instance ``8d``, ``0``, nine base-62
    digits of the integer expression ``n`` and the case-checksum suffix."""
    head = prefix + "8d0"
    assert len(head) == 6
    digits = [f"(({n}) // {62**k} % 62)" for k in range(8, -1, -1)]  # most significant first
    chars = " || ".join(f"substr('{_ALPHABET}', ({d})::int + 1, 1)" for d in digits)
    # 15 characters: head (6) + digits (9). Chunk 0 = head[0:5]; chunk 1 = head[5] + d0..d3;
    # chunk 2 = d4..d8. A base-62 digit is an upper-case letter when 10 <= d <= 35.

    def upper(d: str, bit: int) -> str:
        return f"(case when {d} between 10 and 35 then {1 << bit} else 0 end)"

    c0 = sum(1 << j for j, ch in enumerate(head[:5]) if ch.isupper())
    c1_const = 1 if head[5].isupper() else 0
    c1 = " + ".join([str(c1_const)] + [upper(digits[j], j + 1) for j in range(4)])
    c2 = " + ".join(upper(digits[4 + j], j) for j in range(5))
    return (
        f"('{head}' || {chars} || '{_CHECKSUM[c0]}' || "
        f"substr('{_CHECKSUM}', ({c1}) + 1, 1) || substr('{_CHECKSUM}', ({c2}) + 1, 1))"
    )


def _cutoffs(batches: int) -> list[datetime]:
    """Cutoff instants (exclusive, midnight UTC) of each batch, chronological."""
    if batches < 1:
        raise ValueError("batches must be >= 1")
    if 12 % batches == 0:
        step = 12 // batches
        out = []
        for k in range(1, batches + 1):
            month = k * step
            out.append(datetime(2025 + month // 12, month % 12 + 1, 1))
        return out
    days = (PERIOD_END - PERIOD_START).days + 1
    return [
        datetime.combine(PERIOD_START, datetime.min.time())
        + timedelta(days=round(k * days / batches))
        for k in range(1, batches + 1)
    ]


def _holidays() -> dict[date, float]:
    """2025 holidays of the sales regions (BR, US, UK) → weight on lead volume."""
    regional = (
        "2025-01-20 2025-02-17 2025-03-03 2025-03-04 2025-04-18 2025-04-21 2025-05-01 "
        "2025-05-05 2025-05-26 2025-06-19 2025-07-04 2025-08-25 2025-09-01 2025-09-07 "
        "2025-10-13 2025-11-11 2025-11-15 2025-11-20 2025-11-27 2025-11-28 2025-12-26"
    ).split()
    out = {date.fromisoformat(d): 0.6 for d in regional}
    out[date(2025, 1, 1)] = 0.25
    out[date(2025, 12, 25)] = 0.25
    return out


# --------------------------------------------------------------------------- model


def _setup(con: duckdb.DuckDBPyConnection, n: int, seed: int) -> None:
    con.execute("set TimeZone = 'UTC'")
    con.execute(
        f"create macro rnd(i, salt) as "
        f"((hash({int(seed)}::bigint, i, salt) >> 11)::double / 9007199254740992.0)"
    )
    con.execute(
        "create macro rnorm(i, salt) as "
        "sqrt(-2 * ln(rnd(i, salt || ':a') + 1e-12)) * cos(2 * pi() * rnd(i, salt || ':b'))"
    )
    con.execute("create macro rexp(i, salt) as -ln(1 - rnd(i, salt))")
    con.execute("create macro local_ts(ts, tz) as timezone(tz, ts::timestamptz)")
    con.execute("create macro utc_ts(lts, tz) as timezone(tz, lts)::timestamp")
    # The next instant inside the business window (Mon–Fri 09:00–17:00 local).
    con.execute(
        """
        create macro next_open(ts, tz) as (
            case
                when isodow(local_ts(ts, tz)) <= 5 and hour(local_ts(ts, tz)) between 9 and 16
                    then ts
                when isodow(local_ts(ts, tz)) <= 5 and hour(local_ts(ts, tz)) < 9
                    then utc_ts(date_trunc('day', local_ts(ts, tz)) + interval 9 hour, tz)
                else utc_ts(
                    date_trunc('day', local_ts(ts, tz))
                    + to_days(case isodow(local_ts(ts, tz)) when 5 then 3 when 6 then 2 else 1 end)
                    + interval 9 hour,
                    tz
                )
            end
        )
        """
    )

    # Users, roles, offers as small tables.
    rows = []
    for j, first, last, role, teams, tz, kind, median, never, active in USERS:
        email = f"{first.lower()}.{last.lower()}@{EMAIL_DOMAIN}"
        rows.append(
            f"({j}, {_lit(first)}, {_lit(last)}, {_lit(email)}, {role}, {_lit(teams)}, "
            f"{_lit(tz)}, {_lit(kind)}, {median}, {never}, {str(active).lower()})"
        )
    con.execute(
        "create table users as select *, " + sfid("005", "j") + " as sf_id, "
        f"({HS_OWNER_BASE} + j * 7919)::varchar as hs_id, "
        "first || ' ' || last as full_name from (values " + ", ".join(rows) + ") "
        "as t(j, first, last, email, role_j, teams, tz, kind, median_min, p_never, is_active)"
    )
    con.execute(
        "create table roles as select *, "
        + sfid("00E", "r")
        + " as sf_id from (values "
        + ", ".join(f"({r}, {_lit(name)})" for r, name in ROLES)
        + ") as t(r, name)"
    )
    offer_rows = [
        f"({o}, {_lit(t)}, {m}, {_lit(p)}, {_lit(ct)})" for o, t, _, m, p, ct in OFFERS
    ] + [f"({o}, {_lit(t)}, 1.0, null, {_lit(ct)})" for o, t, ct in OUTBOUND_CAMPAIGNS]
    con.execute(
        "create table offers as select *, " + sfid("701", "o") + " as campaign_id, "
        "substr(md5('form:' || title), 1, 8) || '-' || substr(md5('form:' || title), 9, 4) || '-' "
        "|| substr(md5('form:' || title), 13, 4) || '-' || substr(md5('form:' || title), 17, 4) "
        "|| '-' || substr(md5('form:' || title), 21, 12) as form_id "
        "from (values " + ", ".join(offer_rows) + ") as t(o, title, conv_mult, page_path, ctype)"
    )

    # Day weights → a CDF that the lead arrival times are drawn from (integer weights,
    # so the running sum is exact and deterministic).
    hol = _holidays()
    day_rows = []
    for d in range((PERIOD_END - PERIOD_START).days + 1):
        day = PERIOD_START + timedelta(days=d)
        w = 0.3 if day.isoweekday() >= 6 else 1.0
        if date(2025, 7, 7) <= day <= date(2025, 8, 29):
            w *= 0.7
        if day >= date(2025, 12, 22) or day <= date(2025, 1, 3):
            w *= 0.45
        w *= hol.get(day, 1.0)
        w *= 0.92 + 0.16 * d / 364
        day_rows.append(f"({d}, date '{day.isoformat()}', {w!r})")
    con.execute(
        f"""
        create table days as
        with raw as (
            select d, day,
                round(w * (0.86 + 0.28 * rnd(-1 - weekofyear(day), 'week')) * 100000)::bigint as w
            from (values {", ".join(day_rows)}) as t(d, day, w)
        ),
        cum as (
            select d, day, w, sum(w) over (order by d rows between unbounded preceding and current row) - w as lo
            from raw
        )
        select d, day, lo::double / (select sum(w) from raw) as cdf_lo from cum order by d
        """
    )
    _people(con, n)


def _people(con: duckdb.DuckDBPyConnection, n: int) -> None:
    start = f"timestamp '{PERIOD_START.isoformat()} 00:00:00'"

    def R(salt: str) -> str:
        return f"rnd(idx, '{salt}')"

    good_country = _pick(R("country2"), [(c, w) for c, w in COUNTRY_GOOD])
    poor_country = _pick(R("country2"), [(c, w) for c, w in COUNTRY_POOR])
    offer_choices = [(str(o), w) for o, _, w, *_ in OFFERS]
    band_case = " ".join(f"when employees <= {hi} then '{label}'" for hi, label in EMPLOYEE_BANDS)
    team_case = " ".join(f"when {_lit(c)} then '{t}'" for c, t in TEAM_OF_COUNTRY.items())
    sync_src = " ".join(f"when {_lit(h)} then {_lit(s)}" for h, s in SF_SOURCE_FOR_HUBSPOT.items())
    drill = " ".join(f"when {_lit(h)} then {_lit(d)}" for h, d in HS_DRILL_DOWN.items())
    owner_pick = " ".join(
        f"when '{t}' then {js}[1 + least(floor({R('owner2')} * {len(js)}), {len(js) - 1})::int]"
        for t, js in SDRS.items()
    )
    con.execute(
        f"""
        create table p0 as
        with base as (
            select range as idx,
                case when rnd(range, 'pop') < 0.30 then 'hs'
                     when rnd(range, 'pop') < 0.60 then 'sf' else 'sync' end as pop,
                rnd(range, 'inbound') < 0.65 as inbound,
                rnd(range, 'day') as u_day
            from range({n})
        ),
        dated as (
            select base.*, days.day
            from base asof join days on base.u_day >= days.cdf_lo
        ),
        attrs as (
            select idx, pop, inbound,
                {R("mql")} < case when inbound then 0.63 else 0.56 end as is_mql1,
                day + to_seconds(
                    case when {R("tod")} < 0.75 then 8 * 3600 + floor({R("tod2")} * 14 * 3600)
                         else floor({R("tod2")} * 86400) end::bigint
                ) as t_ref,
                case when not inbound then floor((3 + {R("lag2")} * 37) * 86400)
                     when {R("lag")} < 0.55 then floor((1 + {R("lag2")} * 4) * 60)
                     else floor(60 * 61 + rexp(idx, 'lag3') * 14 * 86400) end::bigint as lag_s,
                case when inbound then {_pick(R("hs_src"), HS_INBOUND)} else 'OFFLINE' end as hs_src_raw,
                case when inbound then {_pick(R("sf_src"), SF_INBOUND)}
                     else {_pick(R("sf_src"), SF_OUTBOUND)} end as sf_src_raw,
                case when {R("drill")} < 0.6 then 'IMPORT' else 'CRM_UI' end as offline_drill,
                {R("fit_ind")} < case when inbound then 0.67 else 0.6 end as good_industry,
                {R("fit_emp")} < case when inbound then 0.67 else 0.6 end as good_employees,
                {R("fit_cty")} < case when inbound then 0.67 else 0.6 end as good_country,
                {R("fit_ttl")} < case when inbound then 0.67 else 0.6 end as good_title,
                {_pick(R("offer0"), offer_choices)}::int as offer0_raw,
                {_pick(R("offer1"), offer_choices)}::int as offer1_raw,
                {_pick(R("offer2"), offer_choices)}::int as offer2_raw,
                {R("owner")} < 0.02 as no_owner,
                {_choose(R("first"), FIRST_NAMES)} as first_name,
                {_choose(R("last"), LAST_NAMES)} as last_name,
                {_choose(R("ca"), COMPANY_A)} as company_a,
                {_choose(R("cb"), COMPANY_B)} as company_b,
                {_choose(R("cs"), COMPANY_SUFFIX)} as company_suffix
            from dated
        ),
        fit as (
            select *,
                case when good_industry then {_choose(R("ind2"), INDUSTRY_GOOD)}
                     else {_choose(R("ind2"), INDUSTRY_POOR)} end as industry,
                case when good_employees then 50 + floor(pow({R("emp2")}, 1.6) * 950)
                     when {R("emp3")} < 0.6 then 1 + floor({R("emp2")} * 49)
                     else 1001 + floor(pow({R("emp2")}, 3) * 19000) end::integer as employees,
                case when good_country then {good_country} else {poor_country} end as country,
                case when good_title then {_choose(R("ttl2"), TITLE_GOOD)}
                     else {_choose(R("ttl2"), TITLE_POOR)} end as title,
                good_industry::int + good_employees::int + good_country::int + good_title::int as fit_points
            from attrs
        ),
        people as (
            select *,
                case fit_points when 4 then 'A' when 3 then 'B' when 2 then 'C' else 'D' end as fit_tier,
                case fit_points when 4 then 1.45 when 3 then 1.15 when 2 then 0.75 else 0.45 end as f_fit,
                case fit_points when 4 then 1.3 when 3 then 1.1 when 2 then 0.8 else 0.6 end as f_win,
                case country {team_case} else 'UK' end as team,
                case when employees < 1000 then 'x' end as _unused,
                case when {R("cty_case")} < 0.1 and pop = 'sync' then true else false end as sf_email_upper
            from fit
        )
        select people.* exclude (_unused, hs_src_raw, sf_src_raw, offer0_raw, offer1_raw, offer2_raw, lag_s),
            case when is_mql1 then t_ref end as t_mql1,
            t_ref - to_seconds(case when is_mql1
                then least(lag_s, floor(epoch(t_ref - {start}) * {R("clip")})::bigint) else 0 end)
                as created_at,
            case when pop = 'sf' then null else hs_src_raw end as hs_source,
            case when pop = 'sf' then null
                 when hs_src_raw = 'OFFLINE' then offline_drill
                 else case hs_src_raw {drill} end end as hs_source_drill,
            case when pop = 'hs' then null
                 when pop = 'sync' then case hs_src_raw {sync_src} end
                 else sf_src_raw end as sf_source,
            case when not inbound then null
                 when pop = 'sf' and sf_src_raw = 'Webinar' then {WEBINAR_OFFER}
                 else offer0_raw end as offer0,
            case when inbound and is_mql1 and lag_s > 3600 then offer1_raw end as offer1,
            case when inbound then offer2_raw end as offer2_pick,
            case when no_owner then null else case team {owner_pick} end end as owner_j,
            case when employees <= 1000 then case {band_case} end else '1000+' end as employee_band,
            floor((2 + {R("sync_lag")} * 4) * 60)::bigint as sync_lag_s,
            lower(company_a || company_b) || '.com' as domain,
            company_a || ' ' || company_b || ' ' || company_suffix as company
        from people
        """
    )

    # Handoff 1 and, for recycled leads that come back, handoff 2.
    con.execute(
        f"""
        create table p1 as
        select p0.*, {_handoff_sql(1)}
        from p0
        left join users as u on u.j = p0.owner_j
        left join offers as o on o.o = coalesce(p0.offer1, p0.offer0)
        """
    )
    con.execute(
        f"""
        create table p2 as
        select p1.*,
            case when outcome1 = 'recycled' and {R("remql")} < 0.35
                 then disp1 + to_seconds(floor((21 + {R("remql2")} * 69) * 86400)::bigint) end as t_mql2
        from p1
        """
    )
    con.execute(
        f"""
        create table p3 as
        select p2.* exclude (offer2_pick),
            case when t_mql2 is not null then offer2_pick end as offer2,
            {_handoff_sql(2)}
        from p2
        left join users as u on u.j = p2.owner_j
        left join offers as o on o.o = p2.offer2_pick
        """
    )
    con.execute(
        f"""
        create table p as
        with conv as (
            select p3.*,
                coalesce(conv1, conv2) as conv_at,
                case when conv1 is not null then 1 when conv2 is not null then 2 end as conv_h
            from p3
        ),
        won as (
            select conv.*,
                conv_at is not null
                    and {R("won")} < (case when inbound then 0.34 else 0.20 end) * f_win as is_won,
                case when conv_at is not null
                    then conv_at + to_seconds(floor((15 + {R("close")} * 105) * 86400)::bigint)
                end as close_at,
                round(exp(ln(8000) + 0.7 * rnorm(idx, 'amount')) * (1 + least(employees, 5000) / 1500.0), -2)
                    as amount,
                case pop when 'sf' then created_at
                         when 'sync' then case when is_mql1
                             then t_mql1 + to_seconds(sync_lag_s) end
                end as sf_created_at
            from conv
        ),
        last_event as (
            select won.*,
                greatest(created_at, t_mql1, act_end1, disp1, t_mql2, act_end2, disp2, conv_at, close_at)
                    as last_event_at
            from won
        )
        select last_event.*,
            case when {R("del")} < 0.0075 then last_event_at
                + to_seconds(floor((5 + {R("del2")} * 55) * 86400)::bigint) end as deleted_at_raw,
            lower(first_name) || '.' || lower(last_name) || idx || '@' || domain as email_raw,
            '+' || (case country when 'United States' then '1' when 'Canada' then '1'
                 when 'Brazil' then '55' when 'Mexico' then '52' when 'United Kingdom' then '44'
                 when 'Germany' then '49' when 'France' then '33' when 'India' then '91'
                 when 'Spain' then '34' when 'Portugal' then '351' else '61' end)
                || ' ' || (100000000 + floor({R("phone")} * 899999999)::bigint)::varchar as phone
        from last_event
        order by idx
        """
    )
    for t in ("p0", "p1", "p2", "p3"):
        con.execute(f"drop table {t}")


def _handoff_sql(h: int) -> str:
    """Columns of handoff ``h`` (1 or 2): first touch, disposition, conversion."""

    def R(salt: str) -> str:
        return f"rnd(idx, '{salt}{h}')"

    t_mql = f"t_mql{h}"
    tz = "coalesce(u.tz, 'UTC')"
    delay = f"(u.median_min * exp(1.1 * rnorm(idx, 'delay{h}')))"
    touched = f"({t_mql} is not null and u.kind = 'sdr' and {R('never')} >= u.p_never)"
    f_speed = (
        f"(case when {delay} < 5 then 1.5 when {delay} < 60 then 1.25 when {delay} < 240 then 1.05 "
        f"when {delay} < 1440 then 0.85 else 0.6 end)"
    )
    p_sql = (
        f"least(0.92, (case when inbound then 0.44 else 0.16 end) * f_fit * {f_speed} "
        f"* coalesce(o.conv_mult, 1.0) * {1.0 if h == 1 else 0.85})"
    )
    seen = f"({t_mql} + to_seconds(case when pop = 'sync' then sync_lag_s else 0 end))"
    touch = f"next_open(next_open({seen}, {tz}) + to_seconds(floor({delay} * 60)::bigint), {tz})"
    outcome = (
        f"(case when {touched} then (case when {R('sql')} < {p_sql} then 'sql' "
        f"when {R('dq')} < (case when inbound then 0.5 else 0.7 end) then 'disqualified' "
        f"else 'recycled' end) "
        f"when {t_mql} is not null and {R('auto')} < 0.4 then 'recycled' end)"
    )
    return f"""
        {touched} as touched{h},
        case when {touched} then {delay} end as delay_min{h},
        case when {touched} then {touch} end as touch{h},
        {outcome} as outcome{h},
        case when {touched} then
            (case when inbound then 2 + least(floor(rexp(idx, 'ntouch{h}') * 5), 40)
                  else 12 + floor({R("ntouch")} * 25) end)::integer
            else 0 end as n_touch{h},
        case
            when {touched} then {touch} + to_seconds(floor(600 + 86400 * rexp(idx, 'disp{h}') * (
                case when {outcome} = 'sql' then (case when inbound then 1.5 else 6 end)
                     else (case when inbound then 3 else 14 end) end))::bigint)
            when {outcome} = 'recycled' then {t_mql} + to_seconds(floor((30 + {R("autod")} * 30) * 86400)::bigint)
        end as disp{h},
        case when {outcome} = 'sql' and {R("conv")} < 0.75
            then {touch} + to_seconds(floor(600 + 86400 * rexp(idx, 'disp{h}') * (
                case when inbound then 1.5 else 6 end))::bigint)
                + to_seconds(floor((0.5 + {R("convd")} * 9.5) * 86400)::bigint)
        end as conv{h},
        case when {touched} then greatest(
            {touch} + to_seconds(floor(600 + 86400 * rexp(idx, 'disp{h}') * (
                case when {outcome} = 'sql' then (case when inbound then 1.5 else 6 end)
                     else (case when inbound then 3 else 14 end) end))::bigint),
            {touch} + interval 2 day) end as act_end{h}
    """
