"""The demo company: its sales teams, Salesforce roles, the people who own leads
(marketers, SDRs, account executives, a manager) and the offers and campaigns
marketing runs; the ``users``, ``roles`` and ``offers`` tables built from them.

The teams (timezone, opening hour), the roles and the owners the CRMs do not place
come from the seeds (:mod:`handoff.generate.rules`); :func:`demo_company` joins them to
the staff below, who and how fast each person is being the generator's own."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from handoff.generate.rules import Rules, SeedsMismatch
from handoff.generate.sql import lit, sfid

# j, first, last, Salesforce role (a crm_team_map value), HubSpot teams (;-separated),
# own timezone (None: the first team's, from sales_teams.csv), kind, median first-touch
# delay (business minutes), share of leads never touched, active. No name: the person is
# the owner seeds/owner_teams.csv places as PLACED[j] (team, role), and the name and the
# address are read there, so the seed and the sample cannot name different people.
STAFF: list[tuple[int, str | None, str | None, str, str, str | None, str, float, float, bool]] = [
    (1, None, None, "Marketing Operations", "Marketing", "America/Sao_Paulo", "mops", 0, 1, True),
    (2, "Lucas", "Almeida", "Marketing", "Marketing", "America/Sao_Paulo", "marketing", 0, 1, True),
    (3, "Sophie", "Turner", "Marketing", "Marketing", "Europe/London", "marketing", 0, 1, True),
    (4, "Paula", "Reyes", "Marketing", "Marketing", "America/New_York", "marketing", 0, 1, False),
    (5, "Ana", "Souza", "SDR - Brazil", "Sales Brazil", None, "sdr", 4, 0.03, True),
    (6, "Bruno", "Lima", "SDR - Brazil", "Sales Brazil", None, "sdr", 50, 0.05, True),
    (7, "Carla", "Mendes", "SDR - Brazil", "Sales Brazil", None, "sdr", 420, 0.08, True),
    (8, None, None, "Account Executive", "Sales Brazil", None, "ae", 0, 1, True),
    (9, "Emma", "Johnson", "SDR - US East", "Sales US East", None, "sdr", 3, 0.02, True),
    (10, "Frank", "Miller", "SDR - US East", "Sales US East", None, "sdr", 120, 0.06, True),
    (11, "Grace", "Lee", "SDR - US East", "Sales US East", None, "sdr", 2160, 0.10, True),
    (12, "Henry", "Walker", "SDR - US East", "Sales US East", None, "sdr", 4320, 0.75, True),
    (13, None, None, "Account Executive", "Sales US East", None, "ae", 0, 1, True),
    (14, "Jack", "Smith", "SDR - UK", "Sales UK", None, "sdr", 20, 0.04, True),
    (15, "Kate", "Brown", "SDR - UK", "Sales UK", None, "sdr", 1440, 0.08, True),
    (16, "Liam", "Wilson", "SDR - UK", "Sales UK", None, "sdr", 4320, 0.15, True),
    (17, None, None, "Account Executive", "Sales UK", None, "ae", 0, 1, True),
    (18, None, None, "Sales Manager", "Sales US East;Sales UK", None, "manager", 0, 1, True),
]
# owner_teams.csv's (team, role) of the people above without a name
PLACED = {
    1: ("marketing", "marketing"),
    8: ("Sales Brazil", "ae"),
    13: ("Sales US East", "ae"),
    17: ("Sales UK", "ae"),
    18: ("Sales US East", "manager"),
}


@dataclass(frozen=True)
class Company:
    """The demo company as the seeds describe it."""

    # key (the team's holiday region) → (team name, timezone), as the seed lists them
    teams: dict[str, tuple[str, str]]
    roles: list[tuple[int, str]]  # (r, Salesforce role); r numbers the role's id
    # j, first, last, role r, teams, timezone, kind, median delay, share never touched, active
    users: list[tuple[int, str, str, int, str, str, str, float, float, bool]]
    emails: dict[int, str]  # j → address
    opens_minute: dict[int, int]  # j → the opening of the user's business day (local)
    email_domain: str
    sdrs: dict[str, list[int]]  # team → its SDRs
    aes: dict[str, int]  # team → its account executive
    mops_user: int


def _name(email: str) -> tuple[str, str]:
    """``diego.ferreira@…`` → ("Diego", "Ferreira")."""
    first, _, last = email.split("@")[0].partition(".")
    return first.capitalize(), last.capitalize()


def demo_company(rules: Rules) -> Company:
    """The staff joined to the seeds' teams, roles and placed owners."""
    roles = list(enumerate(rules.salesforce_roles, 1))
    role_number = {name: r for r, name in roles}
    users, emails, opens = [], {}, {}
    for j, first, last, role, teams, tz, kind, median, never, active in STAFF:
        if role not in role_number:
            raise SeedsMismatch(f"seeds/crm_team_map.csv has no Salesforce role {role!r}")
        email = None
        if j in PLACED:
            email = rules.placed_owners.get(PLACED[j])
            if email is None:
                team, placed_role = PLACED[j]
                raise SeedsMismatch(
                    f"seeds/owner_teams.csv places no owner in team {team!r} with role "
                    f"{placed_role!r}: the sample's demo owners are read from there"
                )
            first, last = _name(email)
        assert first is not None and last is not None
        team = rules.teams.get(teams.split(";")[0])
        if tz is None:
            if team is None:
                raise SeedsMismatch(f"seeds/sales_teams.csv has no team {teams.split(';')[0]!r}")
            tz = team.timezone
        users.append((j, first, last, role_number[role], teams, tz, kind, median, never, active))
        if email is not None:
            emails[j] = email
        opens[j] = (team or rules.default_team).opens_minute
    domains = {email.split("@")[1] for email in emails.values()}
    if len(domains) != 1:
        raise SeedsMismatch(
            f"seeds/owner_teams.csv: the demo owners' addresses have domains {sorted(domains)}"
        )
    (domain,) = domains
    for j, first, last, *_ in users:
        emails.setdefault(j, f"{first.lower()}.{last.lower()}@{domain}")
    first_team = {u[0]: u[4].split(";")[0] for u in users}
    return Company(
        teams={t.holiday_region: (t.name, t.timezone) for t in rules.teams.values()},
        roles=roles,
        users=users,
        emails=emails,
        opens_minute=opens,
        email_domain=domain,
        sdrs={
            name: [u[0] for u in users if u[6] == "sdr" and first_team[u[0]] == name]
            for name in rules.teams
            if any(u[6] == "sdr" and first_team[u[0]] == name for u in users)
        },
        aes={first_team[u[0]]: u[0] for u in users if u[6] == "ae"},
        mops_user=next(u[0] for u in users if u[6] == "mops"),
    )


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


def create_tables(con: duckdb.DuckDBPyConnection, demo: Company) -> None:
    """Tables ``users``, ``roles`` and ``offers`` (with their CRM ids)."""
    rows = []
    for j, first, last, role, teams, tz, kind, median, never, active in demo.users:
        rows.append(
            f"({j}, {lit(first)}, {lit(last)}, {lit(demo.emails[j])}, {role}, {lit(teams)}, "
            f"{lit(tz)}, {lit(kind)}, {median}, {never}, {str(active).lower()}, "
            f"{demo.opens_minute[j]})"
        )
    con.execute(
        "create table users as select *, " + sfid("005", "j") + " as sf_id, "
        f"({HS_OWNER_BASE} + j * 7919)::varchar as hs_id, "
        "first || ' ' || last as full_name from (values " + ", ".join(rows) + ") "
        "as t(j, first, last, email, role_j, teams, tz, kind, median_min, p_never, is_active, "
        "opens_min)"
    )
    con.execute(
        "create table roles as select *, "
        + sfid("00E", "r")
        + " as sf_id from (values "
        + ", ".join(f"({r}, {lit(name)})" for r, name in demo.roles)
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
