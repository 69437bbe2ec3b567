"""The business rules the sample follows, read from the dbt seeds the pipeline reads
(``<project>/seeds/*.csv``, see :func:`handoff.settings.project_dir`) so that the
generator and the marts cannot disagree about them:

* ``sales_teams.csv`` — each sales team's timezone, the opening of its business day
  and its holiday region;
* ``holidays.csv`` — the holidays of each region (the demand calendar dips on them);
* ``crm_team_map.csv`` — the Salesforce roles the demo users hold;
* ``owner_teams.csv`` — the demo owners the CRMs do not place (account executives,
  the manager, the marketing-operations user): their names and addresses come from
  there;
* ``fit_rules.csv`` and ``fit_tiers.csv`` — what counts as a fit and the tiers;
* ``sla_policy.csv`` — the weekly MQL target (``_sample.json``'s ``weekly_mql_target``).

What the seeds do not say (who the sellers are, how fast they work, which countries
each team serves, how often leads convert) is the generator's own, in its modules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from handoff.seeds import read_seed
from handoff.settings import packaged_dir, project_dir


class SeedsMismatch(ValueError):
    """The seeds cannot describe the demo company the sample simulates (a team, role or
    placed owner its staff needs is missing, or a fit rule it cannot draw)."""


@dataclass(frozen=True)
class SalesTeam:
    name: str
    timezone: str
    # the business day's opening, minutes after local midnight
    opens_minute: int
    holiday_region: str


@dataclass(frozen=True)
class FitRule:
    attribute: str  # industry, country, job_title, employees, employee_band
    operator: str  # equals, contains, between
    value: str
    min_value: float | None
    max_value: float | None
    points: int

    def matches(self, text: str) -> bool:
        """Whether a text attribute meets the rule, as ``int_lead_attributes`` compares
        (trimmed, case-insensitive)."""
        if self.operator == "equals":
            return text.strip().lower() == self.value.lower()
        if self.operator == "contains":
            return self.value.lower() in text.lower()
        return False


@dataclass(frozen=True)
class Rules:
    teams: dict[str, SalesTeam]  # the sales teams by name, in seed order
    default_team: SalesTeam  # the row ``default``: owners without a sales team
    salesforce_roles: list[str]  # crm_team_map's Salesforce role values, in seed order
    placed_owners: dict[tuple[str, str], str]  # owner_teams: (team, role) → e-mail
    holidays: dict[date, frozenset[str]]  # day → the regions it is a holiday in
    fit_rules: list[FitRule]
    fit_tiers: list[tuple[str, int]]  # (tier, min_points), highest first
    mql_targets: list[tuple[date, int]]  # segment ``*``: (effective_from, weekly target)

    def weekly_mql_target(self, on: date) -> int:
        """The weekly MQL target of the default policy (segment ``*``) in force on ``on``
        (the first policy when none is yet)."""
        in_force = [target for since, target in self.mql_targets if since <= on]
        return (in_force or [self.mql_targets[0][1]])[-1]

    def fit_values(self, attribute: str) -> list[str]:
        """The values an ``equals`` rule on ``attribute`` names, in seed order."""
        return [
            r.value for r in self.fit_rules if r.attribute == attribute and r.operator == "equals"
        ]

    def fits(self, attribute: str, text: str) -> bool:
        return any(r.matches(text) for r in self.fit_rules if r.attribute == attribute)

    def points(self, *attributes: str) -> int:
        """The points a lead meeting a rule on one of ``attributes`` scores (the seed's
        criterion counts once, with its highest points)."""
        return max((r.points for r in self.fit_rules if r.attribute in attributes), default=0)

    def employees_between(self) -> tuple[int, int]:
        """The head counts the first ``employees between`` rule calls a fit."""
        for rule in self.fit_rules:
            bounded = rule.min_value is not None and rule.max_value is not None
            if rule.attribute == "employees" and rule.operator == "between" and bounded:
                return int(rule.min_value), int(rule.max_value)  # type: ignore[arg-type]
        raise SeedsMismatch("seeds/fit_rules.csv: the sample needs an `employees between` rule")


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")[:2]
    return int(hours) * 60 + int(minutes)


def _number(text: str) -> float | None:
    return float(text) if text else None


def read_rules(seeds_dir: Path) -> Rules:
    """The rules of the seeds in ``seeds_dir``."""
    teams = [
        SalesTeam(
            row["team"], row["timezone"], _minutes(row["business_day_start"]), row["holiday_region"]
        )
        for row in read_seed(seeds_dir, "sales_teams")
    ]
    default = [t for t in teams if t.name == "default"]
    if not default:
        raise SeedsMismatch(f"{seeds_dir / 'sales_teams.csv'} has no team `default`")
    holidays: dict[date, set[str]] = {}
    for row in read_seed(seeds_dir, "holidays"):
        holidays.setdefault(date.fromisoformat(row["holiday_date"]), set()).add(
            row["holiday_region"]
        )
    policies = sorted(
        (date.fromisoformat(row["effective_from"]), int(row["marketing_weekly_mql_target"]))
        for row in read_seed(seeds_dir, "sla_policy")
        if row["segment"] == "*"
    )
    if not policies:
        raise SeedsMismatch(f"{seeds_dir / 'sla_policy.csv'} has no policy for segment `*`")
    return Rules(
        teams={t.name: t for t in teams if t.name != "default"},
        default_team=default[0],
        salesforce_roles=[
            row["crm_value"]
            for row in read_seed(seeds_dir, "crm_team_map")
            if row["crm"] == "salesforce"
        ],
        placed_owners={
            (row["team"], row["role"]): row["owner_email"].lower()
            for row in read_seed(seeds_dir, "owner_teams")
        },
        holidays={day: frozenset(regions) for day, regions in holidays.items()},
        fit_rules=[
            FitRule(
                row["attribute"],
                row["operator"],
                row["value"],
                _number(row["min_value"]),
                _number(row["max_value"]),
                int(row["points"]),
            )
            for row in read_seed(seeds_dir, "fit_rules")
        ],
        fit_tiers=sorted(
            (
                (row["fit_tier"], int(row["min_points"]))
                for row in read_seed(seeds_dir, "fit_tiers")
            ),
            key=lambda tier: -tier[1],
        ),
        mql_targets=policies,
    )


def project_seeds() -> Path:
    """The seeds the pipeline reads: ``<project>/seeds``."""
    return project_dir() / "seeds"


def shipped_seeds() -> Path:
    """The seeds handoff ships, which describe the sample's demo company."""
    return packaged_dir() / "seeds"
