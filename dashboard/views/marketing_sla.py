"""Marketing SLA: did marketing deliver the leads it promised, each week, and were
enough of them a good fit? (``marts.fct_marketing_sla_weekly``)"""

from __future__ import annotations

import altair as alt
import pandas as pd
import scorecard as sc
import streamlit as st

st.title("Did marketing keep its promise?")
st.caption(
    "Every week marketing promises sales a number of new qualified leads (MQLs), and that "
    "a minimum share of them fit the ideal customer profile (fit tier A or B). A week "
    "counts as met only when both hold."
)

if not sc.require("fct_marketing_sla_weekly"):
    st.stop()

f = sc.filters()
clause, params = sc.where(f.weeks("week_start_date"))
weekly = sc.query(
    f"""
    select week_start_date, segment, target_mqls, delivered_mqls, good_fit_mqls,
        good_fit_share, min_good_fit_share, attainment, is_met, is_week_complete
    from {sc.SCHEMA}.fct_marketing_sla_weekly
    {clause}
    order by week_start_date, segment
    """,
    params,
)
if weekly.empty:
    st.warning("No week of marketing data in the chosen range: widen the week range.")
    st.stop()

segments = sorted(weekly["segment"].unique())
if len(segments) > 1:
    segment = st.segmented_control("Segment", segments, default=segments[0], key="segment")
    weekly = weekly[weekly["segment"] == (segment or segments[0])]

complete = weekly[weekly["is_week_complete"]]
last = complete.iloc[-1] if not complete.empty else weekly.iloc[-1]
met = int(complete["is_met"].sum())
target = int(last["target_mqls"])

kpis = st.columns(4)
kpis[0].metric(
    "Weeks the promise was kept",
    f"{met} of {len(complete)}",
    help="Complete weeks in the range in which marketing delivered the target and the good-fit share.",
)
kpis[1].metric(
    f"Leads delivered, week of {last['week_start_date']:%d %b}",
    f"{int(last['delivered_mqls'])} of {target}",
    delta=int(last["delivered_mqls"]) - target,
    help="The last complete week: MQLs handed to sales against the target.",
)
kpis[2].metric(
    "Good fit, that week",
    sc.pct(last["good_fit_share"]),
    delta=f"{100 * (last['good_fit_share'] - last['min_good_fit_share']):+.0f} pts vs minimum",
    help=f"Share of the week's MQLs in fit tier A or B; the minimum is {sc.pct(last['min_good_fit_share'])}.",
)
kpis[3].metric(
    "Leads delivered in the range",
    sc.number(weekly["delivered_mqls"].sum()),
    delta=f"{sc.pct(sc.ratio(weekly['delivered_mqls'].sum(), weekly['target_mqls'].sum()))} of promised",
    delta_color="off",
    delta_arrow="off",
)

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]

if sc.require("fct_marketing_sla_pacing"):
    current_segment = str(weekly["segment"].iloc[-1])
    pacing = sc.query(
        f"""
        select week_start_date, business_day_of_week, delivered_so_far, target_mqls,
            expected_week_end_mqls, probability_of_meeting_target, is_week_complete
        from {sc.SCHEMA}.fct_marketing_sla_pacing
        where segment = ?
        order by week_start_date desc, business_day_of_week desc
        limit 1
        """,
        (current_segment,),
    )
    if not pacing.empty and not pacing.iloc[0]["is_week_complete"]:
        now = pacing.iloc[0]
        day = DAYS[int(now["business_day_of_week"]) - 1]
        st.subheader(f"This week (from {now['week_start_date']:%d %b}): will marketing make it?")
        if pd.isna(now["probability_of_meeting_target"]):
            st.markdown(
                f"{int(now['delivered_so_far'])} of {int(now['target_mqls'])} MQLs delivered "
                f"by {day}'s end; too few complete weeks before this one to forecast (4 needed)."
            )
        else:
            st.markdown(
                f"**{sc.pct(now['probability_of_meeting_target'])} likely to meet the promise "
                f"of {int(now['target_mqls'])} by Sunday**: {int(now['delivered_so_far'])} "
                f"delivered by {day}'s end, about {now['expected_week_end_mqls']:.0f} expected "
                "by the week's end."
            )
            st.caption(
                "Forecast from the same weekdays of the 12 weeks before: what they delivered "
                "after this point, added to what this week has so far (README, “Statistics”)."
            )

chart = weekly.assign(
    outcome=weekly.apply(
        lambda row: (
            "in progress" if not row["is_week_complete"] else ("met" if row["is_met"] else "missed")
        ),
        axis=1,
    ),
    fit_outcome=weekly.apply(
        lambda row: (
            "in progress"
            if not row["is_week_complete"]
            else ("reached" if row["good_fit_share"] >= row["min_good_fit_share"] else "below")
        ),
        axis=1,
    ),
    week=weekly["week_start_date"],
)
outcome_colour = alt.Color(
    "outcome:N",
    title="Week",
    scale=alt.Scale(domain=["met", "missed", "in progress"], range=[sc.GOOD, sc.BAD, sc.NEUTRAL]),
    legend=alt.Legend(orient="top"),
)
# One bar per week on a time axis: as wide as the chart allows for the weeks shown.
bar_width = max(2, min(28, 700 // max(1, len(chart))))
week_axis = sc.week_x("week", chart["week"])

st.subheader(f"Did marketing deliver {target} leads each week?")
st.caption(
    "Bars: MQLs delivered to sales in the week (green when the week met the whole promise, "
    "red when it missed). Dark line: the number promised."
)
bars = (
    alt.Chart(chart)
    .mark_bar(size=bar_width)
    .encode(
        x=week_axis,
        y=alt.Y("delivered_mqls:Q", axis=sc.count_axis("MQLs delivered")),
        color=outcome_colour,
        tooltip=[
            alt.Tooltip("week:T", title="Week starting", format="%d %b %Y"),
            alt.Tooltip("delivered_mqls:Q", title="Delivered"),
            alt.Tooltip("target_mqls:Q", title="Promised"),
            alt.Tooltip("good_fit_share:Q", title="Good fit", format=".0%"),
            alt.Tooltip("outcome:N", title="Week"),
        ],
    )
)
target_line = (
    alt.Chart(chart)
    .mark_line(color=sc.TARGET, strokeWidth=2, interpolate="step-after")
    .encode(x=week_axis, y="target_mqls:Q")
)
# A week with no MQL has no bar to see: mark it with a "0" in the week's colour, so
# "nothing delivered" does not look like "no week".
zeros = (
    alt.Chart(chart[chart["delivered_mqls"] == 0])
    .mark_text(text="0", dy=-8, fontWeight="bold")
    .encode(x=week_axis, y=alt.datum(0), color=outcome_colour)
)
sc.chart(bars + zeros + target_line, "Weekly MQLs delivered against the target", height=380)

st.subheader("Were enough of them a good fit?")
st.caption(
    "Share of each week's MQLs in fit tier A or B. Dashed line: the minimum share agreed "
    f"({sc.pct(last['min_good_fit_share'])}): green dots reached it, red ones did not."
)
# weeks without MQLs have no share: the line breaks there rather than cross them
share = (
    alt.Chart(sc.week_runs(chart, "week", "good_fit_share"))
    .mark_line(color=sc.NEUTRAL)
    .encode(
        x=week_axis,
        detail="run:N",
        y=alt.Y("good_fit_share:Q", title="Good-fit share", axis=alt.Axis(format="%")),
    )
)
dots = share.mark_circle(size=70, opacity=1).encode(
    color=alt.Color(
        "fit_outcome:N",
        title="Good-fit share",
        scale=alt.Scale(
            domain=["reached", "below", "in progress"], range=[sc.GOOD, sc.BAD, sc.NEUTRAL]
        ),
        legend=alt.Legend(orient="top"),
    ),
    tooltip=[
        alt.Tooltip("week:T", title="Week starting", format="%d %b %Y"),
        alt.Tooltip("good_fit_mqls:Q", title="Good-fit MQLs"),
        alt.Tooltip("delivered_mqls:Q", title="MQLs"),
        alt.Tooltip("good_fit_share:Q", title="Good fit", format=".0%"),
    ],
)
minimum = (
    alt.Chart(chart)
    .mark_line(color=sc.TARGET, strokeDash=[6, 4], interpolate="step-after")
    .encode(x=week_axis, y="min_good_fit_share:Q")
)
sc.chart(share + dots + minimum, "Weekly good-fit share against the minimum", height=320)
