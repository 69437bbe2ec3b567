"""The statistics marts and columns (README, "Statistics"), against reference
implementations and hand-computed cohorts.

- Every Wilson interval beside a rate of the built sample equals statsmodels'
  ``proportion_confint(method="wilson")`` of the same counts.
- ``fct_conversion_curves`` is built by dbt on a small DuckDB fixture of handoffs
  (``marts.fct_handoffs`` written by hand, then ``dbt build --select
  fct_conversion_curves``, its data tests included) with two cohorts: one whose
  events fall on distinct days, compared with lifelines' ``AalenJohansenFitter``
  (estimate, at-risk counts and interval, to 1e-9), and one of ten handoffs with
  ties (two events of different kinds and a censoring on one day) whose curve is
  computed by hand below.
- On the built sample, the curves reconcile with ``fct_handoffs`` and
  ``fct_funnel_cohorts``.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from conftest import dbt_build_select
from lifelines import AalenJohansenFitter
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

# the rates of the marts and their counts: (mart, rate, successes, trials)
RATES = [
    ("fct_funnel_cohorts", "mql_to_sql_rate", "sqls_in_window", "handoffs"),
    ("fct_speed_to_lead", "mql_to_sql_rate", "sqls", "handoffs"),
    ("fct_channel_performance", "mql_to_sql_rate", "sqls", "mqls"),
    ("fct_channel_performance", "win_rate", "won_deals", "opportunities"),
    ("fct_marketing_sla_weekly", "good_fit_share", "good_fit_mqls", "delivered_mqls"),
    ("fct_sales_sla_weekly", "first_touch_sla_rate", "first_touched_in_sla", "handoffs"),
    ("fct_sales_sla_weekly", "disposition_sla_rate", "dispositioned_in_sla", "handoffs"),
]


STATISTICS_MARTS = ["fct_conversion_curves", "fct_inbound_vs_outbound", "fct_marketing_sla_pacing"]


@pytest.fixture(scope="module")
def sample(built_sample) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(built_sample.home / "build.duckdb"), read_only=True)
    yield connection
    connection.close()


@pytest.mark.slow
@pytest.mark.parametrize(("mart", "rate", "successes", "trials"), RATES)
def test_every_rate_has_the_wilson_interval_of_statsmodels(
    sample: duckdb.DuckDBPyConnection, mart: str, rate: str, successes: str, trials: str
) -> None:
    rows = sample.execute(
        f"select {successes}, {trials}, {rate}, {rate}_ci_low, {rate}_ci_high from marts.{mart}"
    ).fetchall()
    assert rows
    for count, total, value, low, high in rows:
        if total == 0:
            assert (low, high) == (None, None)  # no interval without a denominator
            continue
        expected_low, expected_high = proportion_confint(count, total, method="wilson")
        assert low == pytest.approx(expected_low, abs=1e-12)
        assert high == pytest.approx(expected_high, abs=1e-12)
        assert low <= value <= high
    # the interval narrows as the count grows
    counted = [(total, high - low) for _, total, _, low, high in rows if total]
    assert max(counted)[1] < min(counted)[1]


@pytest.mark.slow
def test_the_statistics_marts_are_audited_and_published(built_sample) -> None:
    published = json.loads((built_sample.home / "serving" / "publish.json").read_text())
    for mart in STATISTICS_MARTS:
        assert published["marts"].get(mart, 0) > 0, mart
        assert (built_sample.home / "serving" / "parquet" / f"{mart}.parquet").stat().st_size > 0
    assert "21 marts" in built_sample.run.stdout + built_sample.run.stderr
    # dbt's proportions_in_unit_interval (as compiled by the build) checks the shares,
    # probabilities and interval bounds as proportions, and not the difference of two
    # rates (which may be negative)
    compiled = built_sample.home / "target" / "duckdb" / "compiled" / "handoff" / "models"
    proportions = {
        path.stem.removeprefix("proportions_in_unit_interval_").rstrip("_"): set(
            re.findall(r"'(\w+)' as column_name", path.read_text())
        )
        for path in compiled.rglob("proportions_in_unit_interval_*.sql")
    }
    assert {
        "cumulative_sql_share",
        "cumulative_sql_share_ci_low",
        "cumulative_sql_share_ci_high",
        "cumulative_rejection_share",
    } <= proportions["fct_conversion_curves"]
    assert {"probability_of_meeting_target", "good_fit_share_so_far"} <= proportions[
        "fct_marketing_sla_pacing"
    ]
    assert "mql_to_sql_rate_ci_low" in proportions["fct_funnel_cohorts"]
    assert "mql_to_sql_rate_difference_ci_low" not in proportions["fct_inbound_vs_outbound"]


# --- fct_conversion_curves on a fixture ---------------------------------------------

AS_OF = datetime(2025, 4, 3)
WINDOW = 30
DAY = timedelta(days=1)

# Oracle cohort (channel `oracle`, March 2025): handoff i at 1 March + 37 h · i; its
# outcome and whole days to it (the disposition comes 5 h into that day), or None
# (open: censored at the as-of, 3 April, capped at the window). Every event on a day
# of its own, none on day 0 (lifelines sets the estimate at its first time to 0),
# some censorings on an event's day, and the longest follow-up a censoring.
ORACLE = [
    ("sql", 31),  # after the window: censored on day 30
    ("disqualified", 5),
    (None, None),  # open 29 days at the as-of: censored on day 29
    ("sql", 7),
    ("recycled", 9),
    ("sql", 11),
    ("sql", 3),
    ("disqualified", 1),
    ("sql", 14),
    (None, None),  # censored on day 19
    ("sql", 2),
    ("recycled", 13),
    ("sql", 4),
    (None, None),  # censored on day 12
    ("sql", 6),
    ("disqualified", 8),
    (None, None),  # censored on day 8, the day of a disqualification
    (None, None),  # censored on day 6, the day of an SQL
    (None, None),  # censored on day 5
    (None, None),  # the last handoff, 30 March 07:00: censored on day 3
]


def oracle_handoffs() -> list[tuple]:
    rows = []
    for i, (outcome, days) in enumerate(ORACLE):
        handoff_at = datetime(2025, 3, 1) + timedelta(hours=37 * i)
        disposition_at = handoff_at + days * DAY + timedelta(hours=5) if outcome else None
        if disposition_at is not None:
            assert disposition_at <= AS_OF, i  # the fixture is a possible as-of view
        rows.append(("oracle", handoff_at, outcome, disposition_at))
    return rows


# Hand-computed cohort (channel `hand`, March 2025): ten handoffs.
HAND = [
    # handoff_at, disposition, disposition_at           → day, outcome
    (datetime(2025, 3, 1, 9), "sql", datetime(2025, 3, 2, 11)),  # 1, sql
    (datetime(2025, 3, 1, 10), "sql", datetime(2025, 3, 3, 15)),  # 2, sql
    (datetime(2025, 3, 2, 9), "disqualified", datetime(2025, 3, 4, 10)),  # 2, rejection
    (datetime(2025, 3, 31, 10), None, None),  # open, as-of 2 d 14 h later: censored day 2
    (datetime(2025, 3, 3, 9), "recycled", datetime(2025, 3, 7, 5)),  # 3 d 20 h: 3, rejection
    (datetime(2025, 3, 3, 12), "sql", datetime(2025, 3, 8, 12, 30)),  # 5, sql
    (datetime(2025, 3, 1, 8), "sql", datetime(2025, 3, 31, 20)),  # 30 d 12 h: after the
    # window, censored on day 30
    (datetime(2025, 3, 2, 8), None, None),  # open 31 d 16 h: censored at the window, day 30
    (datetime(2025, 3, 5, 9), "sql", datetime(2025, 3, 15, 12)),  # 10, sql
    (datetime(2025, 3, 6, 9), "disqualified", datetime(2025, 3, 18, 9)),  # exactly 12 d: 12
]

CURVE_COLUMNS = (
    "days_since_handoff, at_risk, sql_events, rejection_events, censored, "
    "cumulative_sql_share, cumulative_sql_share_ci_low, cumulative_sql_share_ci_high, "
    "cumulative_rejection_share, handoffs, conversion_window_days, cohort_month_start_date"
)


@pytest.fixture(scope="module")
def curves(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture's handoffs in `marts.fct_handoffs` of a fresh DuckDB file, and
    `fct_conversion_curves` built on them by dbt (its data tests passing)."""
    home = tmp_path_factory.mktemp("curves")
    handoffs = oracle_handoffs() + [("hand", *row) for row in HAND]
    with duckdb.connect(str(home / "build.duckdb")) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_handoffs (channel varchar, fit_tier varchar, "
            "handoff_at timestamp, disposition varchar, disposition_at timestamp, "
            "conversion_window_days integer, as_of_at timestamp)"
        )
        con.executemany(
            "insert into marts.fct_handoffs values (?, 'A', ?, ?, ?, ?, ?)",
            [(*row, WINDOW, AS_OF) for row in handoffs],
        )
    build = dbt_build_select(home, "fct_conversion_curves")
    assert build.returncode == 0, build.stdout[-4000:]
    return home / "build.duckdb"


def curve(db: Path, channel: str) -> list[dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute(
            f"select {CURVE_COLUMNS} from marts.fct_conversion_curves "
            "where channel = ? order by days_since_handoff",
            [channel],
        )
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_the_curve_is_lifelines_aalen_johansen_on_distinct_event_days(curves: Path) -> None:
    rows = curve(curves, "oracle")
    durations, events = [], []
    for i, (outcome, days) in enumerate(ORACLE):
        handoff_at = datetime(2025, 3, 1) + timedelta(hours=37 * i)
        followed = min(WINDOW, (AS_OF - handoff_at) // DAY)
        if outcome is None or days > WINDOW:
            durations.append(min(WINDOW, followed)), events.append(0)
        else:
            durations.append(days), events.append(1 if outcome == "sql" else 2)
    fitter = AalenJohansenFitter(calculate_variance=True)
    fitter.fit(durations, events, event_of_interest=1)
    estimate = fitter.cumulative_density_.iloc[:, 0]
    bounds = fitter.confidence_interval_
    table = fitter.event_table
    # one row a day, 0 … the longest follow-up (30)
    assert [row["days_since_handoff"] for row in rows] == list(range(max(durations) + 1))
    assert {row["handoffs"] for row in rows} == {len(ORACLE)}
    rejections = AalenJohansenFitter(calculate_variance=False)
    rejections.fit(durations, events, event_of_interest=2)
    rejection_estimate = rejections.cumulative_density_.iloc[:, 0]
    compared = 0
    for time in table.index:
        row = rows[int(time)]
        assert row["at_risk"] == table.loc[time, "at_risk"]
        assert row["sql_events"] == table.loc[time, "observed_1"]
        assert row["sql_events"] + row["rejection_events"] == table.loc[time, "observed"]
        assert row["censored"] == table.loc[time, "censored"]
        assert row["cumulative_sql_share"] == pytest.approx(estimate[time], abs=1e-9)
        assert row["cumulative_rejection_share"] == pytest.approx(
            rejection_estimate[time], abs=1e-9
        )
        low, high = bounds.loc[time].min(), bounds.loc[time].max()
        if math.isnan(low):  # no SQL yet: lifelines has no interval, nor has the mart
            assert row["cumulative_sql_share_ci_low"] is None
            assert row["cumulative_sql_share_ci_high"] is None
        else:
            assert row["cumulative_sql_share_ci_low"] == pytest.approx(low, abs=1e-9)
            assert row["cumulative_sql_share_ci_high"] == pytest.approx(high, abs=1e-9)
            compared += 1
    assert compared >= 10  # the interval was compared on every event day after the first SQL
    # between event times the estimate carries over
    for row in rows:
        last = max(t for t in table.index if t <= row["days_since_handoff"])
        assert row["cumulative_sql_share"] == pytest.approx(estimate[last], abs=1e-9)


def test_the_curve_of_ten_handoffs_with_ties_as_computed_by_hand(curves: Path) -> None:
    rows = curve(curves, "hand")
    # Days since handoff (floor of elapsed ÷ 24 h) of the ten handoffs, as in HAND:
    #   sql on days 1, 2, 5, 10; rejection on days 2, 3, 12; censored on day 2 (open
    #   at the as-of) and day 30 (one open past the window, one SQL after it).
    # n = at risk at the day's start, S = share still open after the day,
    # F (R) = cumulative SQL (rejection) share; F += S(t−1)·d₁/n, R += S(t−1)·d₂/n.
    #   day 0:  n = 10                      F = 0, R = 0, S = 1
    #   day 1:  n = 10, 1 sql               F = 1/10 = 0.1, S = 9/10
    #   day 2:  n = 9, 1 sql, 1 rejection, 1 censored (events first: all 9 at risk)
    #           F = 0.1 + 0.9·1/9 = 0.2, R = 0.9·1/9 = 0.1, S = 0.9·7/9 = 0.7
    #   day 3:  n = 9 − 3 = 6, 1 rejection  R = 0.1 + 0.7·1/6 = 13/60, S = 0.7·5/6 = 7/12
    #   day 4:  n = 5
    #   day 5:  n = 5, 1 sql                F = 0.2 + (7/12)·1/5 = 19/60, S = 7/15
    #   days 6–9: n = 4
    #   day 10: n = 4, 1 sql                F = 19/60 + (7/15)·1/4 = 13/30, S = 7/20
    #   day 11: n = 3
    #   day 12: n = 3, 1 rejection          R = 13/60 + (7/20)·1/3 = 1/3, S = 7/30
    #   days 13–30: n = 2; day 30: 2 censored.  F + R + S = 13/30 + 10/30 + 7/30 = 1.
    sql_share = {0: 0, 1: 0.1, 2: 0.2, 5: 19 / 60, 10: 13 / 30}
    rejection_share = {0: 0, 2: 0.1, 3: 13 / 60, 12: 1 / 3}
    at_risk = {0: 10, 1: 10, 2: 9, 3: 6, 4: 5, 5: 5, 6: 4, 10: 4, 11: 3, 12: 3, 13: 2, 30: 2}
    events = {1: (1, 0, 0), 2: (1, 1, 1), 3: (0, 1, 0), 5: (1, 0, 0), 10: (1, 0, 0)}
    events |= {12: (0, 1, 0), 30: (0, 0, 2)}

    def step(values: dict[int, float], day: int) -> float:
        return values[max(d for d in values if d <= day)]

    assert [row["days_since_handoff"] for row in rows] == list(range(31))
    for row in rows:
        day = row["days_since_handoff"]
        assert row["at_risk"] == step(at_risk, day), day
        got = (row["sql_events"], row["rejection_events"], row["censored"])
        assert got == events.get(day, (0, 0, 0)), day
        assert row["cumulative_sql_share"] == pytest.approx(step(sql_share, day), abs=1e-12)
        assert row["cumulative_rejection_share"] == pytest.approx(
            step(rejection_share, day), abs=1e-12
        )
    assert {row["cohort_month_start_date"].isoformat() for row in rows} == {"2025-03-01"}
    # No SQL on day 0: no interval. Day 1, one SQL among 10 at risk: the variance is
    # the binomial one, S(0)²·d₁(n − d₁)/n³ = 1·1·9/1000 = 0.009 (the other terms
    # have F(1) − F(1) = 0). On log(−log F): se = √0.009 / (0.1·|ln 0.1|)
    # = 0.0948683 / 0.2302585 = 0.4120079; ln(−ln 0.1) = 0.8340324; bounds
    # exp(−exp(0.8340324 + 1.959964 · 0.4120079)) = exp(−exp(1.6415531)) = 0.0057235
    # and exp(−exp(0.8340324 − 0.8075207)) = exp(−exp(0.0265118)) = 0.3581275.
    assert rows[0]["cumulative_sql_share_ci_low"] is None
    se = math.sqrt(0.009) / (0.1 * abs(math.log(0.1)))
    assert se == pytest.approx(0.4120079, abs=1e-7)
    center, z = math.log(-math.log(0.1)), 1.959963984540054
    assert rows[1]["cumulative_sql_share_ci_low"] == pytest.approx(
        math.exp(-math.exp(center + z * se)), abs=1e-12
    )
    assert rows[1]["cumulative_sql_share_ci_high"] == pytest.approx(
        math.exp(-math.exp(center - z * se)), abs=1e-12
    )
    assert rows[1]["cumulative_sql_share_ci_low"] == pytest.approx(0.0057235, abs=1e-7)
    assert rows[1]["cumulative_sql_share_ci_high"] == pytest.approx(0.3581275, abs=1e-7)
    for row in rows[1:]:
        assert row["cumulative_sql_share_ci_low"] < row["cumulative_sql_share"]
        assert row["cumulative_sql_share"] < row["cumulative_sql_share_ci_high"]


# --- on the built sample -------------------------------------------------------------


@pytest.mark.slow
def test_the_sample_curves_reconcile_with_the_handoffs_and_cohorts(
    sample: duckdb.DuckDBPyConnection,
) -> None:
    # every handoff is counted once: on day 0 at risk, and once among the events
    # and censorings of its cohort
    handoffs = sample.execute("select count(*) from marts.fct_handoffs").fetchone()
    totals = sample.execute(
        """
        select sum(case when days_since_handoff = 0 then at_risk end),
            sum(sql_events + rejection_events + censored),
            sum(sql_events)
        from marts.fct_conversion_curves
        """
    ).fetchone()
    assert handoffs is not None and totals is not None
    assert totals[0] == totals[1] == handoffs[0]
    in_window = sample.execute(
        "select count(*) from marts.fct_handoffs where is_sql_in_window"
    ).fetchone()
    assert in_window is not None and totals[2] == in_window[0]
    # a cohort whose handoffs all had their full window: nobody censored before its
    # end, so the curve's end is the raw share converted in the window
    ended = sample.execute(
        """
        with mature as (
            select cohort_month_start_date, channel, fit_tier
            from marts.fct_conversion_curves
            group by cohort_month_start_date, channel, fit_tier
            having sum(case when days_since_handoff < conversion_window_days
                then censored else 0 end) = 0
        )
        select curves.cohort_month_start_date, curves.channel, curves.fit_tier,
            curves.cumulative_sql_share, curves.handoffs,
            sum(case when handoffs.is_sql_in_window then 1 else 0 end)
        from marts.fct_conversion_curves as curves
        join mature using (cohort_month_start_date, channel, fit_tier)
        join marts.fct_handoffs as handoffs
            on date_trunc('month', handoffs.handoff_at) = curves.cohort_month_start_date
            and handoffs.channel = curves.channel and handoffs.fit_tier = curves.fit_tier
        where curves.days_since_handoff = curves.conversion_window_days
        group by all
        """
    ).fetchall()
    assert len(ended) > 10
    for *_, share, total, converted in ended:
        assert share == pytest.approx(converted / total, abs=1e-12)
    # young cohorts are there, their curves ending before the window does
    young = sample.execute(
        """
        select count(*) from (
            select cohort_month_start_date, channel, fit_tier
            from marts.fct_conversion_curves
            group by cohort_month_start_date, channel, fit_tier
            having max(days_since_handoff) < max(conversion_window_days)
        )
        """
    ).fetchone()
    assert young is not None and young[0] > 0


@pytest.mark.slow
def test_inbound_against_outbound_is_statsmodels_two_proportion_test(
    sample: duckdb.DuckDBPyConnection,
) -> None:
    cursor = sample.execute("select * from marts.fct_inbound_vs_outbound order by month_start_date")
    names = [column[0] for column in cursor.description]
    months = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    assert len(months) >= 12
    # the sides add up to fct_channel_performance's month
    performance = dict(
        sample.execute(
            "select month_start_date, sum(mqls) from marts.fct_channel_performance group by all"
        ).fetchall()
    )
    for month in months:
        assert (
            month["inbound_mqls"] + month["outbound_mqls"] == performance[month["month_start_date"]]
        )
        counts = [month["inbound_sqls"], month["outbound_sqls"]]
        nobs = [month["inbound_mqls"], month["outbound_mqls"]]
        z, p = proportions_ztest(counts, nobs)  # pooled variance, two-sided
        assert month["z_statistic"] == pytest.approx(z, abs=1e-12)
        assert month["p_value"] == pytest.approx(p, rel=1e-12, abs=1e-15)
        assert month["is_significant"] == (p < 0.05)
        low, high = confint_proportions_2indep(
            counts[0], nobs[0], counts[1], nobs[1], method="newcomb", compare="diff"
        )
        assert month["mql_to_sql_rate_difference_ci_low"] == pytest.approx(low, abs=1e-12)
        assert month["mql_to_sql_rate_difference_ci_high"] == pytest.approx(high, abs=1e-12)
        assert month["mql_to_sql_rate_difference"] == pytest.approx(
            counts[0] / nobs[0] - counts[1] / nobs[1], abs=1e-12
        )
    # the sample's inbound converts better in some month beyond chance, not in all
    assert 0 < sum(month["is_significant"] for month in months) < len(months)


# --- fct_marketing_sla_pacing on the built sample -------------------------------------


@pytest.mark.slow
def test_the_pacing_forecast_is_fitted_on_the_twelve_weeks_before(
    sample: duckdb.DuckDBPyConnection,
) -> None:
    # Recomputed here from fct_handoffs and fct_marketing_sla_weekly: the deliveries
    # so far, and the forecast from the complete weeks among the 12 before.
    handoff_dates = sample.execute(
        "select segment, handoff_week_start_date, handoff_date from marts.fct_handoffs"
    ).fetchall()
    weeks = {
        (segment, week): (delivered, complete, target)
        for week, segment, delivered, complete, target in sample.execute(
            "select week_start_date, segment, delivered_mqls, is_week_complete, target_mqls "
            "from marts.fct_marketing_sla_weekly"
        ).fetchall()
    }

    def so_far(segment: str, week, day: int) -> int:
        return sum(
            1
            for seg, start, handoff_date in handoff_dates
            if seg == segment and start == week and (handoff_date - week).days < day
        )

    cursor = sample.execute("select * from marts.fct_marketing_sla_pacing")
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    as_of = sample.execute("select max(as_of_at) from marts.fct_handoffs").fetchone()
    assert as_of is not None
    # every day of every week whose end is at or before the as-of
    expected_keys = {
        (segment, week, day)
        for segment, week in weeks
        for day in range(1, 6)
        if datetime.combine(week, datetime.min.time()) + day * DAY <= as_of[0]
    }
    assert {(r["segment"], r["week_start_date"], r["business_day_of_week"]) for r in rows} == (
        expected_keys
    )
    forecast = 0
    for row in rows:
        segment, week, day = row["segment"], row["week_start_date"], row["business_day_of_week"]
        delivered = so_far(segment, week, day)
        assert row["delivered_so_far"] == delivered
        history = [
            weeks[(segment, earlier)][0] - so_far(segment, earlier, day)
            for seg, earlier in weeks
            if seg == segment
            and week - timedelta(days=84) <= earlier < week
            and weeks[(seg, earlier)][1]
        ]
        assert row["fitted_weeks"] == len(history)
        target = row["target_mqls"]
        assert target == weeks[(segment, week)][2]
        if len(history) < 4:
            assert row["expected_week_end_mqls"] is None
            assert row["probability_of_meeting_target"] == (1 if delivered >= target else None)
            continue
        forecast += 1
        assert row["expected_week_end_mqls"] == pytest.approx(
            delivered + sum(history) / len(history), abs=1e-12
        )
        reaching = sum(1 for rest in history if delivered + rest >= target)
        expected = 1 if delivered >= target else (reaching + 0.5) / (len(history) + 1)
        assert row["probability_of_meeting_target"] == pytest.approx(expected, abs=1e-12)
    assert forecast > 150


@pytest.mark.slow
def test_the_calibration_bench_scores_the_sample(built_sample) -> None:
    bench = Path(__file__).resolve().parents[2] / "bench" / "pacing_calibration.py"
    spec = importlib.util.spec_from_file_location("pacing_calibration", bench)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.score(built_sample.home / "build.duckdb")
    assert result["forecasts"] > 150
    assert 0 <= result["brier"] <= 1
    assert sum(row["forecasts"] for row in result["deciles"]) == result["forecasts"]
    assert set(result["brier_by_business_day"]) == {1, 2, 3, 4, 5}
