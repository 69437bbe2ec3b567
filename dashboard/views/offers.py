"""Feedback loop: which offers (forms, downloads, campaigns) bring leads that sales
qualifies and that buy, and which offers each attribution model credits?
(``marts.fct_offer_performance``, ``fct_offer_attribution``, ``dim_offers``)"""

from __future__ import annotations

import altair as alt
import scorecard as sc
import streamlit as st

st.title("Which offers bring leads that buy?")
st.caption(
    "The feedback loop between the two teams: every form, download, webinar or campaign a "
    "lead met, and what became of those leads — qualified by sales (SQL), deals won and "
    "revenue. Revenue is credited in full to the lead's first offer (first touch) and to the "
    "last one before it was handed over (last touch)."
)

if not sc.require("fct_offer_performance"):
    st.stop()

f = sc.filters()
sc.not_applied(f, "team", "offers belong to marketing, not to a sales team")
clause, params = sc.where(f.months("month_start_date"), f.channel("channel"))
offers = sc.query(
    f"""
    select offer_id, offer_name, offer_type, crm, channel, is_inbound,
        sum(leads) as leads, sum(mqls) as mqls, sum(sqls) as sqls,
        sum(first_touch_leads) as first_touch_leads,
        sum(first_touch_won_deals) as first_touch_won_deals,
        sum(last_touch_won_deals) as last_touch_won_deals,
        sum(first_touch_revenue) as first_touch_revenue,
        sum(last_touch_revenue) as last_touch_revenue
    from {sc.SCHEMA}.fct_offer_performance
    {clause}
    group by offer_id, offer_name, offer_type, crm, channel, is_inbound
    """,
    params,
)
if offers.empty:
    st.warning("No lead met an offer in the chosen months and channels: widen the filters.")
    st.stop()
# Offers can share a name (a form and the campaign it syncs to, two forms): tell
# them apart by CRM, then by id.
offers["label"] = offers["offer_name"].str.slice(0, 48)
clash = offers["label"].duplicated(keep=False)
offers.loc[clash, "label"] = offers["label"] + " · " + offers["crm"]
clash = offers["label"].duplicated(keep=False)
offers.loc[clash, "label"] = offers["label"] + " · " + offers["offer_id"].str.slice(0, 10)
offers["direction"] = offers["is_inbound"].map({True: "inbound", False: "outbound"})
offers["mql_to_sql_rate"] = offers["sqls"] / offers["mqls"].where(offers["mqls"] > 0)

kpis = st.columns(5)
catalogue = None
if "dim_offers" in sc.marts():
    offer_clause, offer_params = sc.where(f.channel("channel"))
    catalogue = sc.query(
        f"select count(*) as offers from {sc.SCHEMA}.dim_offers {offer_clause}", offer_params
    )["offers"].iloc[0]
with_leads = int((offers["leads"] > 0).sum())
kpis[0].metric(
    "Offers that brought leads",
    sc.number(with_leads) if catalogue is None else f"{with_leads} of {catalogue}",
    help="Of every form and campaign in the CRMs (the channel filter applies).",
)
# Leads are counted once each (by their first touch on any offer, the month it fell
# in); per-offer figures count a lead once per offer it met (README, "The command line": what the counts count).
kpis[1].metric(
    "Leads who met an offer",
    sc.number(offers["first_touch_leads"].sum()),
    help="Each lead once, in the month of its first touch on any offer.",
)
kpis[2].metric(
    "Lead–offer pairs sales-qualified",
    sc.number(offers["sqls"].sum()),
    help="Per offer, each lead that became an SQL once: a lead who met two offers counts "
    "for both, so this adds up offers, not leads.",
)
kpis[3].metric("Deals won", sc.number(offers["first_touch_won_deals"].sum()))
kpis[4].metric(
    "Revenue influenced",
    sc.money(offers["first_touch_revenue"].sum()),
    help="Won deals' amounts of the leads whose first touch fell in the range.",
)

st.subheader("Which offers bring leads that sales qualifies?")
st.caption(
    "The 15 offers with the most SQLs: all leads who met the offer (light), those that became "
    "MQLs (middle) and SQLs (dark)."
)
top = offers.nlargest(15, ["sqls", "leads"])
offer_axis = alt.Y(
    "label:N",
    title=None,
    # An explicit order: layered charts drop a sort by field.
    sort=list(top.sort_values(["sqls", "leads"], ascending=False)["label"]),
    axis=alt.Axis(labelLimit=260),
)
stage_scale = alt.Scale(domain=["Leads", "MQLs", "SQLs"], range=["#c6dbef", "#6baed6", "#08519c"])
offer_tooltip = [
    alt.Tooltip("label:N", title="Offer"),
    alt.Tooltip("offer_type:N", title="Type"),
    "channel:N",
    alt.Tooltip("leads:Q", title="Leads"),
    alt.Tooltip("mqls:Q", title="MQLs"),
    alt.Tooltip("sqls:Q", title="SQLs"),
    alt.Tooltip("mql_to_sql_rate:Q", title="MQL→SQL", format=".0%"),
]
base = alt.Chart(top).encode(y=offer_axis, tooltip=offer_tooltip)
# Drawn in this order so that each stage sits on top of the larger one before it.
layers = [
    base.transform_calculate(stage=f"'{stage}'")
    .mark_bar()
    .encode(
        x=alt.X(f"{column}:Q", title="Leads"),
        color=alt.Color("stage:N", scale=stage_scale, legend=alt.Legend(orient="top", title=None)),
    )
    for column, stage in (("leads", "Leads"), ("mqls", "MQLs"), ("sqls", "SQLs"))
]
sc.chart(
    alt.layer(*layers),
    "Leads, MQLs and SQLs of the top offers",
    height=max(290, 90 + 24 * len(top)),
)

left, right = st.columns(2)
with left:
    st.subheader("Which kind of content works?")
    st.caption("MQL→SQL of the leads each type of offer brought.")
    by_type = offers.groupby("offer_type", as_index=False)[["leads", "mqls", "sqls"]].sum()
    by_type["rate"] = by_type["sqls"] / by_type["mqls"].where(by_type["mqls"] > 0)
    sc.chart(
        alt.Chart(by_type)
        .mark_bar(color=sc.INBOUND)
        .encode(
            y=alt.Y("offer_type:N", title=None, sort="-x"),
            x=alt.X("rate:Q", title="MQL→SQL", axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("offer_type:N", title="Type"),
                alt.Tooltip("leads:Q", title="Leads"),
                alt.Tooltip("mqls:Q", title="MQLs"),
                alt.Tooltip("sqls:Q", title="SQLs"),
                alt.Tooltip("rate:Q", title="MQL→SQL", format=".0%"),
            ],
        ),
        "MQL to SQL rate by offer type",
        height=max(270, 90 + 30 * len(by_type)),
    )
with right:
    st.subheader("Which offers influence won revenue?")
    st.caption("Won revenue credited to each offer: first touch and last touch.")
    revenue = offers.assign(
        best=offers[["first_touch_revenue", "last_touch_revenue"]].max(axis=1)
    ).nlargest(10, "best")
    revenue = revenue[revenue["best"] > 0]
    if revenue.empty:
        st.info("No won deal credited to an offer in the chosen range yet.")
    else:
        long = revenue.melt(
            id_vars=["label", "best"],
            value_vars=["first_touch_revenue", "last_touch_revenue"],
            var_name="model",
            value_name="revenue",
        )
        long["model"] = long["model"].map(
            {"first_touch_revenue": "First touch", "last_touch_revenue": "Last touch"}
        )
        sc.chart(
            alt.Chart(long)
            .mark_bar()
            .encode(
                y=alt.Y(
                    "label:N",
                    title=None,
                    sort=alt.SortField("best", order="descending"),
                    axis=alt.Axis(labelLimit=200),
                ),
                yOffset="model:N",
                x=alt.X("revenue:Q", title="Won revenue", axis=alt.Axis(format="~s")),
                color=alt.Color(
                    "model:N",
                    title=None,
                    scale=alt.Scale(range=[sc.INBOUND, sc.OUTBOUND]),
                    legend=alt.Legend(orient="top"),
                ),
                tooltip=[
                    alt.Tooltip("label:N", title="Offer"),
                    alt.Tooltip("model:N", title="Credit"),
                    alt.Tooltip("revenue:Q", title="Revenue", format=",.0f"),
                ],
            ),
            "Won revenue by offer, first and last touch",
            height=max(290, 90 + 40 * len(revenue)),
        )

MODELS = {
    "first_touch": "First touch",
    "last_touch": "Last touch",
    "linear": "Linear",
    "u_shaped": "U-shaped",
    "w_shaped": "W-shaped",
    "time_decay": "Time decay",
}
st.subheader("Who gets the credit? Six attribution models")
st.caption(
    "Each touched lead's won revenue split over the offers it met: all to the first or the "
    "last touch, evenly (linear), 40/40/20 around the first touch and the touch before the "
    "MQL (U-shaped), 30/30/30/10 adding the touch before the opportunity (W-shaped), or more "
    "to the touches closest to the opportunity (time decay, half-life 7 days). Every model "
    "hands out the same total; they differ in which offers earn it."
)
if sc.require("fct_offer_attribution"):
    attribution_clause, attribution_params = sc.where(
        f.months("attribution.month_start_date"), f.channel("offers.channel")
    )
    offer_join = (
        f"left join {sc.SCHEMA}.dim_offers as offers on attribution.offer_id = offers.offer_id"
        if "dim_offers" in sc.marts()
        else "left join (select null as offer_id, null as channel) as offers on false"
    )
    credited = sc.query(
        f"""
        select attribution.offer_id, attribution.offer_name, attribution.attribution_model,
            sum(attribution.credited_leads) as credited_leads,
            sum(attribution.credited_sqls) as credited_sqls,
            sum(attribution.credited_won_deals) as credited_won_deals,
            sum(attribution.credited_revenue) as credited_revenue
        from {sc.SCHEMA}.fct_offer_attribution as attribution
        {offer_join}
        {attribution_clause}
        group by attribution.offer_id, attribution.offer_name, attribution.attribution_model
        """,
        attribution_params,
    )
    credited["model"] = credited["attribution_model"].map(MODELS)
    credited["label"] = credited["offer_name"].str.slice(0, 48)
    chosen = st.radio(
        "Attribution model", list(MODELS.values()), horizontal=True, key="attribution_model"
    )
    one = credited[credited["model"] == chosen].nlargest(12, "credited_revenue")
    left, right = st.columns(2)
    with left:
        st.caption(f"Won revenue credited to each offer under {chosen.lower()}: the top 12.")
        sc.chart(
            alt.Chart(one)
            .mark_bar(color=sc.INBOUND)
            .encode(
                y=alt.Y("label:N", title=None, sort="-x", axis=alt.Axis(labelLimit=220)),
                x=alt.X("credited_revenue:Q", title="Won revenue", axis=alt.Axis(format="~s")),
                tooltip=[
                    alt.Tooltip("label:N", title="Offer"),
                    alt.Tooltip("credited_revenue:Q", title="Revenue", format=",.0f"),
                    alt.Tooltip("credited_won_deals:Q", title="Won deals", format=".1f"),
                    alt.Tooltip("credited_sqls:Q", title="SQLs", format=".1f"),
                    alt.Tooltip("credited_leads:Q", title="Leads", format=".1f"),
                ],
            ),
            f"Won revenue by offer under the {chosen} model",
            height=max(290, 90 + 26 * len(one)),
        )
    with right:
        st.caption("The six models side by side: each offer's share of the credited revenue.")
        totals = credited.groupby("model")["credited_revenue"].transform("sum")
        credited["revenue_share"] = credited["credited_revenue"] / totals.where(totals > 0)
        top_offers = list(credited.groupby("label")["credited_revenue"].sum().nlargest(12).index)
        side = credited[credited["label"].isin(top_offers)]
        sc.chart(
            alt.Chart(side)
            .mark_rect()
            .encode(
                y=alt.Y("label:N", title=None, sort=top_offers, axis=alt.Axis(labelLimit=220)),
                x=alt.X("model:N", title=None, sort=list(MODELS.values())),
                color=alt.Color(
                    "revenue_share:Q",
                    title="Share of revenue",
                    scale=alt.Scale(scheme="blues"),
                    legend=alt.Legend(format="%"),
                ),
                tooltip=[
                    alt.Tooltip("label:N", title="Offer"),
                    alt.Tooltip("model:N", title="Model"),
                    alt.Tooltip("revenue_share:Q", title="Share of revenue", format=".1%"),
                    alt.Tooltip("credited_revenue:Q", title="Revenue", format=",.0f"),
                ],
            ),
            "Share of won revenue by offer under each attribution model",
            height=max(290, 90 + 26 * len(top_offers)),
        )

st.subheader("Month by month: which kinds of offer bring the leads?")
monthly = sc.query(
    f"""
    select month_start_date, offer_type, sum(leads) as leads, sum(sqls) as sqls
    from {sc.SCHEMA}.fct_offer_performance
    {clause}
    group by month_start_date, offer_type
    """,
    params,
)
sc.chart(
    alt.Chart(monthly)
    .mark_bar()
    .encode(
        x=alt.X("yearmonth(month_start_date):T", title="Month", axis=alt.Axis(format="%b %Y")),
        y=alt.Y("leads:Q", title="Lead–offer pairs (each lead once per offer)"),
        color=alt.Color("offer_type:N", title="Offer type", legend=alt.Legend(orient="right")),
        tooltip=[
            alt.Tooltip("month_start_date:T", title="Month", format="%b %Y"),
            alt.Tooltip("offer_type:N", title="Type"),
            alt.Tooltip("leads:Q", title="Lead–offer pairs"),
            alt.Tooltip("sqls:Q", title="Of them SQLs"),
        ],
    ),
    "Lead–offer pairs per month by offer type",
    height=370,
)
