"""Ingest benchmark (README "Benchmarks": ingest within 2× of DuckDB's own ``read_csv``).

Generates N leads (cached by arguments under bench/.cache), then, in the same run and
each in a fresh child process writing a fresh DuckDB file:

1. ``baseline``: DuckDB's own reader of every extract file (``read_csv`` with its
   defaults, ``read_parquet``/``read_json`` for the others) into a table;
2. ``ingest``: handoff's ingest of the same landing folder (header mapping, typing,
   quarantine checks, lineage columns, ledger).

Prints both wall times, the ratio and each child's peak RSS, then one JSON line.

    .venv/bin/python bench/ingest.py --leads 1000000
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

BASELINE = r"""
import duckdb, json, resource, sys, time
from pathlib import Path
from handoff.ingest.discover import discover
landing, db = Path(sys.argv[1]), sys.argv[2]
con = duckdb.connect(db)
start = time.perf_counter()
rows = 0
for i, batch in enumerate(discover(landing, Path(db + ".work")).batches):
    for j, f in enumerate(batch.files):
        reader = {"csv": "read_csv", "parquet": "read_parquet", "jsonl": "read_json"}[f.format]
        con.execute(f"create table t_{i}_{j} as select * from {reader}('{f.path}')")
        rows += con.execute(f"select count(*) from t_{i}_{j}").fetchone()[0]
con.close()
print(json.dumps({"seconds": time.perf_counter() - start, "rows": rows,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

INGEST = r"""
import duckdb, json, resource, sys, time
from pathlib import Path
from handoff.ingest.loader import ingest
landing, db = Path(sys.argv[1]), sys.argv[2]
con = duckdb.connect(db)
start = time.perf_counter()
report = ingest(landing, con, work_dir=Path(db + ".work"))
con.close()
print(json.dumps({"seconds": time.perf_counter() - start,
                  "rows": report.rows_loaded + report.rows_quarantined,
                  "rejected": len(report.rejected),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def sample(leads: int, seed: int, cache: Path) -> Path:
    out = cache / f"leads-{leads}-seed-{seed}"
    if (out / "_sample.json").exists():
        print(f"using cached sample {out}")
        return out
    if out.exists():
        shutil.rmtree(out)
    start = time.perf_counter()
    # In a child process: Linux carries a parent's peak RSS into the children it
    # forks, which would inflate the figures measured below.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "handoff.generate",
            "--out",
            str(out),
            "--leads",
            str(leads),
            "--seed",
            str(seed),
            "--quiet",
        ],
        check=True,
    )
    print(f"generated {leads:,} leads in {time.perf_counter() - start:.1f} s")
    return out


def child(code: str, landing: Path, db: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", code, str(landing), str(db)], capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--cache", type=Path, default=HERE / ".cache")
    args = parser.parse_args()
    landing = sample(args.leads, args.seed, args.cache)
    size = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file())
    with tempfile.TemporaryDirectory(prefix="handoff-bench-") as tmp:
        base = child(BASELINE, landing, Path(tmp) / "baseline.duckdb")
        ing = child(INGEST, landing, Path(tmp) / "ingest.duckdb")
    ratio = ing["seconds"] / base["seconds"]
    print(f"\nextracts: {size / 1e6:,.0f} MB, {base['rows']:,} rows")
    print(f"{'step':<22}{'seconds':>10}{'peak RSS MB':>14}")
    print(f"{'duckdb read_csv':<22}{base['seconds']:>10.1f}{base['peak_rss_mb']:>14.0f}")
    print(f"{'handoff ingest':<22}{ing['seconds']:>10.1f}{ing['peak_rss_mb']:>14.0f}")
    print(f"ratio ingest / read_csv: {ratio:.2f}x (goal <= 2x)")
    print(
        json.dumps(
            {
                "leads": args.leads,
                "rows": base["rows"],
                "ingest_s": round(ing["seconds"], 2),
                "duckdb_read_csv_s": round(base["seconds"], 2),
                "ingest_ratio": round(ratio, 2),
                "ingest_peak_rss_mb": round(ing["peak_rss_mb"]),
                "baseline_peak_rss_mb": round(base["peak_rss_mb"]),
                "self_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        )
    )


if __name__ == "__main__":
    main()
