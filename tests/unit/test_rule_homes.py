"""Each data rule has one home (README, "Publishing, audit and schedules"): the
row-level rules on the marts are dbt tests, which block inside `dbt build`, and the
Great Expectations gate does not repeat them. These tests keep the dbt side
complete, so a new mart column cannot slip past the rule that used to catch it.
The definitions behind the rules have one home too, inside the repository
(docs/definitions.md, docs/architecture.md, the README): no file points elsewhere."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[2]
# Timestamps that are promises about the future, not events: they may lie after the as-of.
PROMISES = ("deadline", "clock_start_at", "due_at", "expires_at")


def _documented_nodes(*folders: str) -> list[dict]:
    """Every model and seed of the yml under ``folders``, with its columns and tests."""
    nodes = []
    for path in sorted(p for folder in folders for p in (PROJECT / folder).rglob("*.yml")):
        doc = yaml.safe_load(path.read_text()) or {}
        nodes += [*(doc.get("models") or []), *(doc.get("seeds") or [])]
    return nodes


def _mart_columns() -> dict[str, dict[str, dict]]:
    return {
        model["name"]: {c["name"]: c for c in model.get("columns") or []}
        for model in _documented_nodes("models/marts")
    }


def _tests(column: dict) -> dict[str, dict]:
    out = {}
    for test in column.get("data_tests") or column.get("tests") or []:
        if isinstance(test, str):
            out[test] = {}
        else:
            (name, body), *_ = test.items()
            body = dict(body or {})
            body.update(body.pop("arguments", None) or {})
            out[name] = body
    return out


def test_every_event_timestamp_of_a_mart_is_checked_against_the_as_of():
    sql = (PROJECT / "tests/dbt/sla/assert_no_event_after_as_of.sql").read_text()
    checked = set(re.findall(r"\('(\w+)', '(\w+)'\)", sql))
    expected = {
        (mart, name)
        for mart, columns in _mart_columns().items()
        for name, column in columns.items()
        if str(column.get("data_type", "")).lower().startswith("timestamp")
        and not any(marker in name for marker in PROMISES)
    }
    assert len(expected) >= 20
    assert expected - checked == set(), "add them to assert_no_event_after_as_of.sql"


def _is_proportion(name: str) -> bool:
    """A rate or share, either bound of its interval, or a probability (the columns
    the generic test proportions_in_unit_interval finds by name)."""
    rate = name.removesuffix("_ci_low").removesuffix("_ci_high").removesuffix("_so_far")
    return rate.endswith(("_rate", "_share")) or name.startswith("probability_")


def _model_tests() -> dict[str, set[str]]:
    return {model["name"]: set(_tests(model)) for model in _documented_nodes("models/marts")}


def test_every_proportion_of_a_mart_is_tested_to_lie_in_0_1():
    model_tests = _model_tests()
    proportions = {
        (mart, name): _tests(column)
        for mart, columns in _mart_columns().items()
        for name, column in columns.items()
        if _is_proportion(name)
    }
    assert len(proportions) >= 10
    untested = [
        (mart, name)
        for (mart, name), tests in proportions.items()
        if "proportions_in_unit_interval" not in model_tests.get(mart, set())
        and (
            tests.get("accepted_range", {}).get("min_value") != 0
            or tests.get("accepted_range", {}).get("max_value") != 1
        )
    ]
    assert untested == [], (
        "give their marts the test proportions_in_unit_interval (or the column "
        "accepted_range min_value 0, max_value 1)"
    )


def test_required_columns_are_checked_in_one_test_per_model_and_keys_keep_their_own():
    """A model's required columns are listed in its one `not_null_columns` test
    (tests/dbt/generic/test_not_null_columns.sql), named not_null_<model>, and each
    column it lists is a documented column of that model, listed once: not also under
    the column's own tests, and never a `unique` column (keys keep their own pair)."""
    required = 0
    for node in _documented_nodes("models", "seeds"):
        columns = {c["name"]: _tests(c) for c in node.get("columns") or []}
        merged = [
            body
            for test in node.get("data_tests") or []
            if isinstance(test, dict)
            for name, body in test.items()
            if name == "not_null_columns"
        ]
        assert len(merged) <= 1, node["name"]
        for body in merged:
            assert body["name"] == f"not_null_{node['name']}"
            listed = body["arguments"]["column_names"]
            assert len(listed) == len(set(listed)) > 1, node["name"]
            assert set(listed) <= set(columns), (node["name"], set(listed) - set(columns))
            # listed once: not also in a column's own tests, and never a key's
            assert not any({"not_null", "unique"} & set(columns[name]) for name in listed), node[
                "name"
            ]
            required += len(listed)
    assert required >= 300


def test_deadlines_are_checked_wherever_a_mart_has_a_clock_start():
    with_clock = {
        mart
        for mart, columns in _mart_columns().items()
        if "clock_start_at" in columns and any("deadline_at" in c for c in columns)
    }
    sql = (PROJECT / "tests/dbt/sla/assert_handoff_deadlines_follow_clock_start.sql").read_text()
    assert with_clock == {"fct_handoffs"}
    assert all(f"ref('{mart}')" in sql for mart in with_clock)


# What no file of the project may cite: the product spec and house style the project
# was written from live outside it, where a user or contributor cannot follow them.
# (Spelled in pieces so that this file does not cite them either.)
OUTSIDE_DOCUMENTS = ("DESI" + "GN", "STY" + "LE.md", "../" + "shared")


def test_no_file_cites_a_document_outside_the_repository():
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    files = [name for name in listed.split("\0") if name and (PROJECT / name).is_file()]
    assert len(files) > 200
    citing = []
    for name in files:
        try:
            text = (PROJECT / name).read_text()
        except UnicodeDecodeError:
            continue  # images and other binary files
        for number, line in enumerate(text.splitlines(), 1):
            if any(word in line for word in OUTSIDE_DOCUMENTS):
                citing.append(f"{name}:{number}: {line.strip()}")
    assert citing == [], "point these at docs/definitions.md, docs/architecture.md or the README"


def test_every_mart_has_its_line_in_the_definitions():
    page = (PROJECT / "docs" / "definitions.md").read_text()
    listed = set(re.findall(r"^\| `(\w+)` \|", page.split("\n## Marts\n", 1)[1], flags=re.M))
    assert listed == set(_mart_columns()), "docs/definitions.md, Marts: one line per mart"


def _models_sql() -> dict[Path, str]:
    return {
        path.relative_to(PROJECT): path.read_text()
        for path in sorted((PROJECT / "models").rglob("*.sql"))
    }


def test_raw_sources_are_read_in_staging_only():
    """`source()` belongs in staging: every later model reads the staged, renamed
    columns (int_incremental_leads once read 13 raw tables itself)."""
    readers = {
        path
        for path, sql in _models_sql().items()
        if re.search(r"\{\{\s*source\(", sql) and path.parts[1] != "staging"
    }
    assert readers == set()


def test_the_policy_in_force_and_the_week_spine_are_each_computed_once():
    """One model picks the sla_policy row in force (int_sla_policy_periods) and one
    builds the weekly marts' week spine (int_handoff_weeks); the others read them."""
    models = _models_sql()
    policy_rules = {p.stem for p, sql in models.items() if "effective_from" in sql}
    assert policy_rules == {"int_sla_policy_periods"}
    spines = {p.stem for p, sql in models.items() if "ref('dim_calendar')" in sql}
    assert spines == {"int_handoff_weeks", "metricflow_time_spine"}
    for weekly in ("fct_marketing_sla_weekly", "fct_team_capacity"):
        (sql,) = [s for p, s in models.items() if p.stem == weekly]
        assert "ref('int_handoff_weeks')" in sql


def test_inbound_and_outbound_are_read_from_the_cohort_counts_not_re_derived():
    """`handoff status` and the scorecard's funnel page once joined fct_handoffs to the
    cohorts to tell inbound from outbound (the page with bool_or per channel, which
    puts every handoff of a channel mixing both, such as `other`, on the inbound
    side). Both now read fct_funnel_cohorts' inbound counts."""
    status = (PROJECT / "handoff" / "status.py").read_text()
    funnel = (PROJECT / "dashboard" / "views" / "funnel.py").read_text()
    for source in (status, funnel):
        assert "inbound_handoffs" in source and "inbound_sqls_in_window" in source
        assert not re.search(r"bool_or\(\s*is_inbound", source)
        assert not re.search(r"fct_handoffs[^\n]*\bjoin\b[^\n]*fct_funnel_cohorts", source)
