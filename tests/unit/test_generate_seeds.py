"""The sample generator reads its business rules from the dbt seeds (handoff/generate/
rules.py): the same fit scoring, placed owners, teams' hours, holidays and MQL target
as the pipeline. Each check reads the seed files directly, scores or places the
generated rows as the dbt models do, and compares; the second test edits a copy of the
seeds and shows the sample follows the copy."""

from __future__ import annotations

import csv
import gzip
import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from handoff.generate import DEMAND_DEPARTURES, generate, holiday_weights, read_rules
from handoff.settings import packaged_dir

SEEDS = packaged_dir() / "seeds"
TEXT_COLUMNS = {"industry": "Industry", "country": "Country", "job_title": "Title"}


def _csv(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", newline="", encoding="utf-8") as fh:  # type: ignore[operator]
        return list(csv.DictReader(fh))


def _rows(out: Path, name: str) -> list[dict[str, str]]:
    """Every row of a Salesforce object over all batches."""
    return [row for path in sorted(out.glob(f"salesforce/*/{name}")) for row in _csv(path)]


def _fit_tier(seeds: Path, lead: dict[str, str]) -> str:
    """A Salesforce lead's fit tier as int_lead_attributes scores it from the seeds:
    per criterion the highest points of a rule that holds (trimmed, case-insensitive;
    a head count against `between`), summed; the tier with the highest minimum met."""
    best: dict[str, int] = {}
    for rule in _csv(seeds / "fit_rules.csv"):
        attribute, operator = rule["attribute"], rule["operator"]
        if attribute == "employees":
            employees = int(lead["NumberOfEmployees"])
            holds = float(rule["min_value"]) <= employees <= float(rule["max_value"])
        elif attribute in TEXT_COLUMNS:
            text, value = lead[TEXT_COLUMNS[attribute]].strip().lower(), rule["value"].lower()
            holds = text == value if operator == "equals" else value in text
        else:  # employee_band: Salesforce gives head counts
            holds = False
        if holds:
            best[rule["criterion"]] = max(best.get(rule["criterion"], 0), int(rule["points"]))
    points = sum(best.values())
    tiers = sorted(_csv(seeds / "fit_tiers.csv"), key=lambda t: -int(t["min_points"]))
    return next(t["fit_tier"] for t in tiers if points >= int(t["min_points"]))


def _first_touch_hours(out: Path, seeds: Path) -> dict[str, list[tuple[int, int]]]:
    """Team → (ISO weekday, minute of the local day) of every "Working - Contacted"
    status change (a first touch) of a lead its SDR owns, in the team's timezone from
    sales_teams.csv (the team of the SDR's role, by crm_team_map.csv)."""
    team_of_role = {
        row["crm_value"]: row["team"]
        for row in _csv(seeds / "crm_team_map.csv")
        if row["crm"] == "salesforce" and row["role"] == "sdr"
    }
    tz_of_team = {row["team"]: row["timezone"] for row in _csv(seeds / "sales_teams.csv")}
    roles = {row["Id"]: row["Name"] for row in _rows(out, "UserRole.csv")}
    team_of_user = {
        row["Id"]: team_of_role[roles[row["UserRoleId"]]]
        for row in _rows(out, "User.csv")
        if roles[row["UserRoleId"]] in team_of_role
    }
    owner = {row["Id"]: row["OwnerId"] for row in _rows(out, "Lead.csv")}
    seen: dict[str, list[tuple[int, int]]] = {}
    for row in _rows(out, "LeadHistory.csv"):
        team = team_of_user.get(owner.get(row["LeadId"], ""))
        if row["Field"] != "Status" or row["NewValue"] != "Working - Contacted" or not team:
            continue
        at = datetime.strptime(row["CreatedDate"], "%Y-%m-%dT%H:%M:%S.000%z")
        local = at.astimezone(ZoneInfo(tz_of_team[team]))
        seen.setdefault(team, []).append((local.isoweekday(), local.hour * 60 + local.minute))
    return seen


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("shipped")
    return out, generate(out, leads=400, seed=7, batches=1)


def test_the_sample_agrees_with_the_shipped_seeds(shipped: tuple[Path, dict]) -> None:
    out, summary = shipped
    leads = _rows(out, "Lead.csv")
    assert len(leads) > 200
    assert all(lead["Fit_Tier__c"] == _fit_tier(SEEDS, lead) for lead in leads)
    assert {lead["Fit_Tier__c"] for lead in leads} == {"A", "B", "C", "D"}
    # every owner owner_teams.csv places is a user of both CRMs, with a Salesforce role
    # and a first HubSpot team that crm_team_map.csv maps to the seed's team and role
    users = {row["Email"]: row for row in _rows(out, "User.csv")}
    roles = {row["Id"]: row["Name"] for row in _rows(out, "UserRole.csv")}
    owners = {row["email"]: row for row in _csv(next(out.glob("hubspot/*/owners.csv")))}
    crm_map = {(r["crm"], r["crm_value"]): r for r in _csv(SEEDS / "crm_team_map.csv")}
    placed = _csv(SEEDS / "owner_teams.csv")
    assert len(placed) == 5
    for row in placed:
        user, owner = users[row["owner_email"]], owners[row["owner_email"]]
        assert crm_map[("salesforce", roles[user["UserRoleId"]])]["role"] == row["role"]
        assert crm_map[("hubspot", owner["teams"].split(";")[0])]["team"] == row["team"]
    # first touches fall on weekdays from each team's opening (sales_teams.csv,
    # 09:00 = 540 minutes everywhere) for eight hours
    touches = _first_touch_hours(out, SEEDS)
    assert set(touches) == {"Sales Brazil", "Sales US East", "Sales UK"}
    for team, seen in touches.items():
        assert all(day <= 5 and 540 <= minute < 540 + 480 for day, minute in seen), team
    # the demand calendar dips on the seed's holidays of 2025 (0.25 when all three
    # regions are off: New Year's Day and Christmas), bar the documented departures
    weights = holiday_weights(read_rules(SEEDS))
    seed_days = {
        date.fromisoformat(row["holiday_date"])
        for row in _csv(SEEDS / "holidays.csv")
        if row["holiday_date"].startswith("2025")
    }
    assert set(weights) - set(DEMAND_DEPARTURES) == seed_days - set(DEMAND_DEPARTURES)
    assert {day for day, w in weights.items() if w == 0.25} == {
        date(2025, 1, 1),
        date(2025, 12, 25),
    }
    # sla_policy.csv's target 50 is the 4,000-lead sample's: 50 × 400 / 4000 = 5
    assert summary["weekly_mql_target"] == 5.0


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_sample_follows_edited_seeds(shipped: tuple[Path, dict], tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    # Retail becomes a fit industry; tier B needs 2 points, C 1
    with open(seeds / "fit_rules.csv", "a", encoding="utf-8") as fh:
        fh.write("industry_retail,industry,industry,equals,Retail,,,1\n")
    _edit(seeds / "fit_tiers.csv", "B,3,true\nC,2,false", "B,2,true\nC,1,false")
    # the Brazil AE is someone else; the UK opens at 10:00; a new holiday everywhere on
    # Wednesday 2025-03-12; the weekly target is 80
    _edit(seeds / "owner_teams.csv", "diego.ferreira@", "diego.santos@")
    _edit(seeds / "sales_teams.csv", "Sales UK,Europe/London,09:00", "Sales UK,Europe/London,10:00")
    with open(seeds / "holidays.csv", "a", encoding="utf-8") as fh:
        fh.write("BR,2025-03-12,Test day\nUK,2025-03-12,Test day\nUS,2025-03-12,Test day\n")
    _edit(seeds / "sla_policy.csv", "2000-01-01,50,", "2000-01-01,80,")

    out = tmp_path / "out"
    summary = generate(out, leads=400, seed=7, batches=1, seeds_dir=seeds)

    leads = _rows(out, "Lead.csv")
    assert all(lead["Fit_Tier__c"] == _fit_tier(seeds, lead) for lead in leads)
    # the edits matter: Retail leads score a point more than the shipped seeds give them
    retail = [lead for lead in leads if lead["Industry"] == "Retail"]
    assert retail and any(_fit_tier(seeds, lead) != _fit_tier(SEEDS, lead) for lead in retail)
    users = {row["Email"]: row for row in _rows(out, "User.csv")}
    diego = users["diego.santos@handoff-demo.com"]
    assert (diego["FirstName"], diego["LastName"]) == ("Diego", "Santos")
    assert "diego.ferreira@handoff-demo.com" not in users
    # UK first touches now from 10:00 (600 minutes) to 18:00; before, some before 10:00
    uk = _first_touch_hours(out, seeds)["Sales UK"]
    assert uk and all(600 <= minute < 600 + 480 for _, minute in uk)
    assert any(minute < 600 for _, minute in _first_touch_hours(shipped[0], SEEDS)["Sales UK"])
    # a holiday of every region weighs a day's lead volume by 0.25
    assert holiday_weights(read_rules(seeds))[date(2025, 3, 12)] == 0.25
    assert date(2025, 3, 12) not in holiday_weights(read_rules(SEEDS))
    # 80 × 400 / 4000 = 8
    assert summary["weekly_mql_target"] == 8.0


def test_a_project_adapted_to_another_company_gets_the_shipped_sample(
    shipped: tuple[Path, dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project (``handoff init``) whose owner_teams.csv lists its own people cannot
    name the demo company's placed owners: the sample then follows the shipped
    seeds, says so, and stays the shipped sample byte for byte."""
    project = tmp_path / "project"
    shutil.copytree(SEEDS, project / "seeds")
    (project / "seeds" / "owner_teams.csv").write_text(
        "owner_email,team,role\nsomeone@example.com,Sales UK,ae\n", encoding="utf-8"
    )
    monkeypatch.setenv("HANDOFF_PROJECT_DIR", str(project))
    said: list[str] = []
    out = tmp_path / "out"
    generate(out, leads=400, seed=7, batches=1, progress=said.append)
    assert "the sample follows the seeds handoff ships" in said[0]
    assert "owner_teams.csv places no owner in team 'marketing'" in said[0]
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(shipped[0]) for p in shipped[0].rglob("*") if p.is_file())
    assert all((out / f).read_bytes() == (shipped[0] / f).read_bytes() for f in files)
    # named explicitly, the same seeds are an error
    with pytest.raises(ValueError, match="places no owner in team 'marketing'"):
        generate(tmp_path / "again", leads=10, batches=1, seeds_dir=project / "seeds")
