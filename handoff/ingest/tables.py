"""DDL for the raw layer: one append-only table per contract object, plus the ledger
and the quarantine. Every canonical column exists from the first run (typed), so
staging compiles whatever optional columns a CRM's extracts happen to carry."""

from __future__ import annotations

from typing import Any

from handoff.contract import LINEAGE_COLUMNS, ObjectSpec, objects
from handoff.duck import quote

SQL_TYPES = {
    "id": "VARCHAR",
    "text": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "boolean": "BOOLEAN",
    "integer": "BIGINT",
    "number": "DOUBLE",
}
LINEAGE_TYPES = {
    "_batch_id": "VARCHAR",
    "_source_file": "VARCHAR",
    "_source_line": "BIGINT",
    "_loaded_at": "TIMESTAMP",
}
assert tuple(LINEAGE_TYPES) == LINEAGE_COLUMNS

LEDGER_DDL = """
create table if not exists raw._batches (
    batch_id varchar not null,
    crm varchar not null,
    path varchar not null,
    sha256 varchar not null,
    status varchar not null,
    rows_loaded bigint not null,
    rows_quarantined bigint not null,
    error varchar,
    loaded_at timestamp not null
)
"""
QUARANTINE_DDL = """
create table if not exists raw._quarantine (
    batch_id varchar not null,
    source_file varchar not null,
    line_number bigint,
    column_name varchar,
    reason varchar not null,
    raw_line varchar,
    loaded_at timestamp
)
"""
# Files created before the quarantine recorded its load (one load = batch_id + loaded_at,
# as in raw._batches and the raw tables' _loaded_at).
QUARANTINE_MIGRATION = "alter table raw._quarantine add column if not exists loaded_at timestamp"


# The ingest's own list of what it did not read or load, rewritten by each ingest.
NOTICES = "_landing_notices"


def raw_table_ddl(spec: ObjectSpec) -> str:
    cols = [f"{quote(c)} {SQL_TYPES[t]}" for c, t in spec.columns.items()]
    cols += [f"{quote(c)} {t}" for c, t in LINEAGE_TYPES.items()]
    return (
        f"create table if not exists raw.{quote(spec.table)} (\n    " + ",\n    ".join(cols) + "\n)"
    )


def ensure_raw_tables(con: Any) -> None:
    """Create schema ``raw``, the ledger, the quarantine and every raw object table
    (empty) if missing. ``con`` is a DuckDB connection."""
    con.execute("create schema if not exists raw")
    con.execute(LEDGER_DDL)
    con.execute(QUARANTINE_DDL)
    con.execute(QUARANTINE_MIGRATION)
    for spec in objects().values():
        con.execute(raw_table_ddl(spec))
