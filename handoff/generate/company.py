"""The demo company: its sales teams, Salesforce roles, the people who own leads
(marketers, SDRs, account executives, a manager) and the offers and campaigns
marketing runs; the ``users``, ``roles`` and ``offers`` tables built from them."""

from __future__ import annotations

import duckdb

from handoff.generate.sql import lit, sfid

WEEKLY_MQL_TARGET_PER_4000_LEADS = 50
EMAIL_DOMAIN = "handoff-demo.com"

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

# Paula Reyes (inactive) left on this day: earlier batches still show her active.
LEFT_AT = "timestamp '2025-05-15 00:00:00'"


def user_active(c: str) -> str:
    """SQL: the user is active at the cutoff ``c``."""
    return f"(is_active or {c} <= {LEFT_AT})"


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Tables ``users``, ``roles`` and ``offers`` (with their CRM ids)."""
    rows = []
    for j, first, last, role, teams, tz, kind, median, never, active in USERS:
        email = f"{first.lower()}.{last.lower()}@{EMAIL_DOMAIN}"
        rows.append(
            f"({j}, {lit(first)}, {lit(last)}, {lit(email)}, {role}, {lit(teams)}, "
            f"{lit(tz)}, {lit(kind)}, {median}, {never}, {str(active).lower()})"
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
        + ", ".join(f"({r}, {lit(name)})" for r, name in ROLES)
        + ") as t(r, name)"
    )
    offer_rows = [f"({o}, {lit(t)}, {m}, {lit(p)}, {lit(ct)})" for o, t, _, m, p, ct in OFFERS] + [
        f"({o}, {lit(t)}, 1.0, null, {lit(ct)})" for o, t, ct in OUTBOUND_CAMPAIGNS
    ]
    con.execute(
        "create table offers as select *, " + sfid("701", "o") + " as campaign_id, "
        "substr(md5('form:' || title), 1, 8) || '-' || substr(md5('form:' || title), 9, 4) || '-' "
        "|| substr(md5('form:' || title), 13, 4) || '-' || substr(md5('form:' || title), 17, 4) "
        "|| '-' || substr(md5('form:' || title), 21, 12) as form_id "
        "from (values " + ", ".join(offer_rows) + ") as t(o, title, conv_mult, page_path, ctype)"
    )
