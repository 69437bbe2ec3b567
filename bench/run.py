"""Whole-pipeline benchmark (README "Benchmarks", docs/benchmarks.md): a full run and an incremental run of `handoff run`.

    .venv/bin/python bench/run.py --leads 1000000

1. Generates N leads (cached by ``--leads``/``--seed`` under bench/.cache, shared with
   bench/ingest.py) and a *delta batch* touching 1 % of the leads (cached beside it):
   a new Salesforce batch folder ``2026-01-07`` with a completed call on each of
   those leads and, for the ones that were MQLs, a move to ``Sales Qualified``
   (a new Lead version and its LeadHistory row).
2. Times DuckDB's own ``read_csv`` of the extracts (bench/ingest.py, a fresh process:
   the baseline), then ``handoff run`` on a fresh home — the whole pipeline as a user
   runs it: ingest, ``dbt build`` (models and their tests), the Great Expectations
   audit, publish — and, with the delta batch added to the landing folder, ``handoff
   run`` again: the incremental run. Each run's steps are timed by Dagster (its run
   storage under the home); the pipeline's figure is the command's wall time, so dbt's
   parse and Dagster's start-up count too.
3. Samples the resident memory of every process the benchmark starts (``handoff run``
   and its dbt child) and reports the peak of their sum.

Prints a table of both runs' steps, the ratios of the targets (README "Benchmarks"),
the ten slowest dbt nodes of each build, then, as its last line, one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from ingest import BASELINE, child, sample  # noqa: E402  (bench/ingest.py)

AS_OF = "2026-01-08 00:00:00"  # after the delta batch, for both builds
DELTA_BATCH = "2026-01-07"

# Run in a child process (so that DuckDB's memory does not count in the parent):
# pick 1 % of the leads (a deterministic hash order over the latest version of
# each Salesforce lead still open), and write a new batch of their changes.
DELTA = r"""
import duckdb, sys
from pathlib import Path
base, out, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
con = duckdb.connect()
con.execute("set enable_progress_bar = false")
sf = base / "salesforce"
con.execute(f'''
    create table lead_versions as
    select *, filename as _file from read_csv('{sf}/*/Lead.csv', all_varchar = true,
        filename = true, union_by_name = true)
''')
con.execute('''
    create table chosen as
    select * exclude (_file, version), row_number() over (order by hash(Id)) as k
    from (
        select *, row_number() over (partition by Id order by LastModifiedDate desc, _file desc)
            as version
        from lead_versions
    )
    where version = 1 and IsDeleted = 'false' and IsConverted = 'false'
    order by hash(Id)
''')
con.execute(f"delete from chosen where k > {n}")
out.mkdir(parents=True, exist_ok=True)
ts = "strftime(timestamp '2026-01-05 09:00:00' + to_minutes(k::bigint % 2400), '%Y-%m-%dT%H:%M:%S.000+0000')"
con.execute(f'''
    copy (
        select '00TZZ' || lpad(k::varchar, 13, '0') as Id, Id as WhoId, '' as WhatId,
            OwnerId, 'Call' as Subject, 'Call' as Type, 'Call' as TaskSubtype,
            'Completed' as Status, 'true' as IsClosed, 'Normal' as Priority,
            '2026-01-05' as ActivityDate, {ts} as CompletedDateTime,
            '60' as CallDurationInSeconds, {ts} as CreatedDate, {ts} as LastModifiedDate,
            'false' as IsDeleted
        from chosen order by k
    ) to '{out}/Task.csv' (header)
''')
qualified = "Status in ('Marketing Qualified', 'Working - Contacted')"
later = "strftime(timestamp '2026-01-06 09:00:00' + to_minutes(k::bigint % 2400), '%Y-%m-%dT%H:%M:%S.000+0000')"
con.execute(f'''
    copy (
        select * exclude (k) replace ('Sales Qualified' as Status, {later} as LastModifiedDate)
        from chosen where {qualified} order by k
    ) to '{out}/Lead.csv' (header)
''')
con.execute(f'''
    copy (
        select '017ZZ' || lpad(k::varchar, 13, '0') as Id, Id as LeadId, 'Status' as Field,
            Status as OldValue, 'Sales Qualified' as NewValue, {later} as CreatedDate,
            'false' as IsDeleted
        from chosen where {qualified} order by k
    ) to '{out}/LeadHistory.csv' (header)
''')
print(con.execute("select count(*) from chosen").fetchone()[0])
"""


def delta_batch(landing: Path, leads: int) -> tuple[Path, int]:
    """The cached 1 % delta batch for ``landing``: (its folder, leads touched)."""
    out = landing.parent / f"{landing.name}-delta" / "salesforce" / DELTA_BATCH
    done = out / "_touched"
    if not done.exists():
        proc = subprocess.run(
            [sys.executable, "-c", DELTA, str(landing), str(out), str(max(1, leads // 100))],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise SystemExit(proc.stderr)
        done.write_text(proc.stdout.strip().splitlines()[-1])
    return out, int(done.read_text())


class PeakRss:
    """Samples the summed resident memory of this process's descendants."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in me.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run(cmd: list[str], env: dict[str, str], what: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{what} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return time.perf_counter() - start


def slowest(target: Path, n: int = 10) -> list[tuple[str, float]]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = [(r["unique_id"], r["execution_time"]) for r in results]
    return sorted(nodes, key=lambda item: -item[1])[:n]


def run_steps(home: Path) -> dict[str, float]:
    """Each step of the last Dagster run recorded under ``home`` and its seconds."""
    code = (
        "import json, sys; from dagster import DagsterInstance\n"
        "i = DagsterInstance.from_config(sys.argv[1])\n"
        "run = i.get_runs(limit=1)[0]\n"
        "print(json.dumps([[s.step_key, (s.end_time or 0) - (s.start_time or 0)] "
        "for s in i.get_run_step_stats(run.run_id)]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(home / "dagster")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {step: float(seconds) for step, seconds in json.loads(out.strip().splitlines()[-1])}


# The Dagster steps of `handoff run` (job handoff_pipeline) by what they do.
INGEST_STEPS = ("ingest_extracts",)
BUILD_STEPS = ("handoff_dbt_models",)
AUDIT_STEPS = ("gx_marts",)
PUBLISH_STEPS = ("publish",)


def _sum(steps: dict[str, float], names: tuple[str, ...]) -> float:
    return sum(steps.get(name, 0.0) for name in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--cache", type=Path, default=HERE / ".cache")
    parser.add_argument("--keep", type=Path, help="keep the home here instead of a temp dir")
    args = parser.parse_args()
    base = sample(args.leads, args.seed, args.cache)
    delta, touched = delta_batch(base, args.leads)
    meta = json.loads((base / "_sample.json").read_text())
    bin_dir = Path(sys.executable).parent

    with tempfile.TemporaryDirectory(prefix="handoff-bench-") as tmp:
        home = (args.keep or Path(tmp) / "home").resolve()
        home.mkdir(parents=True, exist_ok=True)
        landing = Path(tmp) / "landing"
        # the cached batches, linked (not copied) into a landing folder of our own
        for batch in sorted(base.glob("*/*")):
            (landing / batch.parent.name).mkdir(parents=True, exist_ok=True)
            (landing / batch.parent.name / batch.name).symlink_to(batch)
        env = dict(os.environ, HANDOFF_HOME=str(home), HANDOFF_LANDING=str(landing))
        env["HANDOFF_AS_OF"] = AS_OF
        handoff_run = [
            str(bin_dir / "handoff"),
            "run",
            "--home",
            str(home),
            "--landing",
            str(landing),
            "--as-of",
            AS_OF,
        ]

        print(f"{args.leads:,} leads: DuckDB read_csv of the extracts (the baseline) …", flush=True)
        base_run = child(BASELINE, landing, Path(tmp) / "baseline.duckdb")
        with PeakRss() as rss:
            print("handoff run (full) …", flush=True)
            pipeline_s = run(handoff_run, env, "the full handoff run")
            full = run_steps(home)
            full_nodes = slowest(home / "target" / "duckdb")
            (landing / "salesforce" / DELTA_BATCH).symlink_to(delta)
            print(f"handoff run (incremental: {touched:,} leads touched) …", flush=True)
            incremental_run_s = run(handoff_run, env, "the incremental handoff run")
            incremental = run_steps(home)
            incremental_nodes = slowest(home / "target" / "duckdb")

    read_csv_s = base_run["seconds"]
    ingest_s, build_s = _sum(full, INGEST_STEPS), _sum(full, BUILD_STEPS)
    audit_s, publish_s = _sum(full, AUDIT_STEPS), _sum(full, PUBLISH_STEPS)
    audit_publish_s = audit_s + publish_s
    result = {
        "leads": args.leads,
        "activities": meta["activities"],
        "duckdb_read_csv_s": round(read_csv_s, 1),
        "ingest_s": round(ingest_s, 1),
        "ingest_ratio": round(ingest_s / read_csv_s, 2),
        "build_s": round(build_s, 1),
        "audit_s": round(audit_s, 1),
        "publish_s": round(publish_s, 1),
        "audit_publish_s": round(audit_publish_s, 1),
        "audit_publish_share": round(audit_publish_s / pipeline_s, 3),
        "pipeline_s": round(pipeline_s, 1),
        "pipeline_ratio": round(pipeline_s / read_csv_s, 2),
        "incremental_run_s": round(incremental_run_s, 1),
        "incremental_build_s": round(_sum(incremental, BUILD_STEPS), 1),
        "incremental_ratio": round(incremental_run_s / pipeline_s, 3),
        "peak_rss_mb": round(rss.peak / 2**20),
    }
    print(f"\n{args.leads:,} leads, {meta['activities']:,} activities; delta: {touched:,} leads")
    print(f"{'step':<44}{'full':>10}{'incremental':>14}")
    print(f"{'DuckDB read_csv of the extracts (baseline)':<44}{read_csv_s:>10.1f}")
    for name, steps in (
        ("ingest", INGEST_STEPS),
        ("dbt build (models and tests)", BUILD_STEPS),
        ("audit (Great Expectations)", AUDIT_STEPS),
        ("publish (serving copy, Parquet, docs)", PUBLISH_STEPS),
    ):
        print(f"{name:<44}{_sum(full, steps):>10.1f}{_sum(incremental, steps):>14.1f}")
    other = {
        k: v
        for k, v in full.items()
        if k not in INGEST_STEPS + BUILD_STEPS + AUDIT_STEPS + PUBLISH_STEPS
    }
    for name, seconds in other.items():
        print(f"{name:<44}{seconds:>10.1f}{incremental.get(name, 0.0):>14.1f}")
    print(
        f"{'outside the steps (parse, start-up, summary)':<44}"
        f"{pipeline_s - sum(full.values()):>10.1f}"
        f"{incremental_run_s - sum(incremental.values()):>14.1f}"
    )
    print(f"{'handoff run, wall':<44}{pipeline_s:>10.1f}{incremental_run_s:>14.1f}")
    for name, wall, steps in (
        ("full", pipeline_s, full),
        ("incremental", incremental_run_s, incremental),
    ):
        if sum(steps.values()) > wall:
            # Dagster times steps by the wall clock, this script by a monotonic one: a
            # step of the clock (a paused virtual machine, NTP) shows here
            print(
                f"warning: the {name} run's Dagster steps add up to more than its wall "
                "time: the system clock jumped during the run; do not trust its figures"
            )
    print(f"ingest / read_csv: {result['ingest_ratio']:.2f}x (goal <= 1.5x)")
    print(f"whole pipeline / read_csv: {result['pipeline_ratio']:.2f}x (goal <= 3x)")
    print(
        f"audit + publish: {audit_publish_s:.1f} s = {result['audit_publish_share']:.1%} "
        "of the pipeline (goal <= 15 %)"
    )
    print(f"incremental run / full run: {result['incremental_ratio']:.1%} (goal <= 10 %)")
    print(f"peak RSS of the pipeline's processes: {result['peak_rss_mb']:,} MB (goal <= 4 GB)")
    for title, nodes in (("full build", full_nodes), ("incremental run", incremental_nodes)):
        print(f"\nslowest dbt nodes, {title}:")
        for node, seconds in nodes:
            print(f"  {seconds:8.1f} s  {node}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
