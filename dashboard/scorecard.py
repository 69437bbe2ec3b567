"""What every page of the scorecard shares: the published serving copy (read-only),
cached queries, the as-of of the publish, and the sidebar filters.

The dashboard never opens ``build.duckdb``: it reads ``<home>/serving/handoff.duckdb``,
the audited copy that publish swaps in atomically (README "Data flow"). Each query opens the
file read-only and closes it again, so a rebuild is never blocked, and query results
are cached under the file's identity (inode, size, mtime): a new publish is a new
file, hence new data on the next rerun.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import altair as alt
import duckdb
import pandas as pd
import streamlit as st

# Set by `handoff dashboard`; otherwise the serving copy under HANDOFF_HOME.
SERVING_ENV = "HANDOFF_SERVING_DB"
SCHEMA = "marts"
FILTERS_KEY = "scorecard_filters"

# Colours used with the same meaning on every page.
GOOD = "#2e9e5b"
BAD = "#d64541"
NEUTRAL = "#9aa5b1"
INBOUND = "#1f77b4"
OUTBOUND = "#ff8c1a"
TARGET = "#3c4650"
# For categories that mean neither good nor bad (teams): no red, no green.
CATEGORIES = ["#1f77b4", "#ff8c1a", "#9467bd", "#17becf", "#8c564b", "#e377c2", "#7f7f7f"]


def serving_path() -> Path:
    """The serving copy the dashboard reads: ``$HANDOFF_SERVING_DB``, else
    ``<HANDOFF_HOME>/serving/handoff.duckdb``."""
    env = os.environ.get(SERVING_ENV)
    if env:
        return Path(env).resolve()
    from handoff.publish import serving_path as default_serving_path
    from handoff.settings import Settings

    return default_serving_path(Settings.from_env())


def _identity(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_query(
    path: str, identity: tuple[int, int, int], sql: str, params: tuple[Any, ...]
) -> pd.DataFrame:
    del identity  # only part of the cache key: a republished file is a new entry
    with duckdb.connect(path, read_only=True) as con:
        return con.execute(sql, list(params)).df()


def query(sql: str, params: tuple[Any, ...] | list[Any] = ()) -> pd.DataFrame:
    """Run ``sql`` on the serving copy (read-only), cached until it is republished."""
    path = serving_path()
    return _cached_query(str(path), _identity(path), sql, tuple(params))


def marts() -> set[str]:
    """The marts in the serving copy."""
    frame = query(
        "select table_name from information_schema.tables where table_schema = ?", (SCHEMA,)
    )
    return set(frame["table_name"])


def require(*names: str) -> bool:
    """True when the serving copy has every mart in ``names``; else say which are
    missing (the page then shows what it can, or nothing)."""
    missing = [name for name in names if name not in marts()]
    if missing:
        st.info(
            f"This part needs {', '.join(f'`marts.{m}`' for m in missing)}, which the "
            "published data does not have yet: run `handoff run` with a handoff version "
            "that builds it, then reload this page."
        )
        return False
    return True


@dataclass(frozen=True)
class Published:
    published_at: datetime | None
    as_of_at: datetime | None


def published() -> Published:
    """When the serving copy was published and the as-of its SLAs were judged at
    (the ``_publish`` table publish writes beside the marts)."""
    try:
        frame = query("select published_at, as_of_at from main._publish")
    except duckdb.Error:
        return Published(None, None)
    if frame.empty:
        return Published(None, None)
    row = frame.iloc[0]
    return Published(row["published_at"].to_pydatetime(), row["as_of_at"].to_pydatetime())


# --- the sidebar filters, applied on every page -----------------------------------


@dataclass(frozen=True)
class Filters:
    week_from: date
    week_to: date
    teams: tuple[str, ...]  # empty: every team
    channels: tuple[str, ...]  # empty: every channel

    def weeks(self, column: str) -> tuple[str, list[Any]]:
        return f"{column} between ? and ?", [self.week_from, self.week_to]

    def months(self, column: str) -> tuple[str, list[Any]]:
        """Months that overlap the week range."""
        return (
            f"{column} between date_trunc('month', cast(? as date)) and ?",
            [self.week_from, self.week_to],
        )

    def team(self, column: str) -> tuple[str, list[Any]]:
        return _in(column, self.teams)

    def channel(self, column: str) -> tuple[str, list[Any]]:
        return _in(column, self.channels)

    def describe(self) -> str:
        parts = [f"weeks {self.week_from:%d %b %Y} – {self.week_to:%d %b %Y}"]
        if self.teams:
            parts.append("team " + ", ".join(self.teams))
        if self.channels:
            parts.append("channel " + ", ".join(self.channels))
        return "; ".join(parts)


def _in(column: str, values: tuple[str, ...]) -> tuple[str, list[Any]]:
    if not values:
        return "true", []
    return f"{column} in ({', '.join('?' for _ in values)})", list(values)


def where(*conditions: tuple[str, list[Any]]) -> tuple[str, list[Any]]:
    """``conditions`` joined with ``and``, as a where clause and its parameters."""
    sql = " and ".join(condition for condition, _ in conditions) or "true"
    params = [param for _, values in conditions for param in values]
    return f"where {sql}", params


def _week_options() -> list[date]:
    sources = []
    if "fct_marketing_sla_weekly" in marts():
        sources.append(f"select week_start_date as week from {SCHEMA}.fct_marketing_sla_weekly")
    if "fct_handoffs" in marts():
        sources.append(f"select handoff_week_start_date as week from {SCHEMA}.fct_handoffs")
    if not sources:
        return []
    frame = query(f"select distinct week from ({' union all '.join(sources)}) order by week")
    return [value.date() for value in pd.to_datetime(frame["week"])]


def _distinct(mart: str, column: str) -> list[str]:
    if mart not in marts():
        return []
    frame = query(
        f"select distinct {column} as value from {SCHEMA}.{mart} "
        f"where {column} is not null order by 1"
    )
    return list(frame["value"])


def sidebar() -> Filters:
    """Draw the filters in the sidebar and remember them for the page."""
    weeks = _week_options() or [date.today()]
    st.sidebar.markdown("### Filters")
    week_from, week_to = st.sidebar.select_slider(
        "Weeks",
        options=weeks,
        value=(weeks[0], weeks[-1]),
        format_func=lambda week: f"{week:%d %b %Y}",
        key="weeks",
        help="ISO weeks, Monday to Sunday. Monthly charts show the months these weeks touch.",
    )
    teams = st.sidebar.multiselect(
        "Sales team",
        _distinct("fct_handoffs", "team"),
        key="teams",
        placeholder="All teams",
    )
    channels = st.sidebar.multiselect(
        "Channel",
        _distinct("fct_handoffs", "channel"),
        key="channels",
        placeholder="All channels",
        help="Where the lead came from (the CRM's original source, mapped in seeds/channel_map.csv).",
    )
    filters = Filters(week_from, week_to, tuple(teams), tuple(channels))
    st.session_state[FILTERS_KEY] = filters
    return filters


def filters() -> Filters:
    """The sidebar filters of this rerun (drawn by the app before the page runs)."""
    return st.session_state[FILTERS_KEY]


# --- small formatting helpers ------------------------------------------------------


def pct(value: float | None, digits: int = 0) -> str:
    if value is None or pd.isna(value):
        return "–"
    return f"{100 * value:.{digits}f} %"


def number(value: float | None) -> str:
    if value is None or pd.isna(value):
        return "–"
    return f"{value:,.0f}"


# The currency deal amounts are in (the CRMs' own amounts, not converted): a setting,
# ``HANDOFF_CURRENCY`` (README, "Scorecard dashboard").
CURRENCY_ENV = "HANDOFF_CURRENCY"


def currency() -> str:
    return os.environ.get(CURRENCY_ENV, "").strip() or "USD"


def money(value: float | None) -> str:
    if value is None or pd.isna(value):
        return "–"
    if abs(value) >= 1_000_000:
        return f"{currency()} {value / 1_000_000:,.1f} M"
    if abs(value) >= 10_000:
        return f"{currency()} {value / 1_000:,.0f} k"
    return f"{currency()} {value:,.0f}"


def label(value: Any) -> Any:
    """A mart's snake_case value (a channel) as words: ``organic_search`` → ``Organic
    search``."""
    if not isinstance(value, str):
        return value
    text = value.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def ratio(numerator: float, denominator: float) -> float | None:
    return None if not denominator else numerator / denominator


def chart(spec: Any, description: str, height: int = 300) -> None:
    """An Altair chart across the column's width, ``height`` pixels high in all
    (axes and legend included); ``description`` is its alt text."""
    st.altair_chart(spec, width="stretch", height=height, alt=description)


# --- weekly charts -----------------------------------------------------------------

# At most this many week labels on a weekly axis; more weeks get every n-th.
MAX_WEEK_TICKS = 13


def week_x(field: str, weeks: Any, title: str = "Week starting") -> alt.X:
    """A time axis for weekly figures with one tick per week start (a Monday), thinned
    to at most ``MAX_WEEK_TICKS`` and never between weeks: left to itself, Vega-Lite
    puts daily ticks on a range of two or three weeks, and Sunday-based ones on more."""
    starts = sorted({pd.Timestamp(week) for week in weeks if not pd.isna(week)})
    step = max(1, -(-len(starts) // MAX_WEEK_TICKS))
    ticks = [alt.DateTime(year=w.year, month=w.month, date=w.day) for w in starts[::step]]
    return alt.X(
        f"yearmonthdate({field}):T",
        title=title,
        axis=alt.Axis(format="%d %b", values=ticks, grid=False),
    )


def count_axis(title: str) -> alt.Axis:
    """An axis of whole things (leads, handoffs, missed deadlines): whole-number ticks
    only, never "0.5 missed deadlines" on a small range."""
    return alt.Axis(title=title, tickMinStep=1, format="d")


def week_runs(frame: pd.DataFrame, week: str, value: str, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """The rows of ``frame`` that have a ``value``, numbered by run of consecutive weeks
    (column ``run``) within each ``by`` group. A line drawn with ``detail="run:N"``
    breaks at a week without a value (no handoffs that week) instead of drawing a
    diagonal across it; a lone week is drawn as its point."""
    rows = frame[frame[value].notna()].copy()
    if rows.empty:
        return rows.assign(run=pd.Series(dtype="int64"))
    rows["_week"] = pd.to_datetime(rows[week])
    rows = rows.sort_values([*by, "_week"])
    previous = rows.groupby(list(by))["_week"].shift() if by else rows["_week"].shift()
    rows["run"] = (rows["_week"] - previous != pd.Timedelta(days=7)).cumsum()
    return rows.drop(columns="_week")


def not_applied(current: Filters, name: str, why: str) -> None:
    """Say so when a sidebar filter in use does not apply to the page."""
    chosen = {"team": current.teams, "channel": current.channels}[name]
    if chosen:
        st.caption(f"ℹ️ The {name} filter does not apply to this page: {why}.")


# The normal 97.5 % quantile: 95 % intervals.
Z95 = 1.959963984540054


def wilson(successes: float, trials: float) -> tuple[float | None, float | None]:
    """The 95 % Wilson score interval of successes / trials, for rates the page sums
    over several mart rows (the marts' `<rate>_ci_low/_high` are the same formula,
    README "Statistics"); (None, None) without trials."""
    if not trials:
        return None, None
    p, z2 = successes / trials, Z95 * Z95
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = Z95 * (p * (1 - p) / trials + z2 / (4 * trials * trials)) ** 0.5 / (1 + z2 / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def with_intervals(frame: pd.DataFrame, successes: str, trials: str) -> pd.DataFrame:
    """``frame`` with ``ci_low``/``ci_high``: the Wilson interval of each row's rate."""
    bounds = [wilson(s, n) for s, n in zip(frame[successes], frame[trials], strict=True)]
    return frame.assign(ci_low=[low for low, _ in bounds], ci_high=[high for _, high in bounds])


def points(value: float) -> str:
    """A difference of rates in percentage points, signed: ``+23``, ``−4``."""
    rounded = round(100 * value)
    return f"+{rounded}" if rounded > 0 else ("0" if rounded == 0 else f"−{-rounded}")


def interval_points(low: float, high: float) -> str:
    """A 95 % interval of a difference in points: ``18–28``, or ``−20 to +34`` when a
    bound is negative."""
    if round(100 * low) >= 0 and round(100 * high) >= 0:
        return f"{round(100 * low)}–{round(100 * high)}"
    return f"{points(low)} to {points(high)}"


def inbound_verdict(row: Any) -> str:
    """One sentence on a month of ``fct_inbound_vs_outbound``: which side converts
    better beyond chance, by how many points, with the 95 % interval."""
    if pd.isna(row["mql_to_sql_rate_difference"]):
        return "Inbound and outbound cannot be compared: one side had no leads."
    difference = row["mql_to_sql_rate_difference"]
    interval = interval_points(
        row["mql_to_sql_rate_difference_ci_low"], row["mql_to_sql_rate_difference_ci_high"]
    )
    p_value = row["p_value"]
    p_text = "" if pd.isna(p_value) else f", p = {p_value:.2f}" if p_value >= 0.01 else ", p < 0.01"
    if row["is_significant"]:
        side = "Inbound" if difference > 0 else "Outbound"
        return f"{side} converts better: {points(difference)} points, 95 % CI {interval}{p_text}."
    return (
        f"No clear difference: inbound {points(difference)} points against outbound, "
        f"95 % CI {interval}{p_text} — within what chance alone gives on this many leads."
    )
