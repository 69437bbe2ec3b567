"""Funnel cohorts: which handed-over leads become sales-qualified, by channel, fit
and inbound/outbound, and how much speed matters (``marts.fct_funnel_cohorts``,
``fct_speed_to_lead``, ``fct_channel_performance``)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import scorecard as sc
import streamlit as st

st.title("Which leads turn into sales opportunities?")
st.caption(
    "The agreement is judged by the MQL→SQL rate: the share of leads handed to sales that "
    "sales accepts as qualified within the conversion window. Leads are grouped by the week "
    "they were handed over (a cohort); only cohorts whose window has closed (mature) count "
    "in the rates."
)

if not sc.require("fct_funnel_cohorts"):
    st.stop()

f = sc.filters()
sc.not_applied(f, "team", "leads are grouped by channel and fit here, not by sales team")
clause, params = sc.where(f.weeks("cohorts.cohort_week_start_date"), f.channel("cohorts.channel"))
inbound = (
    f"left join (select channel, bool_or(is_inbound) as is_inbound from {sc.SCHEMA}.fct_handoffs "
    "group by channel) as channels on cohorts.channel = channels.channel"
    if "fct_handoffs" in sc.marts()
    else "left join (select null as channel, null as is_inbound) as channels on false"
)
cohorts = sc.query(
    f"""
    select cohorts.cohort_week_start_date, cohorts.channel, cohorts.fit_tier,
        cohorts.handoffs, cohorts.sqls_in_window, cohorts.opportunities, cohorts.customers,
        cohorts.is_mature,
        case when channels.is_inbound then 'inbound' else 'outbound' end as direction
    from {sc.SCHEMA}.fct_funnel_cohorts as cohorts
    {inbound}
    {clause}
    """,
    params,
)
if cohorts.empty:
    st.warning("No handoff in the chosen weeks and channels: widen the filters.")
    st.stop()
mature = cohorts[cohorts["is_mature"]]


def rate(frame: pd.DataFrame) -> float | None:
    return sc.ratio(frame["sqls_in_window"].sum(), frame["handoffs"].sum())


kpis = st.columns(5)
kpis[0].metric("Leads handed to sales", sc.number(cohorts["handoffs"].sum()))
kpis[1].metric(
    "MQL→SQL",
    sc.pct(rate(mature)),
    help="Handoffs of mature cohorts that reached SQL within the conversion window.",
)
kpis[2].metric("MQL→SQL, inbound", sc.pct(rate(mature[mature["direction"] == "inbound"])))
kpis[3].metric("MQL→SQL, outbound", sc.pct(rate(mature[mature["direction"] == "outbound"])))
kpis[4].metric(
    "Became customers",
    sc.number(cohorts["customers"].sum()),
    help="Handoffs in the range whose lead has become a customer by the as-of.",
)

direction_colour = alt.Color(
    "direction:N",
    title=None,
    scale=alt.Scale(domain=["inbound", "outbound"], range=[sc.INBOUND, sc.OUTBOUND]),
    legend=alt.Legend(orient="top"),
)
rate_axis = alt.Axis(format="%")

left, right = st.columns(2)
with left:
    st.subheader("Which channels bring leads sales qualifies?")
    st.caption("MQL→SQL per channel, mature cohorts; hover for the counts.")
    by_channel = mature.groupby(["channel", "direction"], as_index=False)[
        ["handoffs", "sqls_in_window"]
    ].sum()
    by_channel["rate"] = by_channel["sqls_in_window"] / by_channel["handoffs"]
    by_channel["channel"] = by_channel["channel"].map(sc.label)
    sc.chart(
        alt.Chart(by_channel)
        .mark_bar()
        .encode(
            y=alt.Y("channel:N", title=None, sort="-x", axis=alt.Axis(labelLimit=0)),
            x=alt.X("rate:Q", title="MQL→SQL", axis=rate_axis),
            color=direction_colour,
            tooltip=[
                "channel:N",
                "direction:N",
                alt.Tooltip("handoffs:Q", title="Handoffs"),
                alt.Tooltip("sqls_in_window:Q", title="SQLs in window"),
                alt.Tooltip("rate:Q", title="MQL→SQL", format=".0%"),
            ],
        ),
        "MQL to SQL rate by channel",
        height=max(270, 90 + 30 * len(by_channel)),
    )
with right:
    st.subheader("Do well-fitting leads convert better?")
    st.caption("MQL→SQL per fit tier (A = best fit to the ideal customer), mature cohorts.")
    by_fit = mature.groupby(["fit_tier", "direction"], as_index=False)[
        ["handoffs", "sqls_in_window"]
    ].sum()
    by_fit["rate"] = by_fit["sqls_in_window"] / by_fit["handoffs"]
    sc.chart(
        alt.Chart(by_fit)
        .mark_bar()
        .encode(
            x=alt.X("fit_tier:N", title="Fit tier", axis=alt.Axis(labelAngle=0)),
            xOffset="direction:N",
            y=alt.Y("rate:Q", title="MQL→SQL", axis=rate_axis),
            color=direction_colour,
            tooltip=[
                alt.Tooltip("fit_tier:N", title="Fit tier"),
                "direction:N",
                alt.Tooltip("handoffs:Q", title="Handoffs"),
                alt.Tooltip("rate:Q", title="MQL→SQL", format=".0%"),
            ],
        ),
        "MQL to SQL rate by fit tier, inbound and outbound",
        height=max(270, 90 + 30 * len(by_channel)),
    )

st.subheader("Inbound against outbound, cohort by cohort")
st.caption(
    "MQL→SQL of each week's handoffs. Dotted line: cohorts still inside their conversion "
    "window, whose rate can still rise."
)
by_cohort = cohorts.groupby(["cohort_week_start_date", "direction"], as_index=False).agg(
    handoffs=("handoffs", "sum"),
    sqls=("sqls_in_window", "sum"),
    is_mature=("is_mature", "all"),
)
by_cohort["rate"] = by_cohort["sqls"] / by_cohort["handoffs"]
by_cohort["maturity"] = by_cohort["is_mature"].map({True: "mature", False: "still open"})
sc.chart(
    alt.Chart(by_cohort)
    .mark_line(point=alt.OverlayMarkDef(filled=True, size=40))
    .encode(
        x=alt.X(
            "yearmonthdate(cohort_week_start_date):T",
            title="Week handed over",
            axis=alt.Axis(format="%d %b"),
        ),
        y=alt.Y("rate:Q", title="MQL→SQL", axis=rate_axis),
        color=direction_colour,
        strokeDash=alt.StrokeDash(
            "maturity:N",
            title=None,
            scale=alt.Scale(domain=["mature", "still open"], range=[[1, 0], [4, 3]]),
            # a line, solid or dotted, in the legend (not the points' dot)
            legend=alt.Legend(orient="top", symbolType="stroke", symbolStrokeWidth=2),
        ),
        tooltip=[
            alt.Tooltip("cohort_week_start_date:T", title="Week", format="%d %b %Y"),
            "direction:N",
            alt.Tooltip("handoffs:Q", title="Handoffs"),
            alt.Tooltip("sqls:Q", title="SQLs in window"),
            alt.Tooltip("rate:Q", title="MQL→SQL", format=".0%"),
            alt.Tooltip("maturity:N", title="Cohort"),
        ],
    ),
    "Weekly MQL to SQL rate, inbound against outbound",
    height=370,
)

st.subheader("Does a faster first touch bring more SQLs?")
st.caption(
    "MQL→SQL by how long the first touch took (the lead-response curve of HBR's "
    "“The Short Life of Online Sales Leads”), on your own leads; mature months only."
)
if sc.require("fct_speed_to_lead"):
    speed_clause, speed_params = sc.where(
        f.months("month_start_date"), f.channel("channel"), ("is_mature", [])
    )
    speed = sc.query(
        f"""
        select delay_bucket, delay_bucket_order, sum(handoffs) as handoffs, sum(sqls) as sqls,
            sum(sqls) / sum(handoffs) as rate
        from {sc.SCHEMA}.fct_speed_to_lead
        {speed_clause}
        group by delay_bucket, delay_bucket_order
        order by delay_bucket_order
        """,
        speed_params,
    )
    if speed.empty:
        st.info("No mature month in the chosen range yet.")
    else:
        # every bucket labelled: its rate, or "no handoffs" (0 % and no data differ)
        speed["label"] = [
            "no handoffs" if not handoffs else sc.pct(rate)
            for handoffs, rate in zip(speed["handoffs"], speed["rate"], strict=True)
        ]
        speed["rate"] = speed["rate"].fillna(0)
        base = alt.Chart(speed)
        x = alt.X(
            "delay_bucket:N",
            title="Time to first touch",
            sort=alt.SortField("delay_bucket_order"),
            axis=alt.Axis(labelAngle=0),
        )
        bars = base.mark_bar(color=sc.INBOUND).encode(
            x=x,
            y=alt.Y("rate:Q", title="MQL→SQL", axis=rate_axis),
            tooltip=[
                alt.Tooltip("delay_bucket:N", title="First touch"),
                alt.Tooltip("handoffs:Q", title="Handoffs"),
                alt.Tooltip("sqls:Q", title="SQLs"),
                alt.Tooltip("label:N", title="MQL→SQL"),
            ],
        )
        labels = base.mark_text(dy=-8, color="#333").encode(x=x, y="rate:Q", text="label:N")
        sc.chart(bars + labels, "MQL to SQL rate by time to first touch", height=350)

st.subheader("How much sales effort does a qualified lead cost?")
st.caption(
    "Per channel, by month of the handoff: sales touches (calls, e-mails, meetings) spent "
    "per SQL, and the share of deals won. Well-fitting inbound leads should need fewer."
)
if sc.require("fct_channel_performance"):
    perf_clause, perf_params = sc.where(f.months("month_start_date"), f.channel("channel"))
    perf = sc.query(
        f"""
        select channel,
            case when is_inbound then 'inbound' else 'outbound' end as direction,
            sum(mqls) as mqls, sum(sqls) as sqls, sum(sales_touches) as sales_touches,
            sum(opportunities) as opportunities, sum(won_deals) as won_deals,
            sum(sales_touches) / nullif(sum(sqls), 0) as touches_per_sql,
            sum(won_deals) / nullif(sum(opportunities), 0) as win_rate
        from {sc.SCHEMA}.fct_channel_performance
        {perf_clause}
        group by channel, is_inbound
        """,
        perf_params,
    )
    if perf.empty:
        st.info("No handoff month in the chosen range and channels.")
    else:
        perf["channel"] = perf["channel"].map(sc.label)
        effort, wins = st.columns(2)
        tooltip = [
            "channel:N",
            "direction:N",
            alt.Tooltip("mqls:Q", title="MQLs"),
            alt.Tooltip("sqls:Q", title="SQLs"),
            alt.Tooltip("sales_touches:Q", title="Sales touches"),
            alt.Tooltip("touches_per_sql:Q", title="Touches per SQL", format=".1f"),
            alt.Tooltip("opportunities:Q", title="Deals"),
            alt.Tooltip("won_deals:Q", title="Won"),
            alt.Tooltip("win_rate:Q", title="Win rate", format=".0%"),
        ]
        with effort:
            sc.chart(
                alt.Chart(perf, title="Sales touches per SQL")
                .mark_bar()
                .encode(
                    y=alt.Y("channel:N", title=None, sort="x", axis=alt.Axis(labelLimit=0)),
                    x=alt.X("touches_per_sql:Q", title="Touches per SQL"),
                    color=direction_colour,
                    tooltip=tooltip,
                ),
                "Sales touches per SQL by channel",
                height=max(270, 90 + 30 * len(perf)),
            )
        with wins:
            sc.chart(
                alt.Chart(perf, title="Win rate: deals won of all deals")
                .mark_bar()
                .encode(
                    y=alt.Y("channel:N", title=None, sort="-x", axis=alt.Axis(labelLimit=0)),
                    x=alt.X("win_rate:Q", title="Win rate", axis=rate_axis),
                    color=direction_colour,
                    tooltip=tooltip,
                ),
                "Win rate by channel",
                height=max(270, 90 + 30 * len(perf)),
            )
