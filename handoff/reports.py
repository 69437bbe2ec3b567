"""The scheduled reviews, read from the published serving copy — what BI sees, after
the audit: the Monday marketing-SLA review and the Wednesday list of open SLA
breaches (optionally POSTed to ``HANDOFF_ALERT_WEBHOOK``).

A webhook URL often carries its secret (``?token=…``, ``user:password@``): it is only
ever printed through :func:`redact_url`, in errors, progress lines and logs."""

from __future__ import annotations

import base64
import csv
import http.client
import json
import os
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from handoff.engines import spark
from handoff.engines.postgres import connect
from handoff.publish import serving_path
from handoff.settings import Settings

REVIEW_WEEKS = 4
WEBHOOK_ENV = "HANDOFF_ALERT_WEBHOOK"


@dataclass
class Report:
    path: Path
    rows: int
    summary: str


def redact_url(url: str) -> str:
    """``url`` fit to print: scheme, host, port and path, without user:password,
    query string or fragment (where webhook secrets live)."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "(an unparseable URL)"
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


def _webhook_request(url: str, body: bytes) -> urllib.request.Request:
    """A JSON POST to ``url``; its user:password (if any) goes into a basic
    Authorization header, as urllib would otherwise take it for part of the host."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise RuntimeError(f"{WEBHOOK_ENV} is not an http(s) URL: {redact_url(url)}")
    headers = {"Content-Type": "application/json", "User-Agent": "handoff"}
    if parts.username is not None or parts.password is not None:
        user = urllib.parse.unquote(parts.username or "")
        password = urllib.parse.unquote(parts.password or "")
        headers["Authorization"] = "Basic " + base64.b64encode(
            f"{user}:{password}".encode()
        ).decode("ascii")
        url = urllib.parse.urlunsplit(
            (parts.scheme, parts.netloc.rpartition("@")[2], parts.path, parts.query, "")
        )
    return urllib.request.Request(url, data=body, method="POST", headers=headers)


def _scrub(text: str, url: str) -> str:
    """An error message about ``url`` without the URL's secrets."""
    parts = urllib.parse.urlsplit(url)
    secrets = [url, parts.netloc, parts.query, parts.fragment, parts.username, parts.password]
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        text = text.replace(secret, redact_url(url) if secret == url else "…")
    return text


def reports_dir(settings: Settings) -> Path:
    return settings.home / "reports"


def _rows(
    sql: str, settings: Settings, params: list | None = None
) -> tuple[list[str], list[tuple]]:
    """Rows of the published marts only: the serving file on DuckDB, schema ``marts``
    on PostgreSQL, the ``marts`` views on Spark (``?`` placeholders; dates)."""
    if settings.target == "postgres":
        pg = connect()
        try:
            with pg.cursor() as cursor:
                cursor.execute(sql.replace("?", "%s"), params or [])
                names = [d[0] for d in cursor.description]
                return names, [tuple(r) for r in cursor.fetchall()]
        finally:
            pg.close()
    if settings.target == "spark":
        for value in params or []:
            sql = sql.replace("?", f"date '{value:%Y-%m-%d}'", 1)
        names, rows = spark.select(settings.home, sql)
        # dates come back as ISO text: as dates again, like the other engines'
        return names, [
            tuple(
                date.fromisoformat(v) if n.endswith("_date") and isinstance(v, str) else v
                for n, v in zip(names, row, strict=True)
            )
            for row in rows
        ]
    with duckdb.connect(str(serving_path(settings)), read_only=True) as con:
        cursor = con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return names, cursor.fetchall()


def _write_csv(path: Path, names: list[str], rows: list[tuple]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(names)
        writer.writerows(rows)
    os.replace(tmp, path)


def last_complete_week(as_of: datetime) -> date:
    """Monday of the last ISO week that ended at or before the as-of: the review's
    week when the mart has no complete week yet (only the file is named by it)."""
    this_monday = as_of.date() - timedelta(days=as_of.weekday())
    return this_monday - timedelta(days=7)


# The review's weeks: the mart's last complete week (`is_week_complete`, the mart's
# rule) and the REVIEW_WEEKS - 1 weeks before it, every segment.
REVIEW_SQL = f"""
with last_complete as (
    select max(week_start_date) as week_start_date
    from marts.fct_marketing_sla_weekly
    where is_week_complete
)
select weekly.*
from marts.fct_marketing_sla_weekly as weekly
cross join last_complete
where weekly.week_start_date <= last_complete.week_start_date
    and weekly.week_start_date + interval '{7 * REVIEW_WEEKS}' day
        > last_complete.week_start_date
order by weekly.week_start_date, weekly.segment
"""


def marketing_sla_review(settings: Settings, progress: Callable[[str], None] = print) -> Report:
    """The latest complete weeks of fct_marketing_sla_weekly as
    ``<home>/reports/marketing_sla_<iso week>.csv``, and a one-line verdict per
    segment for the last week."""
    names, rows = _rows(REVIEW_SQL, settings)
    records = [dict(zip(names, row, strict=True)) for row in rows]
    complete = [r["week_start_date"] for r in records if r.get("is_week_complete")]
    week = max(complete) if complete else last_complete_week(settings.as_of)
    iso_year, iso_week, _ = week.isocalendar()
    path = reports_dir(settings) / f"marketing_sla_{iso_year}-W{iso_week:02d}.csv"
    _write_csv(path, names, rows)
    last = [row for row in records if row["week_start_date"] == week]
    if not last:
        summary = f"marketing SLA {iso_year}-W{iso_week:02d}: no week row (no data yet)"
    else:
        parts = []
        for row in last:
            share = row.get("good_fit_share")
            parts.append(
                f"{row.get('segment')}: {row.get('delivered_mqls')}/{row.get('target_mqls')} MQLs"
                + (f", good fit {share:.0%}" if isinstance(share, float) else "")
                + f" — {'met' if row.get('is_met') else 'MISSED'}"
            )
        summary = f"marketing SLA {iso_year}-W{iso_week:02d}: " + "; ".join(parts)
    progress(summary)
    progress(f"marketing SLA review: {path}")
    return Report(path, len(rows), summary)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return str(value)


def open_breaches(settings: Settings) -> tuple[list[str], list[tuple]]:
    return _rows("select * from marts.rpt_open_sla_breaches order by 1", settings)


def open_breach_alert(
    settings: Settings,
    progress: Callable[[str], None] = print,
    webhook: str | None = None,
) -> Report:
    """``<home>/reports/open_sla_breaches_<as-of date>.csv``; when a webhook is set
    (argument or ``HANDOFF_ALERT_WEBHOOK``), POST the breaches there as JSON:
    ``{"as_of", "count", "breaches": [{column: value}]}``."""
    names, rows = open_breaches(settings)
    path = reports_dir(settings) / f"open_sla_breaches_{settings.as_of:%Y-%m-%d}.csv"
    _write_csv(path, names, rows)
    summary = f"{len(rows)} open SLA breach(es) as of {settings.as_of:%Y-%m-%d %H:%M} UTC"
    progress(f"{summary}: {path}")
    webhook = webhook or os.environ.get(WEBHOOK_ENV)
    if webhook:
        body = json.dumps(
            {
                "as_of": settings.as_of.isoformat(),
                "count": len(rows),
                "breaches": [
                    {name: _json_value(value) for name, value in zip(names, row, strict=True)}
                    for row in rows
                ],
            }
        ).encode()
        request = _webhook_request(webhook, body)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = response.status
        except (OSError, ValueError, http.client.HTTPException) as exc:
            # Not chained: the cause's own text could carry the URL (Dagster stores both).
            raise RuntimeError(
                f"could not POST the open breaches to {redact_url(webhook)}: "
                + _scrub(str(exc), webhook)
            ) from None
        progress(f"posted {len(rows)} open breach(es) to {redact_url(webhook)} (HTTP {status})")
    return Report(path, len(rows), summary)
