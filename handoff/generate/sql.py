"""SQL text the generator builds its tables from: literals, weighted and uniform picks
from ``rnd`` draws, CASE mappings, Salesforce ids, and the random-number macros."""

from __future__ import annotations

import duckdb

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
CHECKSUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def lit(text: str | None) -> str:
    if text is None:
        return "null"
    return "'" + text.replace("'", "''") + "'"


def array(items: list[str]) -> str:
    return "[" + ", ".join(lit(i) for i in items) + "]"


def pick(u: str, choices: list[tuple[str, float]]) -> str:
    """SQL: the value whose cumulative weight band contains ``u`` (in [0, 1))."""
    total = sum(w for _, w in choices)
    parts, acc = [], 0.0
    for value, weight in choices[:-1]:
        acc += weight / total
        parts.append(f"when {u} < {acc!r} then {lit(value)}")
    return f"(case {' '.join(parts)} else {lit(choices[-1][0])} end)"


def choose(u: str, items: list[str]) -> str:
    """SQL: one of ``items`` uniformly by ``u``."""
    return f"{array(items)}[1 + least(floor({u} * {len(items)}), {len(items) - 1})::int]"


def sfid(prefix: str, n: str) -> str:
    """SQL for an 18-character Salesforce id: prefix, instance ``8d``, ``0``, nine base-62
    digits of the integer expression ``n`` and the case-checksum suffix."""
    head = prefix + "8d0"
    assert len(head) == 6
    digits = [f"(({n}) // {62**k} % 62)" for k in range(8, -1, -1)]  # most significant first
    chars = " || ".join(f"substr('{ALPHABET}', ({d})::int + 1, 1)" for d in digits)
    # 15 characters: head (6) + digits (9). Chunk 0 = head[0:5]; chunk 1 = head[5] + d0..d3;
    # chunk 2 = d4..d8. A base-62 digit is an upper-case letter when 10 <= d <= 35.

    def upper(d: str, bit: int) -> str:
        return f"(case when {d} between 10 and 35 then {1 << bit} else 0 end)"

    c0 = sum(1 << j for j, ch in enumerate(head[:5]) if ch.isupper())
    c1_const = 1 if head[5].isupper() else 0
    c1 = " + ".join([str(c1_const)] + [upper(digits[j], j + 1) for j in range(4)])
    c2 = " + ".join(upper(digits[4 + j], j) for j in range(5))
    return (
        f"('{head}' || {chars} || '{CHECKSUM[c0]}' || "
        f"substr('{CHECKSUM}', ({c1}) + 1, 1) || substr('{CHECKSUM}', ({c2}) + 1, 1))"
    )


def case(col: str, mapping: dict[str, str]) -> str:
    return (
        f"(case {col} "
        + " ".join(f"when {lit(k)} then {lit(v)}" for k, v in mapping.items())
        + " end)"
    )


def window(col: str, cp: str, c: str) -> str:
    """SQL: ``col`` falls in the batch window ``[cp, c)``."""
    return f"({col} >= {cp} and {col} < {c})"


def create_macros(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    """The session settings and the macros every table is drawn with: ``rnd`` (uniform
    in [0, 1) from a row number and a salt), ``rnorm``, ``rexp`` and the local/UTC
    conversions."""
    con.execute("set TimeZone = 'UTC'")
    con.execute("set enable_progress_bar = false")
    con.execute(
        # hash(a, b, c) combines the parts too weakly (draws with different salts come out
        # correlated): hash the integer offset by a per-salt (and per-seed) constant instead.
        f"create macro rnd(i, salt) as "
        f"((hash((hash(salt || ':{int(seed)}') >> 24) + i) >> 11)::double / 9007199254740992.0)"
    )
    con.execute(
        "create macro rnorm(i, salt) as "
        "sqrt(-2 * ln(rnd(i, salt || ':a') + 1e-12)) * cos(2 * pi() * rnd(i, salt || ':b'))"
    )
    con.execute("create macro rexp(i, salt) as -ln(1 - rnd(i, salt))")
    con.execute("create macro local_ts(ts, tz) as timezone(tz, ts::timestamptz)")
    con.execute("create macro utc_ts(lts, tz) as timezone(tz, lts)::timestamp")
