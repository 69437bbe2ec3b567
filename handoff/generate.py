"""Deterministic synthetic CRM extracts: HubSpot and Salesforce, in their native layouts.

``generate(out, leads, seed, batches)`` writes one year (2025-01-01 .. 2025-12-31) of a
company that markets in HubSpot and sells in Salesforce (README, "What handoff is")::

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
      and ``Owner`` (old/new owner ids; the unassigned owner is a queue ``00G…``), each
      owner change written twice as real exports do: a row of ids, then one of names.
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
    * Routing: a quarter of inbound first MQLs wait 15 min – 3 days (exponential, mean
      ~8 h of wall clock) before their seller holds them: Salesforce-only leads with a
      marketer (Lucas Almeida, Sophie Turner) or in the queue, synced leads in the
      queue, HubSpot-only contacts with a marketer (``hubspot_owner_id`` history in
      ``contact_property_history``; ``hubspot_owner_assigneddate`` is the seller's
      assignment). The seller's touch delay counts from the assignment.
    * Touches per touched handoff: inbound ≈ 10, outbound ≈ 28 (the "called 20 times"
      pattern); outbound leads also get 0–5 prospecting touches before the MQL. About
      10 activity rows (Task + Event + engagements) per lead in all.
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
    con.execute("set enable_progress_bar = false")
    con.execute(
        # hash(a, b, c) combines the parts too weakly (draws with different salts come out
        # correlated): hash the integer offset by a per-salt (and per-seed) constant instead.
        f"create macro rnd(i, salt) as "
        f"((hash((hash(salt || ':{int(seed)}') >> 24) + i) >> 11)::double / 9007199254740992.0)"
    )
    con.execute(
        "create macro rnorm(i, salt) as "
        "sqrt(-2 * ln(rnd(i, salt || ':a') + 1e-12)) * cos(2 * pi() * rnd(i, salt || ':b'))"
    )
    con.execute("create macro rexp(i, salt) as -ln(1 - rnd(i, salt))")
    con.execute("create macro local_ts(ts, tz) as timezone(tz, ts::timestamptz)")
    con.execute("create macro utc_ts(lts, tz) as timezone(tz, lts)::timestamp")
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
                round(w * (0.86 + 0.28 * rnd(weekofyear(day), 'week')) * 100000)::bigint as w
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
            -- routing delay: a quarter of inbound MQLs wait in a queue or with a marketer
            -- before their seller holds them (first handoff only)
            case when inbound and is_mql1 and not no_owner and {R("route")} < 0.25
                then least(floor(3600 * (0.25 + 8 * rexp(idx, 'route_lag'))), 259200)::bigint
                else 0 end as route_lag_s,
            case when pop = 'hs' or (pop = 'sf' and {R("route_via")} < 0.5)
                then 2 + least(floor({R("route_mkt")} * 2), 1)::int end as route_j,
            lower(company_a || company_b) || '.com' as domain,
            company_a || ' ' || company_b || ' ' || company_suffix as company
        from people
        """
    )

    # Handoff 1 and, for recycled leads that come back, handoff 2.
    _handoff_table(con, 1, "p0", "p1", "coalesce(p0.offer1, p0.offer0)")
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
        "create table p2b as select p2.* exclude (offer2_pick), "
        "case when t_mql2 is not null then offer2_pick end as offer2 from p2"
    )
    _handoff_table(con, 2, "p2b", "p3", "p2b.offer2")
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
    for t in ("p0", "p1", "p2", "p2b", "p3"):
        con.execute(f"drop table {t}")


def _next_open(ts: str, local: str, tz: str) -> str:
    """SQL: ``ts`` if inside the business window (Mon–Fri 09:00–17:00 local), else the
    next window's opening; ``local`` is ``ts`` already converted to local time."""
    return f"""(case
        when isodow({local}) <= 5 and hour({local}) between 9 and 16 then {ts}
        when isodow({local}) <= 5 and hour({local}) < 9
            then utc_ts(date_trunc('day', {local}) + interval 9 hour, {tz})
        else utc_ts(date_trunc('day', {local})
            + to_days(case isodow({local}) when 5 then 3 when 6 then 2 else 1 end)
            + interval 9 hour, {tz})
    end)"""


def _handoff_table(con: duckdb.DuckDBPyConnection, h: int, src: str, dst: str, offer: str) -> None:
    """``dst`` = ``src`` plus handoff ``h`` (1 or 2): first touch, disposition, conversion.
    Built in stages so every expensive expression (time zones, draws) is computed once."""

    def R(salt: str) -> str:
        return f"rnd(idx, '{salt}{h}')"

    t_mql = f"t_mql{h}"
    speed = (
        "(case when _delay < 5 then 1.5 when _delay < 60 then 1.25 when _delay < 240 then 1.05 "
        "when _delay < 1440 then 0.85 else 0.6 end)"
    )
    con.execute(
        f"""
        create table {dst} as
        with s1 as (
            select {src}.*,
                coalesce(u.tz, 'UTC') as _tz,
                coalesce(o.conv_mult, 1.0) as _offer_mult,
                ({t_mql} is not null and u.kind = 'sdr' and {R("never")} >= u.p_never) as _touched,
                u.median_min * exp(1.1 * rnorm(idx, 'delay{h}')) as _delay,
                {t_mql} + to_seconds(case when pop = 'sync' then sync_lag_s else 0 end)
                    {"+ to_seconds(route_lag_s)" if h == 1 else ""} as _seen
            from {src}
            left join users as u on u.j = {src}.owner_j
            left join offers as o on o.o = {offer}
        ),
        s2 as (select *, local_ts(_seen, _tz) as _seen_local from s1),
        s3 as (
            select *, {_next_open("_seen", "_seen_local", "_tz")}
                + to_seconds(floor(coalesce(_delay, 0) * 60)::bigint) as _raw_touch
            from s2
        ),
        s4 as (select *, local_ts(_raw_touch, _tz) as _raw_touch_local from s3),
        s5 as (
            select *,
                case when _touched then {_next_open("_raw_touch", "_raw_touch_local", "_tz")} end
                    as _touch,
                least(0.92, (case when inbound then 0.44 else 0.16 end) * f_fit * {speed}
                    * _offer_mult * {1.0 if h == 1 else 0.85}) as _p_sql
            from s4
        ),
        s6 as (
            select *,
                case when _touched then (case
                        when {R("sql")} < _p_sql then 'sql'
                        when {R("dq")} < (case when inbound then 0.5 else 0.7 end) then 'disqualified'
                        else 'recycled' end)
                     when {t_mql} is not null and {R("auto")} < 0.4 then 'recycled'
                end as _outcome
            from s5
        ),
        s7 as (
            select *,
                case when _touched then _touch + to_seconds(floor(600 + 86400 * rexp(idx, 'disp{h}') * (
                    case when _outcome = 'sql' then (case when inbound then 1.5 else 6 end)
                         else (case when inbound then 3 else 14 end) end))::bigint)
                end as _touched_disp
            from s6
        )
        select * exclude (_tz, _offer_mult, _touched, _delay, _seen, _seen_local, _raw_touch,
                          _raw_touch_local, _touch, _p_sql, _outcome, _touched_disp),
            _touched as touched{h},
            case when _touched then _delay end as delay_min{h},
            _touch as touch{h},
            _outcome as outcome{h},
            case when _touched then
                (case when inbound then 3 + least(floor(rexp(idx, 'ntouch{h}') * 7), 40)
                      else 14 + floor({R("ntouch")} * 28) end)::integer
                else 0 end as n_touch{h},
            case when _touched then _touched_disp
                 when _outcome = 'recycled'
                    then {t_mql} + to_seconds(floor((30 + {R("autod")} * 30) * 86400)::bigint)
            end as disp{h},
            case when _outcome = 'sql' and {R("conv")} < 0.75
                then _touched_disp + to_seconds(floor((0.5 + {R("convd")} * 9.5) * 86400)::bigint)
            end as conv{h},
            case when _touched then greatest(_touched_disp, _touch + interval 2 day) end as act_end{h}
        from s7
        """
    )


def _finish_people(con: duckdb.DuckDBPyConnection, first_cutoff: str, last_cutoff: str) -> None:
    """Ids, owner columns and deletions (only between the first and the last cutoff, so a
    deleted record was delivered alive before)."""
    con.execute(
        f"""
        create table people as
        select p.* exclude (deleted_at_raw, email_raw),
            case when deleted_at_raw >= timestamp '{first_cutoff}'
                  and deleted_at_raw < timestamp '{last_cutoff}' then deleted_at_raw end as deleted_at,
            email_raw as email,
            case when sf_email_upper then upper(substr(email_raw, 1, 1)) || substr(email_raw, 2)
                 else email_raw end as sf_email,
            case when pop <> 'hs' then {sfid("00Q", "(idx + 1000)")} end as lead_id,
            case when pop <> 'sf' then (1001 + idx * 3)::varchar end as hs_contact_id,
            case when pop <> 'sf' then (7000001 + idx * 3)::varchar end as hs_company_id,
            case when conv_at is not null and pop <> 'hs' then {sfid("006", "(idx + 1000)")} end as opp_id,
            case when conv_at is not null and pop <> 'hs' then {sfid("003", "(idx + 1000)")} end as contact_id,
            case when conv_at is not null and pop <> 'hs' then {sfid("001", "(idx + 1000)")} end as account_id,
            case when conv_at is not null and pop = 'hs' then (9000001 + idx * 3)::varchar end as deal_id,
            u.sf_id as owner_sf, u.hs_id as owner_hs, u.full_name as owner_name,
            ae.sf_id as ae_sf, ae.hs_id as ae_hs,
            ru.sf_id as route_sf, ru.hs_id as route_hs,
            o.campaign_id as conv_campaign_id
        from p
        left join users as u on u.j = p.owner_j
        left join users as ru on ru.j = p.route_j
        left join users as ae on ae.j = (case p.team {" ".join(f"when '{t}' then {j}" for t, j in AES.items())} end)
        left join offers as o on o.o = (case p.conv_h when 1 then coalesce(p.offer1, p.offer0)
                                                  when 2 then p.offer2 end)
        order by idx
        """
    )
    con.execute("drop table p")


SF_STATUS = {
    "sql": "Sales Qualified",
    "disqualified": "Closed - Not Converted",
    "recycled": "Recycled",
}
HS_STAGE = {"sql": "salesqualifiedlead", "disqualified": "other", "recycled": "lead"}
HS_STATUS = {"sql": "OPEN_DEAL", "disqualified": "UNQUALIFIED", "recycled": "BAD_TIMING"}
QUEUE_ID_EXPR = sfid("00G", "1")
QUEUE_NAME = "Inbound Leads Queue"


def _case(col: str, mapping: dict[str, str]) -> str:
    return (
        f"(case {col} "
        + " ".join(f"when {_lit(k)} then {_lit(v)}" for k, v in mapping.items())
        + " end)"
    )


def _events(con: duckdb.DuckDBPyConnection) -> None:
    """Long status timelines: ``sf_ev`` (Lead field changes) and ``hs_ev`` (contact
    property changes). One row per change, ordered by (ts, ord)."""
    sf = "sf_created_at is not null"
    sync2 = "to_seconds(case when pop = 'sync' then sync_lag_s else 0 end)"
    parts = [
        f"select idx, sf_created_at as ts, 0 as ord, 'created' as field, null as value, true as hist from people where {sf}",
        f"select idx, sf_created_at, 1, 'Status', case when pop = 'sf' then 'Open - Not Contacted' else 'Marketing Qualified' end, false from people where {sf}",
        f"select idx, sf_created_at, 2, 'Owner', case when (pop = 'sf' and inbound) or route_lag_s > 0 then {QUEUE_ID_EXPR} else coalesce(owner_sf, {QUEUE_ID_EXPR}) end, false from people where {sf}",
        "select idx, t_mql1, 3, 'Status', 'Marketing Qualified', true from people where pop = 'sf' and is_mql1",
        # routed leads go to a marketer at the MQL, or stay in the queue
        "select idx, t_mql1, 4, 'Owner', case when route_lag_s > 0 then route_sf else owner_sf end, true from people where pop = 'sf' and is_mql1 and inbound and owner_sf is not null and (route_lag_s = 0 or route_sf is not null)",
        f"select idx, t_mql1 + {sync2} + to_seconds(route_lag_s), 13, 'Owner', owner_sf, true from people where {sf} and route_lag_s > 0",
        f"select idx, touch1, 5, 'Status', 'Working - Contacted', true from people where {sf} and touch1 is not null",
        f"select idx, disp1, 6, 'Status', {_case('outcome1', SF_STATUS)}, true from people where {sf} and disp1 is not null",
        f"select idx, conv1, 7, 'Status', 'Closed - Converted', true from people where {sf} and conv1 is not null",
        f"select idx, t_mql2 + {sync2}, 8, 'Status', 'Marketing Qualified', true from people where {sf} and t_mql2 is not null",
        f"select idx, touch2, 9, 'Status', 'Working - Contacted', true from people where {sf} and touch2 is not null",
        f"select idx, disp2, 10, 'Status', {_case('outcome2', SF_STATUS)}, true from people where {sf} and disp2 is not null",
        f"select idx, conv2, 11, 'Status', 'Closed - Converted', true from people where {sf} and conv2 is not null",
        f"select idx, deleted_at, 12, 'IsDeleted', 'true', false from people where {sf} and deleted_at is not null",
    ]
    con.execute(
        "create table sf_ev as select *, epoch_ms(ts) * 16 + ord as k, "
        "lag(value) over (partition by idx, field order by epoch_ms(ts) * 16 + ord) as old_value "
        "from (" + " union all ".join(parts) + ") order by idx, k"
    )
    hs = "pop <> 'sf'"
    mirror = "to_seconds(case when pop = 'sync' then 120 else 0 end)"
    src = "case when pop = 'sync' then 'SALESFORCE' else 'CRM_UI' end"
    parts = [
        f"select idx, created_at as ts, 0 as ord, 'lifecyclestage' as prop, case when offer0 = {NEWSLETTER_OFFER} then 'subscriber' else 'lead' end as value, case when inbound then 'FORM' else offline_drill end as source from people where {hs}",
        f"select idx, created_at, 1, 'hubspot_owner_id', owner_hs, 'CRM_UI' from people where {hs} and not inbound and owner_hs is not null",
        f"select idx, t_mql1, 2, 'lifecyclestage', 'marketingqualifiedlead', 'AUTOMATION_PLATFORM' from people where {hs} and is_mql1",
        f"select idx, t_mql1, 3, 'hs_lead_status', 'NEW', 'AUTOMATION_PLATFORM' from people where {hs} and is_mql1",
        f"select idx, case when pop = 'sync' then sf_created_at + interval 1 minute else t_mql1 end, 4, 'hubspot_owner_id', case when route_lag_s > 0 then route_hs else owner_hs end, case when pop = 'sync' then 'SALESFORCE' else 'AUTOMATION_PLATFORM' end from people where {hs} and is_mql1 and inbound and owner_hs is not null and not (pop = 'sync' and route_lag_s > 0)",
        f"select idx, case when pop = 'sync' then sf_created_at + interval 1 minute else t_mql1 end + to_seconds(route_lag_s), 19, 'hubspot_owner_id', owner_hs, case when pop = 'sync' then 'SALESFORCE' else 'AUTOMATION_PLATFORM' end from people where {hs} and is_mql1 and inbound and owner_hs is not null and route_lag_s > 0",
        "select idx, sf_created_at + interval 1 minute, 5, 'salesforceleadid', lead_id, 'SALESFORCE' from people where pop = 'sync' and sf_created_at is not null",
        "select idx, touch1, 6, 'hs_lead_status', 'IN_PROGRESS', 'CRM_UI' from people where pop = 'hs' and touch1 is not null",
        f"select idx, disp1 + {mirror}, 7, 'lifecyclestage', {_case('outcome1', HS_STAGE)}, {src} from people where {hs} and disp1 is not null",
        f"select idx, disp1 + {mirror}, 8, 'hs_lead_status', {_case('outcome1', HS_STATUS)}, {src} from people where {hs} and disp1 is not null",
        f"select idx, conv1 + {mirror}, 9, 'lifecyclestage', 'opportunity', {src} from people where {hs} and conv1 is not null",
        "select idx, conv_at + interval 2 minute, 10, 'salesforcecontactid', contact_id, 'SALESFORCE' from people where pop = 'sync' and conv_at is not null",
        f"select idx, t_mql2, 11, 'lifecyclestage', 'marketingqualifiedlead', 'AUTOMATION_PLATFORM' from people where {hs} and t_mql2 is not null",
        f"select idx, t_mql2, 12, 'hs_lead_status', 'NEW', 'AUTOMATION_PLATFORM' from people where {hs} and t_mql2 is not null",
        "select idx, touch2, 13, 'hs_lead_status', 'IN_PROGRESS', 'CRM_UI' from people where pop = 'hs' and touch2 is not null",
        f"select idx, disp2 + {mirror}, 14, 'lifecyclestage', {_case('outcome2', HS_STAGE)}, {src} from people where {hs} and disp2 is not null",
        f"select idx, disp2 + {mirror}, 15, 'hs_lead_status', {_case('outcome2', HS_STATUS)}, {src} from people where {hs} and disp2 is not null",
        f"select idx, conv2 + {mirror}, 16, 'lifecyclestage', 'opportunity', {src} from people where {hs} and conv2 is not null",
        f"select idx, close_at + {mirror}, 17, 'lifecyclestage', 'customer', {src} from people where {hs} and is_won",
        f"select idx, deleted_at, 18, 'archived', 'true', 'CRM_UI' from people where {hs} and deleted_at is not null",
    ]
    con.execute(
        "create table hs_ev as select *, epoch_ms(ts) * 32 + ord as k "
        "from (" + " union all ".join(parts) + ") order by idx, k"
    )


def _activities(con: duckdb.DuckDBPyConnection) -> None:
    """One row per sales/marketing activity: touches of each handoff, follow-up tasks,
    the marketing user's e-mails, notes, and outbound prospecting before the MQL.
    Numeric columns only; ids and formats are made at export."""
    crm = "case when pop = 'hs' then 'hs' else 'sf' end"
    # Later touches fall in the team's working hours (approximate UTC windows, Mon–Fri).
    con.execute(
        """
        create or replace macro biz_snap(ts, team, u) as (
            date_trunc('day', ts)
            + to_days(case isodow(ts) when 6 then 2 when 7 then 1 else 0 end)
            + to_seconds(((case team when 'BR' then 12 when 'US' then 14 else 8 end) * 3600
                + floor(u * 8 * 3600))::bigint)
        )
        """
    )
    parts = []
    for h in (1, 2):
        base = SLOT_TOUCHES * (h - 1)
        parts.append(
            f"""
            select idx, {base} + k as slot, {crm} as crm,
                case when k = 0 then (case when rnd(idx * 128 + k, 'kind{h}') < (case when inbound then 0.5 else 0.8 end) then 'call' else 'email' end)
                     when rnd(idx * 128 + k, 'kind{h}') < (case when inbound then 0.10 else 0.03 end) then 'meeting'
                     when rnd(idx * 128 + k, 'kind{h}') < (case when inbound then 0.55 else 0.70 end) then 'call'
                     else 'email' end as kind,
                owner_j,
                case when k = 0 then touch
                     else greatest(touch + interval 5 minute, biz_snap(
                        touch + to_seconds(floor(epoch(act_end - touch) * (k + rnd(idx * 128 + k, 'when{h}')) / n)::bigint),
                        team, rnd(idx * 128 + k, 'hour{h}')))
                end as ts,
                null::timestamp as done_ts, null::date as due_date
            from (
                select idx, pop, inbound, owner_j, team, touch{h} as touch, act_end{h} as act_end,
                    least(n_touch{h}, {SLOT_TOUCHES}) as n, unnest(range(least(n_touch{h}, {SLOT_TOUCHES}))) as k
                from people where n_touch{h} > 0
            )
            """
        )
        parts.append(
            f"""
            select idx, {SLOT_FOLLOW_UP + h - 1}, {crm}, 'task', owner_j, touch{h} + interval 1 hour,
                case when rnd(idx, 'fu_done{h}') < 0.8
                     then touch{h} + to_seconds(floor((2 + 3 * rnd(idx, 'fu_when{h}')) * 86400)::bigint) end,
                (touch{h} + interval 3 day)::date
            from people where touch{h} is not null and rnd(idx, 'fu{h}') < 0.4
            """
        )
        parts.append(
            f"""
            select idx, {SLOT_MARKETING + h - 1}, case when pop = 'sf' then 'sf' else 'hs' end, 'email', {MOPS_USER},
                t_mql{h} + to_seconds(floor((1 + 19 * rnd(idx, 'mk_when{h}')) * 60)::bigint), null, null
            from people where t_mql{h} is not null and rnd(idx, 'mk{h}') < 0.08
            """
        )
        parts.append(
            f"""
            select idx, {SLOT_NOTE + h - 1}, 'hs', 'note', owner_j, act_end{h}, null, null
            from people where pop = 'hs' and touch{h} is not null and rnd(idx, 'note{h}') < 0.3
            """
        )
    parts.append(
        f"""
        select idx, {SLOT_PROSPECT} + k, {crm},
            case when rnd(idx * 128 + k, 'pk') < 0.8 then 'call' else 'email' end, owner_j,
            greatest(created_at + interval 1 minute, biz_snap(
                created_at + to_seconds(floor(epoch(coalesce(t_mql1, created_at + interval 30 day) - created_at)
                    * (k + rnd(idx * 128 + k, 'pw')) / n)::bigint),
                team, rnd(idx * 128 + k, 'ph'))),
            null, null
        from (
            select idx, pop, owner_j, team, created_at, t_mql1, floor(rnd(idx, 'np') * 7)::int as n,
                unnest(range(floor(rnd(idx, 'np') * 7)::int)) as k
            from people where not inbound and pop <> 'sync' and owner_j is not null
        )
        """
    )
    con.execute("create table acts as " + " union all ".join(parts))


# --------------------------------------------------------------------------- export

# Columns the generator writes on purpose although the contract does not know them
# (custom fields, UI sprawl): ingest must keep them, never fail on them.
EXTRA_COLUMNS = {
    ("hubspot", "contacts"): {
        "Became a Subscriber Date",
        "Number of times contacted",
        "Number of Sales Activities",
        "Marketing emails opened",
        "HubSpot Score",
        "IP Country",
        "hubspotscore",
        "num_contacted_notes",
    },
    ("hubspot", "owners"): {"userId"},
    ("hubspot", "engagements"): {"hs_activity_source"},
    ("salesforce", "lead"): {"Rating", "Fit_Tier__c"},
    ("salesforce", "user"): {"Username"},
    ("salesforce", "user_role"): {"DeveloperName"},
    ("salesforce", "task"): {"Priority", "CallDurationInSeconds"},
    ("salesforce", "event"): {"EndDateTime", "DurationInMinutes"},
    ("salesforce", "opportunity"): {"Type", "Probability"},
}


def _macros(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create macro sfts(ts) as strftime(ts, '{SF_TS}')")
    con.execute(f"create macro hsts(ts) as strftime(ts, '{HS_TS}')")
    con.execute(f"create macro uits(ts) as strftime(ts, '{UI_TS}')")
    con.execute("create macro ms(ts) as epoch_ms(ts)::varchar")
    con.execute("create macro tf(b) as case when b then 'true' when not b then 'false' end")
    con.execute("create macro d(ts) as strftime(ts, '%Y-%m-%d')")


class _Writer:
    """Runs each ``COPY`` (DuckDB's own gzip writes no mtime, so ``.csv.gz`` output is
    reproducible) and records row counts."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, out: Path, progress: Callable[[str], None] | None
    ):
        self.con = con
        self.out = out
        self.progress = progress
        self.rows: dict[str, int] = {}

    def copy(self, query: str, path: Path, kind: str = "csv") -> int:
        path.parent.mkdir(parents=True, exist_ok=True)
        options = {
            "csv": "format csv, header true",
            "csv.gz": "format csv, header true, compression gzip",
            "jsonl": "format json",
        }[kind]
        target = str(path).replace("'", "''")
        (count,) = self.con.execute(f"copy ({query}) to '{target}' ({options})").fetchone()  # type: ignore[misc]
        rel = path.relative_to(self.out).as_posix()
        self.rows[rel] = int(count)
        if self.progress:
            self.progress(f"{rel}: {count} rows")
        return int(count)


def _contacts_query(c: str, cp: str, ui: bool) -> str:
    stages = ["lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer"]
    agg_cols = ",\n".join(
        [
            "max(ts) as lastmod",
            "max_by(value, k) filter (where prop = 'lifecyclestage') as lifecyclestage",
            "max_by(value, k) filter (where prop = 'hs_lead_status') as hs_lead_status",
            "max_by(value, k) filter (where prop = 'hubspot_owner_id') as owner_hs_now",
            "max(ts) filter (where prop = 'hubspot_owner_id') as owner_assigned_at",
            "max_by(value, k) filter (where prop = 'salesforceleadid') as salesforceleadid",
            "max_by(value, k) filter (where prop = 'salesforcecontactid') as salesforcecontactid",
            "bool_or(prop = 'archived') as archived",
            "min(ts) filter (where prop = 'lifecyclestage' and value = 'subscriber') as first_subscriber",
        ]
        + [
            f"min(ts) filter (where prop = 'lifecyclestage' and value = '{s}') as first_{s}"
            for s in stages
        ]
        + [
            f"max(ts) filter (where prop = 'lifecyclestage' and value = '{s}') as last_{s}"
            for s in stages
        ]
    )
    offer_at = (
        f"(case when t_mql2 < {c} and offer2 is not null then offer2 "
        f"when t_mql1 < {c} and offer1 is not null then offer1 else offer0 end)"
    )
    response_ms = (
        f"case when pop = 'hs' and touch1 < {c} and owner_assigned_at is not null "
        f"then epoch_ms(touch1) - epoch_ms(owner_assigned_at) end"
    )
    unworked = f"case when pop = 'hs' and owner_assigned_at is not null then not coalesce(touch1 < {c}, false) end"
    contacted = f"(case when touch1 < {c} then least(n_touch1, 1 + floor(rnd(idx, 'ntc') * n_touch1)) else 0 end)::int"
    if ui:
        labels = HUBSPOT_UI_LABELS
        ts = "uits"
        select = f"""
            hs_contact_id as "Record ID",
            first_name as "First Name",
            last_name as "Last Name",
            email as "Email",
            phone as "Phone Number",
            company as "Company Name",
            industry as "Industry",
            employee_band as "Number of Employees",
            country as "Country/Region",
            title as "Job Title",
            {ts}(created_at) as "Create Date",
            {ts}(lastmod) as "Last Modified Date",
            {_case("lifecyclestage", labels["lifecyclestage"])} as "Lifecycle Stage",
            {_case("hs_lead_status", labels["hs_lead_status"])} as "Lead Status",
            owner_users.u_name as "Contact owner",
            {ts}(owner_assigned_at) as "Owner Assigned Date",
            case when ({response_ms}) is not null then
                lpad((({response_ms}) // 3600000)::varchar, 2, '0') || ':' ||
                lpad(((({response_ms}) // 60000) % 60)::varchar, 2, '0') || ':' ||
                lpad(((({response_ms}) // 1000) % 60)::varchar, 2, '0') end
                as "Lead response time (HH:mm:ss)",
            tf({unworked}) as "Contact unworked",
            {_case("hs_source", labels["hs_analytics_source"])} as "Original Source",
            hs_source_drill as "Original Source Drill-Down 1",
            o0.o0_title as "First Conversion",
            orec.orec_title as "Recent Conversion",
            {ts}(first_subscriber) as "Became a Subscriber Date",
            {ts}(first_lead) as "Became a Lead Date",
            {ts}(first_marketingqualifiedlead) as "Became a Marketing Qualified Lead Date",
            {ts}(first_salesqualifiedlead) as "Became a Sales Qualified Lead Date",
            {ts}(first_opportunity) as "Became an Opportunity Date",
            {ts}(first_customer) as "Became a Customer Date",
            salesforceleadid as "Salesforce Lead ID",
            salesforcecontactid as "Salesforce Contact ID",
            {contacted} as "Number of times contacted",
            {contacted} as "Number of Sales Activities",
            floor(rnd(idx, 'opens') * 12)::int as "Marketing emails opened",
            floor(rnd(idx, 'score') * 100)::int as "HubSpot Score",
            country as "IP Country"
        """
    else:
        ts = "hsts"
        select = f"""
            hs_contact_id as hs_object_id,
            hsts(created_at) as createdate,
            ms(lastmod) as lastmodifieddate,
            lifecyclestage,
            {", ".join(f"hsts(first_{s}) as hs_lifecyclestage_{s}_date" for s in stages)},
            {", ".join(f"hsts(last_{s}) as hs_v2_date_entered_{s}" for s in stages)},
            hs_lead_status,
            owner_hs_now as hubspot_owner_id,
            hsts(owner_assigned_at) as hubspot_owner_assigneddate,
            ({response_ms})::varchar as hs_time_to_first_engagement,
            tf({unworked}) as hs_is_unworked,
            hs_source as hs_analytics_source,
            hs_source_drill as hs_analytics_source_data_1,
            o0.o0_title as first_conversion_event_name,
            orec.orec_title as recent_conversion_event_name,
            email, first_name as firstname, last_name as lastname, phone,
            company, industry, employee_band as numemployees, country, title as jobtitle,
            tf(coalesce(archived, false)) as archived,
            salesforceleadid, salesforcecontactid,
            floor(rnd(idx, 'score') * 100)::int as hubspotscore,
            {contacted} as num_contacted_notes
        """
    return f"""
        with agg as (
            select idx, {agg_cols}
            from hs_ev where ts < {c}
            group by idx
        )
        select {select}
        from agg
        join people using (idx)
        left join (select j as uj, sf_id as u_sf, hs_id as u_hs, kind as u_kind, full_name as u_name from users) as owner_users on owner_users.u_hs = agg.owner_hs_now
        left join (select o as o0_o, title as o0_title from offers) as o0 on o0.o0_o = people.offer0
        left join (select o as orec_o, title as orec_title from offers) as orec on orec.orec_o = {offer_at}
        where agg.lastmod >= {cp} {"and not coalesce(agg.archived, false)" if ui else ""}
        order by idx
    """


def _export_batch(w: _Writer, k: int, name: str, c: str, cp: str, ui: bool) -> None:
    hs_dir = w.out / "hubspot" / name
    sf_dir = w.out / "salesforce" / name
    win = lambda col: f"({col} >= {cp} and {col} < {c})"  # noqa: E731
    paula_left = "timestamp '2025-05-15 00:00:00'"
    user_active = f"(is_active or {c} <= {paula_left})"

    # ---------------------------------------------------------------- HubSpot
    contacts_file = f"hubspot-crm-exports-all-contacts-{name}.csv" if ui else "contacts.csv"
    w.copy(_contacts_query(c, cp, ui), hs_dir / contacts_file)
    w.copy(
        f"""
        select hs_id as id, email, first as firstname, last as lastname, teams,
            tf(not {user_active}) as archived,
            hsts(timestamp '2024-06-03 12:00:00' + to_days(j)) as createdat,
            hsts(case when not {user_active} then {paula_left} else timestamp '2024-06-03 12:00:00' + to_days(j) end) as updatedat,
            (9000 + j)::varchar as "userId"
        from users order by j
        """,
        hs_dir / "owners.csv",
    )
    eng_done = f"coalesce(done_ts < {c}, false)"
    w.copy(
        f"""
        select (20000000000 + idx * 128 + slot)::varchar as hs_object_id,
            upper(kind) as type,
            hsts(case when kind = 'task' then due_date::timestamp + interval 9 hour else ts end) as hs_timestamp,
            u.u_hs as hubspot_owner_id,
            people.hs_contact_id as contact_ids,
            hsts(ts) as hs_createdate,
            hsts(case when {eng_done} then done_ts else ts end) as hs_lastmodifieddate,
            case when kind = 'task' then (case when {eng_done} then 'COMPLETED' else 'NOT_STARTED' end) end
                as hs_task_status,
            'false' as archived,
            case when u.u_kind = 'mops' then 'MARKETING' else 'CRM_UI' end as hs_activity_source
        from acts
        join people using (idx)
        join (select j as uj, sf_id as u_sf, hs_id as u_hs, kind as u_kind, full_name as u_name from users) as u on u.uj = acts.owner_j
        where crm = 'hs' and ts < {c} and ({win("ts")} or {win("done_ts")})
        order by idx, slot
        """,
        hs_dir / "engagements.csv",
    )
    w.copy(
        f"""
        with forms as (
            select idx, 0 as slot, created_at as ts, offer0 as o from people where offer0 is not null
            union all select idx, 1, t_mql1, offer1 from people where offer1 is not null
            union all select idx, 2, t_mql2, offer2 from people where offer2 is not null
        )
        select people.hs_contact_id as contact_id, offers.form_id, offers.title as form_title,
            ms(forms.ts) as submitted_at,
            'https://www.{EMAIL_DOMAIN}' || offers.page_path as page_url,
            md5('conversion:' || idx || ':' || slot) as conversion_id
        from forms join people using (idx) join offers using (o)
        where pop <> 'sf' and {win("forms.ts")}
        order by idx, slot
        """,
        hs_dir / "form_submissions.jsonl",
        "jsonl",
    )
    stage_at = (
        f"case when is_won is not null and close_at < {c} then (case when is_won then 'closedwon' else 'closedlost' end) "
        f"when conv_at + (close_at - conv_at) * 0.4 < {c} then 'presentationscheduled' else 'appointmentscheduled' end"
    )
    deal_mod = (
        f"case when close_at < {c} then close_at when conv_at + (close_at - conv_at) * 0.4 < {c} "
        f"then conv_at + (close_at - conv_at) * 0.4 else conv_at end"
    )
    w.copy(
        f"""
        select deal_id as hs_object_id, company || ' - New Business' as dealname,
            {stage_at} as dealstage, 'default' as pipeline, printf('%.2f', amount) as amount,
            hsts(conv_at) as createdate, hsts(close_at) as closedate,
            hsts({deal_mod}) as hs_lastmodifieddate,
            tf(is_won and close_at < {c}) as hs_is_closed_won,
            owner_hs as hubspot_owner_id, hs_contact_id as contact_ids, 'false' as archived
        from people
        where deal_id is not null and conv_at < {c} and {win(deal_mod)}
        order by idx
        """,
        hs_dir / "deals.csv",
    )
    w.copy(
        f"""
        select hs_company_id as hs_object_id, company as name, domain, industry,
            employees as numberofemployees, country, hsts(created_at) as createdate,
            hsts(created_at) as hs_lastmodifieddate, 'false' as archived
        from people where hs_company_id is not null and {win("created_at")}
        order by idx
        """,
        hs_dir / "companies.csv",
    )
    w.copy(
        f"""
        select people.hs_contact_id as contact_id, prop as property, value,
            hsts(ts) as timestamp, source
        from hs_ev join people using (idx)
        where prop in ('lifecyclestage', 'hs_lead_status', 'hubspot_owner_id') and {win("hs_ev.ts")}
        order by idx, k
        """,
        hs_dir / "contact_property_history.csv",
    )

    # ---------------------------------------------------------------- Salesforce
    w.copy(
        f"""
        with agg as (
            select idx, max(ts) as lastmod,
                max_by(value, k) filter (where field = 'Status') as status,
                max_by(value, k) filter (where field = 'Owner') as owner_id,
                bool_or(field = 'IsDeleted') as is_deleted
            from sf_ev where ts < {c}
            group by idx
        )
        select lead_id as "Id", first_name as "FirstName", last_name as "LastName",
            company as "Company", title as "Title", sf_email as "Email", phone as "Phone",
            industry as "Industry", employees as "NumberOfEmployees", country as "Country",
            sf_source as "LeadSource", status as "Status", agg.owner_id as "OwnerId",
            tf(coalesce(conv_at < {c}, false)) as "IsConverted",
            case when conv_at < {c} then d(conv_at) end as "ConvertedDate",
            case when conv_at < {c} then opp_id end as "ConvertedOpportunityId",
            case when conv_at < {c} then contact_id end as "ConvertedContactId",
            case when conv_at < {c} then account_id end as "ConvertedAccountId",
            sfts(sf_created_at) as "CreatedDate", sfts(lastmod) as "LastModifiedDate",
            tf(coalesce(is_deleted, false)) as "IsDeleted",
            case fit_tier when 'A' then 'Hot' when 'B' then 'Warm' else 'Cold' end as "Rating",
            fit_tier as "Fit_Tier__c"
        from agg join people using (idx)
        where lastmod >= {cp}
        order by idx
        """,
        sf_dir / "Lead.csv",
    )
    # an owner change is written twice, as Salesforce exports do: ids, then names
    owner_name = (
        "coalesce((select full_name from users where users.sf_id = {v}), "
        f"case when {{v}} = {QUEUE_ID_EXPR} then {_lit(QUEUE_NAME)} end)"
    )
    w.copy(
        f"""
        select "Id", "LeadId", "Field", "OldValue", "NewValue", "CreatedDate", "IsDeleted"
        from (
            select idx, k, 0 as name_row,
                {sfid("017", "(sf_ev.idx * 16 + ord)")} as "Id", people.lead_id as "LeadId",
                field as "Field", case when field = 'created' then null else old_value end as "OldValue",
                case when field = 'created' then null else value end as "NewValue",
                sfts(ts) as "CreatedDate", 'false' as "IsDeleted"
            from sf_ev join people using (idx)
            where hist and {win("sf_ev.ts")}
            union all
            select idx, k, 1 as name_row,
                {sfid("017", "(sf_ev.idx * 16 + ord + 1099511627776)")}, people.lead_id,
                field, {owner_name.format(v="old_value")}, {owner_name.format(v="value")},
                sfts(ts), 'false'
            from sf_ev join people using (idx)
            where hist and field = 'Owner' and {win("sf_ev.ts")}
        )
        order by idx, k, name_row
        """,
        sf_dir / "LeadHistory.csv",
    )
    w.copy(
        f"""
        select users.sf_id as "Id", email as "Username", first as "FirstName", last as "LastName",
            email as "Email", roles.sf_id as "UserRoleId", tz as "TimeZoneSidKey",
            tf({user_active}) as "IsActive",
            case when kind in ('marketing', 'mops') then 'Marketing' else 'Sales' end as "Department",
            roles.name as "Title",
            sfts(case when not {user_active} then {paula_left} else timestamp '2024-06-03 12:00:00' + to_days(j) end)
                as "LastModifiedDate"
        from users join roles on roles.r = users.role_j
        order by j
        """,
        sf_dir / "User.csv",
    )
    w.copy(
        """
        select sf_id as "Id", name as "Name", replace(replace(name, ' - ', '_'), ' ', '_') as "DeveloperName",
            sfts(timestamp '2024-06-01 09:00:00') as "LastModifiedDate"
        from roles order by r
        """,
        sf_dir / "UserRole.csv",
    )
    task_done = f"(kind <> 'task' or coalesce(done_ts < {c}, false))"
    w.copy(
        f"""
        select {sfid("00T", "(idx * 128 + slot)")} as "Id", people.lead_id as "WhoId",
            null as "WhatId", u.u_sf as "OwnerId",
            case kind when 'call' then 'Call' when 'email' then 'Email: Following up' else 'Follow up' end
                as "Subject",
            case kind when 'call' then 'Call' when 'email' then 'Email' else 'Other' end as "Type",
            case kind when 'call' then 'Call' when 'email' then 'Email' else 'Task' end as "TaskSubtype",
            case when {task_done} then 'Completed' else 'Not Started' end as "Status",
            tf({task_done}) as "IsClosed",
            'Normal' as "Priority",
            d(coalesce(due_date::timestamp, ts)) as "ActivityDate",
            case when {task_done} then sfts(coalesce(done_ts, ts)) end as "CompletedDateTime",
            case when kind = 'call' then (30 + floor(rnd(idx * 128 + slot, 'dur') * 600))::int end
                as "CallDurationInSeconds",
            sfts(ts) as "CreatedDate",
            sfts(case when {task_done} then coalesce(done_ts, ts) else ts end) as "LastModifiedDate",
            'false' as "IsDeleted"
        from acts
        join people using (idx)
        join (select j as uj, sf_id as u_sf, hs_id as u_hs, kind as u_kind, full_name as u_name from users) as u on u.uj = acts.owner_j
        where crm = 'sf' and kind <> 'meeting' and ts < {c} and ({win("ts")} or {win("done_ts")})
        order by idx, slot
        """,
        sf_dir / "Task.csv.gz",
        "csv.gz",
    )
    w.copy(
        f"""
        select {sfid("00U", "(idx * 128 + slot)")} as "Id", people.lead_id as "WhoId",
            null as "WhatId", u.u_sf as "OwnerId", 'Discovery meeting' as "Subject",
            'Meeting' as "Type", 'Event' as "EventSubtype",
            sfts(ts) as "StartDateTime", sfts(ts + interval 30 minute) as "EndDateTime",
            sfts(ts) as "ActivityDateTime", d(ts) as "ActivityDate", 30 as "DurationInMinutes",
            sfts(ts - interval 1 day) as "CreatedDate", sfts(ts - interval 1 day) as "LastModifiedDate",
            'false' as "IsDeleted"
        from acts
        join people using (idx)
        join (select j as uj, sf_id as u_sf, hs_id as u_hs, kind as u_kind, full_name as u_name from users) as u on u.uj = acts.owner_j
        where crm = 'sf' and kind = 'meeting' and {win("ts - interval 1 day")}
        order by idx, slot
        """,
        sf_dir / "Event.csv",
    )
    opp_mid = "conv_at + (close_at - conv_at) * 0.4"
    opp_stage = (
        f"case when close_at < {c} then (case when is_won then 'Closed Won' else 'Closed Lost' end) "
        f"when {opp_mid} < {c} then 'Proposal/Price Quote' else 'Qualification' end"
    )
    opp_mod = f"case when close_at < {c} then close_at when {opp_mid} < {c} then {opp_mid} else conv_at end"
    w.copy(
        f"""
        select opp_id as "Id", account_id as "AccountId", ae_sf as "OwnerId",
            company || ' - New Business' as "Name", {opp_stage} as "StageName",
            printf('%.2f', amount) as "Amount", d(close_at) as "CloseDate",
            tf(close_at < {c}) as "IsClosed", tf(close_at < {c} and is_won) as "IsWon",
            sf_source as "LeadSource", conv_campaign_id as "CampaignId",
            'New Business' as "Type",
            case when close_at < {c} then (case when is_won then 100 else 0 end)
                 when {opp_mid} < {c} then 60 else 20 end as "Probability",
            sfts(conv_at) as "CreatedDate", sfts({opp_mod}) as "LastModifiedDate",
            'false' as "IsDeleted"
        from people
        where opp_id is not null and conv_at < {c} and {win(opp_mod)}
        order by idx
        """,
        sf_dir / "Opportunity.csv",
    )
    w.copy(
        f"""
        with h as (
            select idx, 0 as s, conv_at as ts, 'Qualification' as stage from people where opp_id is not null
            union all select idx, 1, {opp_mid}, 'Proposal/Price Quote' from people where opp_id is not null
            union all select idx, 2, close_at, case when is_won then 'Closed Won' else 'Closed Lost' end
                from people where opp_id is not null
        )
        select {sfid("008", "(idx * 4 + s)")} as "Id", people.opp_id as "OpportunityId",
            stage as "StageName", printf('%.2f', amount) as "Amount", d(close_at) as "CloseDate",
            sfts(h.ts) as "CreatedDate", 'false' as "IsDeleted"
        from h join people using (idx)
        where {win("h.ts")}
        order by idx, s
        """,
        sf_dir / "OpportunityHistory.csv",
    )
    w.copy(
        f"""
        select contact_id as "Id", account_id as "AccountId", owner_sf as "OwnerId",
            sf_email as "Email", first_name as "FirstName", last_name as "LastName", title as "Title",
            sf_source as "LeadSource", sfts(conv_at) as "CreatedDate", sfts(conv_at) as "LastModifiedDate",
            'false' as "IsDeleted"
        from people where contact_id is not null and {win("conv_at")}
        order by idx
        """,
        sf_dir / "Contact.csv",
    )
    acct_mod = f"case when is_won and close_at < {c} then close_at else conv_at end"
    w.copy(
        f"""
        select account_id as "Id", company as "Name", industry as "Industry",
            employees as "NumberOfEmployees", country as "BillingCountry",
            case when is_won and close_at < {c} then 'Customer' else 'Prospect' end as "Type",
            sfts(conv_at) as "CreatedDate", sfts({acct_mod}) as "LastModifiedDate",
            'false' as "IsDeleted"
        from people where account_id is not null and conv_at < {c} and {win(acct_mod)}
        order by idx
        """,
        sf_dir / "Account.csv",
    )
    webinar_done = "timestamp '2025-06-30 18:00:00'"
    w.copy(
        f"""
        select campaign_id as "Id", title as "Name", ctype as "Type",
            case when o = {WEBINAR_OFFER} and {c} > {webinar_done} then 'Completed' else 'In Progress' end
                as "Status",
            '2025-01-01' as "StartDate",
            case when o = {WEBINAR_OFFER} then '2025-06-30' else '2025-12-31' end as "EndDate",
            tf(not (o = {WEBINAR_OFFER} and {c} > {webinar_done})) as "IsActive",
            sfts(timestamp '2024-12-16 10:00:00' + to_hours(o)) as "CreatedDate",
            sfts(case when o = {WEBINAR_OFFER} and {c} > {webinar_done} then {webinar_done}
                      else timestamp '2024-12-16 10:00:00' + to_hours(o) end) as "LastModifiedDate",
            'false' as "IsDeleted"
        from offers order by o
        """,
        sf_dir / "Campaign.csv",
    )
    w.copy(
        f"""
        with m as (
            select idx, 0 as slot, greatest(created_at, sf_created_at) as ts, offer0 as o, true as responded
                from people where offer0 is not null and sf_created_at is not null
            union all select idx, 1, greatest(t_mql1, sf_created_at), offer1, true
                from people where offer1 is not null and sf_created_at is not null
            union all select idx, 2, t_mql2, offer2, true
                from people where offer2 is not null and sf_created_at is not null
            union all select idx, 3, created_at, case sf_source when 'Purchased List' then 9 else 10 end, false
                from people where pop = 'sf' and sf_source in ('Purchased List', 'Cold Call')
        )
        select {sfid("00v", "(idx * 4 + slot)")} as "Id", offers.campaign_id as "CampaignId",
            people.lead_id as "LeadId", null as "ContactId",
            case when responded then 'Responded' else 'Sent' end as "Status",
            tf(responded) as "HasResponded",
            case when responded then d(m.ts) end as "FirstRespondedDate",
            sfts(m.ts) as "CreatedDate", sfts(m.ts) as "LastModifiedDate", 'false' as "IsDeleted"
        from m join people using (idx) join offers using (o)
        where {win("m.ts")}
        order by idx, slot
        """,
        sf_dir / "CampaignMember.csv",
    )


def _ts_literal(value: datetime) -> str:
    return f"timestamp '{value.strftime('%Y-%m-%d %H:%M:%S')}'"


def generate(
    out: Path,
    leads: int = 4000,
    seed: int = 42,
    batches: int = 4,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Write deterministic synthetic HubSpot and Salesforce extracts under ``out`` and
    return a summary (leads, activities, files, rows per file, period, extracted_at)."""
    if leads < 1:
        raise ValueError("leads must be >= 1")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cutoffs = _cutoffs(batches)
    names = [(cut - timedelta(days=1)).date().isoformat() for cut in cutoffs]
    tmp = Path(tempfile.mkdtemp(prefix="handoff-generate-"))
    con = duckdb.connect(
        ":memory:",
        config={
            "threads": 2,
            "memory_limit": "2GB",
            "temp_directory": str(tmp),
            "preserve_insertion_order": True,
        },
    )
    try:
        say = progress or (lambda _msg: None)
        say(f"simulating {leads} leads")
        _setup(con, leads, seed)
        _finish_people(con, f"{cutoffs[0]:%Y-%m-%d %H:%M:%S}", f"{cutoffs[-1]:%Y-%m-%d %H:%M:%S}")
        _events(con)
        _activities(con)
        _macros(con)
        writer = _Writer(con, out, progress)
        for k, (cut, name) in enumerate(zip(cutoffs, names, strict=True)):
            prev = _ts_literal(cutoffs[k - 1]) if k else "timestamp '1900-01-01 00:00:00'"
            say(f"batch {name}")
            _export_batch(writer, k, name, _ts_literal(cut), prev, ui=(k == 0))
    finally:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)

    extracted_at = cutoffs[-1].strftime("%Y-%m-%dT%H:%M:%SZ")
    activity_files = ("Task.csv.gz", "Event.csv", "engagements.csv")
    summary: dict[str, Any] = {
        "generator": "handoff.generate",
        "leads": leads,
        "seed": seed,
        "batches": [
            {"batch": name, "cutoff": cut.strftime("%Y-%m-%dT%H:%M:%SZ")}
            for name, cut in zip(names, cutoffs, strict=True)
        ],
        "period_start": PERIOD_START.isoformat(),
        "period_end": PERIOD_END.isoformat(),
        "extracted_at": extracted_at,
        "weekly_mql_target": round(WEEKLY_MQL_TARGET_PER_4000_LEADS * leads / 4000, 2),
        "activities": sum(n for f, n in writer.rows.items() if f.endswith(activity_files)),
        "files": sorted(writer.rows),
        "rows": dict(sorted(writer.rows.items())),
    }
    (out / "_sample.json").write_text(json.dumps(summary, indent=2) + "\n")
    summary["files"] = summary["files"] + ["_sample.json"]
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write deterministic synthetic CRM extracts.")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--leads", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    summary = generate(
        args.out, args.leads, args.seed, args.batches, progress=None if args.quiet else print
    )
    print(
        f"{summary['leads']} leads, {summary['activities']} activities, "
        f"{len(summary['files'])} files, extracted_at {summary['extracted_at']}"
    )


if __name__ == "__main__":
    main()
