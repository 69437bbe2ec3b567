"""Salesforce's files of a batch in Data Loader layout: Lead, LeadHistory, User,
UserRole, Task (gzip), Event, Opportunity, OpportunityHistory, Contact, Account,
Campaign and CampaignMember."""

from __future__ import annotations

from handoff.generate.company import LEFT_AT, WEBINAR_OFFER, user_active
from handoff.generate.layouts import QUEUE_ID_EXPR, QUEUE_NAME
from handoff.generate.sql import lit, sfid, window
from handoff.generate.writer import Writer


def write_batch(w: Writer, name: str, c: str, cp: str) -> None:
    """The Salesforce files of batch ``name`` (cutoff ``c``, previous cutoff ``cp``)."""
    sf_dir = w.out / "salesforce" / name
    win = lambda col: window(col, cp, c)  # noqa: E731
    active = user_active(c)
    w.copy(
        f"""
        with agg as (
            select idx, max(ts) as lastmod,
                max_by(value, k) filter (where field = 'Status') as status,
                max_by(value, k) filter (where field = 'Owner') as owner_id,
                bool_or(field = 'IsDeleted') as is_deleted
            from sf_ev where ts < {c}
            group by idx
        )
        select lead_id as "Id", first_name as "FirstName", last_name as "LastName",
            company as "Company", title as "Title", sf_email as "Email", phone as "Phone",
            industry as "Industry", employees as "NumberOfEmployees", country as "Country",
            sf_source as "LeadSource", status as "Status", agg.owner_id as "OwnerId",
            tf(coalesce(conv_at < {c}, false)) as "IsConverted",
            case when conv_at < {c} then d(conv_at) end as "ConvertedDate",
            case when conv_at < {c} then opp_id end as "ConvertedOpportunityId",
            case when conv_at < {c} then contact_id end as "ConvertedContactId",
            case when conv_at < {c} then account_id end as "ConvertedAccountId",
            sfts(sf_created_at) as "CreatedDate", sfts(lastmod) as "LastModifiedDate",
            tf(coalesce(is_deleted, false)) as "IsDeleted",
            case fit_tier when 'A' then 'Hot' when 'B' then 'Warm' else 'Cold' end as "Rating",
            fit_tier as "Fit_Tier__c"
        from agg join people using (idx)
        where lastmod >= {cp}
        order by idx
        """,
        sf_dir / "Lead.csv",
    )
    # an owner change is written twice, as Salesforce exports do: ids, then names
    owner_name = (
        "coalesce((select full_name from users where users.sf_id = {v}), "
        f"case when {{v}} = {QUEUE_ID_EXPR} then {lit(QUEUE_NAME)} end)"
    )
    w.copy(
        f"""
        select "Id", "LeadId", "Field", "OldValue", "NewValue", "CreatedDate", "IsDeleted"
        from (
            select idx, k, 0 as name_row,
                {sfid("017", "(sf_ev.idx * 16 + ord)")} as "Id", people.lead_id as "LeadId",
                field as "Field", case when field = 'created' then null else old_value end as "OldValue",
                case when field = 'created' then null else value end as "NewValue",
                sfts(ts) as "CreatedDate", 'false' as "IsDeleted"
            from sf_ev join people using (idx)
            where hist and {win("sf_ev.ts")}
            union all
            select idx, k, 1 as name_row,
                {sfid("017", "(sf_ev.idx * 16 + ord + 1099511627776)")}, people.lead_id,
                field, {owner_name.format(v="old_value")}, {owner_name.format(v="value")},
                sfts(ts), 'false'
            from sf_ev join people using (idx)
            where hist and field = 'Owner' and {win("sf_ev.ts")}
        )
        order by idx, k, name_row
        """,
        sf_dir / "LeadHistory.csv",
    )
    w.copy(
        f"""
        select users.sf_id as "Id", email as "Username", first as "FirstName", last as "LastName",
            email as "Email", roles.sf_id as "UserRoleId", tz as "TimeZoneSidKey",
            tf({active}) as "IsActive",
            case when kind in ('marketing', 'mops') then 'Marketing' else 'Sales' end as "Department",
            roles.name as "Title",
            sfts(case when not {active} then {LEFT_AT} else timestamp '2024-06-03 12:00:00' + to_days(j) end)
                as "LastModifiedDate"
        from users join roles on roles.r = users.role_j
        order by j
        """,
        sf_dir / "User.csv",
    )
    w.copy(
        """
        select sf_id as "Id", name as "Name", replace(replace(name, ' - ', '_'), ' ', '_') as "DeveloperName",
            sfts(timestamp '2024-06-01 09:00:00') as "LastModifiedDate"
        from roles order by r
        """,
        sf_dir / "UserRole.csv",
    )
    task_done = f"(kind <> 'task' or coalesce(done_ts < {c}, false))"
    w.copy(
        f"""
        select {sfid("00T", "(idx * 128 + slot)")} as "Id", people.lead_id as "WhoId",
            null as "WhatId", u.u_sf as "OwnerId",
            case kind when 'call' then 'Call' when 'email' then 'Email: Following up' else 'Follow up' end
                as "Subject",
            case kind when 'call' then 'Call' when 'email' then 'Email' else 'Other' end as "Type",
            case kind when 'call' then 'Call' when 'email' then 'Email' else 'Task' end as "TaskSubtype",
            case when {task_done} then 'Completed' else 'Not Started' end as "Status",
            tf({task_done}) as "IsClosed",
            'Normal' as "Priority",
            d(coalesce(due_date::timestamp, ts)) as "ActivityDate",
            case when {task_done} then sfts(coalesce(done_ts, ts)) end as "CompletedDateTime",
            case when kind = 'call' then (30 + floor(rnd(idx * 128 + slot, 'dur') * 600))::int end
                as "CallDurationInSeconds",
            sfts(ts) as "CreatedDate",
            sfts(case when {task_done} then coalesce(done_ts, ts) else ts end) as "LastModifiedDate",
            'false' as "IsDeleted"
        from acts
        join people using (idx)
        join (select j as uj, sf_id as u_sf, hs_id as u_hs, kind as u_kind, full_name as u_name from users) as u on u.uj = acts.owner_j
        where crm = 'sf' and kind <> 'meeting' and ts < {c} and ({win("ts")} or {win("done_ts")})
        order by idx, slot
        """,
        sf_dir / "Task.csv.gz",
        "csv.gz",
    )
    w.copy(
        f"""
        select {sfid("00U", "(idx * 128 + slot)")} as "Id", people.lead_id as "WhoId",
            null as "WhatId", u.u_sf as "OwnerId", 'Discovery meeting' as "Subject",
            'Meeting' as "Type", 'Event' as "EventSubtype",
            sfts(ts) as "StartDateTime", sfts(ts + interval 30 minute) as "EndDateTime",
            sfts(ts) as "ActivityDateTime", d(ts) as "ActivityDate", 30 as "DurationInMinutes",
            sfts(ts - interval 1 day) as "CreatedDate", sfts(ts - interval 1 day) as "LastModifiedDate",
            'false' as "IsDeleted"
        from acts
        join people using (idx)
        join (select j as uj, sf_id as u_sf, hs_id as u_hs, kind as u_kind, full_name as u_name from users) as u on u.uj = acts.owner_j
        where crm = 'sf' and kind = 'meeting' and {win("ts - interval 1 day")}
        order by idx, slot
        """,
        sf_dir / "Event.csv",
    )
    opp_mid = "conv_at + (close_at - conv_at) * 0.4"
    opp_stage = (
        f"case when close_at < {c} then (case when is_won then 'Closed Won' else 'Closed Lost' end) "
        f"when {opp_mid} < {c} then 'Proposal/Price Quote' else 'Qualification' end"
    )
    opp_mod = f"case when close_at < {c} then close_at when {opp_mid} < {c} then {opp_mid} else conv_at end"
    w.copy(
        f"""
        select opp_id as "Id", account_id as "AccountId", ae_sf as "OwnerId",
            company || ' - New Business' as "Name", {opp_stage} as "StageName",
            printf('%.2f', amount) as "Amount", d(close_at) as "CloseDate",
            tf(close_at < {c}) as "IsClosed", tf(close_at < {c} and is_won) as "IsWon",
            sf_source as "LeadSource", conv_campaign_id as "CampaignId",
            'New Business' as "Type",
            case when close_at < {c} then (case when is_won then 100 else 0 end)
                 when {opp_mid} < {c} then 60 else 20 end as "Probability",
            sfts(conv_at) as "CreatedDate", sfts({opp_mod}) as "LastModifiedDate",
            'false' as "IsDeleted"
        from people
        where opp_id is not null and conv_at < {c} and {win(opp_mod)}
        order by idx
        """,
        sf_dir / "Opportunity.csv",
    )
    w.copy(
        f"""
        with h as (
            select idx, 0 as s, conv_at as ts, 'Qualification' as stage from people where opp_id is not null
            union all select idx, 1, {opp_mid}, 'Proposal/Price Quote' from people where opp_id is not null
            union all select idx, 2, close_at, case when is_won then 'Closed Won' else 'Closed Lost' end
                from people where opp_id is not null
        )
        select {sfid("008", "(idx * 4 + s)")} as "Id", people.opp_id as "OpportunityId",
            stage as "StageName", printf('%.2f', amount) as "Amount", d(close_at) as "CloseDate",
            sfts(h.ts) as "CreatedDate", 'false' as "IsDeleted"
        from h join people using (idx)
        where {win("h.ts")}
        order by idx, s
        """,
        sf_dir / "OpportunityHistory.csv",
    )
    w.copy(
        f"""
        select contact_id as "Id", account_id as "AccountId", owner_sf as "OwnerId",
            sf_email as "Email", first_name as "FirstName", last_name as "LastName", title as "Title",
            sf_source as "LeadSource", sfts(conv_at) as "CreatedDate", sfts(conv_at) as "LastModifiedDate",
            'false' as "IsDeleted"
        from people where contact_id is not null and {win("conv_at")}
        order by idx
        """,
        sf_dir / "Contact.csv",
    )
    acct_mod = f"case when is_won and close_at < {c} then close_at else conv_at end"
    w.copy(
        f"""
        select account_id as "Id", company as "Name", industry as "Industry",
            employees as "NumberOfEmployees", country as "BillingCountry",
            case when is_won and close_at < {c} then 'Customer' else 'Prospect' end as "Type",
            sfts(conv_at) as "CreatedDate", sfts({acct_mod}) as "LastModifiedDate",
            'false' as "IsDeleted"
        from people where account_id is not null and conv_at < {c} and {win(acct_mod)}
        order by idx
        """,
        sf_dir / "Account.csv",
    )
    webinar_done = "timestamp '2025-06-30 18:00:00'"
    w.copy(
        f"""
        select campaign_id as "Id", title as "Name", ctype as "Type",
            case when o = {WEBINAR_OFFER} and {c} > {webinar_done} then 'Completed' else 'In Progress' end
                as "Status",
            '2025-01-01' as "StartDate",
            case when o = {WEBINAR_OFFER} then '2025-06-30' else '2025-12-31' end as "EndDate",
            tf(not (o = {WEBINAR_OFFER} and {c} > {webinar_done})) as "IsActive",
            sfts(timestamp '2024-12-16 10:00:00' + to_hours(o)) as "CreatedDate",
            sfts(case when o = {WEBINAR_OFFER} and {c} > {webinar_done} then {webinar_done}
                      else timestamp '2024-12-16 10:00:00' + to_hours(o) end) as "LastModifiedDate",
            'false' as "IsDeleted"
        from offers order by o
        """,
        sf_dir / "Campaign.csv",
    )
    w.copy(
        f"""
        with m as (
            select idx, 0 as slot, greatest(created_at, sf_created_at) as ts, offer0 as o, true as responded
                from people where offer0 is not null and sf_created_at is not null
            union all select idx, 1, greatest(t_mql1, sf_created_at), offer1, true
                from people where offer1 is not null and sf_created_at is not null
            union all select idx, 2, t_mql2, offer2, true
                from people where offer2 is not null and sf_created_at is not null
            union all select idx, 3, created_at, case sf_source when 'Purchased List' then 9 else 10 end, false
                from people where pop = 'sf' and sf_source in ('Purchased List', 'Cold Call')
        )
        select {sfid("00v", "(idx * 4 + slot)")} as "Id", offers.campaign_id as "CampaignId",
            people.lead_id as "LeadId", null as "ContactId",
            case when responded then 'Responded' else 'Sent' end as "Status",
            tf(responded) as "HasResponded",
            case when responded then d(m.ts) end as "FirstRespondedDate",
            sfts(m.ts) as "CreatedDate", sfts(m.ts) as "LastModifiedDate", 'false' as "IsDeleted"
        from m join people using (idx) join offers using (o)
        where {win("m.ts")}
        order by idx, slot
        """,
        sf_dir / "CampaignMember.csv",
    )
