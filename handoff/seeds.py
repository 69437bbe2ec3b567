"""The seed files (``seeds/*.csv``): reading one as rows, and the checks dbt cannot
make in one sentence.

A seed edited on Windows below rows written elsewhere ends some lines with CRLF and
others with LF; DuckDB's CSV reader then fails with "Error when sniffing file". The
run checks every seed first and names the seed and the first line that differs."""

from __future__ import annotations

import csv
from pathlib import Path


def read_seed(seeds_dir: Path, name: str) -> list[dict[str, str]]:
    """The rows of ``seeds_dir/<name>.csv`` as dicts by column, in file order, values
    trimmed (an empty cell is ``""``)."""
    with open(seeds_dir / f"{name}.csv", newline="", encoding="utf-8") as fh:
        return [
            {key.strip(): (value or "").strip() for key, value in row.items()}
            for row in csv.DictReader(fh)
        ]


def _ending(line: bytes) -> str | None:
    if line.endswith(b"\r\n"):
        return "CRLF"
    if line.endswith(b"\n"):
        return "LF"
    return None  # the last line, without an ending


def seed_problems(seeds_dir: Path) -> list[str]:
    """One sentence per seed file whose lines do not all end the same way."""
    problems = []
    for path in sorted(seeds_dir.glob("*.csv")):
        first: str | None = None
        with open(path, "rb") as fh:
            for number, line in enumerate(fh, 1):
                ending = _ending(line)
                if ending is None:
                    continue
                if first is None:
                    first = ending
                elif ending != first:
                    problems.append(
                        f"{path.parent.name}/{path.name} line {number} ends with {ending} but "
                        f"line 1 with {first}: save the file with one kind of line ending "
                        "(an editor's 'LF' or 'Unix' setting)"
                    )
                    break
    return problems
