"""The funnel's intermediate models on a generated sample (docs/definitions.md,
"Funnel"): `handoff generate` writes a small two-CRM sample, `handoff run` ingests it
and builds the project, and the build database is checked for the funnel's invariants —
one row per handoff, handoffs numbered 1..n per lead, synced people counted once,
inbound converting better than outbound, re-MQL handoffs, first touches only by sellers
and never before the handoff.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
HANDOFF = Path(sys.executable).parent / "handoff"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def build_db(built_sample) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(built_sample.home / "build.duckdb"), read_only=True)
    yield con
    con.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_each_handoff_is_one_row(build_db: duckdb.DuckDBPyConnection) -> None:
    total, distinct = build_db.execute(
        "select count(*), count(distinct handoff_id) from intermediate.int_handoffs"
    ).fetchone() or (0, 0)
    assert total > 50
    assert total == distinct


def test_handoffs_are_numbered_consecutively_per_lead(build_db: duckdb.DuckDBPyConnection) -> None:
    gaps = scalar(
        build_db,
        """
        select count(*)
        from (
            select lead_id, count(*) as handoffs, min(handoff_number) as first_number,
                max(handoff_number) as last_number, count(distinct handoff_number) as numbers
            from intermediate.int_handoffs
            group by lead_id
        ) as per_lead
        where first_number != 1 or last_number != handoffs or numbers != handoffs
        """,
    )
    assert gaps == 0
    out_of_order = scalar(
        build_db,
        """
        select count(*)
        from intermediate.int_handoffs as earlier
        inner join intermediate.int_handoffs as later
            on earlier.lead_id = later.lead_id
            and later.handoff_number = earlier.handoff_number + 1
        where later.handoff_at < earlier.handoff_at
            or earlier.next_handoff_at != later.handoff_at
        """,
    )
    assert out_of_order == 0


def test_synced_people_are_counted_once(build_db: duckdb.DuckDBPyConnection) -> None:
    synced = scalar(
        build_db,
        "select count(*) from intermediate.int_leads_unioned where crm = 'hubspot+salesforce'",
    )
    assert synced > 0
    # no HubSpot contact carrying a Salesforce lead id stays a lead of its own
    separate = scalar(
        build_db,
        """
        select count(*)
        from staging.stg_hubspot__contacts as contacts
        inner join intermediate.int_leads_unioned as leads
            on contacts.contact_id = leads.hubspot_contact_id
        where contacts.salesforce_lead_id is not null
            and (leads.crm != 'hubspot+salesforce' or leads.salesforce_lead_id != contacts.salesforce_lead_id)
        """,
    )
    assert separate == 0
    # and every Salesforce lead appears once
    assert (
        scalar(
            build_db,
            """
        select count(*) - count(distinct salesforce_lead_id)
        from intermediate.int_leads_unioned where salesforce_lead_id is not null
        """,
        )
        == 0
    )
    # one MQL per handoff: the sync's mirror copy does not make a second one
    assert (
        scalar(
            build_db,
            """
        select count(*)
        from intermediate.int_handoffs as handoffs
        inner join intermediate.int_handoffs as other
            on handoffs.lead_id = other.lead_id
            and other.handoff_number = handoffs.handoff_number + 1
        where handoffs.crm = 'hubspot+salesforce'
            and other.handoff_at < handoffs.handoff_at + interval 1 hour
        """,
        )
        == 0
    )


def test_inbound_converts_better_than_outbound(build_db: duckdb.DuckDBPyConnection) -> None:
    rates = dict(
        build_db.execute(
            """
            select is_inbound, avg(case when sql_at is not null then 1.0 else 0.0 end)
            from intermediate.int_handoffs
            group by is_inbound
            """
        ).fetchall()
    )
    assert rates[True] > rates[False]


def test_some_handoffs_are_re_mqls_after_a_recycle(build_db: duckdb.DuckDBPyConnection) -> None:
    assert (
        scalar(build_db, "select count(*) from intermediate.int_handoffs where handoff_number > 1")
        > 0
    )
    # the handoff before each re-MQL was recycled in between
    not_recycled = scalar(
        build_db,
        """
        select count(*)
        from intermediate.int_handoffs as later
        where later.handoff_number > 1
            and not exists (
                select 1
                from intermediate.int_lead_stage_events as events
                inner join intermediate.int_handoffs as earlier
                    on earlier.lead_id = later.lead_id
                    and earlier.handoff_number = later.handoff_number - 1
                where events.lead_id = later.lead_id
                    and events.stage = 'recycled'
                    and events.entered_at between earlier.handoff_at and later.handoff_at
            )
        """,
    )
    assert not_recycled == 0


def test_first_touches_are_by_sellers_after_the_handoff(
    build_db: duckdb.DuckDBPyConnection,
) -> None:
    assert scalar(build_db, "select count(first_touch_at) from intermediate.int_handoffs") > 0
    by_non_sellers = scalar(
        build_db,
        """
        select count(*)
        from intermediate.int_handoffs as handoffs
        inner join intermediate.int_sales_activities as activities
            on handoffs.first_touch_activity_id = activities.activity_id
        left join intermediate.int_owners as owners
            on activities.owner_id = owners.owner_id
        where not coalesce(owners.is_sales_side, false)
        """,
    )
    assert by_non_sellers == 0
    before_handoff = scalar(
        build_db,
        """
        select count(*)
        from intermediate.int_handoffs
        where first_touch_at < handoff_at
            or first_touch_at >= next_handoff_at
            or (first_touch_at is null) != (first_touch_activity_id is null)
        """,
    )
    assert before_handoff == 0


def test_dispositions_follow_their_handoff(build_db: duckdb.DuckDBPyConnection) -> None:
    bad = scalar(
        build_db,
        """
        select count(*)
        from intermediate.int_handoffs
        where disposition_at < handoff_at
            or disposition_at > next_handoff_at
            or (disposition is null) != (disposition_at is null)
            or (disposition = 'sql' and sql_at != disposition_at)
        """,
    )
    assert bad == 0
