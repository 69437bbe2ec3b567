"""Source mode's contract and settings (README, "Already syncing with Fivetran?"): the
dbt macro generated from the contract files is current, every object names the
connector's table, and ``HANDOFF_SOURCE`` reaches dbt as vars."""

import pytest

from handoff.contract import objects
from handoff.contract.dbt_macro import MACRO_PATH, render
from handoff.settings import Settings


def test_the_committed_contract_macro_is_what_the_contract_files_generate():
    # after an edit of objects.yml or header_aliases.csv: python -m handoff.contract.dbt_macro
    assert MACRO_PATH.read_text() == render()


def test_every_object_names_the_table_fivetran_syncs_it_to():
    tables = {(crm, name): spec.connector_table for (crm, name), spec in objects().items()}
    assert tables[("hubspot", "contacts")] == "contact"
    assert tables[("hubspot", "owners")] == "owner"
    assert tables[("hubspot", "engagements")] == "engagement"
    assert tables[("hubspot", "form_submissions")] == "contact_form_submission"
    assert tables[("hubspot", "deals")] == "deal"
    assert tables[("hubspot", "companies")] == "company"
    assert tables[("salesforce", "lead")] == "lead"
    assert tables[("salesforce", "user_role")] == "user_role"
    assert tables[("salesforce", "campaign_member")] == "campaign_member"


def test_handoff_source_reaches_dbt_as_vars(monkeypatch, tmp_path):
    monkeypatch.delenv("HANDOFF_SOURCE", raising=False)
    assert Settings.from_env(home=tmp_path).dbt_vars["handoff_source"] == "files"
    assert "hubspot_schema" not in Settings.from_env(home=tmp_path).dbt_vars
    monkeypatch.setenv("HANDOFF_SOURCE", "Fivetran")
    monkeypatch.setenv("HANDOFF_SALESFORCE_SCHEMA", "salesforce_prod")
    settings = Settings.from_env(home=tmp_path)
    assert settings.source == "fivetran"
    assert settings.dbt_vars["handoff_source"] == "fivetran"
    assert settings.dbt_vars["hubspot_schema"] == "hubspot"
    assert settings.dbt_vars["salesforce_schema"] == "salesforce_prod"
    # an option wins over the variable
    assert Settings.from_env(home=tmp_path, source="files").source == "files"


def test_an_unknown_source_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("HANDOFF_SOURCE", "airbyte")
    with pytest.raises(
        ValueError, match="HANDOFF_SOURCE='airbyte': it must be one of files, fivetran"
    ):
        Settings.from_env(home=tmp_path)
