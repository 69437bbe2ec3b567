"""The Great Expectations gate on the marts (README, "Publishing, audit and schedules"), run before publish.

Suites are defined here, in code, for every mart the dbt manifest declares in schema
``marts`` and for the raw tables' contract:

- generic expectations derived from the manifest: every column of the model's
  contract exists; ``unique``, ``not_null``, ``accepted_values``, ``accepted_range``
  and ``unique_combination_of_columns`` tests become the matching GX expectations
  (dbt already runs them; GX repeats them on what is about to be published, and the
  Data Docs show analysts what was checked);
- specific ones: no timestamp after the run's as-of, rates and shares in [0, 1],
  deadlines at or after the clock start, one handoff per MQL entry, weekly,
  cohort, channel and capacity totals adding up to the handoffs, row counts
  bounded by the raw records;
- raw contract: the columns every file must carry are present and ids are set;
- no personal data in any mart (:func:`personal_data_findings`): no text value holds
  an e-mail address, a phone number or a lead's first and last name. Plain SQL
  rather than a GX expectation, whose failure examples would copy the very values
  into the report, the run's log and the Data Docs: the report names the column and
  counts the rows, nothing more.

GX 1.x cannot validate DuckDB tables through SQLAlchemy, so each table is read into
a pandas DataFrame over a read-only connection and validated there. GX is imported
lazily: it costs seconds, and nothing else in the pipeline needs it.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from handoff.settings import Settings

MART_SCHEMA = "marts"
EXAMPLES = 5
# Timestamps that are promises about the future, not events: they may lie after the
# as-of (a deadline not reached yet, the clock of a handoff made on a Friday night).
FUTURE_TIMESTAMPS = ("deadline", "clock_start_at", "due_at", "expires_at")


@dataclass(frozen=True)
class Expectation:
    """One GX expectation, kept as (class name, kwargs) so suites can be built and
    tested without importing GX; ``why`` is what the report says about it."""

    kind: str
    kwargs: dict[str, Any]
    why: str


@dataclass
class Suite:
    table: str  # schema.table
    expectations: list[Expectation] = field(default_factory=list)
    columns: list[str] | None = None  # None: every column

    @property
    def name(self) -> str:
        return self.table.replace(".", "__")

    def add(self, kind: str, why: str, **kwargs: Any) -> None:
        candidate = Expectation(kind, kwargs, why)
        if all((e.kind, e.kwargs) != (kind, kwargs) for e in self.expectations):
            self.expectations.append(candidate)


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

    @property
    def passed(self) -> bool:
        return not self.failures

    def metadata(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "expectations_evaluated": self.evaluated,
            "expectations_failed": len(self.failures),
            "unexpected_rows": sum(f.unexpected_count or 0 for f in self.failures),
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

    def render(self) -> str:
        evaluated = sum(r.evaluated for r in self.results)
        if self.passed:
            return f"audit passed: {evaluated} expectations on {len(self.results)} tables"
        failed_tables = sorted({f.table for f in self.failures})
        lines = [
            f"audit failed: {len(self.failures)} of {evaluated} expectations failed on "
            f"{', '.join(failed_tables)}"
        ]
        lines += [f.render() for f in self.failures]
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


def load_manifest(settings: Settings) -> dict[str, Any]:
    path = settings.dbt_target_path / "manifest.json"
    if not path.exists():
        raise FileNotFoundError(f"no dbt manifest at {path}: run `dbt parse` first")
    return json.loads(path.read_text())


def mart_models(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Enabled models that build into schema ``marts``, by name."""
    out = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["config"].get("enabled") is False:
            continue
        if node["config"].get("materialized") == "ephemeral":
            continue
        if node.get("schema") == MART_SCHEMA or node["config"].get("schema") == MART_SCHEMA:
            out[node["name"]] = node
    return dict(sorted(out.items()))


def _tests_on(manifest: dict[str, Any], unique_id: str) -> list[dict[str, Any]]:
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and node.get("attached_node") == unique_id
        and node.get("test_metadata")
        and node["config"].get("enabled", True)
        and node["config"].get("severity", "error").lower() == "error"
    ]


def _manifest_expectations(suite: Suite, manifest: dict[str, Any], model: dict[str, Any]) -> None:
    contract = [name for name in model.get("columns", {})]
    if contract:
        suite.add(
            "ExpectTableColumnsToMatchSet",
            "has every column of its dbt contract",
            column_set=contract,
            exact_match=False,
        )
    for test in _tests_on(manifest, model["unique_id"]):
        meta = test["test_metadata"]
        kwargs = dict(meta.get("kwargs") or {})
        kwargs.update(kwargs.pop("arguments", None) or {})
        column = test.get("column_name") or kwargs.get("column_name")
        name = meta["name"]
        if name == "unique" and column:
            suite.add("ExpectColumnValuesToBeUnique", f"{column} is unique", column=column)
        elif name == "not_null" and column:
            suite.add("ExpectColumnValuesToNotBeNull", f"{column} is never null", column=column)
        elif name == "accepted_values" and column and isinstance(kwargs.get("values"), list):
            values = kwargs["values"]
            suite.add(
                "ExpectColumnValuesToBeInSet",
                f"{column} is one of {', '.join(map(str, values))}",
                column=column,
                value_set=values,
            )
        elif name == "accepted_range" and column:
            bounds = {k: kwargs[k] for k in ("min_value", "max_value") if kwargs.get(k) is not None}
            if bounds:
                suite.add(
                    "ExpectColumnValuesToBeBetween",
                    f"{column} is within {bounds}",
                    column=column,
                    **bounds,
                )
        elif name == "unique_combination_of_columns" and isinstance(
            kwargs.get("combination_of_columns"), list
        ):
            cols = kwargs["combination_of_columns"]
            suite.add(
                "ExpectCompoundColumnsToBeUnique",
                f"({', '.join(cols)}) is unique",
                column_list=cols,
            )


def _timestamp_columns(columns: dict[str, str]) -> list[str]:
    return [
        name
        for name, data_type in columns.items()
        if data_type.upper().startswith("TIMESTAMP")
        and not any(marker in name for marker in FUTURE_TIMESTAMPS)
    ]


def _scalar(con: Any, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    return row[0] if row else None


def _raw_distinct(con: Any, pairs: list[tuple[str, str]], raw_tables: set[str]) -> int | None:
    """Distinct ids across raw tables (an upper bound for the entities built from
    them); None when none of the tables exists."""
    total, seen = 0, False
    for table, column in pairs:
        if table in raw_tables:
            seen = True
            total += int(_scalar(con, f'select count(distinct "{column}") from raw."{table}"') or 0)
    return total if seen else None


def _specific_expectations(
    suite: Suite,
    mart: str,
    columns: dict[str, str],
    con: Any,
    as_of: datetime,
    existing: dict[str, dict[str, str]],
    raw_tables: set[str],
) -> None:
    for column in _timestamp_columns(columns):
        suite.add(
            "ExpectColumnValuesToBeBetween",
            f"{column} is not after the as-of {as_of:%Y-%m-%d %H:%M:%S}",
            column=column,
            max_value=as_of,
        )
    for column in columns:
        # a rate, a share, a probability and either bound of their intervals (not a
        # difference of rates, which may be negative)
        rate = column.removesuffix("_ci_low").removesuffix("_ci_high")
        if rate.endswith(("_rate", "_share")) or column.startswith("probability_"):
            suite.add(
                "ExpectColumnValuesToBeBetween",
                f"{column} is a proportion in [0, 1]",
                column=column,
                min_value=0,
                max_value=1,
            )
    for deadline in ("first_touch_deadline_at", "disposition_deadline_at"):
        if deadline in columns and "clock_start_at" in columns:
            suite.add(
                "ExpectColumnPairValuesAToBeGreaterThanB",
                f"{deadline} is at or after clock_start_at",
                column_A=deadline,
                column_B="clock_start_at",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            )

    mql_entries = None
    transitions = existing.get("fct_lifecycle_transitions", {})
    if "handoff_number" in transitions:
        # Only mql entries that open a handoff: the first, and each after a recycle
        # (README, "The marts"); an mql → sql → mql regression is not a new handoff.
        mql_entries = int(
            _scalar(
                con,
                f"select count(*) from {MART_SCHEMA}.fct_lifecycle_transitions "
                "where to_stage = 'mql' and handoff_number is not null",
            )
        )
    handoffs = (
        int(_scalar(con, f"select count(*) from {MART_SCHEMA}.fct_handoffs"))
        if "fct_handoffs" in existing
        else None
    )
    if mart == "fct_handoffs" and mql_entries is not None:
        suite.add(
            "ExpectTableRowCountToEqual",
            f"one row per handoff-opening MQL entry in fct_lifecycle_transitions ({mql_entries:,})",
            value=mql_entries,
        )
    if (
        handoffs is not None
        and mart
        in ("fct_sales_sla_weekly", "fct_funnel_cohorts", "fct_speed_to_lead", "fct_team_capacity")
        and "handoffs" in columns
    ):
        suite.add(
            "ExpectColumnSumToBeBetween",
            f"handoffs add up to the {handoffs:,} rows of fct_handoffs",
            column="handoffs",
            min_value=handoffs,
            max_value=handoffs,
        )
    if handoffs is not None and mart == "fct_channel_performance" and "mqls" in columns:
        suite.add(
            "ExpectColumnSumToBeBetween",
            f"mqls add up to the {handoffs:,} rows of fct_handoffs",
            column="mqls",
            min_value=handoffs,
            max_value=handoffs,
        )
    if handoffs is not None and mart == "fct_marketing_sla_weekly" and "delivered_mqls" in columns:
        suite.add(
            "ExpectColumnSumToBeBetween",
            f"delivered_mqls add up to at most the {handoffs:,} handoffs",
            column="delivered_mqls",
            min_value=0,
            max_value=handoffs,
        )
    people = _raw_distinct(
        con,
        [
            ("hubspot__contacts", "hs_object_id"),
            ("salesforce__lead", "id"),
            ("salesforce__contact", "id"),
        ],
        raw_tables,
    )
    if mart in ("dim_leads", "fct_lead_funnel") and people is not None:
        suite.add(
            "ExpectTableRowCountToBeBetween",
            f"at most one row per raw lead/contact record ({people:,})",
            min_value=0,
            max_value=people,
        )
    owners = _raw_distinct(con, [("hubspot__owners", "id"), ("salesforce__user", "id")], raw_tables)
    if mart == "dim_owners" and owners is not None:
        suite.add(
            "ExpectTableRowCountToBeBetween",
            f"at most one row per raw owner/user record ({owners:,})",
            min_value=0,
            max_value=owners,
        )
    if mart == "rpt_open_sla_breaches" and handoffs is not None:
        suite.add(
            "ExpectTableRowCountToBeBetween",
            f"at most two open breaches per handoff ({2 * handoffs:,})",
            min_value=0,
            max_value=2 * handoffs,
        )


def _raw_suites(con: Any, raw_columns: dict[str, dict[str, str]]) -> list[Suite]:
    from handoff.contract import objects

    suites = []
    for spec in objects().values():
        if spec.table not in raw_columns:
            continue  # a CRM object never delivered: nothing to check
        present = raw_columns[spec.table]
        suite = Suite(
            table=f"raw.{spec.table}",
            columns=[c for c in dict.fromkeys([*spec.required, *spec.key]) if c in present],
        )
        suite.add(
            "ExpectTableColumnsToMatchSet",
            "carries every required column of the input contract",
            column_set=list(spec.required),
            exact_match=False,
        )
        for key in spec.key:
            suite.add("ExpectColumnValuesToNotBeNull", f"{key} (id) is never null", column=key)
        suites.append(suite)
    return suites


def _columns_by_table(con: Any, schema: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for table, column, data_type in con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = ? order by table_name, ordinal_position",
        [schema],
    ).fetchall():
        out.setdefault(table, {})[column] = data_type
    return out


def build_suites(con: Any, manifest: dict[str, Any], as_of: datetime) -> list[Suite]:
    """Every suite of the gate: one per mart of the manifest, one per raw table."""
    existing = _columns_by_table(con, MART_SCHEMA)
    raw_columns = _columns_by_table(con, "raw")
    suites = []
    for name, model in mart_models(manifest).items():
        suite = Suite(table=f"{MART_SCHEMA}.{name}")
        if name not in existing:
            suite.add(
                "ExpectTableRowCountToBeBetween",
                "exists in the build database (dbt built it)",
                min_value=-1,  # never evaluated: a missing table fails before GX
            )
            suites.append(suite)
            continue
        _manifest_expectations(suite, manifest, model)
        _specific_expectations(suite, name, existing[name], con, as_of, existing, set(raw_columns))
        suites.append(suite)
    return suites + _raw_suites(con, raw_columns)


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


def _name_pairs(specs: tuple[tuple[str, str, str], ...], raw: dict[str, dict[str, str]]) -> str:
    """A query of the word pairs the full names of these raw tables read as: the
    first name's last word, then the last name's first (`Ana Maria Silva`), and the
    last name's last word, then the first name's first (`Silva, Ana`); 2+ letters
    each."""
    people = []
    for table, first, last in specs:
        if {first, last} <= set(raw.get(table, {})):
            first_words, last_words = _words(f'"{first}"'), _words(f'"{last}"')
            people.append(
                f'select {first_words} as f, {last_words} as l from raw."{table}" '
                f'where "{first}" is not null and "{last}" is not null'
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


def personal_data_findings(con: Any, tables: set[str] | None = None) -> list[PersonalDataFinding]:
    """Every text column of the marts (of ``tables``, ``marts.<name>``, when given)
    that holds personal data, and in how many rows: an e-mail address, a phone
    number (:data:`PHONE_PATTERN`), or a lead's name — the first and last name of a
    raw HubSpot contact or Salesforce lead or contact as adjacent words, in either
    order (`Ana Silva`, `name=Ana+Silva`, `Silva, Ana`), employees' names excepted.
    Values are URL-decoded first. Names are found by one join of word pairs (the
    values' against the names'), not a search per name, and only values holding
    two words are split at all."""
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
    for table, column, emails, phone_numbers in con.execute(
        f"""
        select
            table_name,
            column_name,
            count(*) filter (
                where contains(v, '@') and regexp_matches(v, {_sql_text(EMAIL_PATTERN)})
            ),
            count(*) filter (where len({phones}) > 0)
        from ({decoded})
        group by table_name, column_name
        """
    ).fetchall():
        for kind, rows in (("an e-mail address", emails), ("a phone number", phone_numbers)):
            if rows:
                findings.append(PersonalDataFinding(f"{MART_SCHEMA}.{table}", column, kind, rows))

    raw = _columns_by_table(con, "raw")
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


def _gx_context(docs_root: Path | None) -> Any:
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    if docs_root is None:
        context = gx.get_context(mode="ephemeral")
    else:
        docs_root.mkdir(parents=True, exist_ok=True)
        context = gx.get_context(mode="file", project_root_dir=str(docs_root))
    try:
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context.variables.progress_bars = ProgressBarsConfig(globally=False)
    except Exception:  # noqa: BLE001 — cosmetic only
        pass
    return context


def _gx_expectation(expectation: Expectation) -> Any:
    import great_expectations as gx

    cls = getattr(gx.expectations, expectation.kind)
    return cls(**expectation.kwargs, meta={"why": expectation.why})


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


def _validate(context: Any, suite: Suite, frame: Any) -> list[Failure]:
    import great_expectations as gx

    source = context.data_sources.add_or_update_pandas(suite.table.split(".")[0])
    asset_names = {asset.name for asset in source.assets}
    asset = (
        source.get_asset(suite.name)
        if suite.name in asset_names
        else source.add_dataframe_asset(suite.name)
    )
    batch_names = {b.name for b in asset.batch_definitions}
    batch_definition = (
        asset.get_batch_definition("whole")
        if "whole" in batch_names
        else asset.add_batch_definition_whole_dataframe("whole")
    )
    # All at once: add_expectation() compares each new expectation with every one
    # before it (pydantic dicts, quadratic in the suite); Suite.add already dedups.
    gx_suite = gx.ExpectationSuite(
        name=suite.name, expectations=[_gx_expectation(e) for e in suite.expectations]
    )
    gx_suite = context.suites.add_or_update(gx_suite)
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=gx_suite)
    )
    result = definition.run(
        batch_parameters={"dataframe": frame},
        result_format={"result_format": "SUMMARY", "partial_unexpected_count": EXAMPLES},
    )
    failures = []
    for item in result.results:
        if item.success:
            continue
        config = item.expectation_config
        why = (config.meta or {}).get("why") or config.type
        details = item.result or {}
        observed = details.get("observed_value")
        mismatch = (details.get("details") or {}).get("mismatched")
        if mismatch:
            observed = f"missing {mismatch.get('missing')}"
        if item.exception_info and item.exception_info.get("raised_exception"):
            observed = "error: " + str(item.exception_info.get("exception_message"))
        failures.append(
            Failure(
                table=suite.table,
                expectation=config.type,
                why=why,
                unexpected_count=details.get("unexpected_count"),
                element_count=details.get("element_count"),
                examples=[_plain(v) for v in details.get("partial_unexpected_list") or []],
                observed=_plain(observed),
            )
        )
    return failures


def run_audit(
    settings: Settings,
    progress: Callable[[str], None] = print,
    con: Any | None = None,
    data_docs: bool = True,
    tables: set[str] | None = None,
) -> AuditReport:
    """Validate the marts and raw tables of the build database (only ``tables``,
    ``schema.table`` names, when given); write Data Docs under ``<home>/docs/gx``.
    Reads over ``con`` when given, else a read-only connection to the build database
    held only while reading."""
    from handoff.pipeline import open_read_only

    manifest = load_manifest(settings)
    own = con is None
    if own:
        con = open_read_only(settings.build_db)
    try:
        suites = [
            s
            for s in build_suites(con, manifest, settings.as_of)
            if tables is None or s.table in tables
        ]
        existing = set(_columns_by_table(con, MART_SCHEMA))
        marts = {s.table for s in suites if s.table.split(".")[0] == MART_SCHEMA}
        personal_data = personal_data_findings(con, marts)
        progress(
            f"audit: {sum(len(s.expectations) for s in suites)} expectations on "
            f"{len(suites)} tables, plus a personal-data scan of {len(marts)} marts"
        )
        context = _gx_context(settings.home / "docs" if data_docs else None)
        results, fingerprints = [], {}
        for suite in suites:
            schema, table = suite.table.split(".")
            if schema == MART_SCHEMA and table not in existing:
                results.append(
                    TableResult(
                        suite.table,
                        0,
                        1,
                        [
                            Failure(
                                suite.table,
                                "table_exists",
                                "exists in the build database",
                                None,
                                None,
                                [],
                                "missing",
                            )
                        ],
                    )
                )
                continue
            cols = "*" if suite.columns is None else ", ".join(f'"{c}"' for c in suite.columns)
            frame = con.execute(f'select {cols} from {schema}."{table}"').df()
            if schema == MART_SCHEMA:
                fingerprints[table] = fingerprint(con, f'{schema}."{table}"')
            failures = _validate(context, suite, frame)
            evaluated = len(suite.expectations)
            if schema == MART_SCHEMA:
                evaluated += 1  # no personal data
                failures += [f.failure(len(frame)) for f in personal_data if f.table == suite.table]
            results.append(TableResult(suite.table, len(frame), evaluated, failures))
            del frame
    finally:
        if own:
            con.close()
    report = AuditReport(results, fingerprints)
    if data_docs:
        try:
            prune_validation_history(settings.home / "docs" / "gx")
            context.build_data_docs()
            report.docs_index = data_docs_index(settings)
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
