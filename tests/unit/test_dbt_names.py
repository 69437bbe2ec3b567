"""Names dbt turns into relations must fit PostgreSQL's 63-byte identifiers: a unit
test's name becomes a temporary table there, and a longer one fails the build."""

from __future__ import annotations

from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[2]
PG_MAX_IDENTIFIER = 63


def test_unit_test_and_model_names_fit_postgres_identifiers():
    names = [p.stem for p in (PROJECT / "models").rglob("*.sql")]
    for path in (PROJECT / "models").rglob("*.yml"):
        doc = yaml.safe_load(path.read_text()) or {}
        names += [u["name"] for u in doc.get("unit_tests") or []]
    assert len(names) > 60
    too_long = [n for n in names if len(n.encode()) > PG_MAX_IDENTIFIER]
    assert too_long == []
