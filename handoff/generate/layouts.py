"""How each CRM writes what the model simulated: timestamp formats, HubSpot UI labels,
the status and stage values of a disposition, the Salesforce queue, the columns
written on purpose outside the contract, and the SQL format macros."""

from __future__ import annotations

import duckdb

from handoff.generate.sql import sfid

SF_TS = "%Y-%m-%dT%H:%M:%S.000+0000"
HS_TS = "%Y-%m-%dT%H:%M:%S.000Z"
UI_TS = "%Y-%m-%d %H:%M"

# HubSpot UI exports show labels for enumerations: internal value → label.
HUBSPOT_UI_LABELS = {
    "lifecyclestage": {
        "subscriber": "Subscriber",
        "lead": "Lead",
        "marketingqualifiedlead": "Marketing Qualified Lead",
        "salesqualifiedlead": "Sales Qualified Lead",
        "opportunity": "Opportunity",
        "customer": "Customer",
        "other": "Other",
    },
    "hs_lead_status": {
        "NEW": "New",
        "IN_PROGRESS": "In Progress",
        "OPEN_DEAL": "Open Deal",
        "UNQUALIFIED": "Unqualified",
        "BAD_TIMING": "Bad Timing",
    },
    "hs_analytics_source": {
        "ORGANIC_SEARCH": "Organic Search",
        "PAID_SEARCH": "Paid Search",
        "SOCIAL_MEDIA": "Organic Social",
        "REFERRALS": "Referrals",
        "DIRECT_TRAFFIC": "Direct Traffic",
        "EMAIL_MARKETING": "Email Marketing",
        "OFFLINE": "Offline Sources",
    },
}

SF_STATUS = {
    "sql": "Sales Qualified",
    "disqualified": "Closed - Not Converted",
    "recycled": "Recycled",
}
HS_STAGE = {"sql": "salesqualifiedlead", "disqualified": "other", "recycled": "lead"}
HS_STATUS = {"sql": "OPEN_DEAL", "disqualified": "UNQUALIFIED", "recycled": "BAD_TIMING"}
QUEUE_ID_EXPR = sfid("00G", "1")
QUEUE_NAME = "Inbound Leads Queue"


# Columns the generator writes on purpose although the contract does not know them
# (custom fields, UI sprawl): ingest must keep them, never fail on them.
EXTRA_COLUMNS = {
    ("hubspot", "contacts"): {
        "Became a Subscriber Date",
        "Number of times contacted",
        "Number of Sales Activities",
        "Marketing emails opened",
        "HubSpot Score",
        "IP Country",
        "hubspotscore",
        "num_contacted_notes",
    },
    ("hubspot", "owners"): {"userId"},
    ("hubspot", "engagements"): {"hs_activity_source"},
    ("salesforce", "lead"): {"Rating", "Fit_Tier__c"},
    ("salesforce", "user"): {"Username"},
    ("salesforce", "user_role"): {"DeveloperName"},
    ("salesforce", "task"): {"Priority", "CallDurationInSeconds"},
    ("salesforce", "event"): {"EndDateTime", "DurationInMinutes"},
    ("salesforce", "opportunity"): {"Type", "Probability"},
}


def create_macros(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create macro sfts(ts) as strftime(ts, '{SF_TS}')")
    con.execute(f"create macro hsts(ts) as strftime(ts, '{HS_TS}')")
    con.execute(f"create macro uits(ts) as strftime(ts, '{UI_TS}')")
    con.execute("create macro ms(ts) as epoch_ms(ts)::varchar")
    con.execute("create macro tf(b) as case when b then 'true' when not b then 'false' end")
    con.execute("create macro d(ts) as strftime(ts, '%Y-%m-%d')")
