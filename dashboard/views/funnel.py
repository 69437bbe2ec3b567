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
cohorts = sc.query(
    f"""
    select cohorts.cohort_week_start_date, cohorts.channel, cohorts.fit_tier,
        cohorts.handoffs, cohorts.sqls_in_window, cohorts.opportunities, cohorts.customers,
        cohorts.inbound_handoffs, cohorts.inbound_sqls_in_window, cohorts.is_mature
    from {sc.SCHEMA}.fct_funnel_cohorts as cohorts
    {clause}
    """,
    params,
)
if cohorts.empty:
    st.warning("No handoff in the chosen weeks and channels: widen the filters.")
    st.stop()
# Each cohort's inbound and outbound handoffs as the mart counts them (a channel can
# mix both, e.g. `other`): one row per cohort and direction that has handoffs.
directions = pd.concat(
    [
        cohorts.assign(
            direction="inbound",
            handoffs=cohorts["inbound_handoffs"],
            sqls_in_window=cohorts["inbound_sqls_in_window"],
        ),
        cohorts.assign(
            direction="outbound",
            handoffs=cohorts["handoffs"] - cohorts["inbound_handoffs"],
            sqls_in_window=cohorts["sqls_in_window"] - cohorts["inbound_sqls_in_window"],
        ),
    ]
)
directions = directions[directions["handoffs"] > 0]
mature = directions[directions["is_mature"]]


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
    st.caption(
        "MQL→SQL per channel, mature cohorts. Whiskers: the 95 % interval — long where a "
        "channel has few leads, so a gap inside them is no finding. Hover for the counts."
    )
    by_channel = mature.groupby(["channel", "direction"], as_index=False)[
        ["handoffs", "sqls_in_window"]
    ].sum()
    by_channel["rate"] = by_channel["sqls_in_window"] / by_channel["handoffs"]
    # a channel with both directions gets a bar for each, named apart
    mixed = by_channel["channel"].duplicated(keep=False)
    by_channel["channel"] = (
        by_channel["channel"]
        .map(sc.label)
        .where(~mixed, by_channel["channel"].map(sc.label) + " (" + by_channel["direction"] + ")")
    )
    by_channel = sc.with_intervals(by_channel, "sqls_in_window", "handoffs")
    channel_order = list(by_channel.sort_values("rate", ascending=False)["channel"])
    channel_tooltip = [
        "channel:N",
        "direction:N",
        alt.Tooltip("handoffs:Q", title="Handoffs"),
        alt.Tooltip("sqls_in_window:Q", title="SQLs in window"),
        alt.Tooltip("rate:Q", title="MQL→SQL", format=".0%"),
        alt.Tooltip("ci_low:Q", title="95 % CI from", format=".0%"),
        alt.Tooltip("ci_high:Q", title="95 % CI to", format=".0%"),
    ]
    channel_bars = (
        alt.Chart(by_channel)
        .mark_bar()
        .encode(
            y=alt.Y("channel:N", title=None, sort=channel_order, axis=alt.Axis(labelLimit=0)),
            x=alt.X("rate:Q", title="MQL→SQL", axis=rate_axis),
            color=direction_colour,
            tooltip=channel_tooltip,
        )
    )
    channel_whiskers = (
        alt.Chart(by_channel)
        .mark_rule(color=sc.TARGET)
        .encode(
            y=alt.Y("channel:N", sort=channel_order),
            x="ci_low:Q",
            x2="ci_high:Q",
            tooltip=channel_tooltip,
        )
    )
    sc.chart(
        channel_bars + channel_whiskers,
        "MQL to SQL rate by channel, with 95 % intervals",
        height=max(270, 90 + 30 * len(by_channel)),
    )
with right:
    st.subheader("Do well-fitting leads convert better?")
    st.caption(
        "MQL→SQL per fit tier (A = best fit to the ideal customer), mature cohorts; "
        "whiskers: 95 % interval."
    )
    by_fit = mature.groupby(["fit_tier", "direction"], as_index=False)[
        ["handoffs", "sqls_in_window"]
    ].sum()
    by_fit["rate"] = by_fit["sqls_in_window"] / by_fit["handoffs"]
    by_fit = sc.with_intervals(by_fit, "sqls_in_window", "handoffs")
    fit_tooltip = [
        alt.Tooltip("fit_tier:N", title="Fit tier"),
        "direction:N",
        alt.Tooltip("handoffs:Q", title="Handoffs"),
        alt.Tooltip("rate:Q", title="MQL→SQL", format=".0%"),
        alt.Tooltip("ci_low:Q", title="95 % CI from", format=".0%"),
        alt.Tooltip("ci_high:Q", title="95 % CI to", format=".0%"),
    ]
    fit_base = alt.Chart(by_fit).encode(
        x=alt.X("fit_tier:N", title="Fit tier", axis=alt.Axis(labelAngle=0)),
        xOffset="direction:N",
        tooltip=fit_tooltip,
    )
    sc.chart(
        fit_base.mark_bar().encode(
            y=alt.Y("rate:Q", title="MQL→SQL", axis=rate_axis), color=direction_colour
        )
        + fit_base.mark_rule(color=sc.TARGET).encode(y="ci_low:Q", y2="ci_high:Q"),
        "MQL to SQL rate by fit tier, inbound and outbound, with 95 % intervals",
        height=max(270, 90 + 30 * len(by_channel)),
    )

st.subheader("Inbound against outbound, cohort by cohort")
st.caption(
    "MQL→SQL of each week's handoffs. Dotted line: cohorts still inside their conversion "
    "window, whose rate can still rise."
)
by_cohort = directions.groupby(["cohort_week_start_date", "direction"], as_index=False).agg(
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

st.subheader("Does inbound convert better beyond chance?")
if sc.require("fct_inbound_vs_outbound"):
    test_clause, test_params = sc.where(f.months("month_start_date"))
    tests = sc.query(
        f"""
        select * from {sc.SCHEMA}.fct_inbound_vs_outbound
        {test_clause}
        order by month_start_date
        """,
        test_params,
    )
    sc.not_applied(f, "channel", "the test compares all inbound with all outbound leads")
    judged = tests[tests["is_mature"] & tests["mql_to_sql_rate_difference"].notna()]
    if judged.empty:
        st.info("No month in the range whose conversion window has closed yet.")
    else:
        latest = judged.iloc[-1]
        st.markdown(
            f"**{sc.inbound_verdict(latest)}** "
            f"({latest['month_start_date']:%B %Y}: {int(latest['inbound_sqls'])} of "
            f"{int(latest['inbound_mqls'])} inbound and {int(latest['outbound_sqls'])} of "
            f"{int(latest['outbound_mqls'])} outbound leads became SQLs.)"
        )
        st.caption(
            "Each month, inbound MQL→SQL minus outbound, in percentage points, with its "
            "95 % interval (Newcomb). A month whose interval crosses 0 shows no difference "
            "beyond chance; green: the two-proportion test says inbound is better (p < 0.05)."
        )
        months = judged.assign(
            month=judged["month_start_date"],
            verdict=judged.apply(
                lambda row: (
                    (
                        "inbound better"
                        if row["mql_to_sql_rate_difference"] > 0
                        else "outbound better"
                    )
                    if row["is_significant"]
                    else "no clear difference"
                ),
                axis=1,
            ),
        )
        month_axis = alt.X("yearmonth(month):T", title="Month handed over")
        tooltip = [
            alt.Tooltip("month:T", title="Month", format="%B %Y"),
            alt.Tooltip("inbound_mql_to_sql_rate:Q", title="Inbound", format=".0%"),
            alt.Tooltip("outbound_mql_to_sql_rate:Q", title="Outbound", format=".0%"),
            alt.Tooltip("mql_to_sql_rate_difference:Q", title="Difference", format="+.0%"),
            alt.Tooltip("mql_to_sql_rate_difference_ci_low:Q", title="95 % CI from", format="+.0%"),
            alt.Tooltip("mql_to_sql_rate_difference_ci_high:Q", title="95 % CI to", format="+.0%"),
            alt.Tooltip("p_value:Q", title="p-value", format=".3f"),
        ]
        base = alt.Chart(months).encode(x=month_axis, tooltip=tooltip)
        zero = (
            alt.Chart(months).mark_rule(color=sc.TARGET, strokeDash=[4, 3]).encode(y=alt.datum(0))
        )
        sc.chart(
            base.mark_rule(strokeWidth=2, color=sc.NEUTRAL).encode(
                y=alt.Y(
                    "mql_to_sql_rate_difference_ci_low:Q",
                    title="Inbound − outbound MQL→SQL",
                    axis=alt.Axis(format="+%"),
                ),
                y2="mql_to_sql_rate_difference_ci_high:Q",
            )
            + base.mark_circle(size=80, opacity=1).encode(
                y="mql_to_sql_rate_difference:Q",
                color=alt.Color(
                    "verdict:N",
                    title=None,
                    scale=alt.Scale(
                        domain=["inbound better", "no clear difference", "outbound better"],
                        range=[sc.GOOD, sc.NEUTRAL, sc.BAD],
                    ),
                    legend=alt.Legend(orient="top"),
                ),
            )
            + zero,
            "Monthly difference between inbound and outbound MQL to SQL, with 95 % intervals",
            height=320,
        )

st.subheader("How soon do leads become SQLs — young cohorts included?")
if sc.require("fct_conversion_curves"):
    curve_clause, curve_params = sc.where(f.months("cohort_month_start_date"), f.channel("channel"))
    curves = sc.query(
        f"""
        select cohort_month_start_date, channel, fit_tier, days_since_handoff, handoffs,
            at_risk, cumulative_sql_share, cumulative_sql_share_ci_low,
            cumulative_sql_share_ci_high, cumulative_rejection_share
        from {sc.SCHEMA}.fct_conversion_curves
        {curve_clause}
        order by cohort_month_start_date, channel, fit_tier, days_since_handoff
        """,
        curve_params,
    )
    if curves.empty:
        st.info("No handoff month in the chosen range and channels.")
    else:
        curves["channel"] = curves["channel"].map(sc.label)  # words, as on every chart
        sizes = (
            curves[curves["days_since_handoff"] == 0]
            .groupby(["channel", "fit_tier"], as_index=False)["handoffs"]
            .sum()
            .sort_values("handoffs", ascending=False)
        )
        groups = [f"{row.channel} · tier {row.fit_tier}" for row in sizes.itertuples()]
        chosen = st.selectbox(
            "Channel and fit tier",
            groups,
            index=0,
            key="curve_group",
            help="The curves are estimated per channel and fit tier; the largest group first.",
        )
        channel, _, tier = (chosen or groups[0]).partition(" · tier ")
        shown = curves[(curves["channel"] == channel) & (curves["fit_tier"] == tier)]
        last_months = sorted(shown["cohort_month_start_date"].unique())[-6:]
        shown = shown[shown["cohort_month_start_date"].isin(last_months)].assign(
            cohort=lambda frame: pd.to_datetime(frame["cohort_month_start_date"]).dt.strftime(
                "%b %Y"
            )
        )
        st.caption(
            "Share of each month's handoffs that became SQL within so many days, counting "
            "leads still open as followed only so far (Aalen–Johansen, with rejection as the "
            "competing outcome); bands: 95 % interval. A young cohort's curve stops where its "
            "follow-up ends instead of looking like a failure. The last six months in range."
        )
        cohort_colour = alt.Color(
            "cohort:N",
            title="Handed over in",
            sort=[pd.Timestamp(m).strftime("%b %Y") for m in last_months],
            scale=alt.Scale(range=sc.CATEGORIES),
            legend=alt.Legend(orient="top"),
        )
        day_axis = alt.X("days_since_handoff:Q", title="Days since handoff")
        curve_tooltip = [
            alt.Tooltip("cohort:N", title="Cohort"),
            alt.Tooltip("days_since_handoff:Q", title="Day"),
            alt.Tooltip("at_risk:Q", title="Still open"),
            alt.Tooltip("cumulative_sql_share:Q", title="SQL by then", format=".0%"),
            alt.Tooltip("cumulative_sql_share_ci_low:Q", title="95 % CI from", format=".0%"),
            alt.Tooltip("cumulative_sql_share_ci_high:Q", title="95 % CI to", format=".0%"),
            alt.Tooltip("cumulative_rejection_share:Q", title="Rejected by then", format=".0%"),
        ]
        base = alt.Chart(shown).encode(x=day_axis, color=cohort_colour)
        sc.chart(
            base.mark_area(opacity=0.15, interpolate="step-after").encode(
                y=alt.Y("cumulative_sql_share_ci_low:Q", title="Became SQL", axis=rate_axis),
                y2="cumulative_sql_share_ci_high:Q",
            )
            + base.mark_line(interpolate="step-after").encode(
                y="cumulative_sql_share:Q", tooltip=curve_tooltip
            ),
            "Conversion curves of the last cohorts, with 95 % bands",
            height=380,
        )

st.subheader("Does a faster first touch bring more SQLs?")
st.caption(
    "MQL→SQL by how long the first touch took (the lead-response curve of HBR's "
    "“The Short Life of Online Sales Leads”), on your own leads; mature months only. "
    "Whiskers: 95 % interval."
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
        speed = sc.with_intervals(speed, "sqls", "handoffs")
        speed["rate"] = speed["rate"].fillna(0)
        base = alt.Chart(speed)
        x = alt.X(
            "delay_bucket:N",
            title="Time to first touch",
            sort=alt.SortField("delay_bucket_order"),
            axis=alt.Axis(labelAngle=0),
        )
        speed_tooltip = [
            alt.Tooltip("delay_bucket:N", title="First touch"),
            alt.Tooltip("handoffs:Q", title="Handoffs"),
            alt.Tooltip("sqls:Q", title="SQLs"),
            alt.Tooltip("label:N", title="MQL→SQL"),
            alt.Tooltip("ci_low:Q", title="95 % CI from", format=".0%"),
            alt.Tooltip("ci_high:Q", title="95 % CI to", format=".0%"),
        ]
        bars = base.mark_bar(color=sc.INBOUND).encode(
            x=x, y=alt.Y("rate:Q", title="MQL→SQL", axis=rate_axis), tooltip=speed_tooltip
        )
        whiskers = base.mark_rule(color=sc.TARGET).encode(
            x=x, y="ci_low:Q", y2="ci_high:Q", tooltip=speed_tooltip
        )
        labels = base.mark_text(dy=-8, color="#333").encode(x=x, y="rate:Q", text="label:N")
        sc.chart(
            bars + whiskers + labels,
            "MQL to SQL rate by time to first touch, with 95 % intervals",
            height=350,
        )

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
