"""`handoff status` and the end-of-run summary: batches, quarantine, last run."""

from __future__ import annotations

import json
from typing import Any

import duckdb

from handoff.settings import Settings


def _table_exists(con: Any, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def summary_lines(con: Any, settings: Settings) -> list[str]:
    """A short summary of what the build database holds."""
    if settings.ingest_db == settings.build_db:
        lines = [f"build database: {settings.build_db}"]
    else:
        lines = [
            f"ingest database: {settings.ingest_db} "
            f"(raw layer mirrored to the {settings.target} target)"
        ]
    if not _table_exists(con, "raw", "_batches"):
        return lines + ["no batch has been loaded yet"]
    loaded, rejected, rows, quarantined = con.execute(
        "select count(distinct batch_id) filter (where status = 'loaded'), "
        "count(distinct batch_id) filter (where status = 'rejected'), "
        "coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0) from raw._batches"
    ).fetchone()
    lines.append(
        f"raw: {loaded} batch(es) loaded, {rejected} rejected; "
        f"{rows:,} rows loaded, {quarantined:,} quarantined"
    )
    return lines


def render_status(settings: Settings) -> tuple[str, bool]:
    """The status report and whether everything is healthy (no rejected batch,
    last run succeeded)."""
    out: list[str] = [f"home: {settings.home}", f"landing: {settings.landing}"]
    ok = True
    if not settings.ingest_db.exists():
        out.append("no build database yet: run `handoff run` first")
        return "\n".join(out), True
    with duckdb.connect(str(settings.ingest_db), read_only=True) as con:
        out += summary_lines(con, settings)
        if _table_exists(con, "raw", "_batches"):
            out.append("")
            out.append(f"{'batch':<40} {'status':<9} {'files':>5} {'rows':>12} {'quarantined':>11}")
            for batch_id, status, files, rows, quarantined, error in con.execute(
                "select batch_id, min(status), count(*), sum(rows_loaded), sum(rows_quarantined), "
                "max(error) from raw._batches group by batch_id order by batch_id"
            ).fetchall():
                out.append(f"{batch_id:<40} {status:<9} {files:>5} {rows:>12,} {quarantined:>11,}")
                if status == "rejected":
                    ok = False
                    out.append(f"    {error}")
            q = con.execute(
                "select source_file, count(*), min(line_number), any_value(reason) "
                "from raw._quarantine group by source_file order by source_file"
            ).fetchall()
            if q:
                out.append("")
                out.append("quarantine (raw._quarantine):")
                for source_file, n, first_line, reason in q:
                    out.append(
                        f"    {source_file}: {n:,} row(s), first at line {first_line}: {reason}"
                    )
    if settings.runs_file.exists():
        runs = settings.runs_file.read_text().strip().splitlines()
        if runs:
            last = json.loads(runs[-1])
            state = "succeeded" if last["success"] else f"FAILED ({last.get('error')})"
            out.append("")
            out.append(
                f"last run: {last['finished_at']} {state}, as-of {last['as_of']}, "
                f"{last['seconds']} s, landing {last['landing']}"
            )
            ok = ok and bool(last["success"])
    return "\n".join(out), ok
