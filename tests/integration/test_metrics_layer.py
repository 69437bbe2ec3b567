"""The metrics layer (dbt semantic layer / MetricFlow; README, "Metrics"): `dbt parse`
writes the semantic manifest, and `mf query` — the command the README shows —
answers every metric on the built sample's build database. Two answers are checked
against the marts they summarise: the overall MQL→SQL rate against
`fct_funnel_cohorts` and the first-touch SLA rate against `fct_handoffs`; the
weekly series against `fct_marketing_sla_weekly`.

mf reads `target/semantic_manifest.json` under the dbt project and opens the build
database for writing, so the test runs it on copies of both.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import copy_home
from statsmodels.stats.proportion import proportion_confint

pytestmark = pytest.mark.slow

PROJECT_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

# metric → the grain it is queried at (the monthly marts have no finer time)
METRICS = {
    "mql_to_sql_rate": "week",
    "marketing_sla_attainment": "week",
    "good_fit_share": "week",
    "first_touch_sla_rate": "week",
    "disposition_sla_rate": "week",
    "median_business_minutes_to_first_touch": "week",
    "win_rate": "month",
    "revenue_influenced": "month",
    "win_rate_ci_low": "month",
    "win_rate_ci_high": "month",
    "routing_breaches": "week",
    "rep_breaches": "week",
    "attributed_revenue": "month",
}
# the Wilson intervals of the handoffs' rates, asked for the whole sample at once
INTERVALS = [
    f"{rate}_ci_{side}"
    for rate in (
        "mql_to_sql_rate",
        "good_fit_share",
        "first_touch_sla_rate",
        "disposition_sla_rate",
    )
    for side in ("low", "high")
]


@pytest.fixture(scope="module")
def mf_project(built_sample, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("metrics")
    project = root / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "models", "macros", "seeds", "profiles", "snapshots"):
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, project / name)
        elif source.exists():
            shutil.copy(source, project / name)
    shutil.copytree(PROJECT_DIR / "tests" / "dbt", project / "tests" / "dbt")
    home = copy_home(built_sample.home, root / "home")
    env = {
        **os.environ,
        "HANDOFF_HOME": str(home),
        "DBT_PROFILES_DIR": str(project / "profiles"),
        "DBT_LOG_PATH": str(root / "logs"),
    }
    parse = subprocess.run(
        [str(BIN / "dbt"), "parse"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert parse.returncode == 0, parse.stdout[-3000:] + parse.stderr[-3000:]
    assert (project / "target" / "semantic_manifest.json").exists()
    return project, env


def mf_query(mf_project: tuple[Path, dict], metrics: list[str], group_by: str | None) -> list[dict]:
    """One `mf query` of several metrics (MetricFlow joins them on the group-by; a
    metric without a value in a row of another reads as empty there)."""
    project, env = mf_project
    # named by a digest: the metrics' names joined outgrow a file name (255 bytes)
    key = hashlib.sha1(f"{','.join(metrics)}|{group_by}".encode()).hexdigest()[:12]
    out = project / f"mf-{key}.csv"
    args = [str(BIN / "mf"), "query", "--metrics", ",".join(metrics), "--csv", str(out)]
    if group_by:
        args += ["--group-by", group_by]
    result = subprocess.run(args, cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0 and out.exists(), (
        f"mf query {metrics} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def answers(mf_project: tuple[Path, dict]) -> dict[str | None, list[dict]]:
    """Every metric by its grain, and two overall rates: three `mf` runs (each loads
    dbt and MetricFlow for ~10 s) instead of one per metric."""
    found: dict[str | None, list[dict]] = {}
    for grain in sorted(set(METRICS.values())):
        metrics = [metric for metric, its in METRICS.items() if its == grain]
        found[grain] = mf_query(mf_project, metrics, f"metric_time__{grain}")
    found[None] = mf_query(
        mf_project,
        [
            "mql_to_sql_rate",
            "first_touch_sla_rate",
            "routing_breaches",
            "rep_breaches",
            "routing_breach_share",
            *INTERVALS,
        ],
        None,
    )
    return found


def test_every_metric_answers_by_time(answers: dict[str | None, list[dict]]) -> None:
    for metric, grain in METRICS.items():
        rows = answers[grain]
        values = [row[metric] for row in rows if row[metric] not in ("", None)]
        assert len(values) >= 10, (metric, rows[:3])
        numbers = [float(value) for value in values]
        if metric.endswith(("_rate", "_share")):
            assert all(0 <= number <= 1 for number in numbers), metric
        assert any(number > 0 for number in numbers), metric


def test_metrics_equal_what_the_marts_say(
    mf_project: tuple[Path, dict], answers: dict[str | None, list[dict]]
) -> None:
    project, env = mf_project
    with duckdb.connect(str(Path(env["HANDOFF_HOME"]) / "build.duckdb"), read_only=True) as con:
        cohorts = con.execute(
            "select sum(sqls_in_window) / sum(handoffs) from marts.fct_funnel_cohorts"
        ).fetchone()[0]
        first_touch = con.execute(
            "select avg(case when is_first_touched_in_sla then 1.0 else 0.0 end) "
            "from marts.fct_handoffs"
        ).fetchone()[0]
        weekly = dict(
            con.execute(
                "select week_start_date, sum(delivered_mqls) / sum(target_mqls) "
                "from marts.fct_marketing_sla_weekly group by 1"
            ).fetchall()
        )
    (total,) = answers[None]
    assert float(total["mql_to_sql_rate"]) == pytest.approx(cohorts)
    # the intervals are statsmodels' Wilson intervals of the sample's counts
    with duckdb.connect(str(Path(env["HANDOFF_HOME"]) / "build.duckdb"), read_only=True) as con:
        counts = con.execute(
            "select count(*), count(*) filter (where is_sql_in_window), "
            "count(*) filter (where is_good_fit), count(*) filter (where is_first_touched_in_sla), "
            "count(*) filter (where is_dispositioned_in_sla) from marts.fct_handoffs"
        ).fetchone()
    handoffs, *successes = counts
    for rate, count in zip(
        ("mql_to_sql_rate", "good_fit_share", "first_touch_sla_rate", "disposition_sla_rate"),
        successes,
        strict=True,
    ):
        low, high = proportion_confint(count, handoffs, method="wilson")
        assert float(total[f"{rate}_ci_low"]) == pytest.approx(low, abs=1e-9), rate
        assert float(total[f"{rate}_ci_high"]) == pytest.approx(high, abs=1e-9), rate
    assert float(total["first_touch_sla_rate"]) == pytest.approx(first_touch)
    by_week = answers["week"]
    assert {
        row["metric_time__week"][:10]: float(row["marketing_sla_attainment"])
        for row in by_week
        if row["marketing_sla_attainment"] not in ("", None)
    } == {str(week): pytest.approx(value) for week, value in weekly.items()}


def test_breach_causes_and_attributed_revenue_by_model(
    mf_project: tuple[Path, dict], answers: dict[str | None, list[dict]]
) -> None:
    """The breach-cause metrics add up to the first-touch breaches of fct_handoffs, and
    attributed revenue is the same under each of the six models (README "Who gets the
    credit"): the won revenue credited to first touches in fct_offer_performance."""
    project, env = mf_project
    with duckdb.connect(str(Path(env["HANDOFF_HOME"]) / "build.duckdb"), read_only=True) as con:
        routing, rep = con.execute(
            "select count(*) filter (where breach_cause = 'routing'), "
            "count(*) filter (where breach_cause = 'rep') from marts.fct_handoffs"
        ).fetchone()
        revenue = con.execute(
            "select sum(first_touch_revenue) from marts.fct_offer_performance"
        ).fetchone()[0]
    (total,) = answers[None]
    assert (int(float(total["routing_breaches"])), int(float(total["rep_breaches"]))) == (
        routing,
        rep,
    )
    assert routing > 0 and rep > 0
    assert float(total["routing_breach_share"]) == pytest.approx(routing / (routing + rep))
    by_model = mf_query(
        mf_project, ["attributed_revenue"], "offer_attribution_month__attribution_model"
    )
    assert {row["offer_attribution_month__attribution_model"] for row in by_model} == {
        "first_touch",
        "last_touch",
        "linear",
        "u_shaped",
        "w_shaped",
        "time_decay",
    }
    for row in by_model:
        assert float(row["attributed_revenue"]) == pytest.approx(revenue), row
