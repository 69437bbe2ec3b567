"""Calibration of the marketing pacing forecast (README "Statistics"): how well
``fct_marketing_sla_pacing.probability_of_meeting_target`` predicted whether each
complete week's delivered MQLs reached its target.

Reads a build database (default ``.handoff/build.duckdb``, which ``make run`` writes
from the generated sample) and scores every forecast of a complete week that has
one (Monday to Friday, as of each day's end):

- the Brier score, mean((p − met)²), beside the Brier score of always forecasting the
  scored weeks' own met rate (an in-sample reference that knows the answer's base
  rate) and the skill 1 − Brier / reference;
- calibration by deciles of the forecast probability: per tenth [0, 0.1) … [0.9, 1],
  the forecasts, their mean probability and the share of weeks that met the target;
- the same Brier score per business day (the forecast sharpens through the week).

Prints the tables, then, as its last line, one JSON object.

    .venv/bin/python bench/pacing_calibration.py [--db .handoff/build.duckdb]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parent.parent

FORECASTS = """
select business_day_of_week, probability_of_meeting_target,
    case when delivered_mqls >= target_mqls then 1 else 0 end
from marts.fct_marketing_sla_pacing
where is_week_complete and probability_of_meeting_target is not null
order by week_start_date, segment, business_day_of_week
"""


def score(db: Path) -> dict[str, Any]:
    """The Brier score, its reference and the calibration table of the pacing mart
    in ``db`` (a DuckDB build database)."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(FORECASTS).fetchall()
    if not rows:
        raise SystemExit(f"no scorable forecast in {db} (fewer than 5 complete weeks?)")
    n = len(rows)
    brier = sum((p - met) ** 2 for _, p, met in rows) / n
    base_rate = sum(met for *_, met in rows) / n
    reference = sum((base_rate - met) ** 2 for *_, met in rows) / n
    deciles = []
    for tenth in range(10):
        inside = [(p, met) for _, p, met in rows if min(int(p * 10), 9) == tenth]
        if inside:
            deciles.append(
                {
                    "from": tenth / 10,
                    "to": (tenth + 1) / 10,
                    "forecasts": len(inside),
                    "mean_probability": sum(p for p, _ in inside) / len(inside),
                    "met_share": sum(met for _, met in inside) / len(inside),
                }
            )
    by_day = {}
    for day in range(1, 6):
        inside = [(p, met) for d, p, met in rows if d == day]
        if inside:
            by_day[day] = sum((p - met) ** 2 for p, met in inside) / len(inside)
    return {
        "forecasts": n,
        "weeks_met_share": base_rate,
        "brier": brier,
        "reference_brier": reference,
        "skill": 1 - brier / reference if reference else None,
        "deciles": deciles,
        "brier_by_business_day": by_day,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / ".handoff" / "build.duckdb")
    result = score(parser.parse_args().db)
    print(
        f"{result['forecasts']} forecasts of complete weeks, "
        f"{result['weeks_met_share']:.0%} of them for weeks that met the target"
    )
    skill = "n/a" if result["skill"] is None else f"{result['skill']:.2f}"
    print(
        f"Brier score {result['brier']:.4f} (always the met share: "
        f"{result['reference_brier']:.4f}; skill {skill})"
    )
    print("forecast      forecasts  mean p  met share")
    for row in result["deciles"]:
        print(
            f"[{row['from']:.1f}, {row['to']:.1f})  {row['forecasts']:9d}  "
            f"{row['mean_probability']:6.2f}  {row['met_share']:9.2f}"
        )
    print(
        "Brier by business day: "
        + ", ".join(f"{day}: {value:.4f}" for day, value in result["brier_by_business_day"].items())
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
