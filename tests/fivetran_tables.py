"""Fivetran-synced CRM schemas for the source-mode tests: the connector fixtures of
``tests/fixtures/corpus/`` loaded into schemas ``hubspot`` and ``salesforce`` under the
connector's table names, with typed columns (DuckDB's CSV sniffer types them, as the
connector would: timestamps, booleans, integers), into a DuckDB file or, through
it, a PostgreSQL database or a Spark home's metastore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from handoff.engines.spark import SPARK_TYPES
from handoff.engines.spark import query as spark_query

CORPUS = Path(__file__).parent / "fixtures" / "corpus"

# (schema, connector table) → fixture file
TABLES = {
    ("hubspot", "contact"): "fivetran_hubspot_seeds/contact_data.csv",
    ("hubspot", "owner"): "fivetran_hubspot_seeds/owner_data.csv",
    ("hubspot", "company"): "fivetran_hubspot_seeds/company_data.csv",
    ("hubspot", "deal"): "fivetran_hubspot_seeds/deal_data.csv",
    ("hubspot", "deal_contact"): "fivetran_hubspot_seeds/deal_contact_data.csv",
    ("hubspot", "engagement"): "fivetran_hubspot_seeds/engagement_data.csv",
    ("hubspot", "engagement_contact"): "fivetran_hubspot_seeds/engagement_contact_data.csv",
    ("hubspot", "engagement_call"): "fivetran_hubspot_seeds/engagement_call_data.csv",
    ("hubspot", "contact_form_submission"): (
        "fivetran_hubspot_seeds/contact_form_submission_data.csv"
    ),
    ("hubspot", "form"): "fivetran_hubspot_seeds/form_data.csv",
    ("hubspot", "contact_property_history"): (
        "fivetran_hubspot_seeds/contact_property_history_data.csv"
    ),
    ("salesforce", "lead"): "fivetran_salesforce_seeds/sf_lead_data.csv",
    ("salesforce", "user"): "fivetran_salesforce_seeds/sf_user_data.csv",
    ("salesforce", "user_role"): "fivetran_salesforce_seeds/sf_user_role_data.csv",
    ("salesforce", "task"): "fivetran_salesforce_seeds/sf_task_data.csv",
    ("salesforce", "event"): "fivetran_salesforce_seeds/sf_event_data.csv",
    ("salesforce", "opportunity"): "fivetran_salesforce_seeds/sf_opportunity_data.csv",
    ("salesforce", "contact"): "fivetran_salesforce_seeds/sf_contact_data.csv",
    ("salesforce", "account"): "fivetran_salesforce_seeds/sf_account_data.csv",
}


def load_duckdb(con: duckdb.DuckDBPyConnection, tables: dict | None = None) -> None:
    """Create schemas hubspot and salesforce in ``con`` and load the fixtures (or
    ``tables``: (schema, table) → file under the corpus) into them."""
    for (schema, table), file in (tables or TABLES).items():
        con.execute(f'create schema if not exists "{schema}"')
        con.execute(
            f'create or replace table "{schema}"."{table}" as '
            f"select * from read_csv(?, header = true, sample_size = -1)",
            [str(CORPUS / file)],
        )


_PG_TYPES = {"VARCHAR": "text", "DOUBLE": "double precision", "BIGINT": "bigint"}


def copy_to_postgres(duck: duckdb.DuckDBPyConnection, pg: Any, schemas=("hubspot", "salesforce")):
    """Copy every table of ``schemas`` of a DuckDB connection into the PostgreSQL
    connection ``pg`` (psycopg2), column types kept."""
    with pg.cursor() as cur:
        for schema in schemas:
            cur.execute(f'create schema if not exists "{schema}"')
            for (table,) in duck.execute(
                "select table_name from duckdb_tables() where schema_name = ?", [schema]
            ).fetchall():
                columns = duck.execute(
                    "select column_name, data_type from duckdb_columns() "
                    "where schema_name = ? and table_name = ? order by column_index",
                    [schema, table],
                ).fetchall()
                ddl = ", ".join(f'"{c}" {_PG_TYPES.get(t, t.lower())}' for c, t in columns)
                cur.execute(f'drop table if exists "{schema}"."{table}"')
                cur.execute(f'create table "{schema}"."{table}" ({ddl})')
                rows = duck.execute(f'select * from "{schema}"."{table}"').fetchall()
                if rows:
                    marks = ", ".join(["%s"] * len(columns))
                    cur.executemany(f'insert into "{schema}"."{table}" values ({marks})', rows)
    pg.commit()


def load_postgres(pg: Any) -> None:
    """The fixtures (:data:`TABLES`) into schemas hubspot and salesforce of ``pg``."""
    with duckdb.connect() as duck:
        load_duckdb(duck)
        copy_to_postgres(duck, pg)


def load_spark(
    home: Path, scratch: Path, schemas=("hubspot", "salesforce"), changes: tuple[str, ...] = ()
) -> None:
    """The fixtures (:data:`TABLES`) as Parquet tables of the Spark databases hubspot
    and salesforce in the metastore of the Spark home ``home``, typed as DuckDB's
    sniffer types them (through Parquet files under ``scratch``), after the DuckDB
    statements ``changes``. Spark's Hive catalog does not replace a Parquet table in
    one statement: each is dropped, then created."""
    queries: dict[str, str] = {}
    with duckdb.connect() as duck:
        load_duckdb(duck)
        for change in changes:
            duck.execute(change)
        for schema in schemas:
            queries[f"db {schema}"] = f"create database if not exists `{schema}`"
            for (table,) in duck.execute(
                "select table_name from duckdb_tables() where schema_name = ?", [schema]
            ).fetchall():
                path = scratch / schema / f"{table}.parquet"
                path.parent.mkdir(parents=True, exist_ok=True)
                duck.execute(f'copy "{schema}"."{table}" to \'{path}\' (format parquet)')
                columns = duck.execute(
                    "select column_name, data_type from duckdb_columns() "
                    "where schema_name = ? and table_name = ? order by column_index",
                    [schema, table],
                ).fetchall()
                select = ", ".join(
                    f"cast(`{c}` as {SPARK_TYPES.get(t, 'string')}) as `{c}`" for c, t in columns
                )
                queries[f"drop {schema}.{table}"] = f"drop table if exists `{schema}`.`{table}`"
                queries[f"create {schema}.{table}"] = (
                    f"create table `{schema}`.`{table}` using parquet as "
                    f"select {select} from parquet.`{path}`"
                )
    spark_query(home, queries)
