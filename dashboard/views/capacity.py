"""Capacity: does sales have the people to follow up on what marketing hands over, and
is the round robin fair in quality? (``marts.fct_team_capacity``,
``fct_routing_fairness``, ``dim_owners``)"""

from __future__ import annotations

import altair as alt
import scorecard as sc
import streamlit as st

st.title("Does sales have the people to follow up?")
st.caption(
    "Companies have more sellers than marketers, and inbound casts a wide net: this page "
    "sets the leads handed over against the people who must follow them up. Sellers and "
    "marketers are each team's active CRM users today."
)

if not sc.require("fct_team_capacity"):
    st.stop()

f = sc.filters()
sc.not_applied(f, "channel", "capacity is counted per team, whatever the lead's channel")
clause, params = sc.where(f.weeks("week_start_date"), f.team("team"))
weekly = sc.query(
    f"""
    select week_start_date, team, sellers, marketers, handoffs, handoffs_per_seller,
        open_handoffs, open_breached_handoffs
    from {sc.SCHEMA}.fct_team_capacity
    {clause}
    order by week_start_date, team
    """,
    params,
)
if weekly.empty:
    st.warning("No week of capacity data in the chosen range and teams: widen the filters.")
    st.stop()

roster = weekly[weekly["week_start_date"] == weekly["week_start_date"].max()]
last = roster.iloc[0]["week_start_date"]
sellers, marketers = int(roster["sellers"].sum()), int(roster["marketers"].sum())
staffed = weekly[weekly["sellers"] > 0]

kpis = st.columns(5)
kpis[0].metric("Sellers", sc.number(sellers), help="Active sales-side owners (SDR, AE, manager).")
kpis[1].metric("Marketers", sc.number(marketers))
kpis[2].metric(
    "Sellers per marketer",
    "–" if not marketers else f"{sellers / marketers:.1f}",
)
kpis[3].metric(
    "Leads per seller a week",
    "–" if staffed.empty else f"{staffed['handoffs'].sum() / staffed['sellers'].sum():.1f}",
    help="Handoffs to teams with sellers, divided by their sellers, averaged over the weeks.",
)
kpis[4].metric(
    "Open handoffs",
    sc.number(roster["open_handoffs"].sum()),
    delta=f"{sc.number(roster['open_breached_handoffs'].sum())} past a deadline",
    delta_color="inverse",
    delta_arrow="off",
    help=f"Handed over and not yet decided at the end of the week of {last:%d %b %Y}.",
)

per_seller = sc.week_runs(staffed, "week_start_date", "handoffs_per_seller", by=("team",))
st.subheader("How many new leads does each seller get per week?")
st.caption("Handoffs of the week divided by the team's sellers (teams without sellers left out).")
sc.chart(
    alt.Chart(per_seller)
    .mark_line(point=True)
    .encode(
        x=sc.week_x("week_start_date", per_seller["week_start_date"]),
        detail="run:N",
        y=alt.Y("handoffs_per_seller:Q", title="Handoffs per seller"),
        color=alt.Color(
            "team:N",
            title="Team",
            scale=alt.Scale(range=sc.CATEGORIES),
            legend=alt.Legend(orient="top"),
        ),
        tooltip=[
            alt.Tooltip("week_start_date:T", title="Week starting", format="%d %b %Y"),
            "team:N",
            alt.Tooltip("handoffs:Q", title="Handoffs"),
            alt.Tooltip("sellers:Q", title="Sellers"),
            alt.Tooltip("handoffs_per_seller:Q", title="Per seller", format=".1f"),
        ],
    ),
    "Handoffs per seller per week, by team",
    height=370,
)

st.subheader("Is the open workload piling up?")
st.caption(
    "Handoffs still waiting for a decision at the end of each week: red ones are already past "
    "a deadline."
)
load = weekly.groupby("week_start_date", as_index=False)[
    ["open_handoffs", "open_breached_handoffs"]
].sum()
load["on time"] = load["open_handoffs"] - load["open_breached_handoffs"]
load["past a deadline"] = load["open_breached_handoffs"]
load_long = load.melt(
    id_vars="week_start_date", value_vars=["past a deadline", "on time"], var_name="state"
)
sc.chart(
    alt.Chart(load_long)
    .mark_area(opacity=0.85)
    .encode(
        x=sc.week_x("week_start_date", load_long["week_start_date"]),
        y=alt.Y("value:Q", axis=sc.count_axis("Open handoffs"), stack=True),
        color=alt.Color(
            "state:N",
            title=None,
            scale=alt.Scale(domain=["past a deadline", "on time"], range=[sc.BAD, sc.NEUTRAL]),
            legend=alt.Legend(orient="top"),
        ),
        order=alt.Order("state:N", sort="descending"),
        tooltip=[
            alt.Tooltip("week_start_date:T", title="Week starting", format="%d %b %Y"),
            "state:N",
            alt.Tooltip("value:Q", title="Open handoffs"),
        ],
    ),
    "Open handoffs per week, past a deadline or not",
    height=350,
)

st.subheader("Is the round robin fair in quality, not just in count?")
st.caption(
    "Each seller's share of the team's handoffs (grey) against their share of its expected "
    "SQLs (blue: each handoff weighted by the recent MQL→SQL rate of its channel and fit "
    "tier). A star marks a month where the two differ beyond chance (p < 0.05)."
)
if sc.require("fct_routing_fairness"):
    fairness_clause, fairness_params = sc.where(
        f.months("fairness.month_start_date"), f.team("fairness.team")
    )
    names = (
        f"left join {sc.SCHEMA}.dim_owners as owners on fairness.owner_id = owners.owner_id"
        if "dim_owners" in sc.marts()
        else "left join (select null as owner_id, null as owner_name) as owners on false"
    )
    fairness = sc.query(
        f"""
        select fairness.team,
            coalesce(owners.owner_name, fairness.owner_id, '(no owner)') as owner_name,
            sum(fairness.handoffs) as handoffs,
            sum(fairness.expected_sqls) as expected_sqls,
            count(*) filter (where fairness.is_beyond_chance) as months_beyond_chance
        from {sc.SCHEMA}.fct_routing_fairness as fairness
        {names}
        {fairness_clause}
        group by all
        """,
        fairness_params,
    )
    team_totals = fairness.groupby("team")[["handoffs", "expected_sqls"]].transform("sum")
    fairness["handoff_share"] = fairness["handoffs"] / team_totals["handoffs"]
    fairness["expected_sql_share"] = fairness["expected_sqls"] / team_totals["expected_sqls"].where(
        team_totals["expected_sqls"] > 0
    )
    fairness["seller"] = (
        fairness["owner_name"]
        + " · "
        + fairness["team"]
        + fairness["months_beyond_chance"].map(lambda months: " ★" if months else "")
    )
    shares = fairness.melt(
        id_vars=["seller", "team", "handoffs", "expected_sqls", "months_beyond_chance"],
        value_vars=["handoff_share", "expected_sql_share"],
        var_name="share",
    )
    shares["share"] = shares["share"].map(
        {"handoff_share": "Share of handoffs", "expected_sql_share": "Share of expected SQLs"}
    )
    sc.chart(
        alt.Chart(shares)
        .mark_bar()
        .encode(
            y=alt.Y("seller:N", title=None, axis=alt.Axis(labelLimit=260)),
            yOffset="share:N",
            x=alt.X("value:Q", title="Share of the team's", axis=alt.Axis(format="%")),
            color=alt.Color(
                "share:N",
                title=None,
                scale=alt.Scale(
                    domain=["Share of handoffs", "Share of expected SQLs"],
                    range=[sc.NEUTRAL, sc.INBOUND],
                ),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("seller:N", title="Seller"),
                alt.Tooltip("share:N", title="What"),
                alt.Tooltip("value:Q", title="Share", format=".0%"),
                alt.Tooltip("handoffs:Q", title="Handoffs"),
                alt.Tooltip("expected_sqls:Q", title="Expected SQLs", format=".1f"),
                alt.Tooltip("months_beyond_chance:Q", title="Months beyond chance"),
            ],
        ),
        "Each seller's share of handoffs and of expected SQLs",
        height=max(290, 90 + 36 * fairness["seller"].nunique()),
    )

st.subheader("Who is on each team?")
people = roster[(roster["sellers"] > 0) | (roster["marketers"] > 0)].melt(
    id_vars="team", value_vars=["sellers", "marketers"], var_name="role"
)
sc.chart(
    alt.Chart(people)
    .mark_bar()
    .encode(
        y=alt.Y("team:N", title=None),
        yOffset="role:N",
        x=alt.X("value:Q", axis=sc.count_axis("People")),
        color=alt.Color(
            "role:N",
            title=None,
            scale=alt.Scale(domain=["sellers", "marketers"], range=[sc.INBOUND, sc.OUTBOUND]),
            legend=alt.Legend(orient="top"),
        ),
        tooltip=["team:N", "role:N", alt.Tooltip("value:Q", title="People")],
    ),
    "Sellers and marketers per team",
    height=max(250, 90 + 50 * roster["team"].nunique()),
)
