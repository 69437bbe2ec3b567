"""The scorecard (`handoff dashboard`, dashboard/app.py) on the published sample:
every page runs in Streamlit's AppTest with figures that match the marts, the filters
and a republish change what it shows, the CLI refuses to start without a serving copy,
and a real server renders charts in headless Chromium."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from conftest import BuiltSample, _free_port, stop_process_group
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
HANDOFF = str(Path(sys.executable).parent / "handoff")
CHROMIUM = "/usr/bin/chromium"

# page file → (title, marts it needs, charts it draws when they are all there)
PAGES = {
    "views/marketing_sla.py": (
        "Did marketing keep its promise?",
        ["fct_marketing_sla_weekly", "fct_marketing_sla_pacing"],
        2,
    ),
    "views/sales_sla.py": (
        "Did sales follow up on time?",
        ["fct_sales_sla_weekly", "fct_handoffs", "rpt_open_sla_breaches", "dim_owners"],
        4,
    ),
    "views/funnel.py": (
        "Which leads turn into sales opportunities?",
        [
            "fct_funnel_cohorts",
            "fct_handoffs",
            "fct_speed_to_lead",
            "fct_channel_performance",
            "fct_inbound_vs_outbound",
            "fct_conversion_curves",
        ],
        8,
    ),
    "views/offers.py": (
        "Which offers bring leads that buy?",
        ["fct_offer_performance", "fct_offer_attribution", "dim_offers"],
        6,
    ),
    "views/capacity.py": (
        "Does sales have the people to follow up?",
        ["fct_team_capacity", "fct_routing_fairness"],
        4,
    ),
}


# text a page shows in the browser besides its title
PAGE_TEXTS = {
    "views/sales_sla.py": ["Who lost the time: routing or the rep?"],
    "views/offers.py": ["Who gets the credit? Six attribution models", "Attribution model"],
    "views/capacity.py": ["Is the round robin fair in quality, not just in count?"],
}


def _serving(home: Path) -> Path:
    return home / "serving" / "handoff.duckdb"


def _sql(path: Path, sql: str, params: list[Any] | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _marts(path: Path) -> set[str]:
    rows = _sql(
        path, "select table_name from information_schema.tables where table_schema = 'marts'"
    )
    return {name for (name,) in rows}


def _app(serving: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("HANDOFF_SERVING_DB", str(serving))
    return AppTest.from_file(str(APP), default_timeout=120)


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def _charts(at: AppTest) -> list[Any]:
    return list(at.get("vega_lite_chart"))


def _pct(numerator: float, denominator: float) -> str:
    return f"{100 * numerator / denominator:.0f} %"


def test_every_page_runs_on_the_published_sample(
    built_sample: BuiltSample, monkeypatch: pytest.MonkeyPatch
) -> None:
    serving = _serving(built_sample.home)
    present = _marts(serving)
    at = _app(serving, monkeypatch).run()
    assert not at.exception, [e.value for e in at.exception]
    # The as-of of the publish (the sample is judged at 2026-01-01).
    assert any("Data as of 01 Jan 2026, 00:00 UTC" in md.value for md in at.sidebar.markdown)

    for page, (title, needs, charts) in PAGES.items():
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert [t.value for t in at.title] == [title], page
        assert set(needs) <= present, page
        assert not at.info, (page, [info.value for info in at.info])  # no mart missing
        assert len(_charts(at)) == charts, page
        assert at.metric, page
        for chart in _charts(at):
            spec = json.loads(chart.proto.spec)
            assert spec.get("layer") or spec.get("mark"), page

    # The Feedback loop's model switcher: each of the six models draws its chart.
    at.switch_page("views/offers.py").run()
    switcher = at.radio(key="attribution_model")
    assert switcher.options == [
        "First touch",
        "Last touch",
        "Linear",
        "U-shaped",
        "W-shaped",
        "Time decay",
    ]
    for model in switcher.options:
        at.radio(key="attribution_model").set_value(model).run()
        assert not at.exception, (model, [e.value for e in at.exception])
        assert len(_charts(at)) == PAGES["views/offers.py"][2], model
        assert any(f"under {model.lower()}:" in caption.value for caption in at.caption), model


def test_marketing_and_sales_figures_match_the_marts(
    built_sample: BuiltSample, monkeypatch: pytest.MonkeyPatch
) -> None:
    serving = _serving(built_sample.home)
    at = _app(serving, monkeypatch).run()

    met, complete = _sql(
        serving,
        "select count(*) filter (where is_met), count(*) from marts.fct_marketing_sla_weekly "
        "where is_week_complete",
    )[0]
    last_week, delivered, target = _sql(
        serving,
        "select week_start_date, delivered_mqls, target_mqls from marts.fct_marketing_sla_weekly "
        "where is_week_complete order by week_start_date desc limit 1",
    )[0]
    shown = _metrics(at)
    assert shown["Weeks the promise was kept"] == f"{met} of {complete}"
    assert shown[f"Leads delivered, week of {last_week:%d %b}"] == f"{delivered} of {target}"
    # The current week's pacing: the latest day of the pacing mart, in words.
    probability, so_far, week_target = _sql(
        serving,
        "select probability_of_meeting_target, delivered_so_far, target_mqls "
        "from marts.fct_marketing_sla_pacing "
        "order by week_start_date desc, business_day_of_week desc limit 1",
    )[0]
    pacing = next(md.value for md in at.markdown if "likely to meet the promise" in md.value)
    assert pacing.startswith(
        f"**{100 * probability:.0f} % likely to meet the promise of {week_target} by Sunday**: "
        f"{so_far} delivered by Wednesday's end"  # the sample's as-of: Thursday 1 Jan, 00:00
    )

    at.switch_page("views/sales_sla.py").run()
    handoffs, touched, decided = _sql(
        serving,
        "select sum(handoffs), sum(first_touched_in_sla), sum(dispositioned_in_sla) "
        "from marts.fct_sales_sla_weekly",
    )[0]
    overdue = _sql(
        serving,
        "select count(distinct handoff_id) from marts.rpt_open_sla_breaches where is_overdue",
    )[0][0]
    shown = _metrics(at)
    assert shown["Leads handed to sales"] == f"{handoffs:,}"
    assert shown["First touch on time"] == _pct(touched, handoffs)
    assert shown["Decision on time"] == _pct(decided, handoffs)
    # Handoffs past a deadline, counted as the Capacity page counts them.
    assert shown["Handoffs past a deadline"] == f"{overdue:,}"
    # The to-do list: one row per open handoff (a lead past both deadlines once, both
    # named), most overdue first; those overdue for more than 30 days apart, below it,
    # so the list does not open on a year-old record.
    current, stale = (frame.value for frame in at.dataframe)
    open_handoffs, past_both = _sql(
        serving,
        "select count(*), count(*) filter (where n = 2) from (select handoff_id, count(*) as n "
        "from marts.rpt_open_sla_breaches group by all)",
    )[0]
    listed = [*current.to_dict("records"), *stale.to_dict("records")]
    assert len(listed) == open_handoffs
    assert len({row["Lead"] for row in listed}) == len(listed)
    assert sum(row["Missing"] == "first touch, decision" for row in listed) == past_both > 0
    assert len(stale) > 0 and current["Overdue by (days)"].max() <= 30
    assert stale["Overdue by (days)"].min() > 30
    for frame in (current, stale):
        overdue_days = list(frame["Overdue by (days)"])
        assert overdue_days == sorted(overdue_days, reverse=True)
    assert not any("_" in str(row["Channel"]) for row in listed)

    at.switch_page("views/funnel.py").run()
    inbound = _sql(
        serving,
        """
        select sum(c.sqls_in_window), sum(c.handoffs)
        from marts.fct_funnel_cohorts as c
        inner join (select channel, bool_or(is_inbound) as is_inbound
                    from marts.fct_handoffs group by channel) as h on c.channel = h.channel
        where c.is_mature and h.is_inbound
        """,
    )[0]
    assert _metrics(at)["MQL→SQL, inbound"] == _pct(*inbound)
    # The verdict on inbound against outbound: the latest mature month of the test mart,
    # in words, with the difference and its 95 % interval in points.
    month, difference, low, high, significant = _sql(
        serving,
        "select month_start_date, mql_to_sql_rate_difference, mql_to_sql_rate_difference_ci_low, "
        "mql_to_sql_rate_difference_ci_high, is_significant from marts.fct_inbound_vs_outbound "
        "where is_mature order by month_start_date desc limit 1",
    )[0]
    verdict = next(md.value for md in at.markdown if "95 % CI" in md.value)

    def points(value: float) -> str:
        return f"{round(100 * value):+d}".replace("-", "−")

    assert f"{points(difference)} points" in verdict
    assert f"95 % CI {points(low)} to {points(high)}" in verdict or (
        low >= 0 and f"95 % CI {round(100 * low)}–{round(100 * high)}" in verdict
    )
    assert verdict.startswith(
        "**Inbound converts better" if significant else "**No clear difference"
    )
    assert f"{month:%B %Y}" in verdict
    # The conversion curves of the largest channel and fit tier, bands included.
    curve = next(
        json.loads(chart.proto.spec)
        for chart in _charts(at)
        if "cumulative_sql_share_ci_low" in chart.proto.spec
    )
    assert [layer["mark"]["type"] for layer in curve["layer"]] == ["area", "line"]

    # The pages show the sidebar's week range (all weeks by default); monthly marts the
    # months it touches.
    first, last = at.select_slider(key="weeks").value
    at.switch_page("views/offers.py").run()
    sqls, revenue, touched = _sql(
        serving,
        "select sum(sqls), sum(first_touch_revenue), sum(first_touch_leads) "
        "from marts.fct_offer_performance "
        "where month_start_date between date_trunc('month', cast(? as date)) and ?",
        [first, last],
    )[0]
    with_leads, offers = _sql(
        serving,
        "select (select count(distinct offer_id) from marts.fct_offer_performance "
        "where leads > 0 and month_start_date between date_trunc('month', cast(? as date)) "
        "and ?), (select count(*) from marts.dim_offers)",
        [first, last],
    )[0]
    shown = _metrics(at)
    assert shown["Lead–offer pairs sales-qualified"] == f"{sqls:,}"
    # leads counted once each: never more than the leads there are
    assert shown["Leads who met an offer"] == f"{touched:,}"
    assert touched <= _sql(serving, "select count(*) from marts.dim_leads")[0][0]
    assert shown["Offers that brought leads"] == f"{with_leads} of {offers}"
    assert revenue > 0

    at.switch_page("views/capacity.py").run()
    sellers, marketers, open_handoffs = _sql(
        serving,
        "select sum(sellers), sum(marketers), sum(open_handoffs) from marts.fct_team_capacity "
        "where week_start_date = (select max(week_start_date) from marts.fct_team_capacity "
        "where week_start_date between ? and ?)",
        [first, last],
    )[0]
    shown = _metrics(at)
    assert shown["Sellers"] == f"{sellers:,}"
    assert shown["Marketers"] == f"{marketers:,}"
    assert shown["Open handoffs"] == f"{open_handoffs:,}"


def test_filters_change_what_every_page_shows(
    built_sample: BuiltSample, monkeypatch: pytest.MonkeyPatch
) -> None:
    serving = _serving(built_sample.home)
    at = _app(serving, monkeypatch).run()
    weeks = at.select_slider(key="weeks")
    all_weeks = weeks.options
    assert len(all_weeks) > 10

    # The last four weeks only: at most four complete weeks are judged.
    first = _sql(
        serving,
        "select min(week_start_date) from (select distinct week_start_date "
        "from marts.fct_marketing_sla_weekly order by week_start_date desc limit 4)",
    )[0][0]
    last = _sql(serving, "select max(week_start_date) from marts.fct_marketing_sla_weekly")[0][0]
    weeks.set_value((first, last)).run()
    assert not at.exception, [e.value for e in at.exception]
    met, complete = _sql(
        serving,
        "select count(*) filter (where is_met), count(*) from marts.fct_marketing_sla_weekly "
        "where is_week_complete and week_start_date between ? and ?",
        [first, last],
    )[0]
    assert complete <= 4
    assert _metrics(at)["Weeks the promise was kept"] == f"{met} of {complete}"

    # One team: the sales page counts that team's handoffs in those weeks.
    team = _sql(
        serving,
        "select team from marts.fct_handoffs where team <> 'default' group by team "
        "order by count(*) desc limit 1",
    )[0][0]
    at.multiselect(key="teams").set_value([team]).run()
    at.switch_page("views/sales_sla.py").run()
    assert not at.exception, [e.value for e in at.exception]
    handoffs = _sql(
        serving,
        "select count(*) from marts.fct_handoffs where team = ? "
        "and handoff_week_start_date between ? and ?",
        [team, first, last],
    )[0][0]
    assert _metrics(at)["Leads handed to sales"] == f"{handoffs:,}"
    table = at.dataframe[0].value if at.dataframe else None
    if table is not None:
        assert set(table["Team"]) == {team}

    # One channel on top: the sales figures come from the handoffs of that channel.
    channel = _sql(
        serving,
        "select channel from marts.fct_handoffs where team = ? group by channel "
        "order by count(*) desc limit 1",
        [team],
    )[0][0]
    at.multiselect(key="channels").set_value([channel]).run()
    assert not at.exception, [e.value for e in at.exception]
    handoffs = _sql(
        serving,
        "select count(*) from marts.fct_handoffs where team = ? and channel = ? "
        "and handoff_week_start_date between ? and ?",
        [team, channel, first, last],
    )[0][0]
    assert _metrics(at)["Leads handed to sales"] == f"{handoffs:,}"

    at.switch_page("views/funnel.py").run()
    assert not at.exception, [e.value for e in at.exception]
    cohort_handoffs = _sql(
        serving,
        "select sum(handoffs) from marts.fct_funnel_cohorts where channel = ? "
        "and cohort_week_start_date between ? and ?",
        [channel, first, last],
    )[0][0]
    assert _metrics(at)["Leads handed to sales"] == f"{cohort_handoffs:,}"
    # The funnel has no team: the page says the team filter does not apply.
    assert any("team filter does not apply" in c.value for c in at.caption)


def test_a_republish_shows_new_data_and_a_missing_mart_a_message(
    built_sample: BuiltSample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serving = tmp_path / "serving" / "handoff.duckdb"
    serving.parent.mkdir()
    shutil.copyfile(_serving(built_sample.home), serving)
    at = _app(serving, monkeypatch)
    at.run().switch_page("views/sales_sla.py").run()
    before = _metrics(at)["Leads handed to sales"]

    # A new publish: another file renamed over the old one, as publish does.
    new = tmp_path / "serving" / ".handoff.duckdb.tmp"
    shutil.copyfile(serving, new)
    with duckdb.connect(str(new)) as con:
        con.execute("delete from marts.fct_sales_sla_weekly where team <> 'default'")
        con.execute("drop table marts.fct_funnel_cohorts")
    os.replace(new, serving)

    at.run()
    assert not at.exception, [e.value for e in at.exception]
    after = _metrics(at)["Leads handed to sales"]
    expected = _sql(serving, "select sum(handoffs) from marts.fct_sales_sla_weekly")[0][0]
    assert after == f"{expected:,}" != before

    at.switch_page("views/funnel.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("marts.fct_funnel_cohorts" in info.value for info in at.info)
    assert not _charts(at)


def test_dashboard_refuses_to_start_without_a_published_serving_copy(tmp_path: Path) -> None:
    proc = subprocess.run(
        [HANDOFF, "dashboard", "--home", str(tmp_path / "home"), "--no-browser"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    serving = tmp_path / "home" / "serving" / "handoff.duckdb"
    assert (
        proc.stderr.strip()
        == f"error: nothing is published yet at {serving}: run `handoff run` first"
    )


# --- a real server in a real browser ---------------------------------------------


class Chromium:
    """Debian's headless Chromium driven over the DevTools protocol, so the test can
    wait (in real time) until Streamlit has rendered, then take the screenshot."""

    def __init__(self, profile: Path, width: int = 1400, height: int = 2000) -> None:
        from websockets.sync.client import connect

        profile.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                "--hide-scrollbars",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("chromium did not open its DevTools port")
            time.sleep(0.2)
        port = int(port_file.read_text().splitlines()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as resp:
            targets = json.load(resp)
        page = next(t for t in targets if t["type"] == "page")
        self._stack = contextlib.ExitStack()
        self.ws = self._stack.enter_context(
            connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=30)
        )
        self.calls = 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.calls += 1
        self.ws.send(json.dumps({"id": self.calls, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=120))
            if message.get("id") == self.calls:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def evaluate(self, expression: str) -> Any:
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)[
            "result"
        ].get("value")

    def open(self, url: str, charts: int, timeout: float = 180) -> dict[str, Any]:
        """Load ``url`` and wait until Streamlit has finished the script run and drawn
        at least ``charts`` charts (or an exception); return what the page shows."""
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        state: dict[str, Any] = {}
        while time.monotonic() < deadline:
            state = self.evaluate(
                """(() => {
                  const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
                  return {
                    charts: charts.length,
                    drawn: charts.filter(c => c.querySelector('canvas, svg')).length,
                    running: !!document.querySelector('[data-testid="stStatusWidgetRunningIcon"]'),
                    exceptions: document.querySelectorAll('[data-testid="stException"]').length,
                    text: document.body ? document.body.innerText : '',
                  };
                })()"""
            )
            if state["exceptions"] or (state["drawn"] >= charts and not state["running"]):
                time.sleep(1.5)  # let the last charts paint
                return self.evaluate(
                    """(() => ({
                      drawn: document.querySelectorAll(
                        '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
                      ).length,
                      exceptions: document.querySelectorAll('[data-testid="stException"]').length,
                      text: document.body.innerText,
                      html: document.documentElement.outerHTML,
                    }))()"""
                )
            time.sleep(0.5)
        raise AssertionError(f"{url} did not render {charts} chart(s) in {timeout:.0f} s: {state}")

    def screenshot(self, path: Path) -> Path:
        import base64

        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            self._stack.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[Chromium]:
    if not os.path.exists(CHROMIUM):
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser test must run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    browser = Chromium(tmp_path / "chromium-profile")
    yield browser
    browser.close()


@pytest.fixture
def dashboard_server(built_sample: BuiltSample, tmp_path: Path) -> Iterator[str]:
    """`handoff dashboard --no-browser` on a free port, stopped (with its Streamlit
    child) at the end."""
    port = _free_port()
    log = open(tmp_path / "dashboard.log", "w")  # noqa: SIM115 — closed below
    proc = subprocess.Popen(
        [
            HANDOFF,
            "dashboard",
            "--home",
            str(built_sample.home),
            "--port",
            str(port),
            "--no-browser",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as resp:
                    if resp.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    "the dashboard server did not answer: "
                    + (tmp_path / "dashboard.log").read_text()[-3000:]
                )
            time.sleep(0.5)
        yield url
    finally:
        stop_process_group(proc)
        log.close()


def _distinct_colours(png: bytes) -> tuple[int, float]:
    """Distinct colours of a PNG and the share of its pixels that are not background."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.thumbnail((700, 1000))
    colours = image.getcolors(maxcolors=1 << 24) or []
    background = max(colours)[0]
    return len(colours), 1 - background / (image.width * image.height)


def test_a_real_server_renders_the_charts_in_chromium(
    dashboard_server: str, chromium: Chromium, tmp_path: Path
) -> None:
    page = chromium.open(dashboard_server, charts=2)
    assert page["exceptions"] == 0, page["text"][:2000]
    assert "Did marketing keep its promise?" in page["text"]
    assert "Data as of 01 Jan 2026, 00:00 UTC" in page["text"]
    assert "likely to meet the promise of 50 by Sunday" in page["text"]  # the week's pacing
    assert "vega-embed" in page["html"]
    assert page["drawn"] >= 2
    png = chromium.screenshot(tmp_path / "marketing_sla.png")
    colours, inked = _distinct_colours(png.read_bytes())
    assert colours > 100, colours
    assert inked > 0.05, inked

    page = chromium.open(f"{dashboard_server}/sales_sla", charts=4)
    assert page["exceptions"] == 0, page["text"][:2000]
    assert "Leads to act on now" in page["text"]
    assert "Who lost the time: routing or the rep?" in page["text"]
    assert page["drawn"] >= 4
    colours, inked = _distinct_colours(chromium.screenshot(tmp_path / "sales_sla.png").read_bytes())
    assert colours > 100 and inked > 0.05, (colours, inked)

    # Every dbt exposure (models/exposures.yml) links to a page the server really serves.
    exposures = yaml.safe_load((ROOT / "models" / "exposures.yml").read_text())["exposures"]
    by_label = {
        "Marketing SLA": "views/marketing_sla.py",
        "Sales SLA": "views/sales_sla.py",
        "Funnel cohorts": "views/funnel.py",
        "Feedback loop (offers)": "views/offers.py",
        "Capacity": "views/capacity.py",
    }
    assert sorted(e["label"] for e in exposures) == sorted(by_label)
    for exposure in exposures:
        title, _, charts = PAGES[by_label[exposure["label"]]]
        path = urllib.parse.urlparse(exposure["url"]).path
        page = chromium.open(f"{dashboard_server}{path}", charts=charts)
        assert page["exceptions"] == 0, (path, page["text"][:2000])
        # the page itself, not Streamlit's "Page not found" dialog over the default page
        assert "Page not found" not in page["text"], path
        assert "does not exist" not in page["text"], path
        assert title in page["text"], path
        assert page["drawn"] >= charts, path
        if path == "/funnel_cohorts":
            # the inbound-vs-outbound verdict in words, the curves with their bands
            assert "95 % CI" in page["text"] and "points" in page["text"], page["text"][:3000]
            assert "How soon do leads become SQLs" in page["text"]
            colours, inked = _distinct_colours(
                chromium.screenshot(tmp_path / "funnel.png").read_bytes()
            )
            assert colours > 100 and inked > 0.05, (colours, inked)
        for text in PAGE_TEXTS.get(by_label[exposure["label"]], []):
            assert text in page["text"], (path, text)


def _spec(chart: Any) -> dict[str, Any]:
    return json.loads(chart.proto.spec)


def _values(chart: Any) -> list[dict[str, Any]]:
    """The rows a chart was given (Streamlit sends them beside the spec, as Arrow)."""
    from streamlit import dataframe_util

    return [
        row
        for dataset in chart.proto.datasets
        for row in dataframe_util.convert_arrow_bytes_to_pandas_df(dataset.data.data).to_dict(
            "records"
        )
    ]


def test_the_charts_say_what_they_show(
    built_sample: BuiltSample, monkeypatch: pytest.MonkeyPatch
) -> None:
    serving = _serving(built_sample.home)
    monkeypatch.setenv("HANDOFF_CURRENCY", "EUR")
    at = _app(serving, monkeypatch).run()
    at.switch_page("views/funnel.py").run()
    charts = _charts(at)
    specs = [_spec(chart) for chart in charts]
    text = json.dumps(specs)
    # the win-rate chart is titled as a rate, not "Deals won"
    assert '"title": "Deals won"' not in text
    assert "Win rate: deals won of all deals" in text
    # channels as words, never cut short
    channels = {row["channel"] for chart in charts for row in _values(chart) if "channel" in row}
    assert "Organic search" in channels
    assert not any("_" in channel for channel in channels), channels
    assert '"labelLimit": 0' in text
    # the cohort legend draws solid and dotted lines, not two identical dots
    (cohort,) = [
        spec
        for spec in specs
        if spec.get("encoding", {}).get("strokeDash", {}).get("field") == "maturity"
    ]
    legend = cohort["encoding"]["strokeDash"]["legend"]
    assert legend["symbolType"] == "stroke"
    # each speed-to-lead bucket carries its label: a rate, or "no handoffs"
    ((speed, speed_chart),) = [
        (spec, chart)
        for spec, chart in zip(specs, charts, strict=True)
        if "delay_bucket" in json.dumps(spec)
    ]
    assert any(layer["mark"]["type"] == "text" for layer in speed["layer"])
    rows = _values(speed_chart)
    assert rows and all(row["label"] for row in rows)
    assert all(
        row["label"] == ("no handoffs" if not row["handoffs"] else f"{100 * row['rate']:.0f} %")
        for row in rows
    )
    # revenue in the configured currency
    at.switch_page("views/offers.py").run()
    assert _metrics(at)["Revenue influenced"].startswith("EUR ")


def _layer_rows(chart: Any, layer: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows one layer of a chart was given (its own data, else the chart's)."""
    from streamlit import dataframe_util

    name = (layer.get("data") or _spec(chart).get("data") or {}).get("name")
    (dataset,) = [d for d in chart.proto.datasets if d.name == name]
    return dataframe_util.convert_arrow_bytes_to_pandas_df(dataset.data.data).to_dict("records")


def test_a_small_landing_draws_weeks_as_weeks(
    built_sample: BuiltSample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four weeks of data, one of them without a handoff and without an MQL: the weekly
    charts tick once per week start, leave the empty week empty (no line across it), show
    the week without MQLs as a 0, and count in whole numbers."""
    serving = tmp_path / "handoff.duckdb"
    shutil.copy(_serving(built_sample.home), serving)
    with duckdb.connect(str(serving)) as con:
        (last,) = con.execute(
            "select max(week_start_date) from marts.fct_marketing_sla_weekly "
            "where is_week_complete and delivered_mqls > 0"
        ).fetchone()
        weeks = [last - timedelta(days=7 * k) for k in (3, 2, 1, 0)]
        empty = weeks[1]
        con.execute(
            "delete from marts.fct_handoffs where handoff_week_start_date not in ? "
            "or handoff_week_start_date = ?",
            [weeks, empty],
        )
        for mart in ("fct_sales_sla_weekly", "fct_team_capacity"):
            con.execute(
                f"delete from marts.{mart} where week_start_date not in ? "
                "or (week_start_date = ? and handoffs > 0)",
                [weeks, empty],
            )
        con.execute(
            "delete from marts.fct_marketing_sla_weekly where week_start_date not in ?", [weeks]
        )
        con.execute(
            "update marts.fct_marketing_sla_weekly set delivered_mqls = 0, good_fit_mqls = 0, "
            "good_fit_share = null, is_met = false where week_start_date = ?",
            [empty],
        )
    at = _app(serving, monkeypatch).run()

    def weekly_axes(spec: dict[str, Any]) -> list[dict[str, Any]]:
        layers = spec.get("layer") or [spec]
        return [
            layer["encoding"]["x"]
            for layer in layers
            if "week" in layer.get("encoding", {}).get("x", {}).get("field", "")
        ]

    at.switch_page("views/marketing_sla.py").run()
    assert not at.exception, [e.value for e in at.exception]
    delivered, share = (_spec(chart) for chart in _charts(at))
    for spec in (delivered, share):
        for x in weekly_axes(spec):
            ticks = [(v["year"], v["month"], v["date"]) for v in x["axis"]["values"]]
            assert ticks == [(w.year, w.month, w.day) for w in weeks], x  # weekly, not daily
    zeros = [layer for layer in delivered["layer"] if layer["mark"].get("text") == "0"]
    (zero_layer,) = zeros
    (zero_row,) = _layer_rows(_charts(at)[0], zero_layer)
    assert zero_row["week"].date() == empty
    assert delivered["layer"][0]["encoding"]["y"]["axis"]["tickMinStep"] == 1
    line = share["layer"][0]
    assert line["encoding"]["detail"]["field"] == "run"
    runs = {row["week"].date(): row["run"] for row in _layer_rows(_charts(at)[1], line)}
    assert empty not in runs and runs[weeks[0]] != runs[weeks[2]] == runs[weeks[3]]

    at.switch_page("views/sales_sla.py").run()
    assert not at.exception, [e.value for e in at.exception]
    charts = _charts(at)
    (weekly,) = [c for c in charts if _spec(c).get("encoding", {}).get("detail")]
    spec = _spec(weekly)
    ticks = [(v["year"], v["month"], v["date"]) for v in spec["encoding"]["x"]["axis"]["values"]]
    assert ticks == [(w.year, w.month, w.day) for w in weeks if w != empty]
    by_promise: dict[str, dict[date, int]] = {}
    for row in _values(weekly):
        by_promise.setdefault(row["promise"], {})[row["week_start_date"].date()] = row["run"]
    assert set(by_promise) == {"First touch on time", "Decision on time"}
    for runs in by_promise.values():
        # the week without handoffs breaks the line: week 1 alone, weeks 3 and 4 joined
        assert empty not in runs and runs[weeks[0]] != runs[weeks[2]] == runs[weeks[3]]
    counts = [
        _spec(c)["encoding"]["x"]["axis"]
        for c in charts
        if "Missed" in str(_spec(c)["encoding"]["x"].get("axis", {}).get("title"))
    ]
    assert len(counts) == 3 and all(a["tickMinStep"] == 1 and a["format"] == "d" for a in counts)

    at.switch_page("views/capacity.py").run()
    assert not at.exception, [e.value for e in at.exception]
    for chart in _charts(at):
        for x in weekly_axes(_spec(chart)):
            ticks = [(v["year"], v["month"], v["date"]) for v in x["axis"]["values"]]
            assert set(ticks) <= {(w.year, w.month, w.day) for w in weeks}, x
