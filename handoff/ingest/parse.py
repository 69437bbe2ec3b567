"""SQL expressions that turn the text of an extract cell into a typed value (README, "Pointing it at your own HubSpot and Salesforce exports").

Every file is read as text (``all_varchar``) and parsed here, in DuckDB, so that a
cell that does not parse can be told apart from an empty one and its row sent to
quarantine instead of silently becoming NULL.

Timestamps: ISO 8601 with ``Z`` or an offset, Salesforce ``…000+0000``, naive
timestamps (read in the source timezone, which is the session ``TimeZone``) and
HubSpot epoch milliseconds; all become UTC ``timestamp`` values.
Booleans: ``true/TRUE/1/yes/y/t`` and ``false/FALSE/0/no/n/f``.
"""

from __future__ import annotations

TRUE_WORDS = ("true", "1", "yes", "y", "t")
FALSE_WORDS = ("false", "0", "no", "n", "f")

# Epoch milliseconds: HubSpot's API and exports of its date properties. 12–14 digits
# covers 1973..2286; shorter digit strings are not read as timestamps.
_EPOCH_MS = r"^\d{12,14}$"


def _words(words: tuple[str, ...]) -> str:
    return ", ".join(f"'{w}'" for w in words)


def blank(raw: str) -> str:
    """True when the cell holds nothing (NULL or only spaces)."""
    return f"({raw} is null or trim({raw}) = '')"


def parse_expr(raw: str, sql_type: str) -> str:
    """Expression typing the text expression ``raw`` as contract type ``sql_type``.
    Unparseable text yields NULL; :func:`error_expr` tells it apart from a blank."""
    v = f"nullif(trim({raw}), '')"
    if sql_type in ("id", "text"):
        return v
    if sql_type == "timestamp":
        return (
            f"coalesce(timezone('UTC', try_cast({v} as timestamptz)), "
            f"case when regexp_matches({v}, '{_EPOCH_MS}') then epoch_ms(cast({v} as bigint)) end)"
        )
    if sql_type == "date":
        return (
            f"coalesce(try_cast({v} as date), "
            f"cast(timezone('UTC', try_cast({v} as timestamptz)) as date), "
            f"case when regexp_matches({v}, '{_EPOCH_MS}') "
            f"then cast(epoch_ms(cast({v} as bigint)) as date) end)"
        )
    if sql_type == "boolean":
        return (
            f"case when lower({v}) in ({_words(TRUE_WORDS)}) then true "
            f"when lower({v}) in ({_words(FALSE_WORDS)}) then false end"
        )
    if sql_type == "integer":
        return f"cast(round(try_cast(replace({v}, ',', '') as double)) as bigint)"
    if sql_type == "number":
        return f"try_cast(replace({v}, ',', '') as double)"
    raise ValueError(f"unknown contract type {sql_type!r}")


_WHAT = {
    "timestamp": "a timestamp",
    "date": "a date",
    "boolean": "a boolean (true/false, 1/0, yes/no)",
    "integer": "a whole number",
    "number": "a number",
}


def error_expr(raw: str, parsed: str, sql_type: str) -> str | None:
    """Expression giving the quarantine reason for one cell, or NULL when it is fine.
    ``parsed`` is the already-computed :func:`parse_expr` column."""
    if sql_type == "id":
        return f"case when {blank(raw)} then 'missing id' end"
    if sql_type == "text":
        return None
    what = _WHAT[sql_type]
    return (
        f"case when not {blank(raw)} and {parsed} is null "
        f"then '''' || left(trim({raw}), 60) || ''' is not {what}' end"
    )


def public_reason(reason: str) -> str:
    """A quarantine reason fit for logs and status: without the cell's value, which may
    be personal data ("'ana@…' is not a timestamp" → "the value is not a timestamp")."""
    if reason.startswith("'") and "' is not " in reason:
        return "the value is not " + reason.rsplit("' is not ", 1)[1]
    return reason
