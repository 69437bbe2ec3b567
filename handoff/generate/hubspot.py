"""HubSpot's files of a batch in its native layouts: contacts (the first batch as a UI
export with labels), owners, engagements, form submissions, deals, companies and the
contact property history."""

from __future__ import annotations

from handoff.generate.company import LEFT_AT, user_active
from handoff.generate.layouts import HUBSPOT_UI_LABELS
from handoff.generate.sql import case, window
from handoff.generate.writer import Writer


def contacts_query(c: str, cp: str, ui: bool) -> str:
    stages = ["lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer"]
    agg_cols = ",\n".join(
        [
            "max(ts) as lastmod",
            "max_by(value, k) filter (where prop = 'lifecyclestage') as lifecyclestage",
            "max_by(value, k) filter (where prop = 'hs_lead_status') as hs_lead_status",
            "max_by(value, k) filter (where prop = 'hubspot_owner_id') as owner_hs_now",
            "max(ts) filter (where prop = 'hubspot_owner_id') as owner_assigned_at",
            "max_by(value, k) filter (where prop = 'salesforceleadid') as salesforceleadid",
            "max_by(value, k) filter (where prop = 'salesforcecontactid') as salesforcecontactid",
            "bool_or(prop = 'archived') as archived",
            "min(ts) filter (where prop = 'lifecyclestage' and value = 'subscriber') as first_subscriber",
        ]
        + [
            f"min(ts) filter (where prop = 'lifecyclestage' and value = '{s}') as first_{s}"
            for s in stages
        ]
        + [
            f"max(ts) filter (where prop = 'lifecyclestage' and value = '{s}') as last_{s}"
            for s in stages
        ]
    )
    offer_at = (
        f"(case when t_mql2 < {c} and offer2 is not null then offer2 "
        f"when t_mql1 < {c} and offer1 is not null then offer1 else offer0 end)"
    )
    response_ms = (
        f"case when pop = 'hs' and touch1 < {c} and owner_assigned_at is not null "
        f"then epoch_ms(touch1) - epoch_ms(owner_assigned_at) end"
    )
    unworked = f"case when pop = 'hs' and owner_assigned_at is not null then not coalesce(touch1 < {c}, false) end"
    contacted = f"(case when touch1 < {c} then least(n_touch1, 1 + floor(rnd(idx, 'ntc') * n_touch1)) else 0 end)::int"
    if ui:
        labels = HUBSPOT_UI_LABELS
        ts = "uits"
        select = f"""
            hs_contact_id as "Record ID",
            first_name as "First Name",
            last_name as "Last Name",
            email as "Email",
            phone as "Phone Number",
            company as "Company Name",
            industry as "Industry",
            employee_band as "Number of Employees",
            country as "Country/Region",
            title as "Job Title",
            {ts}(created_at) as "Create Date",
            {ts}(lastmod) as "Last Modified Date",
            {case("lifecyclestage", labels["lifecyclestage"])} as "Lifecycle Stage",
            {case("hs_lead_status", labels["hs_lead_status"])} as "Lead Status",
            owner_users.u_name as "Contact owner",
            {ts}(owner_assigned_at) as "Owner Assigned Date",
            case when ({response_ms}) is not null then
                lpad((({response_ms}) // 3600000)::varchar, 2, '0') || ':' ||
                lpad(((({response_ms}) // 60000) % 60)::varchar, 2, '0') || ':' ||
                lpad(((({response_ms}) // 1000) % 60)::varchar, 2, '0') end
                as "Lead response time (HH:mm:ss)",
            tf({unworked}) as "Contact unworked",
            {case("hs_source", labels["hs_analytics_source"])} as "Original Source",
            hs_source_drill as "Original Source Drill-Down 1",
            o0.o0_title as "First Conversion",
            orec.orec_title as "Recent Conversion",
            {ts}(first_subscriber) as "Became a Subscriber Date",
            {ts}(first_lead) as "Became a Lead Date",
            {ts}(first_marketingqualifiedlead) as "Became a Marketing Qualified Lead Date",
            {ts}(first_salesqualifiedlead) as "Became a Sales Qualified Lead Date",
            {ts}(first_opportunity) as "Became an Opportunity Date",
            {ts}(first_customer) as "Became a Customer Date",
            salesforceleadid as "Salesforce Lead ID",
            salesforcecontactid as "Salesforce Contact ID",
            {contacted} as "Number of times contacted",
            {contacted} as "Number of Sales Activities",
            floor(rnd(idx, 'opens') * 12)::int as "Marketing emails opened",
            floor(rnd(idx, 'score') * 100)::int as "HubSpot Score",
            country as "IP Country"
        """
    else:
        ts = "hsts"
        select = f"""
            hs_contact_id as hs_object_id,
            hsts(created_at) as createdate,
            ms(lastmod) as lastmodifieddate,
            lifecyclestage,
            {", ".join(f"hsts(first_{s}) as hs_lifecyclestage_{s}_date" for s in stages)},
            {", ".join(f"hsts(last_{s}) as hs_v2_date_entered_{s}" for s in stages)},
            hs_lead_status,
            owner_hs_now as hubspot_owner_id,
            hsts(owner_assigned_at) as hubspot_owner_assigneddate,
            ({response_ms})::varchar as hs_time_to_first_engagement,
            tf({unworked}) as hs_is_unworked,
            hs_source as hs_analytics_source,
            hs_source_drill as hs_analytics_source_data_1,
            o0.o0_title as first_conversion_event_name,
            orec.orec_title as recent_conversion_event_name,
            email, first_name as firstname, last_name as lastname, phone,
            company, industry, employee_band as numemployees, country, title as jobtitle,
            tf(coalesce(archived, false)) as archived,
            salesforceleadid, salesforcecontactid,
            floor(rnd(idx, 'score') * 100)::int as hubspotscore,
            {contacted} as num_contacted_notes
        """
    return f"""
        with agg as (
            select idx, {agg_cols}
            from hs_ev where ts < {c}
            group by idx
        )
        select {select}
        from agg
        join people using (idx)
        left join (select j as uj, sf_id as u_sf, hs_id as u_hs, kind as u_kind, full_name as u_name from users) as owner_users on owner_users.u_hs = agg.owner_hs_now
        left join (select o as o0_o, title as o0_title from offers) as o0 on o0.o0_o = people.offer0
        left join (select o as orec_o, title as orec_title from offers) as orec on orec.orec_o = {offer_at}
        where agg.lastmod >= {cp} {"and not coalesce(agg.archived, false)" if ui else ""}
        order by idx
    """


def write_batch(w: Writer, name: str, c: str, cp: str, ui: bool, domain: str) -> None:
    """The HubSpot files of batch ``name`` (cutoff ``c``, previous cutoff ``cp``); the
    first batch (``ui``) is a UI export of contacts; forms live on ``www.<domain>``."""
    hs_dir = w.out / "hubspot" / name
    win = lambda col: window(col, cp, c)  # noqa: E731
    active = user_active(c)
    contacts_file = f"hubspot-crm-exports-all-contacts-{name}.csv" if ui else "contacts.csv"
    w.copy(contacts_query(c, cp, ui), hs_dir / contacts_file)
    w.copy(
        f"""
        select hs_id as id, email, first as firstname, last as lastname, teams,
            tf(not {active}) as archived,
            hsts(timestamp '2024-06-03 12:00:00' + to_days(j)) as createdat,
            hsts(case when not {active} then {LEFT_AT} else timestamp '2024-06-03 12:00:00' + to_days(j) end) as updatedat,
            (9000 + j)::varchar as "userId"
        from users order by j
        """,
        hs_dir / "owners.csv",
    )
    eng_done = f"coalesce(done_ts < {c}, false)"
    w.copy(
        f"""
        select (20000000000 + idx * 128 + slot)::varchar as hs_object_id,
            upper(kind) as type,
            hsts(case when kind = 'task' then due_date::timestamp + interval 9 hour else ts end) as hs_timestamp,
            u.u_hs as hubspot_owner_id,
            people.hs_contact_id as contact_ids,
            hsts(ts) as hs_createdate,
            hsts(case when {eng_done} then done_ts else ts end) as hs_lastmodifieddate,
            case when kind = 'task' then (case when {eng_done} then 'COMPLETED' else 'NOT_STARTED' end) end
                as hs_task_status,
            'false' as archived,
            case when u.u_kind = 'mops' then 'MARKETING' else 'CRM_UI' end as hs_activity_source
        from acts
        join people using (idx)
        join (select j as uj, sf_id as u_sf, hs_id as u_hs, kind as u_kind, full_name as u_name from users) as u on u.uj = acts.owner_j
        where crm = 'hs' and ts < {c} and ({win("ts")} or {win("done_ts")})
        order by idx, slot
        """,
        hs_dir / "engagements.csv",
    )
    w.copy(
        f"""
        with forms as (
            select idx, 0 as slot, created_at as ts, offer0 as o from people where offer0 is not null
            union all select idx, 1, t_mql1, offer1 from people where offer1 is not null
            union all select idx, 2, t_mql2, offer2 from people where offer2 is not null
        )
        select people.hs_contact_id as contact_id, offers.form_id, offers.title as form_title,
            ms(forms.ts) as submitted_at,
            'https://www.{domain}' || offers.page_path as page_url,
            md5('conversion:' || idx || ':' || slot) as conversion_id
        from forms join people using (idx) join offers using (o)
        where pop <> 'sf' and {win("forms.ts")}
        order by idx, slot
        """,
        hs_dir / "form_submissions.jsonl",
        "jsonl",
    )
    stage_at = (
        f"case when is_won is not null and close_at < {c} then (case when is_won then 'closedwon' else 'closedlost' end) "
        f"when conv_at + (close_at - conv_at) * 0.4 < {c} then 'presentationscheduled' else 'appointmentscheduled' end"
    )
    deal_mod = (
        f"case when close_at < {c} then close_at when conv_at + (close_at - conv_at) * 0.4 < {c} "
        f"then conv_at + (close_at - conv_at) * 0.4 else conv_at end"
    )
    w.copy(
        f"""
        select deal_id as hs_object_id, company || ' - New Business' as dealname,
            {stage_at} as dealstage, 'default' as pipeline, printf('%.2f', amount) as amount,
            hsts(conv_at) as createdate, hsts(close_at) as closedate,
            hsts({deal_mod}) as hs_lastmodifieddate,
            tf(is_won and close_at < {c}) as hs_is_closed_won,
            owner_hs as hubspot_owner_id, hs_contact_id as contact_ids, 'false' as archived
        from people
        where deal_id is not null and conv_at < {c} and {win(deal_mod)}
        order by idx
        """,
        hs_dir / "deals.csv",
    )
    w.copy(
        f"""
        select hs_company_id as hs_object_id, company as name, domain, industry,
            employees as numberofemployees, country, hsts(created_at) as createdate,
            hsts(created_at) as hs_lastmodifieddate, 'false' as archived
        from people where hs_company_id is not null and {win("created_at")}
        order by idx
        """,
        hs_dir / "companies.csv",
    )
    w.copy(
        f"""
        select people.hs_contact_id as contact_id, prop as property, value,
            hsts(ts) as timestamp, source
        from hs_ev join people using (idx)
        where prop in ('lifecyclestage', 'hs_lead_status', 'hubspot_owner_id') and {win("hs_ev.ts")}
        order by idx, k
        """,
        hs_dir / "contact_property_history.csv",
    )
