"""The Great Expectations gate on the marts (README, "Publishing, audit and
schedules"), run after ``dbt build`` and before publish.

Each data rule lives in one place. The row-level rules (keys, accepted values,
proportions in [0, 1], nothing after the as-of, deadlines after the clock start,
every handoff counted once in every weekly mart) are dbt tests: they block inside
``dbt build``, and ``handoff publish`` runs them again before auditing (see
:func:`handoff.dbt.test_marts`). The raw contract is the ingest's
(``handoff/contract/objects.yml``). This gate checks what neither does, on what is
about to be published:

- the contract: each mart has exactly the columns of its dbt contract;
- row counts against raw (no more leads or owners than raw records, at most two
  open breaches per handoff) and against the last publish (a drop or a spike beyond
  ``HANDOFF_MAX_ROW_CHANGE`` fails the gate, with both figures);
- drift: the mean of each rate or share against the last publish (beyond
  ``HANDOFF_MAX_RATE_DRIFT``, a warning that never blocks);
- no personal data in any mart (:func:`personal_data_findings`): no text value holds
  an e-mail address, a phone number or a lead's first and last name. Plain SQL
  rather than a GX expectation, whose failure examples would copy the very values
  into the report, the run's log and the Data Docs: the report names the column and
  counts the rows, nothing more;
- the fingerprint (row count and an order-free hash) that publish compares, so a
  mart rebuilt after its audit is never published.

On DuckDB each mart is measured by one aggregate query and GX validates that one-row
result (GX 1.x cannot reach DuckDB through SQLAlchemy): no mart is read into pandas.
GX is imported lazily: it costs seconds, and nothing else in the pipeline needs it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import math
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote as url_quote

import duckdb

from handoff.contract import objects, snake_case
from handoff.dbt import MART_SCHEMA, load_manifest, mart_models
from handoff.duck import open_read_only
from handoff.engines.postgres import connect, params
from handoff.settings import Settings

EXAMPLES = 5


@dataclass(frozen=True)
class Expectation:
    """One rule of a suite, engine-neutral: ``kind`` is ``columns`` (the column set),
    ``rows`` (the row count within bounds) or ``mean`` (a column's mean within bounds);
    :func:`_gx_expectation` renders it as the GX expectation for the engine's batch.
    ``why`` is what the report says about it; a ``warn`` rule never blocks."""

    kind: str
    kwargs: dict[str, Any]
    why: str
    warn: bool = False


@dataclass
class Suite:
    table: str  # schema.table
    expectations: list[Expectation] = field(default_factory=list)
    means: list[str] = field(default_factory=list)  # proportion columns profiled

    @property
    def name(self) -> str:
        return self.table.replace(".", "__")

    def add(self, kind: str, why: str, warn: bool = False, **kwargs: Any) -> None:
        if all((e.kind, e.kwargs) != (kind, kwargs) for e in self.expectations):
            self.expectations.append(Expectation(kind, kwargs, why, warn))


@dataclass
class Failure:
    table: str
    expectation: str
    why: str
    unexpected_count: int | None
    element_count: int | None
    examples: list[Any]
    observed: Any = None

    def render(self) -> str:
        if self.unexpected_count is not None:
            share = f" of {self.element_count:,}" if self.element_count is not None else ""
            what = f"{self.unexpected_count:,}{share} row(s) fail"
        elif self.observed is not None:
            what = f"observed {_short(self.observed)}"
        else:
            what = "failed"
        line = f"  {self.table}: {self.why} [{self.expectation}]: {what}"
        if self.examples:
            line += "; e.g. " + ", ".join(_short(v) for v in self.examples[:EXAMPLES])
        return line


@dataclass
class TableResult:
    table: str
    rows: int
    evaluated: int
    failures: list[Failure] = field(default_factory=list)
    warnings: list[Failure] = field(default_factory=list)
    profile: dict[str, Any] | None = None  # Profile.as_json(): what publish keeps as baseline

    @property
    def passed(self) -> bool:
        return not self.failures

    def metadata(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "expectations_evaluated": self.evaluated,
            "expectations_failed": len(self.failures),
            "warnings": len(self.warnings),
        }


@dataclass
class AuditReport:
    results: list[TableResult]
    fingerprints: dict[str, list[Any]]
    docs_index: Path | None = None

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def failures(self) -> list[Failure]:
        return [f for r in self.results for f in r.failures]

    @property
    def warnings(self) -> list[Failure]:
        return [f for r in self.results for f in r.warnings]

    @property
    def profiles(self) -> dict[str, Any]:
        return {r.table.split(".")[1]: r.profile for r in self.results if r.profile is not None}

    def render(self) -> str:
        evaluated = sum(r.evaluated for r in self.results)
        warned = [f"audit warning:{w.render()[1:]}" for w in self.warnings]
        if self.passed:
            passed = (
                f"audit passed: {evaluated} expectations and a personal-data scan on "
                f"{len(self.results)} marts"
            )
            return "\n".join([passed, *warned])
        failed_tables = sorted({f.table for f in self.failures})
        lines = [
            f"audit failed: {len(self.failures)} check(s) failed on {', '.join(failed_tables)}"
        ]
        lines += [f.render() for f in self.failures]
        lines += warned
        if self.docs_index:
            lines.append(f"Data Docs: {self.docs_index}")
        return "\n".join(lines)


class AuditFailed(RuntimeError):
    def __init__(self, report: AuditReport) -> None:
        super().__init__(report.render())
        self.report = report


def _short(value: Any, width: int = 60) -> str:
    if isinstance(value, float) and math.isnan(value) or value is None:
        text = "null"
    elif isinstance(value, tuple | list) and not isinstance(value, str):
        text = "(" + ", ".join(_short(v, 30) for v in value) + ")"
    else:
        text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


# --- suites ---------------------------------------------------------------------------

# How far a mart's row count may move from the last publish before the gate fails:
# 0.5 admits half to twice the rows. 1 or more turns the check off.
ROW_CHANGE_ENV = "HANDOFF_MAX_ROW_CHANGE"
DEFAULT_ROW_CHANGE = 0.5
# How far (absolute, in points of a proportion) the mean of a rate or share column may
# drift from the last publish before the gate warns (never blocks).
RATE_DRIFT_ENV = "HANDOFF_MAX_RATE_DRIFT"
DEFAULT_RATE_DRIFT = 0.10
# Below this many rows at the last publish a mart's count is too small to judge by ratio.
MIN_BASELINE_ROWS = 50


def rate_columns(model: dict[str, Any]) -> list[str]:
    """The proportions of a mart (``*_rate``, ``*_share``): whose means the gate
    compares with the last publish."""
    return [c for c in model.get("columns", {}) if c.endswith(("_rate", "_share"))]


def _env_fraction(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValueError(f"{name}={raw!r} is not a number") from exc
    if value < 0:
        raise ValueError(f"{name}={raw!r} is negative")
    return value


@dataclass(frozen=True)
class Profile:
    """What the gate measures of a mart, in one aggregate query on its engine:
    the row count and the mean of each proportion column."""

    rows: int
    means: dict[str, float | None]

    def as_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "means": self.means}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Profile:
        return cls(int(data["rows"]), dict(data.get("means") or {}))


def _bounds_why(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"between {low:,.0f} and {high:,.0f}"
    return f"at most {high:,.0f}" if high is not None else f"at least {low:,.0f}"


def build_suites(
    manifest: dict[str, Any],
    profiles: dict[str, Profile | None],
    baseline: dict[str, Profile],
    raw_bounds: dict[str, int],
) -> list[Suite]:
    """One suite per mart of the manifest, holding only what dbt's tests do not check:

    - the contract of what is about to be published: exactly the mart's dbt contract
      columns;
    - row counts against raw (no more entities than raw records) and against the last
      publish (within ``HANDOFF_MAX_ROW_CHANGE``);
    - drift of each proportion's mean against the last publish (a warning beyond
      ``HANDOFF_MAX_RATE_DRIFT``).

    ``profiles`` are this build's (None: the table is missing), ``baseline`` the last
    publish's, ``raw_bounds`` the upper bounds from raw (``people``, ``owners``)."""
    row_change = _env_fraction(ROW_CHANGE_ENV, DEFAULT_ROW_CHANGE)
    drift = _env_fraction(RATE_DRIFT_ENV, DEFAULT_RATE_DRIFT)
    handoffs = profiles.get("fct_handoffs")
    bounds_from_raw = {
        "dim_leads": (raw_bounds.get("people"), "raw lead/contact record"),
        "fct_lead_funnel": (raw_bounds.get("people"), "raw lead/contact record"),
        "dim_owners": (raw_bounds.get("owners"), "raw owner/user record"),
    }
    suites = []
    for name, model in mart_models(manifest).items():
        suite = Suite(table=f"{MART_SCHEMA}.{name}", means=rate_columns(model))
        suites.append(suite)
        if profiles.get(name) is None:
            continue  # reported as missing by the runner
        contract = list(model.get("columns", {}))
        if contract:
            suite.add(
                "columns",
                "has exactly the columns of its dbt contract",
                column_set=contract,
            )
        bound, what = bounds_from_raw.get(name, (None, ""))
        if bound is not None:
            suite.add(
                "rows", f"at most one row per {what} ({bound:,})", min_value=0, max_value=bound
            )
        if name == "rpt_open_sla_breaches" and handoffs is not None:
            most = 2 * handoffs.rows
            suite.add("rows", f"at most two open breaches per handoff ({most:,})", max_value=most)
        last = baseline.get(name)
        if last is not None and last.rows >= MIN_BASELINE_ROWS and row_change < 1:
            low = math.floor(last.rows * (1 - row_change))
            high = math.ceil(last.rows / (1 - row_change))
            suite.add(
                "rows",
                f"row count {_bounds_why(low, high)}, given the last publish's {last.rows:,} "
                f"({ROW_CHANGE_ENV}={row_change:g})",
                min_value=low,
                max_value=high,
            )
        for column in suite.means:
            before = last.means.get(column) if last is not None else None
            if before is None:
                continue
            low, high = max(0.0, before - drift), min(1.0, before + drift)
            suite.add(
                "mean",
                f"mean of {column} within {drift:.2f} of the last publish's {before:.3f} "
                f"({RATE_DRIFT_ENV}; warns, never blocks)",
                column=column,
                min_value=round(low, 6),
                max_value=round(high, 6),
                warn=True,
            )
    return suites


def profile_sql(
    table: str, means: list[str], quote: Callable[[str], str], double: str = "double precision"
) -> str:
    """The one aggregate query of a mart's profile: ``__rows`` and ``__mean__<col>``
    (plain aliases: valid on DuckDB, PostgreSQL and Spark alike)."""
    parts = ["count(*) as __rows"] + [
        f"avg(cast({quote(c)} as {double})) as {MEAN_PREFIX}{c}" for c in means
    ]
    return f"select {', '.join(parts)} from {table}"


MEAN_PREFIX = "__mean__"


# --- personal data ----------------------------------------------------------------------

# An e-mail address (values are URL-decoded first, so `%40` is an `@` too).
EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
# A phone number: `+` and a country code (`+55 11 98765-4321`, `+5511987654321`), an
# area code in parentheses (`(11) 98765-4321`), or three digit groups (`555-123-4567`,
# `020 7946 0958`), separated by spaces, `.`, `-` or a form-encoded query's `+`; 7 to
# 15 digits in all, and not a date. Never part of a longer token — no letter, digit,
# `.` or `-` next to it (a `.` or `-` ending a sentence aside) — so ids
# (`00Q5f000001AbC`, `501-30123456789`, a UUID's groups), hashes, dates, times and IP
# addresses do not match. A bare run of digits (`5511987654321`) cannot be told from
# an id and is not reported.
PHONE_PATTERN = (
    r"(^|[^\p{L}\p{N}+.-])("
    r"\+[0-9]{1,3}[ .+-]?\(?[0-9]{1,4}\)?([ .+-]?[0-9]{2,5}){1,4}"
    r"|\([0-9]{2,5}\)[ +]?[0-9]{3,5}[ .+-]?[0-9]{3,5}"
    r"|[0-9]{2,5}[ .+-][0-9]{2,5}[ .+-][0-9]{3,5}"
    r")([^\p{L}\p{N}.-]|[.-]([^\p{L}\p{N}]|$)|$)"
)
DATE_PATTERN = r"[0-9]{1,4}[./-][0-9]{1,2}[./-][0-9]{1,4}"
# Words are what lies between anything but letters and digits; a value is worth
# splitting into words when it holds two of 2+ letters.
WORD_SEPARATOR_PATTERN = r"[^\p{L}\p{N}]+"
TWO_WORDS_PATTERN = r"\p{L}{2,}[^\p{L}\p{N}]+\p{L}{2,}"
# Raw tables of the people marketing hands to sales, whose names are never
# published, and of the CRMs' users, whose names are, on purpose
# (dim_owners.owner_name): a lead who shares an employee's name is not reported.
LEAD_NAMES = (
    ("hubspot__contacts", "firstname", "lastname"),
    ("salesforce__lead", "first_name", "last_name"),
    ("salesforce__contact", "first_name", "last_name"),
)
OWNER_NAMES = (
    ("hubspot__owners", "firstname", "lastname"),
    ("salesforce__user", "first_name", "last_name"),
)


@dataclass(frozen=True)
class PersonalDataFinding:
    table: str  # schema.table
    column: str
    kind: str  # "an e-mail address", "a phone number", "a lead's name"
    rows: int

    def failure(self, element_count: int | None) -> Failure:
        return Failure(
            table=self.table,
            expectation="no_personal_data",
            why=f"{self.column} holds {self.kind} (values not shown)",
            unexpected_count=self.rows,
            element_count=element_count,
            examples=[],
        )


def _sql_text(pattern: str) -> str:
    return "'" + pattern.replace("'", "''") + "'"


def _decoded(column: str) -> str:
    """A text column, URL-decoded where it decodes (`%40` → `@`, `%20` → space)."""
    quoted = f'"{column}"'
    return (
        f"case when contains({quoted}, '%') "
        f"then coalesce(try(url_decode({quoted})), {quoted}) else {quoted} end"
    )


def _without_apostrophes(expr: str) -> str:
    """`O'Brien` and `O’Brien` as `OBrien`: one word, as the raw name splits."""
    return f"replace(replace({expr}, '''', ''), '’', '')"


def _words(expr: str) -> str:
    """The lower-case words of a text: split on all but letters and digits, once
    apostrophes are dropped."""
    return (
        f"list_filter(string_split_regex(lower({_without_apostrophes(expr)}), "
        f"{_sql_text(WORD_SEPARATOR_PATTERN)}), lambda t: t <> '')"
    )


def _name_pairs(specs: tuple[tuple[str, str, str], ...], raw: RawLayout) -> str:
    """A query of the word pairs the full names of these raw tables (``raw``: where
    each is read, :func:`raw_layout`) read as: the first name's last word, then the
    last name's first (`Ana Maria Silva`), and the last name's last word, then the
    first name's first (`Silva, Ana`); 2+ letters each."""
    people = []
    for table, first, last in specs:
        relation, columns = raw.get(table, ("", {}))
        if {first, last} <= set(columns):
            first_col, last_col = columns[first], columns[last]
            first_words, last_words = _words(first_col), _words(last_col)
            people.append(
                f"select {first_words} as f, {last_words} as l from {relation} "
                f"where {first_col} is not null and {last_col} is not null"
            )
    if not people:
        return "select cast(null as varchar) as pair where false"
    names = " union all ".join(people)
    letters = _sql_text(r"\p{L}{2,}")
    return f"""
        select pair from (
            select f[-1] || ' ' || l[1] as pair, f[-1] as a, l[1] as b from ({names})
            union all
            select l[-1] || ' ' || f[1], l[-1], f[1] from ({names})
        ) as name_pairs
        where regexp_full_match(a, {letters}) and regexp_full_match(b, {letters})
    """


def personal_data_findings(
    con: Any, tables: set[str] | None = None, settings: Settings | None = None
) -> list[PersonalDataFinding]:
    """Every text column of the marts (of ``tables``, ``marts.<name>``, when given)
    that holds personal data, and in how many rows: an e-mail address, a phone
    number (:data:`PHONE_PATTERN`), or a lead's name — the first and last name of a
    raw HubSpot contact or Salesforce lead or contact as adjacent words, in either
    order (`Ana Silva`, `name=Ana+Silva`, `Silva, Ana`), employees' names excepted.
    Values are URL-decoded first. E-mail addresses and phone numbers are searched in
    each distinct value once; names by one join of word pairs (the values' against
    the names'), not a search per name, and only values holding two words are split
    at all."""
    text_columns = [
        (table, column)
        for table, columns in _columns_by_table(con, MART_SCHEMA).items()
        if tables is None or f"{MART_SCHEMA}.{table}" in tables
        for column, data_type in columns.items()
        if data_type == "VARCHAR"
    ]
    if not text_columns:
        return []
    findings = []
    phones = (
        f"list_filter(regexp_extract_all(v, {_sql_text(PHONE_PATTERN)}, 2), "
        "lambda c: length(regexp_replace(c, '[^0-9]', '', 'g')) between 7 and 15 "
        f"and not regexp_full_match(c, {_sql_text(DATE_PATTERN)}))"
    )
    decoded = " union all ".join(
        f"select '{table}' as table_name, '{column}' as column_name, {_decoded(column)} as v "
        f'from {MART_SCHEMA}."{table}" where "{column}" is not null'
        for table, column in text_columns
    )
    # E-mail addresses and phone numbers: each distinct text value of the marts is
    # tested once (ids and keys repeat across marts: ~6 M distinct of ~40 M values at
    # 1 M leads), then, only when one matched, the rows holding the matches are
    # counted per column.
    values = " union all ".join(
        f'select "{column}" as v from {MART_SCHEMA}."{table}" where "{column}" is not null'
        for table, column in text_columns
    )
    hits = con.execute(
        f"""
        select raw_v, is_email, is_phone from (
            select
                raw_v,
                contains(v, '@') and regexp_matches(v, {_sql_text(EMAIL_PATTERN)}) as is_email,
                len({phones}) > 0 as is_phone
            from (
                select v as raw_v, {_decoded("v")} as v
                from (select distinct v from ({values}))
            )
        )
        where is_email or is_phone
        """
    ).fetchall()
    if hits:
        raw_values = " union all ".join(
            f"select '{table}' as table_name, '{column}' as column_name, \"{column}\" as v "
            f'from {MART_SCHEMA}."{table}" where "{column}" is not null'
            for table, column in text_columns
        )
        for table, column, emails, phone_numbers in con.execute(
            f"""
            with hits as (
                select unnest($values) as v, unnest($emails) as e, unnest($phones) as p
            )
            select
                table_name,
                column_name,
                count(*) filter (where hits.e),
                count(*) filter (where hits.p)
            from ({raw_values}) as mart_values
            inner join hits using (v)
            group by table_name, column_name
            """,
            {
                "values": [v for v, _, _ in hits],
                "emails": [bool(e) for _, e, _ in hits],
                "phones": [bool(p) for _, _, p in hits],
            },
        ).fetchall():
            for kind, rows in (("an e-mail address", emails), ("a phone number", phone_numbers)):
                if rows:
                    findings.append(
                        PersonalDataFinding(f"{MART_SCHEMA}.{table}", column, kind, rows)
                    )

    raw = raw_layout(con, settings)
    for table, column, rows in con.execute(
        f"""
        with lead_pairs as (
            {_name_pairs(LEAD_NAMES, raw)}
            except
            {_name_pairs(OWNER_NAMES, raw)}
        ),
        candidates as (
            select table_name, column_name, v, count(*) as row_count
            from ({decoded})
            where regexp_matches({_without_apostrophes("v")}, {_sql_text(TWO_WORDS_PATTERN)})
            group by all
        ),
        words as (
            select *, {_words("v")} as w from candidates
        ),
        value_pairs as (
            select table_name, column_name, v, row_count, w[i] || ' ' || w[i + 1] as pair
            from (select *, unnest(range(1, len(w))) as i from words)
        ),
        named as (
            select distinct table_name, column_name, v, row_count
            from value_pairs
            inner join lead_pairs using (pair)
        )
        select table_name, column_name, sum(row_count)
        from named
        group by table_name, column_name
        """
    ).fetchall():
        findings.append(
            PersonalDataFinding(f"{MART_SCHEMA}.{table}", column, "a lead's name", int(rows))
        )
    return sorted(findings, key=lambda f: (f.table, f.column, f.kind))


def fingerprint(con: Any, table: str) -> list[Any]:
    """Row count and an order-independent hash of every row: what publish compares
    with the audit's, so a table rebuilt in between is never published unaudited."""
    count, digest = con.execute(f"select count(*), sum(hash(t)) from {table} as t").fetchone()
    return [int(count), str(digest)]


# --- running --------------------------------------------------------------------------


def _columns_by_table(con: Any, schema: str) -> dict[str, dict[str, str]]:
    if isinstance(con, _SparkQueries):
        return con.columns_by_table(schema)
    out: dict[str, dict[str, str]] = {}
    for table, column, data_type in con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = ? order by table_name, ordinal_position",
        [schema],
    ).fetchall():
        out.setdefault(table, {})[column] = data_type
    return out


# raw table name → (the relation it is read from, canonical column → quoted column)
RawLayout = dict[str, tuple[str, dict[str, str]]]


def raw_layout(con: Any, settings: Settings | None = None) -> RawLayout:
    """Where the audit reads each raw table of the contract over ``con``: in files
    mode ``raw.<crm>__<object>``, its columns by their own names; in source mode
    (``settings.source == "fivetran"``) the connector's table in its schema
    (``hubspot.contact``), each canonical column from the connector column that
    spells it (the contract's header aliases, ``property_`` names; an exact name
    wins). Tables that do not exist are absent. Names are quoted as ``con`` spells
    them: ``"name"``, or Spark's backticks over :class:`_SparkQueries`."""
    quote = con.quote if isinstance(con, _SparkQueries) else _double_quoted
    if settings is None or settings.source == "files":
        return {
            table: (f"raw.{quote(table)}", {c: quote(c) for c in columns})
            for table, columns in _columns_by_table(con, "raw").items()
        }
    out: RawLayout = {}
    by_schema: dict[str, dict[str, dict[str, str]]] = {}
    for spec in objects().values():
        schema = settings.connector_schemas[spec.crm]
        if schema not in by_schema:
            by_schema[schema] = _columns_by_table(con, schema)
        physical = by_schema[schema].get(spec.connector_table)
        if physical is None:
            continue
        mapping: dict[str, str] = {}
        for column in physical:
            canonical = spec.canonical(column)
            if canonical in spec.columns and (
                canonical not in mapping or snake_case(column) == canonical
            ):
                mapping[canonical] = quote(column)
        out[spec.table] = (f"{quote(schema)}.{quote(spec.connector_table)}", mapping)
    return out


def _double_quoted(name: str) -> str:
    return f'"{name}"'


def raw_bounds(con: Any, settings: Settings | None = None) -> dict[str, int]:
    """Upper bounds from raw for the marts' row counts: distinct people (HubSpot
    contacts, Salesforce leads and contacts) and owners (HubSpot owners, Salesforce
    users). A bound is absent when none of its raw tables exists. In source mode the
    raw tables are the connector's (:func:`raw_layout`)."""
    raw = raw_layout(con, settings)
    sources = {
        "people": [
            ("hubspot__contacts", "hs_object_id"),
            ("salesforce__lead", "id"),
            ("salesforce__contact", "id"),
        ],
        "owners": [("hubspot__owners", "id"), ("salesforce__user", "id")],
    }
    out = {}
    for bound, pairs in sources.items():
        present = [(raw[t][0], raw[t][1][c]) for t, c in pairs if c in raw.get(t, ("", {}))[1]]
        if present:
            out[bound] = sum(
                int(con.execute(f"select count(distinct {c}) from {r}").fetchone()[0])
                for r, c in present
            )
    return out


_GX_PREWARM: threading.Thread | None = None


def prewarm_gx() -> None:
    """Start importing Great Expectations in a background thread, so the gate does not
    wait for it (seconds of imports): the pipeline calls this as its ``dbt build``
    starts, whose minutes are spent in a dbt subprocess. The gate's own import then
    finds the module loaded, or waits for the thread to finish loading it (Python's
    import lock); a failed import here is left for the gate to raise."""
    global _GX_PREWARM
    if _GX_PREWARM is not None or "great_expectations" in sys.modules:
        return

    def _import() -> None:
        # the gate imports it again and reports what failed
        with contextlib.suppress(Exception):
            import great_expectations  # noqa: F401 — lazy: GX takes seconds to import

    _GX_PREWARM = threading.Thread(target=_import, name="handoff-gx-import", daemon=True)
    _GX_PREWARM.start()


class _PgQueries:
    """A psycopg2 connection with DuckDB's ``execute(sql, params)`` (``?`` marks), for
    :func:`raw_bounds` and :func:`raw_layout` on PostgreSQL's source tables."""

    def __init__(self, pg: Any) -> None:
        self.pg = pg

    def execute(self, sql: str, params: Any = ()) -> Any:
        cur = self.pg.cursor()
        cur.execute(sql.replace("?", "%s"), list(params))
        return cur


class _SparkQueries:
    """A Spark session with what :func:`raw_bounds` and :func:`raw_layout` use of a
    DuckDB connection: ``execute(sql).fetchone()``, the columns of a schema's tables
    (from Spark's catalog: Spark has no ``information_schema``) and its quoting
    (backticks), for Spark's source tables."""

    def __init__(self, spark: Any) -> None:
        self.spark = spark

    def execute(self, sql: str) -> Any:
        rows = [tuple(row) for row in self.spark.sql(sql).collect()]
        return _Rows(rows)

    def columns_by_table(self, schema: str) -> dict[str, dict[str, str]]:
        catalog = self.spark.catalog
        if not catalog.databaseExists(schema):
            return {}
        return {
            table.name: {c.name: c.dataType for c in catalog.listColumns(f"{schema}.{table.name}")}
            for table in catalog.listTables(schema)
            if not table.isTemporary
        }

    @staticmethod
    def quote(name: str) -> str:
        return f"`{name}`"


@dataclass
class _Rows:
    rows: list[tuple[Any, ...]]

    def fetchone(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None


def _gx_context(docs_root: Path | None) -> Any:
    import great_expectations as gx  # lazy: GX takes seconds to import (see prewarm_gx)

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    if docs_root is None:
        context = gx.get_context(mode="ephemeral")
    else:
        docs_root.mkdir(parents=True, exist_ok=True)
        context = gx.get_context(mode="file", project_root_dir=str(docs_root))
    try:
        from great_expectations.data_context.types.base import ProgressBarsConfig  # lazy: GX

        context.variables.progress_bars = ProgressBarsConfig(globally=False)
    except Exception:  # noqa: BLE001 — cosmetic only
        pass
    return context


def _gx_expectation(expectation: Expectation, aggregates: list[str] | None) -> Any:
    """The GX expectation of a rule: on the mart itself (``aggregates`` None: GX's SQL
    or Spark engine computes the count and means), or on the one-row frame of the
    mart's profile query, whose extra columns are ``aggregates`` (DuckDB: no mart is
    read into pandas)."""
    import great_expectations as gx  # lazy: GX takes seconds to import

    kw = dict(expectation.kwargs)
    meta = {"why": expectation.why, "rule": expectation.kind}
    severity = {"severity": "warning"} if expectation.warn else {}
    aggregated = aggregates is not None
    if expectation.kind == "columns":
        columns = list(kw["column_set"]) + (aggregates or [])
        return gx.expectations.ExpectTableColumnsToMatchSet(
            column_set=columns, exact_match=True, meta=meta, **severity
        )
    bounds = {k: kw[k] for k in ("min_value", "max_value") if kw.get(k) is not None}
    if expectation.kind == "rows":
        if aggregated:
            return gx.expectations.ExpectColumnValuesToBeBetween(
                column="__rows", meta=meta, **bounds, **severity
            )
        return gx.expectations.ExpectTableRowCountToBeBetween(meta=meta, **bounds, **severity)
    if expectation.kind == "mean":
        if aggregated:
            return gx.expectations.ExpectColumnValuesToBeBetween(
                column=MEAN_PREFIX + kw["column"], meta=meta, **bounds, **severity
            )
        return gx.expectations.ExpectColumnMeanToBeBetween(
            column=kw["column"], meta=meta, **bounds, **severity
        )
    raise ValueError(f"unknown rule kind {expectation.kind!r}")


def _plain(value: Any) -> Any:
    """numpy / pandas scalars as plain Python, for reports and metadata."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            return value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if hasattr(value, "isoformat"):
        return str(value)
    return value


def _batch(context: Any, source: Any, suite: Suite, make_asset: Callable[[Any], Any]) -> Any:
    names = {asset.name for asset in source.assets}
    asset = source.get_asset(suite.name) if suite.name in names else make_asset(source)
    batch_names = {b.name for b in asset.batch_definitions}
    if "whole" in batch_names:
        return asset.get_batch_definition("whole")
    if hasattr(asset, "add_batch_definition_whole_dataframe"):
        return asset.add_batch_definition_whole_dataframe("whole")
    return asset.add_batch_definition_whole_table("whole")


def _validate(
    context: Any,
    suite: Suite,
    batch_definition: Any,
    batch_parameters: dict[str, Any] | None,
    aggregates: list[str] | None,
    profile: Profile,
) -> tuple[list[Failure], list[Failure]]:
    """Run the suite on one GX batch; (blocking failures, warnings)."""
    import great_expectations as gx  # lazy: GX takes seconds to import

    # All at once: add_expectation() compares each new expectation with every one
    # before it (pydantic dicts, quadratic in the suite); Suite.add already dedups.
    gx_suite = gx.ExpectationSuite(
        name=suite.name,
        expectations=[_gx_expectation(e, aggregates) for e in suite.expectations],
    )
    gx_suite = context.suites.add_or_update(gx_suite)
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=gx_suite)
    )
    result = definition.run(
        batch_parameters=batch_parameters,
        result_format={"result_format": "SUMMARY", "partial_unexpected_count": EXAMPLES},
    )
    failures: list[Failure] = []
    warnings: list[Failure] = []
    for item in result.results:
        if item.success:
            continue
        config = item.expectation_config
        meta = config.meta or {}
        details = item.result or {}
        rule = meta.get("rule")
        if rule == "rows":
            observed: Any = f"{profile.rows:,} rows"
        elif rule == "mean":
            value = profile.means.get(config.kwargs.get("column", "").removeprefix(MEAN_PREFIX))
            observed = "null" if value is None else f"{value:.3f}"
        else:
            observed = details.get("observed_value")
            mismatch = (details.get("details") or {}).get("mismatched")
            if mismatch:
                observed = (
                    f"missing {mismatch.get('missing')}, unexpected {mismatch.get('unexpected')}"
                )
        if item.exception_info and item.exception_info.get("raised_exception"):
            observed = "error: " + str(item.exception_info.get("exception_message"))
        finding = Failure(
            table=suite.table,
            expectation=config.type,
            why=meta.get("why") or config.type,
            unexpected_count=None,
            element_count=None,
            examples=[],
            observed=_plain(observed),
        )
        warn = str(getattr(config, "severity", "")).lower().endswith("warning")
        (warnings if warn else failures).append(finding)
    return failures, warnings


class DuckDBGate:
    """The gate on DuckDB: each mart's profile is one aggregate query, and GX validates
    its one-row result joined to the mart's (empty) column set — no mart is read into
    pandas. GX 1.x cannot reach DuckDB through SQLAlchemy (great_expectations issues
    #10738 and #11579)."""

    def __init__(self, con: Any) -> None:
        self.con = con
        self.existing = set(_columns_by_table(con, MART_SCHEMA))

    def relation(self, mart: str) -> str:
        return f'{MART_SCHEMA}."{mart}"'

    def profile(self, mart: str, means: list[str]) -> tuple[Profile | None, Any]:
        if mart not in self.existing:
            return None, None
        sql = profile_sql(self.relation(mart), means, lambda c: f'"{c}"')
        frame = self.con.execute(
            f"select agg.*, mart.* from ({sql}) as agg "
            f"left join (select * from {self.relation(mart)} limit 0) as mart on true"
        ).df()
        row = frame.iloc[0]
        profile = Profile(
            rows=int(row["__rows"]),
            means={
                c: (None if _isnull(row[MEAN_PREFIX + c]) else float(row[MEAN_PREFIX + c]))
                for c in means
            },
        )
        return profile, frame

    def batch(self, context: Any, suite: Suite, frame: Any) -> tuple[Any, dict[str, Any]]:
        source = context.data_sources.add_or_update_pandas(MART_SCHEMA)
        definition = _batch(context, source, suite, lambda s: s.add_dataframe_asset(suite.name))
        return definition, {"dataframe": frame}

    def aggregates(self, suite: Suite) -> list[str]:
        return ["__rows"] + [MEAN_PREFIX + c for c in suite.means]

    def fingerprint(self, mart: str) -> list[Any]:
        return fingerprint(self.con, self.relation(mart))


# Where dbt builds the marts on PostgreSQL and Spark (macro generate_schema_name);
# publish makes them `marts` once the audit passed.
BUILD_SCHEMA = "marts__build"
PG_BUILD_SCHEMA = BUILD_SCHEMA


class PostgresGate:
    """The gate on PostgreSQL, through Great Expectations' SQL engine: GX computes the
    row counts, column sets and means in PostgreSQL on the tables of ``marts__build``
    (nothing is read out of the database but the marts' text columns, for the
    personal-data scan)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pg = connect()
        self.pg.autocommit = True
        with self.pg.cursor() as cur:
            cur.execute(
                "select table_name from information_schema.tables where table_schema = %s",
                [PG_BUILD_SCHEMA],
            )
            self.existing = {r[0] for r in cur.fetchall()}

    def close(self) -> None:
        self.pg.close()

    def relation(self, mart: str) -> str:
        return f'{PG_BUILD_SCHEMA}."{mart}"'

    def profile(self, mart: str, means: list[str]) -> tuple[Profile | None, Any]:
        if mart not in self.existing:
            return None, None
        with self.pg.cursor() as cur:
            cur.execute(profile_sql(self.relation(mart), means, lambda c: f'"{c}"'))
            row = cur.fetchone()
        values = dict(zip([d[0] for d in cur.description], row, strict=True))
        return Profile(
            rows=int(values["__rows"]),
            means={
                c: None if values[MEAN_PREFIX + c] is None else float(values[MEAN_PREFIX + c])
                for c in means
            },
        ), None

    def batch(self, context: Any, suite: Suite, frame: Any) -> tuple[Any, dict[str, Any] | None]:
        source = context.data_sources.add_or_update_postgres(
            "postgres_build", connection_string=_gx_postgres_url()
        )
        table = suite.table.split(".")[1]
        definition = _batch(
            context,
            source,
            suite,
            lambda s: s.add_table_asset(suite.name, table_name=table, schema_name=PG_BUILD_SCHEMA),
        )
        return definition, None

    def aggregates(self, suite: Suite) -> list[str] | None:
        return None  # GX validates the tables themselves

    def fingerprint(self, mart: str) -> list[Any]:
        with self.pg.cursor() as cur:
            cur.execute(
                f"select count(*), sum(hashtext(t::text)::bigint) from {self.relation(mart)} as t"
            )
            count, digest = cur.fetchone()
        return [int(count), str(digest)]

    def personal_data(self, marts: set[str]) -> list[PersonalDataFinding]:
        """The one personal-data scan (:func:`personal_data_findings`, DuckDB SQL) on
        the text columns of the built marts, copied out of PostgreSQL into an
        in-memory DuckDB beside the raw names of the ingest file."""
        duck = duckdb.connect()
        try:
            if self.settings.source == "fivetran":
                self._copy_source_names(duck)
            elif self.settings.ingest_db.exists():
                duck.execute(f"attach '{self.settings.ingest_db}' as ingest (read_only)")
                duck.execute("create schema raw")
                for (table,) in duck.execute(
                    "select table_name from duckdb_tables() "
                    "where database_name = 'ingest' and schema_name = 'raw'"
                ).fetchall():
                    duck.execute(f'create view raw."{table}" as select * from ingest.raw."{table}"')
            duck.execute(f"create schema {MART_SCHEMA}")
            with self.pg.cursor() as cur, tempfile.TemporaryDirectory() as scratch:
                cur.execute(
                    "select table_name, column_name from information_schema.columns "
                    "where table_schema = %s and data_type in ('text', 'character varying') "
                    "order by table_name, ordinal_position",
                    [PG_BUILD_SCHEMA],
                )
                text_columns: dict[str, list[str]] = {}
                for table, column in cur.fetchall():
                    if f"{MART_SCHEMA}.{table}" in marts:
                        text_columns.setdefault(table, []).append(column)
                for table, columns in text_columns.items():
                    path = Path(scratch) / f"{table}.csv"
                    cols = ", ".join(f'"{c}"' for c in columns)
                    with open(path, "w", encoding="utf-8") as out:
                        cur.copy_expert(
                            f"copy (select {cols} from {self.relation(table)}) to stdout "
                            "with (format csv, header true)",
                            out,
                        )
                    duck.execute(
                        f'create table {MART_SCHEMA}."{table}" as select * from read_csv('
                        f"'{path}', header = true, all_varchar = true)"
                    )
            return personal_data_findings(duck, marts)
        finally:
            duck.close()

    def _copy_source_names(self, duck: Any) -> None:
        """Source mode: the connector's names (:func:`copy_source_names`), copied out
        of PostgreSQL as CSV."""
        with self.pg.cursor() as cur:

            def export(select: str, path: Path) -> str:
                with open(path, "w", encoding="utf-8") as out:
                    cur.copy_expert(
                        f"copy ({select}) to stdout with (format csv, header true)", out
                    )
                return f"read_csv('{path}', header = true, all_varchar = true)"

            copy_source_names(duck, raw_layout(_PgQueries(self.pg), self.settings), export, "text")


class SparkGate:
    """The gate on Spark, through Great Expectations' Spark engine: GX validates each
    mart of ``marts__build`` as a Spark DataFrame (the counts and means are Spark
    jobs; nothing is collected but the marts' text columns, written to Parquet for
    the personal-data scan). Runs inside a child process that owns the Spark session
    (:mod:`handoff.engines.spark`): Derby admits one JVM per home."""

    def __init__(self, settings: Settings, spark: Any) -> None:
        self.settings = settings
        self.spark = spark
        self.existing = (
            {t.name for t in spark.catalog.listTables(BUILD_SCHEMA)}
            if spark.catalog.databaseExists(BUILD_SCHEMA)
            else set()
        )

    def close(self) -> None:
        pass  # the child process stops its session

    def relation(self, mart: str) -> str:
        return f"{BUILD_SCHEMA}.`{mart}`"

    def profile(self, mart: str, means: list[str]) -> tuple[Profile | None, Any]:
        if mart not in self.existing:
            return None, None
        row = self.spark.sql(
            profile_sql(self.relation(mart), means, lambda c: f"`{c}`", double="double")
        ).collect()[0]
        values = row.asDict()
        return Profile(
            rows=int(values["__rows"]),
            means={
                c: None if values[MEAN_PREFIX + c] is None else float(values[MEAN_PREFIX + c])
                for c in means
            },
        ), None

    def batch(self, context: Any, suite: Suite, frame: Any) -> tuple[Any, dict[str, Any]]:
        source = context.data_sources.add_or_update_spark("spark_build")
        definition = _batch(context, source, suite, lambda s: s.add_dataframe_asset(suite.name))
        table = suite.table.split(".")[1]
        return definition, {"dataframe": self.spark.table(self.relation(table))}

    def aggregates(self, suite: Suite) -> list[str] | None:
        return None  # GX validates the DataFrames themselves

    def fingerprint(self, mart: str) -> list[Any]:
        count, digest = self.spark.sql(
            f"select count(*), sum(cast(hash(*) as bigint)) from {self.relation(mart)}"
        ).collect()[0]
        return [int(count), str(digest)]

    def personal_data(self, marts: set[str]) -> list[PersonalDataFinding]:
        """The one personal-data scan (:func:`personal_data_findings`) on the marts'
        text columns, written to Parquet and read by an in-memory DuckDB beside the
        raw names of the ingest file (in source mode: the connector's names, written
        to Parquet the same way)."""
        duck = duckdb.connect()
        try:
            if self.settings.source == "fivetran":

                def export(select: str, path: Path) -> str:
                    self.spark.sql(select).write.mode("overwrite").parquet(str(path))
                    return f"read_parquet('{path}/*.parquet')"

                layout = raw_layout(_SparkQueries(self.spark), self.settings)
                copy_source_names(duck, layout, export, "string")
            else:
                _attach_raw_names(duck, self.settings)
            duck.execute(f"create schema {MART_SCHEMA}")
            with tempfile.TemporaryDirectory() as scratch:
                for mart in sorted(self.existing):
                    if f"{MART_SCHEMA}.{mart}" not in marts:
                        continue
                    frame = self.spark.table(self.relation(mart))
                    text = [
                        f.name for f in frame.schema.fields if f.dataType.typeName() == "string"
                    ]
                    if not text:
                        continue
                    path = Path(scratch) / mart
                    frame.select(*text).write.mode("overwrite").parquet(str(path))
                    duck.execute(
                        f'create table {MART_SCHEMA}."{mart}" as select * from '
                        f"read_parquet('{path}/*.parquet')"
                    )
                return personal_data_findings(duck, marts)
        finally:
            duck.close()


def copy_source_names(
    duck: Any, layout: RawLayout, export: Callable[[str, Path], str], text: str
) -> None:
    """Source mode: the first and last names of the connector's person tables
    (:data:`LEAD_NAMES`, :data:`OWNER_NAMES`), copied out of the warehouse into schema
    ``raw`` of the in-memory DuckDB ``duck`` under their raw names, for the name scan.
    ``export(select, path)`` writes the rows of a query (in the warehouse's SQL, whose
    text type is ``text``) to a file under ``path`` and returns the DuckDB expression
    that reads it back."""
    duck.execute("create schema raw")
    with tempfile.TemporaryDirectory() as scratch:
        for table, first, last in (*LEAD_NAMES, *OWNER_NAMES):
            relation, columns = layout.get(table, ("", {}))
            if not {first, last} <= set(columns):
                continue
            select = (
                f"select cast({columns[first]} as {text}) as {first}, "
                f"cast({columns[last]} as {text}) as {last} from {relation}"
            )
            reader = export(select, Path(scratch) / table)
            duck.execute(f'create table raw."{table}" as select * from {reader}')


def _attach_raw_names(duck: Any, settings: Settings) -> None:
    """Schema ``raw`` of an in-memory DuckDB as views on the ingest file's raw tables
    (where the personal-data scan finds the leads' names)."""
    if not settings.ingest_db.exists():
        return
    duck.execute(f"attach '{settings.ingest_db}' as ingest (read_only)")
    duck.execute("create schema raw")
    for (table,) in duck.execute(
        "select table_name from duckdb_tables() "
        "where database_name = 'ingest' and schema_name = 'raw'"
    ).fetchall():
        duck.execute(f'create view raw."{table}" as select * from ingest.raw."{table}"')


def _gx_postgres_url() -> str:
    """The SQLAlchemy URL GX connects with. The password stays a ``${...}`` reference
    that GX resolves from the environment, so it is never written into the GX project
    on disk."""
    p = params()
    auth = url_quote(p["user"], safe="")
    if p["password"]:
        auth += ":${HANDOFF_PG_PASSWORD}"
    return f"postgresql+psycopg2://{auth}@{p['host']}:{p['port']}/{url_quote(p['dbname'], safe='')}"


def _isnull(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def published_profiles_path(settings: Settings) -> Path:
    return settings.work_dir / f"published-profiles-{settings.target}.json"


def published_profiles(settings: Settings) -> dict[str, Profile]:
    """The profiles of the marts as last published on this target: the baseline the
    gate compares row counts and rates with. Empty before the first publish."""
    path = published_profiles_path(settings)
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    return {name: Profile.from_json(p) for name, p in (data.get("profiles") or {}).items()}


def record_published_profiles(
    settings: Settings, publish_id: str, profiles: dict[str, Any]
) -> None:
    path = published_profiles_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"publish_id": publish_id, "profiles": profiles}))
    os.replace(tmp, path)


def run_audit(
    settings: Settings,
    progress: Callable[[str], None] = print,
    con: Any | None = None,
    data_docs: bool = True,
    tables: set[str] | None = None,
    spark: Any = None,
) -> AuditReport:
    """Validate the built marts (only ``tables``, ``marts.<name>`` names, when given);
    write Data Docs under ``<home>/docs/gx``. On DuckDB reads over ``con`` when given,
    else a read-only connection to the build database held only while reading; on
    Spark over the session ``spark`` (see :func:`handoff.engines.spark_jobs.audit`)."""
    manifest = load_manifest(settings)
    models = {
        name: model
        for name, model in mart_models(manifest).items()
        if tables is None or f"{MART_SCHEMA}.{name}" in tables
    }
    own = con is None
    if settings.target in ("postgres", "spark"):
        gate: Any = (
            PostgresGate(settings) if settings.target == "postgres" else SparkGate(settings, spark)
        )
        if settings.source == "fivetran":  # the connector's tables, in the warehouse
            raw = _PgQueries(gate.pg) if settings.target == "postgres" else _SparkQueries(spark)
        else:
            raw = open_read_only(settings.ingest_db) if settings.ingest_db.exists() else None
    else:
        if own:
            con = open_read_only(settings.build_db)
        gate, raw = DuckDBGate(con), con
    try:
        profiles: dict[str, Profile | None] = {}
        frames: dict[str, Any] = {}
        for name, model in models.items():
            profiles[name], frames[name] = gate.profile(name, rate_columns(model))
        if "fct_handoffs" not in profiles:
            profiles["fct_handoffs"] = gate.profile("fct_handoffs", [])[0]
        bounds = raw_bounds(raw, settings) if raw is not None else {}
        suites = [
            s
            for s in build_suites(manifest, profiles, published_profiles(settings), bounds)
            if s.table.split(".")[1] in models
        ]
        marts = {s.table for s in suites}
        personal_data = (
            personal_data_findings(con, marts, settings)
            if isinstance(gate, DuckDBGate)
            else gate.personal_data(marts)
        )
        progress(
            f"audit: {sum(len(s.expectations) for s in suites)} expectations on "
            f"{len(suites)} marts, plus a personal-data scan"
        )
        context = _gx_context(settings.home / "docs" if data_docs else None)
        results, fingerprints = [], {}
        for suite in suites:
            table = suite.table.split(".")[1]
            profile = profiles.get(table)
            if profile is None:
                missing = Failure(
                    suite.table,
                    "table_exists",
                    "exists in the build database",
                    None,
                    None,
                    [],
                    "missing",
                )
                results.append(TableResult(suite.table, 0, 1, [missing]))
                continue
            definition, parameters = gate.batch(context, suite, frames[table])
            failures, warnings = _validate(
                context, suite, definition, parameters, gate.aggregates(suite), profile
            )
            fingerprints[table] = gate.fingerprint(table)
            failures += [f.failure(profile.rows) for f in personal_data if f.table == suite.table]
            results.append(
                TableResult(
                    suite.table,
                    profile.rows,
                    len(suite.expectations),
                    failures,
                    warnings,
                    profile=profile.as_json(),
                )
            )
    finally:
        if not isinstance(gate, DuckDBGate):
            gate.close()
            if raw is not None and not isinstance(raw, _PgQueries | _SparkQueries):
                raw.close()
        elif own:
            con.close()
    report = AuditReport(results, fingerprints)
    if data_docs:
        try:
            prune_validation_history(settings.home / "docs" / "gx")
            context.build_data_docs()
            report.docs_index = data_docs_index(settings)
            offline_data_docs(report.docs_index.parent)
        except Exception as exc:  # noqa: BLE001 — docs are a courtesy, the gate is not
            progress(f"audit: could not build the Data Docs: {exc}")
    return report


def prune_validation_history(gx_root: Path) -> None:
    """Keep each suite's latest validation result only, and let the Data Docs site be
    rendered anew: GX renders every stored result on every build, so a home that runs
    hourly would otherwise pay more for its Data Docs with every run (and keep every
    run's copy of the marts' failing examples)."""
    validations = gx_root / "uncommitted" / "validations"
    if validations.is_dir():
        for suite in (p for p in validations.iterdir() if p.is_dir()):
            results = sorted(suite.rglob("*.json"), key=lambda p: p.stat().st_mtime)
            for stale in results[:-1]:
                stale.unlink()
            for folder in sorted(suite.rglob("*"), reverse=True):  # deepest first
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
    shutil.rmtree(gx_root / "uncommitted" / "data_docs" / "local_site", ignore_errors=True)


# GX's pages load Bootstrap, Font Awesome, jQuery and Vega from CDNs: offline they are
# unstyled. These references are removed and a stylesheet shipped with handoff is
# linked instead, with a small script for what the pages do with jQuery
# (handoff/docs_assets/handoff-offline.css and .js).
_REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref=[\"']https?://[^>]*>\s*", re.IGNORECASE)
_REMOTE_SCRIPT = re.compile(
    r"<script\b[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>\s*", re.IGNORECASE
)
# GX's logo, fetched with the site's data context id and build time as its query.
_REMOTE_IMAGE = re.compile(r"(<img\b[^>]*\bsrc=)[\"']https?://[^\"']*[\"']", re.IGNORECASE)
OFFLINE_CSS = Path(__file__).parent / "docs_assets" / "handoff-offline.css"
OFFLINE_JS = OFFLINE_CSS.with_suffix(".js")


def offline_data_docs(site: Path) -> None:
    """Make the Data Docs site under ``site`` load nothing from the network: every
    page's remote stylesheets and scripts are dropped, the local stylesheet and script
    linked, and GX's remote logo replaced by the copy in the site's own
    ``static/images``."""
    styles = site / "static" / "styles"
    styles.mkdir(parents=True, exist_ok=True)
    for asset in (OFFLINE_CSS, OFFLINE_JS):
        shutil.copyfile(asset, styles / asset.name)
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        html = _REMOTE_SCRIPT.sub("", _REMOTE_LINK.sub("", html))
        here = os.path.relpath(styles, page.parent).replace(os.sep, "/")
        logo = os.path.relpath(site / "static" / "images" / "logo-long.png", page.parent)
        html = _REMOTE_IMAGE.sub(rf'\1"{logo.replace(os.sep, "/")}"', html)
        if OFFLINE_CSS.name not in html:
            assets = (
                f'<link rel="stylesheet" href="{here}/{OFFLINE_CSS.name}">\n'
                f'<script src="{here}/{OFFLINE_JS.name}"></script>\n'
            )
            html = html.replace("</head>", assets + "</head>", 1)
        page.write_text(html, encoding="utf-8")


def data_docs_index(settings: Settings) -> Path:
    return settings.home / "docs" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


def audit_record_path(settings: Settings) -> Path:
    return settings.work_dir / "audit.json"


def record_audit(settings: Settings, run_id: str, report: AuditReport) -> None:
    """What the audit passed, for publish to compare against (same run only)."""
    path = audit_record_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps(
            {
                "run_id": run_id,
                "passed": report.passed,
                "as_of": settings.as_of.isoformat(sep=" "),
                "fingerprints": report.fingerprints,
                "profiles": report.profiles,
                "warnings": [w.render().strip() for w in report.warnings],
            }
        )
    )
    os.replace(tmp, path)


def read_audit(settings: Settings, run_id: str) -> dict[str, Any] | None:
    path = audit_record_path(settings)
    if not path.exists():
        return None
    record = json.loads(path.read_text())
    return record if record.get("run_id") == run_id else None


def reset_docs(settings: Settings) -> None:
    """Forget the stored GX project (suites, validation history, Data Docs)."""
    shutil.rmtree(settings.home / "docs" / "gx", ignore_errors=True)


def report_to_json(report: AuditReport) -> dict[str, Any]:
    """An audit report as JSON (from the child process that audits on Spark)."""
    return {
        "results": [dataclasses.asdict(r) for r in report.results],
        "fingerprints": report.fingerprints,
        "docs_index": str(report.docs_index) if report.docs_index else None,
    }


def report_from_json(data: dict[str, Any]) -> AuditReport:
    results = []
    for r in data["results"]:
        failures = [Failure(**f) for f in r.pop("failures")]
        warnings = [Failure(**f) for f in r.pop("warnings")]
        results.append(TableResult(**r, failures=failures, warnings=warnings))
    docs = data.get("docs_index")
    return AuditReport(results, data["fingerprints"], Path(docs) if docs else None)
