"""`handoff status` and the end-of-run summary: batches, quarantine, last run."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import duckdb

from handoff.duck import open_read_only, table_exists
from handoff.ingest.parse import public_reason
from handoff.publish import last_publish, serving_path
from handoff.settings import Settings
from handoff.unmapped import unmapped_lines, unmapped_rows

# Each batch's current state: the status of its latest attempt (a rejected batch that
# was fixed and loaded is loaded), the files and rows of every attempt that loaded, and
# the error of the latest attempt when it was rejected.
CURRENT_BATCHES = """
select batch_id,
    case when bool_or(status = 'rejected') filter (where is_latest) then 'rejected'
         else 'loaded' end as status,
    count(distinct path) filter (where status = 'loaded' or is_latest) as files,
    coalesce(sum(rows_loaded) filter (where status = 'loaded'), 0) as rows,
    coalesce(sum(rows_quarantined) filter (where status = 'loaded'), 0) as quarantined,
    max(error) filter (where is_latest and status = 'rejected') as error
from (
    select *, loaded_at = max(loaded_at) over (partition by batch_id) as is_latest
    from raw._batches
)
group by batch_id
"""


def summary_lines(con: Any, settings: Settings) -> list[str]:
    """A short summary of what the build database holds."""
    if settings.ingest_db == settings.build_db:
        lines = [f"build database: {settings.build_db}"]
    else:
        lines = [
            f"ingest database: {settings.ingest_db} "
            f"(raw layer mirrored to the {settings.target} target)"
        ]
    if not table_exists(con, "raw", "_batches"):
        return lines + ["no batch has been loaded yet"]
    loaded, rejected, rows, quarantined = con.execute(
        f"select count(*) filter (where status = 'loaded'), "
        f"count(*) filter (where status = 'rejected'), "
        f"coalesce(sum(rows), 0), coalesce(sum(quarantined), 0) from ({CURRENT_BATCHES})"
    ).fetchone()
    lines.append(
        f"raw: {loaded} batch(es) loaded, {rejected} rejected; "
        f"{rows:,} rows loaded, {quarantined:,} quarantined"
    )
    return lines


def batches_since(settings: Settings, started: datetime) -> tuple[list[str], list[str]]:
    """The batches a run that started at ``started`` (naive UTC) rejected, and those a
    full disk kept from loading (the next run tries them again), from the ledger."""
    if not settings.ingest_db.exists():
        return [], []
    with open_read_only(settings.ingest_db) as con:
        if not table_exists(con, "raw", "_batches"):
            return [], []
        rejected = [
            r[0]
            for r in con.execute(
                "select distinct batch_id from raw._batches "
                "where status = 'rejected' and loaded_at >= ? order by 1",
                [started],
            ).fetchall()
        ]
        not_loaded = []
        if table_exists(con, "raw", "_landing_notices"):
            not_loaded = [
                r[0]
                for r in con.execute(
                    "select path from raw._landing_notices where kind = 'not_loaded' "
                    "and noticed_at >= ? order by 1",
                    [started],
                ).fetchall()
            ]
    return rejected, not_loaded


def _last_run(settings: Settings) -> dict[str, Any] | None:
    if not settings.runs_file.exists():
        return None
    runs = settings.runs_file.read_text().strip().splitlines()
    return json.loads(runs[-1]) if runs else None


def render_status(settings: Settings) -> tuple[str, bool]:
    """The status report and whether everything is healthy (no rejected batch,
    last run succeeded)."""
    last = _last_run(settings)
    if settings.source == "fivetran" or (last and last.get("source") == "fivetran"):
        return _render_source_status(settings, last)
    landing = last["landing"] if last and last.get("landing") else settings.landing
    out: list[str] = [
        f"home: {settings.home}",
        f"landing: {landing}" + (" (the last run's)" if last and last.get("landing") else ""),
    ]
    ok = True
    if not settings.ingest_db.exists():
        out.append("no build database yet: run `handoff run` first")
        return "\n".join(out), True
    with duckdb.connect(str(settings.ingest_db), read_only=True) as con:
        out += summary_lines(con, settings)
        if table_exists(con, "raw", "_batches"):
            out.append("")
            out.append(f"{'batch':<40} {'status':<9} {'files':>5} {'rows':>12} {'quarantined':>11}")
            for batch_id, status, files, rows, quarantined, error in con.execute(
                f"select * from ({CURRENT_BATCHES}) order by batch_id"
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
                    # The reason without the cell's value (it may be personal data).
                    out.append(
                        f"    {source_file}: {n:,} row(s), first at line {first_line}: "
                        f"{public_reason(reason)}"
                    )
            if table_exists(con, "raw", "_landing_notices"):
                notices = con.execute(
                    "select path, kind, reason from raw._landing_notices order by kind desc, path"
                ).fetchall()
                if notices:
                    ok = False if any(k == "not_loaded" for _, k, _ in notices) else ok
                    out.append("")
                    out.append("what the last ingest did not read or load (raw._landing_notices):")
                    out += [
                        f"    {path}: {'NOT LOADED, ' if kind == 'not_loaded' else ''}{reason}"
                        for path, kind, reason in notices
                    ]
        if settings.ingest_db == settings.build_db:
            out += _build_lines(con)
    return _publish_and_run_lines(settings, last, out, ok)


def _build_lines(con: Any) -> list[str]:
    """Both SLAs and the unmapped values of the DuckDB build database ``con``, each
    block after a blank line (none when the marts are not built yet)."""
    out: list[str] = []
    for lines in (sla_summary_lines(con), unmapped_lines(unmapped_rows(con))):
        if lines:
            out += [""] + lines
    return out


def _publish_and_run_lines(
    settings: Settings, last: dict[str, Any] | None, out: list[str], ok: bool
) -> tuple[str, bool]:
    """``out`` with the last publish and the last run appended; healthy when ``ok``
    and the last run succeeded."""
    record = last_publish(settings)
    if record:
        publish_id = f", publish {record['publish_id']}" if record.get("publish_id") else ""
        out.append(
            f"last publish: {record['published_at']} UTC (as-of {record['as_of']}{publish_id}) → "
            f"{serving_path(settings)}"
        )
    if last:
        state = "succeeded" if last["success"] else f"FAILED ({last.get('error')})"
        read = (
            "the connector's tables"
            if last.get("source") == "fivetran"
            else f"landing {last['landing']}"
        )
        out.append("")
        out.append(
            f"last run: {last['finished_at']} {state}, as-of {last['as_of']}, "
            f"{last['seconds']} s, {read}"
        )
        ok = ok and bool(last["success"])
    return "\n".join(out), ok


def _render_source_status(settings: Settings, last: dict[str, Any] | None) -> tuple[str, bool]:
    """Source mode (``--source fivetran``): no landing folder, batches or quarantine,
    but where the connector's tables are read, and on DuckDB the SLAs of the build."""
    schemas = ", ".join(
        settings.connector_schemas[crm] for crm in sorted(settings.connector_schemas)
    )
    where = {
        "duckdb": f"of {settings.build_db}",
        "postgres": "of PostgreSQL (HANDOFF_PG_*)",
        "spark": f"of the Spark metastore in {settings.home / 'spark'}",
    }.get(settings.target, f"of the {settings.target} target")
    out = [
        f"home: {settings.home}",
        f"source: fivetran, the connector's tables read in place (schemas {schemas} {where}); "
        "no landing folder, so no batches, ledger or quarantine",
    ]
    if settings.target == "duckdb" and settings.build_db.exists():
        with duckdb.connect(str(settings.build_db), read_only=True) as con:
            out += _build_lines(con)
    elif last is None:
        out.append("no run yet: run `handoff run --source fivetran` first")
    return _publish_and_run_lines(settings, last, out, True)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f} %"


def sla_summary_lines(con: Any) -> list[str]:
    """Both SLAs in a few lines, from the marts: the marketing promise
    per ISO week, the sales promise per handoff, and MQL→SQL on mature cohorts."""
    if not table_exists(con, "marts", "fct_handoffs"):
        return []
    lines = []
    weeks = con.execute(
        "select count(*), count(*) filter (where is_met), "
        "max(week_start_date) from marts.fct_marketing_sla_weekly where is_week_complete"
    ).fetchone()
    if weeks and weeks[0]:
        total, met, last_week = weeks
        delivered, target, share, min_share, is_met = con.execute(
            "select sum(delivered_mqls), sum(target_mqls), "
            "sum(good_fit_mqls) / nullif(sum(delivered_mqls), 0), max(min_good_fit_share), "
            "bool_and(is_met) from marts.fct_marketing_sla_weekly where week_start_date = ?",
            [last_week],
        ).fetchone()
        lines.append(
            f"marketing SLA: {met} of {total} complete weeks met; week of {last_week}: "
            f"{delivered:,} MQLs of {target:,} promised, good fit {_pct(share)} "
            f"(min {_pct(min_share)}) → {'met' if is_met else 'MISSED'}"
        )
    handoffs, touched, dispositioned, median_minutes = con.execute(
        "select count(*), avg(case when is_first_touched_in_sla then 1.0 else 0.0 end), "
        "avg(case when is_dispositioned_in_sla then 1.0 else 0.0 end), "
        "median(business_minutes_to_first_touch) from marts.fct_handoffs"
    ).fetchone()
    late_handoffs, late_deadlines = con.execute(
        "select count(distinct handoff_id), count(*) from marts.rpt_open_sla_breaches "
        "where is_overdue"
    ).fetchone()
    median = "n/a" if median_minutes is None else f"{median_minutes:,.0f} business min"
    lines.append(
        f"sales SLA: {handoffs:,} handoffs; first touch in SLA {_pct(touched)}, "
        f"disposition in SLA {_pct(dispositioned)}, median to first touch {median}; "
        f"{late_handoffs:,} open handoffs past a deadline ({late_deadlines:,} missed deadlines "
        "in marts.rpt_open_sla_breaches: one past both counts twice there)"
    )
    cohorts = con.execute(
        "select sum(inbound_sqls_in_window) * 1.0 / nullif(sum(inbound_handoffs), 0), "
        "sum(sqls_in_window - inbound_sqls_in_window) * 1.0 "
        "/ nullif(sum(handoffs - inbound_handoffs), 0) "
        "from marts.fct_funnel_cohorts where is_mature"
    ).fetchone()
    if cohorts and cohorts[0] is not None:
        lines.append(
            f"MQL→SQL (mature cohorts): inbound {_pct(cohorts[0])}, outbound {_pct(cohorts[1])}"
        )
    return lines
