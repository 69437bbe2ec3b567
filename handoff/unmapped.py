"""The unmapped-values report (README, "Unmapped values"): CRM values no seed maps.

What counts as unmapped is defined once, by the dbt model ``rpt_unmapped_values``;
``handoff check`` builds it on its throwaway copy of the landing, and a run's summary
and ``handoff status`` read it from the build database. This module only reads and
words it."""

from __future__ import annotations

from typing import Any

from handoff.duck import table_exists

MART = "marts.rpt_unmapped_values"
# How many values the run's summary and `handoff status` list before "… and N more".
TOP = 5


def unmapped_rows(con: Any) -> list[tuple[str, str, str, int, str]] | None:
    """``(crm, field, value, rows, seed)`` per unmapped value, most rows first; None
    when the mart has not been built."""
    if not table_exists(con, "marts", "rpt_unmapped_values"):
        return None
    return con.execute(
        f"select crm, field, value, rows, seed from {MART} order by rows desc, crm, field, value"
    ).fetchall()


def unmapped_lines(
    rows: list[tuple[str, str, str, int, str]] | None, top: int | None = TOP
) -> list[str]:
    """The report as lines: a head line, one line per value (the first ``top``; all
    when None) with its row count and the seed line that would map it, and how many
    more there are."""
    if rows is None:
        return []
    if not rows:
        return ["unmapped values: none, every CRM value the models look up is in a seed"]
    total = sum(r[3] for r in rows)
    lines = [
        f"unmapped values: {len(rows)} value(s) on {total:,} row(s) no seed maps "
        f"({MART}); add a line to the seed:"
    ]
    shown = rows if top is None else rows[:top]
    for crm, field, value, count, seed in shown:
        lines.append(f"    {crm} {field} {value!r}: {count:,} row(s) → {seed}")
    if len(rows) > len(shown):
        lines.append(f"    … and {len(rows) - len(shown)} more in {MART}")
    return lines
