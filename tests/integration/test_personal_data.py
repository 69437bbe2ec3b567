"""The audit's no-personal-data check (handoff.audit.personal_data_findings) on a real
DuckDB file: raw tables as ingest creates them, with a few leads and owners, and a
mart whose text columns hold what marts legitimately hold — or a phone number, a
lead's first and last name, an e-mail address. The whole pipeline on the generated
sample passes it too (test_marts_sample.py), and a mart that fails it is never
published (test_audit_publish.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from handoff.audit import PersonalDataFinding, personal_data_findings
from handoff.ingest.tables import ensure_raw_tables

# What the marts hold: ids of both CRMs, surrogate keys, hashes, activity ids,
# timestamps and dates as text, amounts, ISO weeks, business windows, stages,
# channels, offer names, URLs without their query, an employee's name.
CLEAN = [
    "00Q5f000001AbCdEAF",
    "hs-30123456789",
    "501-30123456789",
    "30123456789-5012345678",
    "3c2fa0e1bd9a4e6f8a7b6c5d4e3f2a1b",
    "123e4567-e89b-12d3-a456-426614174000",
    "2025-12-31 10:00:00",
    "2025-12-31T10:00:00+00:00",
    "31.12.2025",
    "2025-W01",
    "09:00-17:00",
    "1234567.89",
    "5511987654321",
    "Closed - Not Converted",
    "outbound_prospecting",
    "Ebook: The 2025 Sales Playbook",
    "https://www.example.com/thanks",
    "Bruno Costa",  # an owner (employee): published on purpose
    "Silva",  # a last name alone is no one's name
]


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(tmp_path / "build.duckdb"))
    ensure_raw_tables(connection)
    for table, first, last, rows in (
        (
            "hubspot__contacts",
            "firstname",
            "lastname",
            [("Ana Maria", "Silva"), ("Bruno", "Costa")],
        ),
        ("salesforce__lead", "first_name", "last_name", [("Conan", "O'Brien")]),
        ("hubspot__owners", "firstname", "lastname", [("Bruno", "Costa")]),
    ):
        connection.executemany(
            f'insert into raw."{table}" ("{first}", "{last}", _batch_id, _source_file, '
            "_source_line, _loaded_at) values (?, ?, 'b1', 'x.csv', 2, now())",
            [list(row) for row in rows],
        )
    connection.execute("create schema marts")
    yield connection
    connection.close()


def mart(con: duckdb.DuckDBPyConnection, values: list[str]) -> None:
    con.execute("create or replace table marts.dim_things (thing_id integer, label varchar)")
    con.executemany("insert into marts.dim_things values (?, ?)", list(enumerate(values)))


def test_clean_marts_pass(con: duckdb.DuckDBPyConnection) -> None:
    mart(con, CLEAN)
    assert personal_data_findings(con) == []


@pytest.mark.parametrize(
    "value",
    [
        "+55 11 98765-4321",
        "+5511987654321",
        "(11) 98765-4321",
        "call 555-123-4567.",
        "https://ex.com/thanks?phone=%2B55+11+98765-4321",
    ],
)
def test_a_phone_number_fails(con: duckdb.DuckDBPyConnection, value: str) -> None:
    mart(con, [*CLEAN, value])
    assert personal_data_findings(con) == [
        PersonalDataFinding("marts.dim_things", "label", "a phone number", 1)
    ]


@pytest.mark.parametrize(
    "value",
    [
        "Maria Silva",
        "SILVA, Ana",
        "Conan O'Brien",
        "https://ex.com/thanks?name=Maria+Silva",
        "https://ex.com/thanks?name=Conan%20OBrien",
    ],
)
def test_a_leads_first_and_last_name_fails(con: duckdb.DuckDBPyConnection, value: str) -> None:
    mart(con, [*CLEAN, value, value])
    assert personal_data_findings(con) == [
        PersonalDataFinding("marts.dim_things", "label", "a lead's name", 2)
    ]


def test_an_email_address_fails_and_only_the_tables_asked_are_read(
    con: duckdb.DuckDBPyConnection,
) -> None:
    mart(con, [*CLEAN, "https://ex.com/thanks?email=ana.silva%40example.com"])
    found = PersonalDataFinding("marts.dim_things", "label", "an e-mail address", 1)
    assert personal_data_findings(con) == [found]
    assert personal_data_findings(con, {"marts.dim_things"}) == [found]
    assert personal_data_findings(con, {"marts.fct_other"}) == []
