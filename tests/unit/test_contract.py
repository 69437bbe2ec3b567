"""Header normalisation and file-name → object resolution (docs/definitions.md,
"Extracts and ingest")."""

import pytest

from handoff.contract import object_for_file, objects, snake_case


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("CreatedDate", "created_date"),
        ("ConvertedOpportunityId", "converted_opportunity_id"),
        ("hs_object_id", "hs_object_id"),
        ("Became a Marketing Qualified Lead Date", "became_a_marketing_qualified_lead_date"),
        ("MQL_Date__c", "mql_date_c"),
        ("Country/Region", "country_region"),
        ("\ufeffId", "id"),
        ("  Lead Status ", "lead_status"),
        (
            "Time between contact creation and deal close (HH:mm:ss)",
            "time_between_contact_creation_and_deal_close_hh_mm_ss",
        ),
    ],
)
def test_snake_case(header, expected):
    assert snake_case(header) == expected


@pytest.mark.parametrize(
    ("crm", "header", "column"),
    [
        ("hubspot:contacts", "Record ID", "hs_object_id"),
        (
            "hubspot:contacts",
            "Became a Marketing Qualified Lead Date",
            "hs_lifecyclestage_marketingqualifiedlead_date",
        ),
        ("hubspot:contacts", "property_lifecyclestage", "lifecyclestage"),
        ("hubspot:contacts", "property_hs_analytics_source", "hs_analytics_source"),
        ("hubspot:contacts", "Contact owner", "hubspot_owner_name"),
        ("hubspot:contacts", "Original Source", "hs_analytics_source"),
        ("hubspot:contacts", "_fivetran_deleted", "archived"),
        ("hubspot:contacts", "Number of times contacted", "number_of_times_contacted"),
        ("salesforce:lead", "IsConverted", "is_converted"),
        ("salesforce:lead", "is_converted", "is_converted"),
        ("salesforce:lead", "_fivetran_deleted", "is_deleted"),
        ("salesforce:user", "TimeZoneSidKey", "time_zone_sid_key"),
        ("salesforce:lead_history", "LeadId", "lead_id"),
    ],
)
def test_header_aliases(crm, header, column):
    crm_name, obj = crm.split(":")
    assert objects()[(crm_name, obj)].canonical(header) == column


@pytest.mark.parametrize(
    ("crm", "filename", "obj"),
    [
        ("salesforce", "Lead.csv", "lead"),
        ("salesforce", "lead.csv.gz", "lead"),
        ("salesforce", "LeadHistory.csv", "lead_history"),
        ("salesforce", "lead_history.parquet", "lead_history"),
        ("salesforce", "sf_lead_data.csv", "lead"),
        ("salesforce", "UserRole.csv", "user_role"),
        ("salesforce", "CampaignMember.jsonl", "campaign_member"),
        ("hubspot", "hubspot-crm-exports-all-contacts-2023-02-21.csv", "contacts"),
        ("hubspot", "contact_form_submission_data.csv", "form_submissions"),
        ("hubspot", "engagements.jsonl", "engagements"),
        ("hubspot", "owner_data.csv", "owners"),
        ("hubspot", "notes.txt", None),
        ("salesforce", "contacts.csv", "contact"),
    ],
)
def test_object_for_file(crm, filename, obj):
    assert object_for_file(crm, filename) == obj


def test_every_required_column_is_a_declared_column():
    for spec in objects().values():
        assert set(spec.required) <= set(spec.columns), spec.table
        assert set(spec.key) <= set(spec.columns), spec.table
        for col in (spec.updated, spec.deleted):
            assert col is None or col in spec.columns, (spec.table, col)
