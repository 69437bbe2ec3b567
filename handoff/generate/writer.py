"""Writes each file with one DuckDB ``COPY`` and counts its rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb


class Writer:
    """Runs each ``COPY`` (DuckDB's own gzip writes no mtime, so ``.csv.gz`` output is
    reproducible) and records row counts."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, out: Path, progress: Callable[[str], None] | None
    ):
        self.con = con
        self.out = out
        self.progress = progress
        self.rows: dict[str, int] = {}

    def copy(self, query: str, path: Path, kind: str = "csv") -> int:
        path.parent.mkdir(parents=True, exist_ok=True)
        options = {
            "csv": "format csv, header true",
            "csv.gz": "format csv, header true, compression gzip",
            "jsonl": "format json",
        }[kind]
        target = str(path).replace("'", "''")
        (count,) = self.con.execute(f"copy ({query}) to '{target}' ({options})").fetchone()  # type: ignore[misc]
        rel = path.relative_to(self.out).as_posix()
        self.rows[rel] = int(count)
        if self.progress:
            self.progress(f"{rel}: {count} rows")
        return int(count)
