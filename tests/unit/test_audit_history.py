"""The Data Docs keep each suite's latest validation only (handoff.audit)."""

from __future__ import annotations

import os
from pathlib import Path

from handoff.audit import prune_validation_history


def test_only_the_latest_validation_of_each_suite_is_kept(tmp_path: Path) -> None:
    validations = tmp_path / "uncommitted" / "validations"
    for suite, runs in (("marts__fct_handoffs", 3), ("raw__salesforce__lead", 1)):
        for number in range(runs):
            result = validations / suite / "__none__" / f"2026120{number}T000000Z" / "b.json"
            result.parent.mkdir(parents=True)
            result.write_text("{}")
            os.utime(result, (1_000_000 + number, 1_000_000 + number))
    site = tmp_path / "uncommitted" / "data_docs" / "local_site" / "validations" / "old.html"
    site.parent.mkdir(parents=True)
    site.write_text("<html/>")

    prune_validation_history(tmp_path)

    kept = sorted(str(p.relative_to(validations)) for p in validations.rglob("*.json"))
    assert kept == [
        "marts__fct_handoffs/__none__/20261202T000000Z/b.json",
        "raw__salesforce__lead/__none__/20261200T000000Z/b.json",
    ]
    assert not (validations / "marts__fct_handoffs" / "__none__" / "20261200T000000Z").exists()
    assert not (tmp_path / "uncommitted" / "data_docs" / "local_site").exists()


def test_a_home_without_data_docs_is_left_alone(tmp_path: Path) -> None:
    prune_validation_history(tmp_path / "gx")
    assert not (tmp_path / "gx").exists()
