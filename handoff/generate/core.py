"""``generate()``: the model's tables in one in-memory DuckDB, then every batch's
HubSpot and Salesforce files and ``_sample.json``; ``main()``, the module's command
line (``python -m handoff.generate``)."""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from handoff.generate import (
    activities,
    company,
    hubspot,
    layouts,
    lifecycle,
    period,
    salesforce,
    sql,
)
from handoff.generate import leads as leads_model
from handoff.generate.rules import Rules, SeedsMismatch, project_seeds, read_rules, shipped_seeds
from handoff.generate.writer import Writer

# The seed's weekly MQL target is the shipped sample's (4,000 leads); a sample of other
# size gets it scaled.
SEED_TARGET_LEADS = 4000


def _ts_literal(value: datetime) -> str:
    return f"timestamp '{value.strftime('%Y-%m-%d %H:%M:%S')}'"


def _read(seeds_dir: Path) -> tuple[Rules, company.Company]:
    rules = read_rules(seeds_dir)
    demo = company.demo_company(rules)
    leads_model.check_rules(rules)
    return rules, demo


def describe(seeds_dir: Path | None, say: Callable[[str], None]) -> tuple[Rules, company.Company]:
    """The rules and the demo company of ``seeds_dir``; by default of the project's
    seeds, or of the shipped ones when a project's seeds, adapted to another company,
    cannot describe the demo company (its teams, roles or placed owners)."""
    if seeds_dir is not None:
        return _read(seeds_dir)
    try:
        return _read(project_seeds())
    except (SeedsMismatch, KeyError, FileNotFoundError) as problem:
        if project_seeds().resolve() == shipped_seeds().resolve():
            raise
        say(
            f"the project's seeds do not describe the sample's demo company ({problem}); "
            "the sample follows the seeds handoff ships"
        )
        return _read(shipped_seeds())


def generate(
    out: Path,
    leads: int = 4000,
    seed: int = 42,
    batches: int = 4,
    progress: Callable[[str], None] | None = None,
    seeds_dir: Path | None = None,
) -> dict[str, Any]:
    """Write deterministic synthetic HubSpot and Salesforce extracts under ``out`` and
    return a summary (leads, activities, files, rows per file, period, extracted_at).
    The teams, holidays, fit rules, business hours, MQL target and placed owners are
    read from ``seeds_dir`` (default: the seeds of the project runs use, see
    :func:`describe`)."""
    if leads < 1:
        raise ValueError("leads must be >= 1")
    say = progress or (lambda _msg: None)
    rules, demo = describe(seeds_dir, say)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cutoffs = period.cutoffs(batches)
    names = [(cut - timedelta(days=1)).date().isoformat() for cut in cutoffs]
    tmp = Path(tempfile.mkdtemp(prefix="handoff-generate-"))
    con = duckdb.connect(
        ":memory:",
        config={
            "threads": 2,
            "memory_limit": "2GB",
            "temp_directory": str(tmp),
            "preserve_insertion_order": True,
        },
    )
    try:
        say(f"simulating {leads} leads")
        sql.create_macros(con, seed)
        company.create_tables(con, demo)
        period.create_days(con, rules)
        leads_model.create_people(con, leads, rules, demo)
        leads_model.finish_people(
            con, demo, f"{cutoffs[0]:%Y-%m-%d %H:%M:%S}", f"{cutoffs[-1]:%Y-%m-%d %H:%M:%S}"
        )
        lifecycle.create_events(con)
        activities.create_activities(con, demo)
        layouts.create_macros(con)
        writer = Writer(con, out, progress)
        for k, (cut, name) in enumerate(zip(cutoffs, names, strict=True)):
            prev = _ts_literal(cutoffs[k - 1]) if k else "timestamp '1900-01-01 00:00:00'"
            say(f"batch {name}")
            hubspot.write_batch(
                writer, name, _ts_literal(cut), prev, ui=(k == 0), domain=demo.email_domain
            )
            salesforce.write_batch(writer, name, _ts_literal(cut), prev)
    finally:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)

    extracted_at = cutoffs[-1].strftime("%Y-%m-%dT%H:%M:%SZ")
    activity_files = ("Task.csv.gz", "Event.csv", "engagements.csv")
    summary: dict[str, Any] = {
        "generator": "handoff.generate",
        "leads": leads,
        "seed": seed,
        "batches": [
            {"batch": name, "cutoff": cut.strftime("%Y-%m-%dT%H:%M:%SZ")}
            for name, cut in zip(names, cutoffs, strict=True)
        ],
        "period_start": period.PERIOD_START.isoformat(),
        "period_end": period.PERIOD_END.isoformat(),
        "extracted_at": extracted_at,
        "weekly_mql_target": round(
            rules.weekly_mql_target(period.PERIOD_START) * leads / SEED_TARGET_LEADS, 2
        ),
        "activities": sum(n for f, n in writer.rows.items() if f.endswith(activity_files)),
        "files": sorted(writer.rows),
        "rows": dict(sorted(writer.rows.items())),
    }
    (out / "_sample.json").write_text(json.dumps(summary, indent=2) + "\n")
    summary["files"] = summary["files"] + ["_sample.json"]
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write deterministic synthetic CRM extracts.")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--leads", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    summary = generate(
        args.out, args.leads, args.seed, args.batches, progress=None if args.quiet else print
    )
    print(
        f"{summary['leads']} leads, {summary['activities']} activities, "
        f"{len(summary['files'])} files, extracted_at {summary['extracted_at']}"
    )
