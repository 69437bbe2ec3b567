"""Load extract batches into the append-only raw tables (README, "Pointing it at your own HubSpot and Salesforce exports").

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

import bisect
import bz2
import contextlib
import csv
import gzip
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from handoff.contract import LINEAGE_COLUMNS, ObjectSpec, object_for_file, objects, snake_case
from handoff.duck import literal, quote
from handoff.ingest.discover import (
    ACCEPTED,
    Batch,
    ExtractFile,
    NoSpace,
    Notice,
    Unreadable,
    cleanup,
    decompress_bz2,
    discover,
    no_space_message,
)
from handoff.ingest.parse import error_expr, parse_expr, public_reason
from handoff.ingest.tables import NOTICES, ensure_raw_tables

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
    status: str  # loaded | rejected | already_loaded | previously_rejected | no_space
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
    notices: list[Notice] = field(default_factory=list)
    # Set when the disk filled up so that the database cannot be written any more.
    fatal: str | None = None

    @property
    def rejected(self) -> list[BatchResult]:
        """Batches rejected by this run (not those rejected by an earlier one)."""
        return [b for b in self.batches if b.status == "rejected"]

    @property
    def not_loaded(self) -> list[BatchResult]:
        """Batches this run could not load for want of disk space (tried again next run)."""
        return [b for b in self.batches if b.status == "no_space"]

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


def duck_path(path: Path) -> str:
    """A path as a DuckDB string literal that its readers take literally: they treat
    ``*``, ``?`` and ``[`` as a glob, so each is wrapped in brackets (``[*]``)."""
    return literal(re.sub(r"([*?\[])", r"[\1]", str(path)))


def _open_text(path: Path):
    name = path.name.lower()
    opener = gzip.open if name.endswith(".gz") else bz2.open if name.endswith(".bz2") else open
    return opener(path, "rt", encoding="utf-8-sig", errors="replace", newline="")


DELIMITERS = (",", ";", "\t", "|")
_QUOTED = re.compile(r'"(?:[^"]|"")*"')


def _csv_header(path: Path) -> tuple[list[str], str]:
    """The header fields and delimiter of a CSV file, read by Python's csv module
    (DuckDB's sniffer guesses wrongly on files whose rows are ragged). The header
    decides the delimiter: the candidate that occurs most often outside quoted names
    (a ``.tsv`` is tab-separated)."""
    with _open_text(path) as fh:
        first = fh.readline()
    unquoted = _QUOTED.sub("", first)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    delim = max(counts, key=lambda d: counts[d])
    if path.name.lower().endswith(".tsv"):
        delim = "\t"
    elif counts[delim] == 0:
        delim = ","
    fields = next(csv.reader([first], delimiter=delim), [])
    return [f.strip() for f in fields], delim


def delimiter_name(delim: str) -> str:
    return {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(delim, repr(delim))


def _reader(file: ExtractFile, width: int = 0, delim: str = ",", rejects: bool = False) -> str:
    path = duck_path(file.path)
    if file.format == "csv":
        # Positional names: the real headers (which may repeat) are kept in Python.
        columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
        opts = (
            f"header = true, auto_detect = false, columns = {columns}, "
            f"delim = {literal(delim)}, quote = '\"', escape = '\"'"
        )
        if rejects:
            opts += ", store_rejects = true, rejects_table = '_rej_err', rejects_scan = '_rej_scan'"
        return f"read_csv({path}, {opts})"
    if file.format == "parquet":
        return f"read_parquet({path})"
    if file.format == "jsonl":
        return f"read_json({path}, format = 'newline_delimited')"
    if file.format == "json":
        return f"read_json({path}, format = 'auto')"
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
        raise _read_failure(file, exc) from exc
    return [(r[0], r[0], r[1]) for r in rows]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _is_no_space(exc: BaseException) -> bool:
    return getattr(exc, "errno", None) == 28 or "No space left on device" in str(exc)


def _read_failure(file: ExtractFile, exc: BaseException) -> Exception:
    """The one-sentence rejection for a file its reader failed on (or NoSpace)."""
    if _is_no_space(exc):
        return NoSpace(no_space_message(file.path.parent))
    return BatchRejected(file, f"cannot be read as {file.format} ({_first_line(exc)})")


def _text_of(column: str, duck_type: str) -> str:
    """The column as text, whatever type a parquet/json reader gave it."""
    col = quote(column)
    if duck_type == "VARCHAR":
        return col
    if duck_type == "JSON":
        # A JSON reader gives a column whose rows mix numbers and strings the type JSON:
        # its text is the value itself ("1002" → 1002), as for a column of one type.
        return f"({col} ->> '$')"
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
    if FIVETRAN_START in canon and spec.updated and spec.updated not in canon:
        # A Fivetran history-mode table: each row is a version valid from _fivetran_start.
        canon[canon.index(FIVETRAN_START)] = spec.updated
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


# snake_case drops the leading underscore: `_fivetran_start` is `fivetran_start` here.
FIVETRAN_START = "fivetran_start"


def _history_mode_base(file: ExtractFile, headers: list[str]) -> ExtractFile:
    """A Fivetran history-mode table (``sf_opportunity_history_data.csv``: the columns
    of Opportunity plus ``_fivetran_start``/``_end``/``_active``) holds versions of its
    base object, not Salesforce's ``OpportunityHistory``: load it as that object."""
    if not (file.object or "").endswith("_history"):
        return file
    if FIVETRAN_START not in {snake_case(h) for h in headers}:
        return file
    base = (file.object or "")[: -len("_history")]
    return replace(file, object=base) if (file.crm, base) in objects() else file


def _history_mode_of_unknown(con: Any, file: ExtractFile) -> ExtractFile:
    """``sf_contact_history_data.csv`` names no object of the contract, but when it is a
    Fivetran history-mode table (it has ``_fivetran_start``) it holds Contact versions."""
    if "history" not in file.display.rsplit("/", 1)[-1].lower() or file.format == "unreadable":
        return file
    stripped = re.sub(r"_?history", "", file.path.name, flags=re.IGNORECASE)
    base = object_for_file(file.crm, stripped)
    if base is None:
        return file
    try:
        headers = [h for h, _, _ in _describe(con, file)]
    except BatchRejected:
        return file
    return replace(file, object=base) if FIVETRAN_START in map(snake_case, headers) else file


def check_required(spec: ObjectSpec, file: ExtractFile, mapped: list[str]) -> None:
    missing = [c for c in spec.required if c not in mapped]
    if missing:
        col = missing[0]
        spellings = sorted(a for a, c in spec.aliases.items() if c == col)[:3]
        also = f" (or {', '.join(spellings)})" if spellings else ""
        read_as = ""
        if file.format == "csv":
            read_as = f", read as {delimiter_name(_csv_header(file.path)[1])}-separated"
        raise BatchRejected(
            file,
            f"required column '{col}'{also} is missing from the header on line 1 "
            f"(the file has {len(mapped)} columns{read_as})",
        )


def _record_starts(file: ExtractFile, records: int) -> list[int] | None:
    """The physical line (1-based) on which each record of a CSV starts, index 0 being
    the header, when a quoted field spans lines; None when every record is one line
    (checked first by counting newlines, which is cheap)."""
    newlines = 0
    opener = gzip.open if file.path.name.lower().endswith(".gz") else open
    with opener(file.path, "rb") as fh:
        last = b""
        while chunk := fh.read(1 << 22):
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
    lines = newlines + (1 if last not in (b"\n", b"") else 0)
    if lines <= records + 1:
        return None
    starts, in_quotes = [], False
    with _open_text(file.path) as fh:
        for number, text in enumerate(fh, 1):
            if not in_quotes:
                starts.append(number)
            if text.count('"') % 2:
                in_quotes = not in_quotes
    return starts


def _raw_lines(file: ExtractFile, lines: list[int], starts: list[int] | None) -> dict[int, str]:
    """The original text of the records starting on the given lines (1-based), for the
    quarantine; a record that spans lines keeps them all."""
    found: dict[int, str] = {}
    if not lines or file.format not in ("csv", "jsonl"):
        return found
    ends: dict[int, int] = {}
    for line in lines:
        if starts is None:
            ends[line] = line
        else:
            i = bisect.bisect_left(starts, line)
            ends[line] = starts[i + 1] - 1 if i + 1 < len(starts) else 1 << 62
    last_wanted = max(ends.values())
    open_records: dict[int, list[str]] = {}
    with _open_text(file.path) as fh:
        for number, text in enumerate(fh, 1):
            if number in ends:
                open_records[number] = []
            for start in list(open_records):
                open_records[start].append(text)
                if number >= ends[start]:
                    found[start] = "".join(open_records.pop(start)).rstrip("\r\n")
            if number >= last_wanted and not open_records:
                break
    for start, parts in open_records.items():
        found[start] = "".join(parts).rstrip("\r\n")
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
        + " ".join(f"when {e} is not null then {literal(h)}" for h, e in error_parts)
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
    starts = None
    if file.format == "csv":
        # So far a row's line is its record number (header = 1); where a quoted field
        # spans lines, turn it into the physical line the record starts on.
        records = con.execute("select count(*) from _parsed").fetchall()[0][0] + len(structural)
        starts = _record_starts(file, records)
        if starts is not None:
            con.register(
                "_starts", pa.table({"record": range(1, len(starts) + 1), "physical": starts})
            )
            con.execute(
                "update _parsed set _source_line = s.physical from _starts as s "
                "where s.record = _parsed._source_line"
            )
            con.unregister("_starts")
            structural = [
                (starts[line - 1] if 0 < line <= len(starts) else line, *rest)
                for line, *rest in structural
            ]
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
    texts = _raw_lines(file, [b[0] for b in bad] + [r[0] for r in structural], starts)
    quarantine = [(line, col, reason, texts.get(line)) for line, col, reason in bad]
    by_position = {f"c{i}": h for i, h in enumerate(headers)}
    quarantine += [
        (line, by_position.get(col, col), reason, texts.get(line, text))
        for line, col, reason, text in structural
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
        # The value itself may be personal data: logs name the column and the reason
        # only; the raw text stays in raw._quarantine.
        first = (
            f"{file.display} line {line}, column {col}: {public_reason(reason)}; "
            "the row went to raw._quarantine"
        )
    return FileResult(
        display=file.display,
        object=spec.name,
        status="loaded",
        rows_loaded=int(rows_loaded),
        rows_quarantined=len(quarantine),
        first_problem=first,
    )


@dataclass
class Ledger:
    """What ``raw._batches`` says: the content hashes already loaded, and each batch's
    latest attempt (its status and the files it judged)."""

    loaded: set[str] = field(default_factory=set)
    latest: dict[str, tuple[str, frozenset[tuple[str, str]]]] = field(default_factory=dict)

    @classmethod
    def read(cls, con: Any) -> Ledger:
        ledger = cls(
            loaded={
                r[0]
                for r in con.execute(
                    "select distinct sha256 from raw._batches where status = 'loaded'"
                ).fetchall()
            }
        )
        rows = con.execute(
            "select batch_id, status, path, sha256 from raw._batches b "
            "where loaded_at = (select max(loaded_at) from raw._batches l "
            "where l.batch_id = b.batch_id)"
        ).fetchall()
        attempts: dict[str, tuple[str, set[tuple[str, str]]]] = {}
        for batch_id, status, path, sha in rows:
            prev, files = attempts.get(batch_id, ("loaded", set()))
            files.add((path, sha))
            attempts[batch_id] = ("rejected" if "rejected" in (prev, status) else prev, files)
        ledger.latest = {b: (st, frozenset(f)) for b, (st, f) in attempts.items()}
        return ledger


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


def _rollback(con: Any) -> None:
    # A failed commit has already ended the transaction.
    with contextlib.suppress(Exception):
        con.execute("rollback")


def _reject(
    con: Any,
    batch: Batch,
    ledger: Ledger,
    result: BatchResult,
    todo: list[tuple[ExtractFile, str]],
    culprit: str,
    message: str,
    loaded_at: datetime,
) -> None:
    """Record a rejected batch: one ledger row per file it judged, naming the culprit."""
    result.status = "rejected"
    result.error = message
    rows = [
        (
            f.display,
            sha,
            "rejected",
            0,
            0,
            message if f.display == culprit else f"not loaded: {culprit} rejects the whole batch",
        )
        for f, sha in todo
    ]
    con.execute("begin transaction")
    _write_ledger(con, batch, rows, loaded_at)
    con.execute("commit")
    ledger.latest[batch.batch_id] = ("rejected", frozenset((r[0], r[1]) for r in rows))
    for f, _ in todo:
        result.files.append(FileResult(f.display, f.object, "rejected", error=message))


def load_batch(
    con: Any,
    batch: Batch,
    ledger: Ledger,
    source_timezone: str = "UTC",
    work_dir: Path | None = None,
) -> BatchResult:
    """Load one batch atomically. ``ledger`` is read at the start of the ingest and
    updated here. A file whose content is already loaded is skipped; a batch whose
    latest attempt was rejected is judged again whole as soon as its set of files or
    any file's content changes (an unchanged one is skipped)."""
    started = time.monotonic()
    result = BatchResult(batch_id=batch.batch_id, crm=batch.crm, status="loaded")
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    if batch.problem is not None:
        # The delivery itself is unreadable (not a zip, too large when unpacked).
        todo_zip = [
            (
                ExtractFile(batch.crm, None, Path(batch.display), batch.display, "zip"),
                batch.problem_sha or "",
            )
        ]
        if ledger.latest.get(batch.batch_id) == (
            "rejected",
            frozenset((f.display, sha) for f, sha in todo_zip),
        ):
            result.status = "previously_rejected"
        else:
            _reject(con, batch, ledger, result, todo_zip, batch.display, batch.problem, loaded_at)
        result.files = [FileResult(batch.display, None, "rejected", error=batch.problem)]
        result.error = batch.problem
        result.seconds = time.monotonic() - started
        return result
    todo: list[tuple[ExtractFile, str]] = []
    for file in batch.files:
        if file.object is None:
            file = _history_mode_of_unknown(con, file)
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
        sha = file.digest or (file.sha256 if file.path.exists() else "")
        if sha in ledger.loaded:
            result.files.append(FileResult(file.display, file.object, "duplicate"))
            continue
        todo.append((file, sha))
    if not todo:
        result.status = "already_loaded"
        result.seconds = time.monotonic() - started
        return result
    judged = frozenset((f.display, sha) for f, sha in todo)
    if ledger.latest.get(batch.batch_id) == ("rejected", judged):
        result.status = "previously_rejected"
        result.error = "rejected by an earlier run and unchanged since"
        result.seconds = time.monotonic() - started
        return result

    con.execute(f"set TimeZone = {literal(source_timezone)}")
    scratch: list[Path] = []
    try:
        for copy in batch.zips:
            if any(f.zip_root == copy.target for f, _ in todo):
                copy.unpack()
        readable: list[tuple[ExtractFile, str]] = []
        for file, sha in todo:
            if file.problem:
                raise BatchRejected(file, f"{file.problem}; the batch needs it as {ACCEPTED}")
            if file.display.lower().endswith(".bz2"):
                plain = decompress_bz2(file, work_dir or file.path.parent)
                scratch.append(plain)
                file = replace(file, path=plain)
            readable.append((file, sha))
        # Validate every header before loading anything: a batch is all or nothing.
        described = {}
        checked: list[tuple[ExtractFile, str]] = []
        for file, sha in readable:
            described[file.display] = _describe(con, file)
            headers = [h for h, _, _ in described[file.display]]
            file = _history_mode_base(file, headers)
            spec = objects()[(batch.crm, file.object)]  # type: ignore[index]
            mapped = map_headers(spec, headers)
            if spec.required and not any(c in mapped for c in spec.required):
                # Named like the object but none of its columns: another table.
                result.files.append(
                    FileResult(
                        file.display,
                        None,
                        "ignored",
                        error=(
                            f"named like {batch.crm} {spec.name} but carries none of its "
                            f"required columns ({', '.join(spec.required)}): a different "
                            "table, skipped"
                        ),
                    )
                )
                continue
            check_required(spec, file, mapped)
            checked.append((file, sha))
        readable = checked
        con.execute("begin transaction")
        ctx = _Ctx(con, batch.batch_id, loaded_at, source_timezone)
        loaded: list[FileResult] = []
        try:
            for file, _ in readable:
                spec = objects()[(batch.crm, file.object)]  # type: ignore[index]
                try:
                    loaded.append(_load_file(ctx, file, spec, described[file.display]))
                except (BatchRejected, NoSpace):
                    raise
                except Exception as exc:  # noqa: BLE001 — a reader error names its file
                    raise _read_failure(file, exc) from exc
                if os.environ.get("HANDOFF_FAULT_AFTER_FILE") == file.display:
                    # Fault injection for the crash-safety tests: die mid-batch.
                    os._exit(86)
            _write_ledger(
                con,
                batch,
                [
                    (f.display, sha, "loaded", r.rows_loaded, r.rows_quarantined, None)
                    for (f, sha), r in zip(readable, loaded, strict=True)
                ],
                loaded_at,
            )
            con.execute("commit")
        except Exception as exc:
            _rollback(con)
            if _is_no_space(exc) and not isinstance(exc, NoSpace):
                needed = sum(f.path.stat().st_size for f, _ in readable)
                where = work_dir.parent if work_dir else Path.cwd()
                raise NoSpace(no_space_message(where, needed)) from exc
            raise
        result.files.extend(loaded)
        ledger.loaded.update(sha for _, sha in readable)
        ledger.latest[batch.batch_id] = ("loaded", judged)
    except BatchRejected as exc:
        _reject(con, batch, ledger, result, todo, exc.file.display, str(exc), loaded_at)
    except Unreadable as exc:
        _reject(con, batch, ledger, result, todo, batch.display, str(exc), loaded_at)
    except NoSpace as exc:
        # Nothing is wrong with the batch: not recorded, so the next run tries it again.
        result.status = "no_space"
        result.error = str(exc)
    finally:
        with contextlib.suppress(Exception):  # a database a full disk invalidated
            con.execute("set TimeZone = 'UTC'")
        for path in scratch:
            path.unlink(missing_ok=True)
    result.seconds = time.monotonic() - started
    return result


def _usable(con: Any) -> bool:
    try:
        con.execute("select 1").fetchall()
    except Exception:  # noqa: BLE001 — DuckDB's FatalException: the file is invalidated
        return False
    return True


NOTICES_DDL = f"""
create or replace table raw.{NOTICES} (
    path varchar not null,
    kind varchar not null,  -- not_read: nothing reads the path; not_loaded: left for the next run
    reason varchar not null,
    noticed_at timestamp not null
)
"""


def ingest(
    landing: Path,
    con: Any,
    *,
    work_dir: Path,
    source_timezones: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Load every new batch under ``landing`` into the raw schema of DuckDB
    connection ``con``. Never raises for bad input: see the report's ``rejected``;
    what the landing holds but is not read is in the report's ``notices`` (and
    ``raw._landing_notices``, replaced by each ingest)."""
    say = progress or (lambda _msg: None)
    tz = source_timezones or {}
    ensure_raw_tables(con)
    ledger = Ledger.read(con)
    report = IngestReport()
    # Leftovers of a run that died (or ran out of space) while unpacking.
    for partial in work_dir.glob("*.partial") if work_dir.exists() else ():
        shutil.rmtree(partial, ignore_errors=True) if partial.is_dir() else partial.unlink()
    found = discover(landing, work_dir)
    report.notices = found.notices
    batches = found.batches
    say(f"found {len(batches)} batch(es) under {landing}")
    for n, batch in enumerate(batches, 1):
        if batch.no_space or report.fatal:  # no room to unpack it, or to write anything
            result = BatchResult(
                batch.batch_id, batch.crm, "no_space", error=report.fatal or batch.problem
            )
        else:
            result = load_batch(con, batch, ledger, tz.get(batch.crm, "UTC"), work_dir)
        if result.status != "no_space":
            cleanup(batch)
        elif report.fatal is None and not _usable(con):
            # DuckDB gives up on a file it could not checkpoint: nothing more can be
            # written to it in this run, so the rest waits for the next one.
            report.fatal = result.error
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
        elif result.status == "no_space":
            say(
                f"{prefix}: NOT LOADED, {result.error}; it loads on the next run once there is room"
            )
        elif result.status == "previously_rejected":
            say(
                f"{prefix}: rejected by an earlier run and unchanged since, skipped "
                f"({result.error if batch.problem else 'see handoff status'}); "
                "change or remove the bad file and it is judged again"
            )
        else:
            say(f"{prefix}: already loaded, skipped")
        for f in result.files:
            if f.status == "ignored":
                say(f"    {f.display}: {f.error}")
    for notice in report.notices:
        say(f"not read: {notice.sentence()}")
    try:
        con.execute(NOTICES_DDL)
        rows = [(n.path, "not_read", n.reason) for n in report.notices]
        rows += [
            (f.display, "not_read", f.error)
            for b in report.batches
            for f in b.files
            if f.status == "ignored"
        ]
        rows += [(b.batch_id, "not_loaded", b.error) for b in report.not_loaded]
        now = datetime.now(UTC).replace(tzinfo=None)
        for path, kind, reason in rows:
            con.execute(f"insert into raw.{NOTICES} values (?, ?, ?, ?)", [path, kind, reason, now])
    except Exception as exc:  # noqa: BLE001 — a full disk must not hide the report
        if not _is_no_space(exc):
            raise
    return report
