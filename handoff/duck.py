"""Small DuckDB helpers every layer above uses: a read-only open that waits for a
writer, identifier and string quoting, and whether a table exists.

DuckDB admits one writing process or many reading ones per file, so a reader that
opens the build database while a writer (a dbt process still shutting down) holds it
waits for the lock instead of failing (:func:`open_read_only`)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb


def open_read_only(path: Path | str, wait_seconds: float = 60.0) -> Any:
    """Open a DuckDB file read-only, waiting while a writer (a dbt process still
    shutting down after a failed step) holds its lock."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def quote(name: str) -> str:
    """``name`` as a quoted SQL identifier (DuckDB and PostgreSQL alike)."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str | Path) -> str:
    """``text`` (a path, a value) as a SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def table_exists(con: Any, schema: str, table: str) -> bool:
    """Whether ``schema.table`` exists on the DuckDB connection ``con``."""
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )
