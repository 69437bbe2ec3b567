"""Load extract batches into the append-only raw tables (DESIGN §4).

Guarantees, per batch (one folder or zip of one CRM):

- **atomic**: a batch loads inside one transaction, ledger rows included, so a crash
  leaves nothing of it behind and the next run loads it whole;
- **rejected whole** when a file is unreadable or misses a required column: its
  error names file and column, nothing of the batch loads, other batches go on;
- **bad rows quarantined**: a cell that does not parse (a date, a boolean, a
  number) or a missing id sends its row to ``raw._quarantine`` with file, line,
  column and reason; the rest of the file loads;
- **idempotent**: a file whose content (sha256) is already in the ledger is not
  loaded again, whatever its name or batch.

Files are read by DuckDB's own readers as text and typed by :mod:`.parse`.
"""

from __future__ import annotations

import csv
import gzip
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from handoff.contract import LINEAGE_COLUMNS, ObjectSpec, objects, snake_case
from handoff.ingest.discover import Batch, ExtractFile, discover
from handoff.ingest.parse import error_expr, parse_expr
from handoff.ingest.tables import ensure_raw_tables, quote

Progress = Callable[[str], None]


class BatchRejected(Exception):
    """A file of the batch cannot be loaded: the whole batch is rejected."""

    def __init__(self, file: ExtractFile, message: str) -> None:
        super().__init__(f"{file.display}: {message}")
        self.file = file


@dataclass
class FileResult:
    display: str
    object: str | None
    status: str  # loaded | rejected | duplicate | ignored
    rows_loaded: int = 0
    rows_quarantined: int = 0
    error: str | None = None
    first_problem: str | None = None  # one sentence about the first quarantined row


@dataclass
class BatchResult:
    batch_id: str
    crm: str
    status: str  # loaded | rejected | already_loaded | previously_rejected
    files: list[FileResult] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)


@dataclass
class IngestReport:
    batches: list[BatchResult] = field(default_factory=list)

    @property
    def rejected(self) -> list[BatchResult]:
        """Batches rejected by this run (not those rejected by an earlier one)."""
        return [b for b in self.batches if b.status == "rejected"]

    @property
    def loaded(self) -> list[BatchResult]:
        return [b for b in self.batches if b.status == "loaded"]

    @property
    def rows_loaded(self) -> int:
        return sum(b.rows_loaded for b in self.batches)

    @property
    def rows_quarantined(self) -> int:
        return sum(b.rows_quarantined for b in self.batches)

    def rows_by_table(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for batch in self.loaded:
            for f in batch.files:
                if f.status == "loaded" and f.object:
                    table = f"{batch.crm}__{f.object}"
                    out[table] = out.get(table, 0) + f.rows_loaded
        return out


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _csv_header(path: Path) -> tuple[list[str], str]:
    """The header fields and delimiter of a CSV file, read by Python's csv module
    (DuckDB's sniffer guesses wrongly on files whose rows are ragged)."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig", errors="replace", newline="") as fh:
        first = fh.readline()
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    delim = max(counts, key=lambda d: counts[d])
    if counts[delim] == 0:
        delim = ","
    fields = next(csv.reader([first], delimiter=delim), [])
    return [f.strip() for f in fields], delim


def _reader(file: ExtractFile, width: int = 0, delim: str = ",", rejects: bool = False) -> str:
    path = _sql_str(str(file.path))
    if file.format == "csv":
        # Positional names: the real headers (which may repeat) are kept in Python.
        columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
        opts = (
            f"header = true, auto_detect = false, columns = {columns}, "
            f"delim = {_sql_str(delim)}, quote = '\"', escape = '\"'"
        )
        if rejects:
            opts += ", store_rejects = true, rejects_table = '_rej_err', rejects_scan = '_rej_scan'"
        return f"read_csv({path}, {opts})"
    if file.format == "parquet":
        return f"read_parquet({path})"
    if file.format == "jsonl":
        return f"read_json({path}, format = 'newline_delimited')"
    raise ValueError(file.format)


def _describe(con: Any, file: ExtractFile) -> list[tuple[str, str, str]]:
    """(header, column name in the reader, DuckDB type) of every column, in file order."""
    try:
        if file.format == "csv":
            headers, _ = _csv_header(file.path)
            if not any(headers):
                raise ValueError("the file is empty or has no header line")
            return [(h, f"c{i}", "VARCHAR") for i, h in enumerate(headers)]
        rows = con.execute(f"describe select * from {_reader(file)}").fetchall()
    except Exception as exc:  # noqa: BLE001 — any reader error rejects the batch
        first_line = str(exc).strip().splitlines()[0]
        raise BatchRejected(file, f"cannot be read as {file.format} ({first_line})") from exc
    return [(r[0], r[0], r[1]) for r in rows]


def _text_of(column: str, duck_type: str) -> str:
    """The column as text, whatever type a parquet/json reader gave it."""
    col = quote(column)
    if duck_type == "VARCHAR":
        return col
    if duck_type.endswith("[]"):
        return f"array_to_string(list_transform({col}, lambda x: cast(x as varchar)), ';')"
    if duck_type.startswith("TIMESTAMP WITH TIME ZONE"):
        return f"strftime(timezone('UTC', {col}), '%Y-%m-%dT%H:%M:%S.%fZ')"
    return f"cast({col} as varchar)"


def map_headers(spec: ObjectSpec, headers: list[str]) -> list[str]:
    """Canonical raw column name for each header, in order. A header that is
    exactly a canonical name wins over an alias of it; the loser and any other
    clash keep a numbered name, so no column is dropped."""
    canon = [spec.canonical(h) for h in headers]
    exact = {c for h, c in zip(headers, canon, strict=True) if c == snake_case(h)}
    taken: set[str] = set(LINEAGE_COLUMNS)
    out = []
    for header, name in zip(headers, canon, strict=True):
        if name in exact and name != snake_case(header):
            name = snake_case(header) or name  # an alias loses to the exact column
        base, n = (name or "column"), 1
        while name in taken or not name:
            n += 1
            name = f"{base}_{n}"
        taken.add(name)
        out.append(name)
    return out


def check_required(spec: ObjectSpec, file: ExtractFile, mapped: list[str]) -> None:
    missing = [c for c in spec.required if c not in mapped]
    if missing:
        col = missing[0]
        spellings = sorted(a for a, c in spec.aliases.items() if c == col)[:3]
        also = f" (or {', '.join(spellings)})" if spellings else ""
        raise BatchRejected(
            file,
            f"required column '{col}'{also} is missing from the header on line 1 "
            f"(the file has {len(mapped)} columns)",
        )


def _raw_lines(file: ExtractFile, lines: list[int]) -> dict[int, str]:
    """The original text of the given lines (1-based), for the quarantine."""
    wanted = set(lines)
    found: dict[int, str] = {}
    if not wanted:
        return found
    if file.format in ("csv", "jsonl"):
        opener = gzip.open if file.path.name.lower().endswith(".gz") else open
        with opener(file.path, "rt", encoding="utf-8", errors="replace", newline="") as fh:
            for number, text in enumerate(fh, 1):
                if number in wanted:
                    found[number] = text.rstrip("\r\n")
                    if len(found) == len(wanted):
                        break
    return found


@dataclass
class _Ctx:
    con: Any
    batch_id: str
    loaded_at: datetime
    source_timezone: str


def _load_file(ctx: _Ctx, file: ExtractFile, spec: ObjectSpec, described: list) -> FileResult:
    con = ctx.con
    headers = [h for h, _, _ in described]
    mapped = map_headers(spec, headers)
    first_line = 2 if file.format == "csv" else 1  # line 1 of a CSV is its header
    inner = ", ".join(
        f"{_text_of(col, t)} as {quote(f'__raw_{i}')}" for i, (_, col, t) in enumerate(described)
    )
    parsed_cols, error_parts = [], []
    for i, name in enumerate(mapped):
        ctype = spec.columns.get(name, "text")
        raw = quote(f"__raw_{i}")
        parsed_cols.append(f"{parse_expr(raw, ctype)} as {quote(name)}")
        err = error_expr(raw, quote(name), ctype)
        if err:
            error_parts.append((headers[i], err))
    reason = "coalesce(" + ", ".join(e for _, e in error_parts) + ")" if error_parts else "null"
    column = (
        "case "
        + " ".join(f"when {e} is not null then {_sql_str(h)}" for h, e in error_parts)
        + " end"
        if error_parts
        else "null"
    )
    line_expr = f"row_number() over () + {first_line - 1}"
    delim = _csv_header(file.path)[1] if file.format == "csv" else ","
    reader = _reader(file, len(described), delim, rejects=file.format == "csv")
    con.execute("drop table if exists _parsed")
    con.execute(
        f"""
        create temp table _parsed as
        select
            * exclude ({", ".join(quote(f"__raw_{i}") for i in range(len(mapped)))}),
            cast({column} as varchar) as _error_column,
            cast({reason} as varchar) as _error_reason
        from (
            select {", ".join(parsed_cols)}, {", ".join(quote(f"__raw_{i}") for i in range(len(mapped)))},
                _source_line
            from (select {inner}, {line_expr} as _source_line from {reader})
        )
        """
    )
    structural: list[tuple] = []
    if file.format == "csv":
        structural = con.execute(
            # DuckDB reports a short row once per missing column: keep the first.
            "select line, min_by(column_name, column_idx), "
            "min_by(lower(error_type) || ': ' || error_message, column_idx), any_value(csv_line) "
            "from _rej_err group by line order by line"
        ).fetchall()
        con.execute("drop table if exists _rej_err")
        con.execute("drop table if exists _rej_scan")
        if structural:
            # Rows DuckDB rejected are missing from row_number(): shift the lines
            # of the rows after each of them.
            rejected_lines = sorted(r[0] for r in structural)
            adj = ", ".join(f"({line - j})" for j, line in enumerate(rejected_lines))
            con.execute(
                f"update _parsed set _source_line = _source_line + "
                f"(select count(*) from (values {adj}) as r(a) where r.a <= _parsed._source_line)"
            )
    table = f"raw.{quote(spec.table)}"
    existing = {r[0] for r in con.execute(f"describe {table}").fetchall()}
    for name in mapped:
        if name not in existing:
            con.execute(f"alter table {table} add column {quote(name)} varchar")
    rows_loaded = con.execute(
        f"""
        insert into {table} by name
        select * exclude (_error_column, _error_reason),
            $batch as _batch_id, $file as _source_file, $at as _loaded_at
        from _parsed where _error_reason is null
        """,
        {"batch": ctx.batch_id, "file": file.display, "at": ctx.loaded_at},
    ).fetchone()[0]
    bad = con.execute(
        "select _source_line, _error_column, _error_reason from _parsed "
        "where _error_reason is not null order by _source_line"
    ).fetchall()
    texts = _raw_lines(file, [b[0] for b in bad])
    quarantine = [(line, col, reason, texts.get(line)) for line, col, reason in bad]
    by_position = {f"c{i}": h for i, h in enumerate(headers)}
    quarantine += [
        (line, by_position.get(col, col), reason, text) for line, col, reason, text in structural
    ]
    quarantine.sort(key=lambda q: q[0] or 0)
    if quarantine:
        qt = pa.table(
            {
                "batch_id": [ctx.batch_id] * len(quarantine),
                "source_file": [file.display] * len(quarantine),
                "line_number": [q[0] for q in quarantine],
                "column_name": [q[1] for q in quarantine],
                "reason": [q[2] for q in quarantine],
                "raw_line": [q[3] for q in quarantine],
                "loaded_at": pa.array([ctx.loaded_at] * len(quarantine), pa.timestamp("us")),
            }
        )
        con.register("_quarantine_rows", qt)
        con.execute("insert into raw._quarantine by name select * from _quarantine_rows")
        con.unregister("_quarantine_rows")
    con.execute("drop table if exists _parsed")
    first = None
    if quarantine:
        line, col, reason, _ = quarantine[0]
        first = (
            f"{file.display} line {line}, column {col}: {reason}; the row went to raw._quarantine"
        )
    return FileResult(
        display=file.display,
        object=spec.name,
        status="loaded",
        rows_loaded=int(rows_loaded),
        rows_quarantined=len(quarantine),
        first_problem=first,
    )


def _ledger(con: Any) -> dict[str, str]:
    """sha256 → status of every file the ledger has seen."""
    rows = con.execute(
        "select sha256, max(case when status = 'loaded' then 'loaded' else status end) "
        "from raw._batches group by sha256"
    ).fetchall()
    return dict(rows)


def _write_ledger(con: Any, batch: Batch, rows: list[tuple], loaded_at: datetime) -> None:
    for display, sha, status, loaded, quarantined, error in rows:
        con.execute(
            "insert into raw._batches values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                batch.batch_id,
                batch.crm,
                display,
                sha,
                status,
                loaded,
                quarantined,
                error,
                loaded_at,
            ],
        )


def load_batch(
    con: Any, batch: Batch, seen: dict[str, str], source_timezone: str = "UTC"
) -> BatchResult:
    """Load one batch atomically; ``seen`` is the ledger (sha256 → status), updated."""
    started = time.monotonic()
    result = BatchResult(batch_id=batch.batch_id, crm=batch.crm, status="loaded")
    todo: list[tuple[ExtractFile, str]] = []
    for file in batch.files:
        if file.object is None:
            result.files.append(
                FileResult(
                    file.display,
                    None,
                    "ignored",
                    error="its name matches no object of the contract; file ignored",
                )
            )
            continue
        sha = file.sha256
        if sha in seen:
            result.files.append(FileResult(file.display, file.object, "duplicate"))
            continue
        todo.append((file, sha))
    if not todo:
        previously = any(
            seen.get(f.sha256) == "rejected" for f in batch.files if f.object is not None
        )
        result.status = "previously_rejected" if previously else "already_loaded"
        result.seconds = time.monotonic() - started
        return result

    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    con.execute(f"set TimeZone = {_sql_str(source_timezone)}")
    try:
        # Validate every header before loading anything: a batch is all or nothing.
        described = {}
        for file, _ in todo:
            spec = objects()[(batch.crm, file.object)]  # type: ignore[index]
            described[file.display] = _describe(con, file)
            check_required(
                spec, file, map_headers(spec, [h for h, _, _ in described[file.display]])
            )
        con.execute("begin transaction")
        ctx = _Ctx(con, batch.batch_id, loaded_at, source_timezone)
        loaded: list[FileResult] = []
        try:
            for file, _ in todo:
                spec = objects()[(batch.crm, file.object)]  # type: ignore[index]
                loaded.append(_load_file(ctx, file, spec, described[file.display]))
                if os.environ.get("HANDOFF_FAULT_AFTER_FILE") == file.display:
                    # Fault injection for the crash-safety tests: die mid-batch.
                    os._exit(86)
            _write_ledger(
                con,
                batch,
                [
                    (f.display, sha, "loaded", r.rows_loaded, r.rows_quarantined, None)
                    for (f, sha), r in zip(todo, loaded, strict=True)
                ],
                loaded_at,
            )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        result.files.extend(loaded)
        for _, sha in todo:
            seen[sha] = "loaded"
    except BatchRejected as exc:
        result.status = "rejected"
        result.error = str(exc)
        con.execute("begin transaction")
        _write_ledger(
            con,
            batch,
            [
                (
                    f.display,
                    sha,
                    "rejected",
                    0,
                    0,
                    str(exc)
                    if f is exc.file
                    else f"not loaded: {exc.file.display} rejects the whole batch",
                )
                for f, sha in todo
            ],
            loaded_at,
        )
        con.execute("commit")
        for f, sha in todo:
            seen[sha] = "rejected"
            result.files.append(FileResult(f.display, f.object, "rejected", error=result.error))
    finally:
        con.execute("set TimeZone = 'UTC'")
    result.seconds = time.monotonic() - started
    return result


def ingest(
    landing: Path,
    con: Any,
    *,
    work_dir: Path,
    source_timezones: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Load every new batch under ``landing`` into the raw schema of DuckDB
    connection ``con``. Never raises for bad input: see the report's ``rejected``."""
    say = progress or (lambda _msg: None)
    tz = source_timezones or {}
    ensure_raw_tables(con)
    seen = _ledger(con)
    report = IngestReport()
    batches = discover(landing, work_dir)
    say(f"found {len(batches)} batch(es) under {landing}")
    for n, batch in enumerate(batches, 1):
        result = load_batch(con, batch, seen, tz.get(batch.crm, "UTC"))
        report.batches.append(result)
        prefix = f"[{n}/{len(batches)}] {batch.batch_id}"
        if result.status == "loaded":
            say(
                f"{prefix}: loaded {result.rows_loaded:,} rows from "
                f"{sum(f.status == 'loaded' for f in result.files)} file(s), "
                f"{result.rows_quarantined:,} quarantined ({result.seconds:.1f} s)"
            )
            for f in result.files:
                if f.first_problem:
                    say(f"    {f.first_problem}")
        elif result.status == "rejected":
            say(f"{prefix}: REJECTED, nothing loaded: {result.error}")
        elif result.status == "previously_rejected":
            say(f"{prefix}: rejected by an earlier run (see raw._batches); unchanged, skipped")
        else:
            say(f"{prefix}: already loaded, skipped")
        for f in result.files:
            if f.status == "ignored":
                say(f"    {f.display}: {f.error}")
    return report
