"""Sales SLA: did sales touch and qualify every lead before its deadline, which
teams and owners miss, and which leads need action now? (``marts.fct_sales_sla_weekly``,
``fct_handoffs``, ``rpt_open_sla_breaches``, ``dim_owners``)"""

from __future__ import annotations

import altair as alt
import pandas as pd
import scorecard as sc
import streamlit as st

st.title("Did sales follow up on time?")
st.caption(
    "Each lead marketing hands over (an MQL) starts two clocks in business hours of the "
    "owner's team: a first touch (call, e-mail, meeting) within a few business hours, and a "
    "decision — sales-qualified, disqualified or sent back to marketing — within a few "
    "business days."
)

if not sc.require("fct_sales_sla_weekly", "fct_handoffs"):
    st.stop()

f = sc.filters()
if f.channels:
    # The weekly mart has no channel: the same figures straight from the handoffs.
    clause, params = sc.where(f.weeks("handoff_week_start_date"), f.channel("channel"))
    source = f"""(
        select handoff_week_start_date as week_start_date, team, owner_id,
            count(*) as handoffs,
            count(*) filter (where is_first_touched_in_sla) as first_touched_in_sla,
            count(*) filter (where is_dispositioned_in_sla) as dispositioned_in_sla,
            count(*) filter (where is_first_touch_breached) as first_touch_breaches,
            count(*) filter (where is_disposition_breached) as disposition_breaches,
            count(*) filter (where breach_cause = 'routing') as routing_breaches,
            count(*) filter (where breach_cause = 'rep') as rep_breaches
        from {sc.SCHEMA}.fct_handoffs {clause}
        group by all
    )"""
else:
    source, params = f"{sc.SCHEMA}.fct_sales_sla_weekly", []
team_clause, team_params = sc.where(f.weeks("week_start_date"), f.team("weekly.team"))
owner_names = (
    f"left join {sc.SCHEMA}.dim_owners as owners on weekly.owner_id = owners.owner_id"
    if "dim_owners" in sc.marts()
    else "left join (select null as owner_id, null as owner_name) as owners on false"
)
weekly = sc.query(
    f"""
    select weekly.week_start_date, weekly.team, weekly.owner_id,
        coalesce(owners.owner_name, weekly.owner_id, '(no owner)') as owner_name,
        weekly.handoffs, weekly.first_touched_in_sla, weekly.dispositioned_in_sla,
        weekly.first_touch_breaches, weekly.disposition_breaches,
        weekly.routing_breaches, weekly.rep_breaches
    from {source} as weekly
    {owner_names}
    {team_clause}
    """,
    [*params, *team_params],
)
if weekly.empty:
    st.warning("No handoff in the chosen weeks, teams and channels: widen the filters.")
    st.stop()

handoff_clause, handoff_params = sc.where(
    f.weeks("handoff_week_start_date"), f.team("team"), f.channel("channel")
)
median_minutes = sc.query(
    f"select median(business_minutes_to_first_touch) as minutes "
    f"from {sc.SCHEMA}.fct_handoffs {handoff_clause}",
    handoff_params,
)["minutes"].iloc[0]

# Handoffs overdue for longer than this are listed apart from today's to-dos: a year-old
# open handoff is a CRM record nobody closed, not a lead to call this morning.
STALE_DAYS = 30
MISSING = {"first_touch": "first touch", "disposition": "decision"}


def to_do(breaches: pd.DataFrame) -> pd.DataFrame:
    """One row per open handoff (``rpt_open_sla_breaches`` has one per missing event, so a
    lead past both deadlines has two): what is missing, the earliest deadline, how long
    past it. Most overdue first."""
    frame = breaches.assign(
        missing=breaches["breach_type"].map(MISSING),
        order=breaches["breach_type"].map({"first_touch": 0, "disposition": 1}),
    ).sort_values(["handoff_id", "order"])
    rows = (
        frame.groupby("handoff_id", as_index=False, sort=False)
        .agg(
            owner_name=("owner_name", "first"),
            team=("team", "first"),
            missing=("missing", ", ".join),
            lead_id=("lead_id", "first"),
            channel=("channel", "first"),
            handoff_at=("handoff_at", "first"),
            deadline_at=("deadline_at", "min"),
            minutes_overdue=("minutes_overdue", "max"),
        )
        .sort_values(["minutes_overdue", "handoff_id"], ascending=[False, True])
    )
    return pd.DataFrame(
        {
            "Owner": rows["owner_name"].fillna("(no owner)"),
            "Team": rows["team"],
            "Missing": rows["missing"],
            "Lead": rows["lead_id"],
            "Channel": rows["channel"].map(sc.label),
            "Handed over (UTC)": rows["handoff_at"],
            "Deadline (UTC)": rows["deadline_at"],
            "Overdue by (days)": (rows["minutes_overdue"] / 1440).round(1),
        }
    )


breaches = pd.DataFrame()
if "rpt_open_sla_breaches" in sc.marts():
    open_clause, open_params = sc.where(f.team("breaches.team"), f.channel("handoffs.channel"))
    breaches = sc.query(
        f"""
        select breaches.handoff_id, breaches.owner_name, breaches.team, breaches.breach_type,
            breaches.lead_id,
            handoffs.channel, breaches.handoff_at, breaches.deadline_at, breaches.is_overdue,
            breaches.minutes_overdue
        from {sc.SCHEMA}.rpt_open_sla_breaches as breaches
        inner join {sc.SCHEMA}.fct_handoffs as handoffs
            on breaches.handoff_id = handoffs.handoff_id
        {open_clause}
        order by breaches.is_overdue desc, breaches.minutes_overdue desc
        """,
        open_params,
    )

total = weekly["handoffs"].sum()
kpis = st.columns(5)
kpis[0].metric("Leads handed to sales", sc.number(total), help="Handoffs (MQLs) in the range.")
kpis[1].metric(
    "First touch on time",
    sc.pct(sc.ratio(weekly["first_touched_in_sla"].sum(), total)),
    help="Share of handoffs touched before the first-touch deadline.",
)
kpis[2].metric(
    "Decision on time",
    sc.pct(sc.ratio(weekly["dispositioned_in_sla"].sum(), total)),
    help="Share of handoffs qualified, disqualified or recycled before the disposition deadline.",
)
kpis[3].metric(
    "Median first-touch wait",
    "–" if pd.isna(median_minutes) else f"{median_minutes / 60:.1f} h",
    help="Median business hours from the handoff to the first touch (touched handoffs).",
)
# Handoffs, not deadlines: one past both its first-touch and its disposition deadline
# is one handoff (and two rows of the table below), as on the Capacity page.
overdue = (
    int(breaches.loc[breaches["is_overdue"], "handoff_id"].nunique()) if not breaches.empty else 0
)
kpis[4].metric(
    "Handoffs past a deadline",
    sc.number(overdue),
    help="Open handoffs past at least one deadline right now, however long ago. The list at "
    "the bottom shows each once, with the deadlines it missed.",
)

by_week = (
    weekly.groupby("week_start_date", as_index=False)[
        ["handoffs", "first_touched_in_sla", "dispositioned_in_sla"]
    ]
    .sum()
    .assign(
        first_touch=lambda d: d["first_touched_in_sla"] / d["handoffs"],
        decision=lambda d: d["dispositioned_in_sla"] / d["handoffs"],
    )
    .melt(
        id_vars=["week_start_date", "handoffs"],
        value_vars=["first_touch", "decision"],
        var_name="promise",
        value_name="share",
    )
)
by_week["promise"] = by_week["promise"].map(
    {"first_touch": "First touch on time", "decision": "Decision on time"}
)
by_week = sc.week_runs(by_week, "week_start_date", "share", by=("promise",))
st.subheader("Week by week: how many leads were followed up on time?")
st.caption(
    "Share of each week's handoffs touched (blue) and decided (orange) before their deadline. "
    "The promise is 100 %. The latest weeks can still rise: their deadlines may not have come."
)
sc.chart(
    alt.Chart(by_week)
    .mark_line(point=True)
    .encode(
        x=sc.week_x("week_start_date", by_week["week_start_date"]),
        detail="run:N",
        y=alt.Y(
            "share:Q",
            title="Handoffs on time",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        color=alt.Color(
            "promise:N",
            title=None,
            scale=alt.Scale(
                domain=["First touch on time", "Decision on time"], range=[sc.INBOUND, sc.OUTBOUND]
            ),
            legend=alt.Legend(orient="top"),
        ),
        tooltip=[
            alt.Tooltip("week_start_date:T", title="Week starting", format="%d %b %Y"),
            alt.Tooltip("promise:N", title="Promise"),
            alt.Tooltip("share:Q", title="On time", format=".0%"),
            alt.Tooltip("handoffs:Q", title="Handoffs"),
        ],
    ),
    "Weekly share of handoffs touched and decided on time",
    height=390,
)

kinds = {"first_touch_breaches": "Missed first touch", "disposition_breaches": "Missed decision"}
breach_colour = alt.Color(
    "kind:N",
    title=None,
    scale=alt.Scale(domain=list(kinds.values()), range=[sc.BAD, "#f0a35e"]),
    legend=alt.Legend(orient="top"),
)
left, right = st.columns(2)
with left:
    st.subheader("Which teams miss their deadlines?")
    st.caption("Missed deadlines per team in the range (a handoff can miss both).")
    by_team = (
        weekly.groupby("team", as_index=False)[["handoffs", *kinds]]
        .sum()
        .melt(id_vars=["team", "handoffs"], value_vars=list(kinds), var_name="kind")
    )
    by_team["kind"] = by_team["kind"].map(kinds)
    by_team["share"] = by_team["value"] / by_team["handoffs"]
    sc.chart(
        alt.Chart(by_team)
        .mark_bar()
        .encode(
            y=alt.Y("team:N", title=None, sort="-x"),
            x=alt.X("value:Q", axis=sc.count_axis("Missed deadlines")),
            color=breach_colour,
            tooltip=[
                "team:N",
                alt.Tooltip("kind:N", title="What"),
                alt.Tooltip("value:Q", title="Handoffs"),
                alt.Tooltip("share:Q", title="Of the team's handoffs", format=".0%"),
            ],
        ),
        "Missed deadlines by team",
        height=max(250, 90 + 40 * by_team["team"].nunique()),
    )
with right:
    st.subheader("Who has the most missed deadlines?")
    st.caption("The 12 owners with the most missed deadlines in the range.")
    by_owner = weekly.groupby(["owner_name", "team"], as_index=False)[["handoffs", *kinds]].sum()
    by_owner["missed"] = by_owner[list(kinds)].sum(axis=1)
    top = by_owner.nlargest(12, "missed")
    top_long = top.melt(
        id_vars=["owner_name", "team", "handoffs", "missed"],
        value_vars=list(kinds),
        var_name="kind",
    )
    top_long["kind"] = top_long["kind"].map(kinds)
    sc.chart(
        alt.Chart(top_long)
        .mark_bar()
        .encode(
            y=alt.Y("owner_name:N", title=None, sort=alt.SortField("missed", order="descending")),
            x=alt.X("value:Q", axis=sc.count_axis("Missed deadlines")),
            color=breach_colour,
            tooltip=[
                alt.Tooltip("owner_name:N", title="Owner"),
                "team:N",
                alt.Tooltip("kind:N", title="What"),
                alt.Tooltip("value:Q", title="Handoffs"),
                alt.Tooltip("handoffs:Q", title="Handoffs received"),
            ],
        ),
        "Owners with the most missed deadlines",
        height=max(250, 90 + 26 * len(top)),
    )

st.subheader("Who lost the time: routing or the rep?")
st.caption(
    "Missed first touches per team, by cause. Routing: the deadline passed before a seller "
    "held the lead (it sat in a queue or with a marketer). Rep: a seller held it in time and "
    "still touched it late or never."
)
causes = {"routing_breaches": "Routing", "rep_breaches": "Rep"}
by_cause = (
    weekly.groupby("team", as_index=False)[["first_touch_breaches", *causes]]
    .sum()
    .melt(id_vars=["team", "first_touch_breaches"], value_vars=list(causes), var_name="cause")
)
by_cause["cause"] = by_cause["cause"].map(causes)
by_cause["share"] = by_cause["value"] / by_cause["first_touch_breaches"].where(
    by_cause["first_touch_breaches"] > 0
)
sc.chart(
    alt.Chart(by_cause)
    .mark_bar()
    .encode(
        y=alt.Y("team:N", title=None, sort="-x"),
        x=alt.X("value:Q", axis=sc.count_axis("Missed first touches")),
        color=alt.Color(
            "cause:N",
            title=None,
            scale=alt.Scale(domain=list(causes.values()), range=["#8c6bb1", sc.BAD]),
            legend=alt.Legend(orient="top"),
        ),
        tooltip=[
            "team:N",
            alt.Tooltip("cause:N", title="Cause"),
            alt.Tooltip("value:Q", title="Missed first touches"),
            alt.Tooltip("share:Q", title="Of the team's missed first touches", format=".0%"),
        ],
    ),
    "Missed first touches by team and cause",
    height=max(220, 90 + 40 * by_cause["team"].nunique()),
)

st.subheader("Leads to act on now")
stamp = sc.published()
st.caption(
    "Open handoffs past a deadline, or due within 24 hours, at the data's as-of"
    + (f" ({stamp.as_of_at:%d %b %Y %H:%M} UTC)" if stamp.as_of_at else "")
    + f". One row per lead, most overdue first; handoffs overdue for more than {STALE_DAYS} "
    "days are listed apart, below. The week range does not apply: these are today's to-dos."
)
if not sc.require("rpt_open_sla_breaches"):
    st.stop()
if breaches.empty:
    st.success("Nothing open past or near a deadline for the chosen teams and channels.")
else:
    todo = to_do(breaches)
    stale = todo["Overdue by (days)"] > STALE_DAYS
    column_config = {
        "Handed over (UTC)": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm"),
        "Deadline (UTC)": st.column_config.DatetimeColumn(
            format="D MMM YYYY, HH:mm", help="The earliest deadline of those missing."
        ),
        "Overdue by (days)": st.column_config.NumberColumn(
            help="Days past that deadline; negative = due in that many days.", format="%.1f"
        ),
    }
    current = todo[~stale]
    if current.empty:
        st.success(f"Nothing missed in the last {STALE_DAYS} days or due within 24 hours.")
    else:
        st.dataframe(
            current,
            hide_index=True,
            height=min(560, 38 + 35 * len(current)),
            column_config=column_config,
        )
    if stale.any():
        with st.expander(
            f"{int(stale.sum())} handoffs overdue for more than {STALE_DAYS} days "
            "(probably abandoned in the CRM: close or reassign them there)"
        ):
            st.dataframe(
                todo[stale],
                hide_index=True,
                height=min(560, 38 + 35 * int(stale.sum())),
                column_config=column_config,
            )
    st.download_button(
        "Download the list (CSV)",
        todo.to_csv(index=False).encode(),
        file_name="open_sla_breaches.csv",
        mime="text/csv",
    )
