"""The lifecycle timelines: ``sf_ev`` (Salesforce Lead field changes: created, Status,
Owner, IsDeleted) and ``hs_ev`` (HubSpot contact property changes), one row per
change, from which every batch's record state and history files are cut."""

from __future__ import annotations

import duckdb

from handoff.generate.company import NEWSLETTER_OFFER
from handoff.generate.layouts import HS_STAGE, HS_STATUS, QUEUE_ID_EXPR, SF_STATUS
from handoff.generate.sql import case


def create_events(con: duckdb.DuckDBPyConnection) -> None:
    """Long status timelines: ``sf_ev`` (Lead field changes) and ``hs_ev`` (contact
    property changes). One row per change, ordered by (ts, ord)."""
    sf = "sf_created_at is not null"
    sync2 = "to_seconds(case when pop = 'sync' then sync_lag_s else 0 end)"
    parts = [
        f"select idx, sf_created_at as ts, 0 as ord, 'created' as field, null as value, true as hist from people where {sf}",
        f"select idx, sf_created_at, 1, 'Status', case when pop = 'sf' then 'Open - Not Contacted' else 'Marketing Qualified' end, false from people where {sf}",
        f"select idx, sf_created_at, 2, 'Owner', case when (pop = 'sf' and inbound) or route_lag_s > 0 then {QUEUE_ID_EXPR} else coalesce(owner_sf, {QUEUE_ID_EXPR}) end, false from people where {sf}",
        "select idx, t_mql1, 3, 'Status', 'Marketing Qualified', true from people where pop = 'sf' and is_mql1",
        # routed leads go to a marketer at the MQL, or stay in the queue
        "select idx, t_mql1, 4, 'Owner', case when route_lag_s > 0 then route_sf else owner_sf end, true from people where pop = 'sf' and is_mql1 and inbound and owner_sf is not null and (route_lag_s = 0 or route_sf is not null)",
        f"select idx, t_mql1 + {sync2} + to_seconds(route_lag_s), 13, 'Owner', owner_sf, true from people where {sf} and route_lag_s > 0",
        f"select idx, touch1, 5, 'Status', 'Working - Contacted', true from people where {sf} and touch1 is not null",
        f"select idx, disp1, 6, 'Status', {case('outcome1', SF_STATUS)}, true from people where {sf} and disp1 is not null",
        f"select idx, conv1, 7, 'Status', 'Closed - Converted', true from people where {sf} and conv1 is not null",
        f"select idx, t_mql2 + {sync2}, 8, 'Status', 'Marketing Qualified', true from people where {sf} and t_mql2 is not null",
        f"select idx, touch2, 9, 'Status', 'Working - Contacted', true from people where {sf} and touch2 is not null",
        f"select idx, disp2, 10, 'Status', {case('outcome2', SF_STATUS)}, true from people where {sf} and disp2 is not null",
        f"select idx, conv2, 11, 'Status', 'Closed - Converted', true from people where {sf} and conv2 is not null",
        f"select idx, deleted_at, 12, 'IsDeleted', 'true', false from people where {sf} and deleted_at is not null",
    ]
    con.execute(
        "create table sf_ev as select *, epoch_ms(ts) * 16 + ord as k, "
        "lag(value) over (partition by idx, field order by epoch_ms(ts) * 16 + ord) as old_value "
        "from (" + " union all ".join(parts) + ") order by idx, k"
    )
    hs = "pop <> 'sf'"
    mirror = "to_seconds(case when pop = 'sync' then 120 else 0 end)"
    src = "case when pop = 'sync' then 'SALESFORCE' else 'CRM_UI' end"
    parts = [
        f"select idx, created_at as ts, 0 as ord, 'lifecyclestage' as prop, case when offer0 = {NEWSLETTER_OFFER} then 'subscriber' else 'lead' end as value, case when inbound then 'FORM' else offline_drill end as source from people where {hs}",
        f"select idx, created_at, 1, 'hubspot_owner_id', owner_hs, 'CRM_UI' from people where {hs} and not inbound and owner_hs is not null",
        f"select idx, t_mql1, 2, 'lifecyclestage', 'marketingqualifiedlead', 'AUTOMATION_PLATFORM' from people where {hs} and is_mql1",
        f"select idx, t_mql1, 3, 'hs_lead_status', 'NEW', 'AUTOMATION_PLATFORM' from people where {hs} and is_mql1",
        f"select idx, case when pop = 'sync' then sf_created_at + interval 1 minute else t_mql1 end, 4, 'hubspot_owner_id', case when route_lag_s > 0 then route_hs else owner_hs end, case when pop = 'sync' then 'SALESFORCE' else 'AUTOMATION_PLATFORM' end from people where {hs} and is_mql1 and inbound and owner_hs is not null and not (pop = 'sync' and route_lag_s > 0)",
        f"select idx, case when pop = 'sync' then sf_created_at + interval 1 minute else t_mql1 end + to_seconds(route_lag_s), 19, 'hubspot_owner_id', owner_hs, case when pop = 'sync' then 'SALESFORCE' else 'AUTOMATION_PLATFORM' end from people where {hs} and is_mql1 and inbound and owner_hs is not null and route_lag_s > 0",
        "select idx, sf_created_at + interval 1 minute, 5, 'salesforceleadid', lead_id, 'SALESFORCE' from people where pop = 'sync' and sf_created_at is not null",
        "select idx, touch1, 6, 'hs_lead_status', 'IN_PROGRESS', 'CRM_UI' from people where pop = 'hs' and touch1 is not null",
        f"select idx, disp1 + {mirror}, 7, 'lifecyclestage', {case('outcome1', HS_STAGE)}, {src} from people where {hs} and disp1 is not null",
        f"select idx, disp1 + {mirror}, 8, 'hs_lead_status', {case('outcome1', HS_STATUS)}, {src} from people where {hs} and disp1 is not null",
        f"select idx, conv1 + {mirror}, 9, 'lifecyclestage', 'opportunity', {src} from people where {hs} and conv1 is not null",
        "select idx, conv_at + interval 2 minute, 10, 'salesforcecontactid', contact_id, 'SALESFORCE' from people where pop = 'sync' and conv_at is not null",
        f"select idx, t_mql2, 11, 'lifecyclestage', 'marketingqualifiedlead', 'AUTOMATION_PLATFORM' from people where {hs} and t_mql2 is not null",
        f"select idx, t_mql2, 12, 'hs_lead_status', 'NEW', 'AUTOMATION_PLATFORM' from people where {hs} and t_mql2 is not null",
        "select idx, touch2, 13, 'hs_lead_status', 'IN_PROGRESS', 'CRM_UI' from people where pop = 'hs' and touch2 is not null",
        f"select idx, disp2 + {mirror}, 14, 'lifecyclestage', {case('outcome2', HS_STAGE)}, {src} from people where {hs} and disp2 is not null",
        f"select idx, disp2 + {mirror}, 15, 'hs_lead_status', {case('outcome2', HS_STATUS)}, {src} from people where {hs} and disp2 is not null",
        f"select idx, conv2 + {mirror}, 16, 'lifecyclestage', 'opportunity', {src} from people where {hs} and conv2 is not null",
        f"select idx, close_at + {mirror}, 17, 'lifecyclestage', 'customer', {src} from people where {hs} and is_won",
        f"select idx, deleted_at, 18, 'archived', 'true', 'CRM_UI' from people where {hs} and deleted_at is not null",
    ]
    con.execute(
        "create table hs_ev as select *, epoch_ms(ts) * 32 + ord as k "
        "from (" + " union all ".join(parts) + ") order by idx, k"
    )
