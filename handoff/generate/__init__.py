"""Deterministic synthetic CRM extracts: HubSpot and Salesforce, in their native layouts.

``generate(out, leads, seed, batches)`` writes one year (2025-01-01 .. 2025-12-31) of a
company that markets in HubSpot and sells in Salesforce (README, "What handoff is")::

    out/hubspot/<batch>/   contacts.csv (first batch: the UI export
                           hubspot-crm-exports-all-contacts-<batch>.csv), owners.csv,
                           engagements.csv, form_submissions.jsonl, deals.csv,
                           companies.csv, contact_property_history.csv
    out/salesforce/<batch>/ Lead.csv, LeadHistory.csv, User.csv, UserRole.csv,
                           Task.csv.gz, Event.csv, Opportunity.csv, OpportunityHistory.csv,
                           Contact.csv, Account.csv, Campaign.csv, CampaignMember.csv
    out/_sample.json       arguments, period, batch cutoffs, extracted_at (last cutoff)

``<batch>`` is the last day a batch covers (``2025-03-31`` …); with ``batches`` dividing
12 the cutoffs are month ends (quarterly by default). The cutoff instant is the next
midnight UTC: a batch holds what existed strictly before it.

The rules the seeds define are read from them, not restated here
(:mod:`handoff.generate.rules`): the sales teams' timezones and openings, holidays,
Salesforce roles, the owners ``owner_teams.csv`` places (names and addresses), the fit
rules and tiers and the weekly MQL target. ``generate(…, seeds_dir=…)`` takes another
seeds folder; by default it reads the seeds of the project runs use, so a sample and
the pipeline that builds it agree (seeds adapted to another company, which cannot
describe the demo company, give way to the shipped ones: :func:`core.describe`).

The package's modules, by concern: ``core`` (``generate``), ``company`` (teams, roles,
staff, offers), ``period`` (year, cutoffs, day weights), ``population`` and ``leads``
(who the leads are, fit), ``handoffs`` (first touch, disposition, conversion),
``lifecycle`` (status timelines), ``activities``, ``layouts`` (formats, labels),
``hubspot`` and ``salesforce`` (each CRM's files), ``writer``, ``sql``.

Everything is a pure function of ``(leads, seed, batches)`` and the seeds: random
numbers are ``hash(seed, row, salt)`` inside DuckDB, rows are built with SQL over
``range(n)`` and written with ``COPY (… order by …)``, so the same arguments give
byte-identical files (gzip headers carry no mtime) and memory stays bounded (DuckDB
spills to a temp dir).

Batches
    Records (contacts, leads, deals, opportunities, contacts/accounts, tasks that get
    completed) appear in every batch in whose window they were created or modified,
    carrying their state as of that batch's cutoff. Event rows (LeadHistory,
    OpportunityHistory, Task, Event, engagements, form submissions, property history,
    campaign members) appear in the batch covering their timestamp. Users, roles,
    owners and campaigns are full snapshots in every batch. About 0.5 % of
    leads/contacts are deleted in a later batch: re-delivered once with
    ``IsDeleted=true`` / ``archived=true``.

Formats
    Salesforce (Data Loader): PascalCase API names, timestamps
    ``2025-01-06T14:03:00.000+0000``, ``ConvertedDate``/``ActivityDate``/``CloseDate``
    ``YYYY-MM-DD``, booleans ``true``/``false``, 18-character ids with real prefixes
    (00Q lead, 005 user, 00E role, 00G queue, 00T task, 00U event, 006 opportunity,
    008 opportunity history, 017 lead history, 003 contact, 001 account, 701 campaign,
    00v campaign member) and the case-checksum suffix.
    HubSpot API batches: internal names, timestamps ISO ``…T14:03:00.000Z``, except
    ``contacts.lastmodifieddate`` and ``form_submissions.submitted_at`` in epoch
    milliseconds; ``hs_time_to_first_engagement`` in milliseconds.
    HubSpot UI batch (the first): labels as headers *and* as enumeration values (see
    ``HUBSPOT_UI_LABELS``), ``Contact owner`` = owner's full name, naive UTC timestamps
    ``YYYY-MM-DD HH:MM``, ``Lead response time (HH:mm:ss)``, extra label columns not in
    the contract (``Number of times contacted`` …), no archived column.

Status / stage values (for ``seeds/lifecycle_stage_map.csv``)
    salesforce ``Lead.Status`` (and ``LeadHistory`` Field ``Status``):
      ``Open - Not Contacted`` → lead, ``Marketing Qualified`` → mql,
      ``Working - Contacted`` → mql (being worked; the first touch),
      ``Sales Qualified`` → sql, ``Closed - Converted`` → sql (``IsConverted``,
      ``ConvertedDate``, opportunity created), ``Closed - Not Converted`` →
      disqualified, ``Recycled`` → recycled. LeadHistory also carries Field ``created``
      and ``Owner`` (old/new owner ids; the unassigned owner is a queue ``00G…``), each
      owner change written twice as real exports do: a row of ids, then one of names.
    salesforce ``Opportunity.StageName``: ``Qualification`` → ``Proposal/Price Quote``
      → ``Closed Won`` | ``Closed Lost``.
    hubspot ``lifecyclestage``: ``subscriber`` and ``lead`` → lead,
      ``marketingqualifiedlead`` → mql, ``salesqualifiedlead`` → sql, ``opportunity`` →
      opportunity, ``customer`` → customer, ``other`` → disqualified. A recycle sets
      lifecyclestage back to ``lead`` with ``hs_lead_status`` ``BAD_TIMING``; a
      disqualification sets ``other`` + ``UNQUALIFIED``. ``hs_lead_status`` otherwise:
      ``NEW`` (at MQL), ``IN_PROGRESS`` (first touch), ``OPEN_DEAL`` (sql).
      ``contact_property_history`` holds every ``lifecyclestage`` / ``hs_lead_status``
      change (source ``FORM``, ``IMPORT``, ``CRM_UI``, ``AUTOMATION_PLATFORM``,
      ``SALESFORCE``). ``hs_lifecyclestage_<stage>_date`` = first entry,
      ``hs_v2_date_entered_<stage>`` = latest entry.
    hubspot ``deals.dealstage`` (pipeline ``default``): ``appointmentscheduled`` →
      ``presentationscheduled`` → ``closedwon`` | ``closedlost``.
    hubspot engagements ``type``: CALL, EMAIL, MEETING, TASK (``hs_task_status``
      COMPLETED / NOT_STARTED), NOTE (not a touch).
    Salesforce Task: Type ``Call``/``Email``/``Other``, TaskSubtype ``Call``/``Email``/
      ``Task``, Status ``Completed``/``Not Started``; Event: Type ``Meeting``.

Populations and sources
    ~30 % HubSpot-only contacts, ~30 % Salesforce-only leads, ~40 % HubSpot contacts
    synced to Salesforce once they become MQL: the Salesforce lead is created minutes
    after the HubSpot MQL with the same e-mail (a few differ only in letter case) and
    ``salesforceleadid`` is written back; owner, touches and disposition then live in
    Salesforce, lifecycle changes are mirrored to HubSpot two minutes later.
    ~65 % inbound: HubSpot ``ORGANIC_SEARCH``, ``PAID_SEARCH``, ``SOCIAL_MEDIA``,
    ``REFERRALS``, ``DIRECT_TRAFFIC``, ``EMAIL_MARKETING``; Salesforce ``Web``,
    ``Webinar``, ``Partner Referral``, ``Content Download``. ~35 % outbound: HubSpot
    ``OFFLINE`` (drill-down ``IMPORT`` / ``CRM_UI``), Salesforce ``Cold Call``,
    ``Purchased List``, ``Outbound Prospecting``. Synced leads carry the Salesforce
    LeadSource mapped from the HubSpot source (``SF_SOURCE_FOR_HUBSPOT``).

Fit (``seeds/fit_rules.csv`` and ``fit_tiers.csv``; shipped: industry Software / SaaS /
Financial Services; 50–1000 employees; country United States / United Kingdom / Brazil /
Germany; title containing Head, VP, Director or Manager; tier A = 4 criteria, B = 3,
C = 2, D ≤ 1): each criterion holds with p ≈ 0.67 (0.6 outbound); about 55 % of leads
are A/B. HubSpot ``numemployees`` holds HubSpot's
bands (``1-5``, ``5-25``, ``25-50``, ``50-100``, ``100-500``, ``500-1000``, ``1000+``);
Salesforce ``NumberOfEmployees`` the integer. Countries are English names in both CRMs.

Intended rates (the tests check them on the output)
    * ~60 % of leads become MQL once, ~10 % of those again after a recycle; weekly
      handoffs ≈ ``50 * leads / 4000`` (50: ``sla_policy.csv``'s target, which the volume
      was tuned to; it does not follow a changed target) with a summer dip (July–August ×0.7), holiday
      weeks (Christmas/New Year ×0.45; ``holidays.csv`` days ×0.6, ×0.25 when every region
      is off; ``period.DEMAND_DEPARTURES``), ~10 % at weekends
      and about a quarter outside 08:00–22:00 UTC.
    * MQL→SQL: inbound ≈ 35–45 %, outbound ≈ 10–15 %; fit multiplies the odds
      (A ×1.45, B ×1.15, C ×0.75, D ×0.45); first-touch delay too (< 5 min ×1.5,
      < 1 h ×1.25, < 4 h ×1.05, < 1 day ×0.85, later ×0.6, never touched → no SQL);
      offers too (demo request ×1.6 … newsletter ×0.45).
    * Sellers: 3 teams (Sales Brazil America/Sao_Paulo, Sales US East America/New_York,
      Sales UK Europe/London: ``sales_teams.csv``) of SDRs who touch in the eight hours
      from their team's opening, with median first-touch delays from 3 minutes to 3 days, one (Henry Walker) who leaves 75 % of his leads untouched, one AE per
      team owning opportunities, a manager in two teams; 4 marketers, one of whom
      (Marina Costa, Marketing Operations) logs an e-mail on ~8 % of handoffs right
      after the MQL (not a sales touch). ~2 % of leads have no owner (queue).
    * Routing: a quarter of inbound first MQLs wait 15 min – 3 days (exponential, mean
      ~8 h of wall clock) before their seller holds them: Salesforce-only leads with a
      marketer (Lucas Almeida, Sophie Turner) or in the queue, synced leads in the
      queue, HubSpot-only contacts with a marketer (``hubspot_owner_id`` history in
      ``contact_property_history``; ``hubspot_owner_assigneddate`` is the seller's
      assignment). The seller's touch delay counts from the assignment.
    * Touches per touched handoff: inbound ≈ 10, outbound ≈ 28 (the "called 20 times"
      pattern); outbound leads also get 0–5 prospecting touches before the MQL. About
      10 activity rows (Task + Event + engagements) per lead in all.
    * Rejections: disqualified or recycled; untouched MQLs are auto-recycled after
      30–60 days in 40 % of cases; 35 % of recycled leads become MQL again 3–13 weeks
      later (a new handoff).
    * SQL → opportunity 75 %; win rate inbound 34 %, outbound 20 % (× fit); amounts
      log-normal around 8 000 scaled by company size.
"""

from __future__ import annotations

from typing import Any

from handoff.generate.activities import (
    LATER_TOUCH_UTC_HOUR,
    SLOT_FOLLOW_UP,
    SLOT_MARKETING,
    SLOT_NOTE,
    SLOT_PROSPECT,
    SLOT_TOUCHES,
)
from handoff.generate.company import (
    HS_OWNER_BASE,
    NEWSLETTER_OFFER,
    OFFERS,
    OUTBOUND_CAMPAIGNS,
    PLACED,
    STAFF,
    WEBINAR_OFFER,
    Company,
    demo_company,
)
from handoff.generate.core import (
    describe,
    generate,
    main,
)
from handoff.generate.handoffs import TOUCH_WINDOW_MINUTES
from handoff.generate.layouts import (
    EXTRA_COLUMNS,
    HS_STAGE,
    HS_STATUS,
    HS_TS,
    HUBSPOT_UI_LABELS,
    QUEUE_ID_EXPR,
    QUEUE_NAME,
    SF_STATUS,
    SF_TS,
    UI_TS,
)
from handoff.generate.period import (
    DEMAND_DEPARTURES,
    PERIOD_END,
    PERIOD_START,
    holiday_weights,
)
from handoff.generate.population import (
    COMPANY_A,
    COMPANY_B,
    COMPANY_SUFFIX,
    COUNTRY_WEIGHTS,
    EMPLOYEE_BANDS,
    FIRST_NAMES,
    HS_DRILL_DOWN,
    HS_INBOUND,
    INDUSTRY_POOR,
    LAST_NAMES,
    OTHER_COUNTRIES_TEAM,
    SF_INBOUND,
    SF_OUTBOUND,
    SF_SOURCE_FOR_HUBSPOT,
    TEAM_OF_COUNTRY,
    TITLES,
    fit_pools,
)
from handoff.generate.rules import (
    Rules,
    project_seeds,
    read_rules,
)
from handoff.generate.sql import (
    sfid,
)

__all__ = [
    "AES",
    "COMPANY_A",
    "COMPANY_B",
    "COMPANY_SUFFIX",
    "COUNTRY_GOOD",
    "COUNTRY_POOR",
    "COUNTRY_WEIGHTS",
    "Company",
    "DEMAND_DEPARTURES",
    "EMAIL_DOMAIN",
    "EMPLOYEE_BANDS",
    "EXTRA_COLUMNS",
    "FIRST_NAMES",
    "HS_DRILL_DOWN",
    "HS_INBOUND",
    "HS_OWNER_BASE",
    "HS_STAGE",
    "HS_STATUS",
    "HS_TS",
    "HUBSPOT_UI_LABELS",
    "INDUSTRY_GOOD",
    "INDUSTRY_POOR",
    "LAST_NAMES",
    "LATER_TOUCH_UTC_HOUR",
    "MOPS_USER",
    "NEWSLETTER_OFFER",
    "OFFERS",
    "OTHER_COUNTRIES_TEAM",
    "OUTBOUND_CAMPAIGNS",
    "PERIOD_END",
    "PERIOD_START",
    "PLACED",
    "QUEUE_ID_EXPR",
    "QUEUE_NAME",
    "ROLES",
    "Rules",
    "SDRS",
    "SF_INBOUND",
    "SF_OUTBOUND",
    "SF_SOURCE_FOR_HUBSPOT",
    "SF_STATUS",
    "SF_TS",
    "SLOT_FOLLOW_UP",
    "SLOT_MARKETING",
    "SLOT_NOTE",
    "SLOT_PROSPECT",
    "SLOT_TOUCHES",
    "STAFF",
    "TEAMS",
    "TEAM_OF_COUNTRY",
    "TITLES",
    "TITLE_GOOD",
    "TITLE_POOR",
    "TOUCH_WINDOW_MINUTES",
    "UI_TS",
    "USERS",
    "WEBINAR_OFFER",
    "WEEKLY_MQL_TARGET_PER_4000_LEADS",
    "demo_company",
    "describe",
    "fit_pools",
    "generate",
    "holiday_weights",
    "main",
    "project_seeds",
    "read_rules",
    "sfid",
]


def __getattr__(name: str) -> Any:
    """The names that come from the seeds (the demo company, the fit pools, the MQL
    target), read from the project's seeds when first asked for."""
    rules, demo = describe(None, lambda _message: None)
    pools = fit_pools(rules)
    derived = {
        "AES": demo.aes,
        "COUNTRY_GOOD": pools.country_good,
        "COUNTRY_POOR": pools.country_poor,
        "EMAIL_DOMAIN": demo.email_domain,
        "INDUSTRY_GOOD": pools.industry_good,
        "MOPS_USER": demo.mops_user,
        "ROLES": demo.roles,
        "SDRS": demo.sdrs,
        "TEAMS": demo.teams,
        "TITLE_GOOD": pools.title_good,
        "TITLE_POOR": pools.title_poor,
        "USERS": demo.users,
        "WEEKLY_MQL_TARGET_PER_4000_LEADS": rules.weekly_mql_target(PERIOD_START),
    }
    if name in derived:
        return derived[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
