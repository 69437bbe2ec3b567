"""Compare every table of two build databases row for row (a refactoring's proof).

    .venv/bin/python bench/compare_builds.py BEFORE.duckdb AFTER.duckdb [--schemas marts,...]

For each table present in both files: its row count and the rows each side has
that the other lacks (``EXCEPT ALL`` both ways, so duplicates count), on the
columns the first file has (columns only the second has are listed, not compared). Tables only
one side has are listed. Columns that record when or by which run something
happened (``_loaded_at``, ``_batch_id`` …) differ between two runs of the same
landing by design; ``--ignore-columns`` leaves them out of the comparison.
Exit status 1 when anything differs.
"""

from __future__ import annotations

import argparse
import sys

import duckdb

DEFAULT_IGNORED = (
    "_loaded_at,loaded_at,loaded_through,contact_version_id,lead_version_id,"
    "_run_id,run_id,built_at,_published_at,published_at"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--schemas", default="", help="comma-separated; default every schema")
    parser.add_argument("--ignore-columns", default=DEFAULT_IGNORED)
    args = parser.parse_args()
    ignored = {c.strip() for c in args.ignore_columns.split(",") if c.strip()}
    con = duckdb.connect()
    con.execute(f"attach '{args.before}' as b (read_only)")
    con.execute(f"attach '{args.after}' as a (read_only)")

    def tables(db: str) -> dict[tuple[str, str], list[str]]:
        rows = con.execute(
            "select table_schema, table_name, list(column_name order by ordinal_position) "
            "from information_schema.columns where table_catalog = ? group by all",
            [db],
        ).fetchall()
        wanted = {s for s in args.schemas.split(",") if s}
        return {(s, t): cols for s, t, cols in rows if not wanted or s in wanted}

    before, after = tables("b"), tables("a")
    differ = False
    for key in sorted(set(before) ^ set(after)):
        side = "before" if key in before else "after"
        print(f"{key[0]}.{key[1]}: only {side}")
        differ = True
    for schema, table in sorted(set(before) & set(after)):
        cols_b = [c for c in before[(schema, table)] if c not in ignored]
        cols_a = [c for c in after[(schema, table)] if c not in ignored]
        name = f"{schema}.{table}"
        added = [c for c in cols_a if c not in cols_b]
        if [c for c in cols_a if c in cols_b] != cols_b:
            print(f"{name}: columns differ: {cols_b} vs {cols_a}")
            differ = True
            continue
        if added:
            # new columns are reported (a change to review), the old ones compared
            print(f"{name}: columns added after: {', '.join(added)}")
        cols = ", ".join(f'"{c}"' for c in cols_b)
        ref = f'"{schema}"."{table}"'
        n_b, n_a, only_b, only_a = con.execute(
            f"select (select count(*) from b.{ref}), (select count(*) from a.{ref}), "
            f"(select count(*) from (select {cols} from b.{ref} except all "
            f"select {cols} from a.{ref})), "
            f"(select count(*) from (select {cols} from a.{ref} except all "
            f"select {cols} from b.{ref}))"
        ).fetchone()
        status = "equal" if (only_b, only_a) == (0, 0) else "DIFFERENT"
        differ = differ or status != "equal"
        print(f"{name}: {n_b} / {n_a} rows, {only_b} only before, {only_a} only after: {status}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
