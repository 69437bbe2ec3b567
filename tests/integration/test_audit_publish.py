"""Audit and publish on a real generated sample: the serving copy BI reads, Parquet and
docs; a reader never blocks a rebuild and keeps its snapshot; a failed audit or a
crash mid-publish leaves the serving copy byte-identical; a home an older version
published is migrated to the linked layout."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from conftest import copy_home

pytestmark = pytest.mark.slow

HANDOFF = str(Path(sys.executable).parent / "handoff")
AS_OF = "2026-01-01T00:00:00Z"


def handoff(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [HANDOFF, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=900,
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def built(built_sample, tmp_path_factory) -> Path:
    """The session's built sample (ingest → dbt → audit → publish), copied."""
    assert "published:" in built_sample.run.stdout
    return copy_home(built_sample.home, tmp_path_factory.mktemp("audit_publish") / "home")


@pytest.fixture
def home(built, tmp_path) -> Path:
    """A private copy of the built home, for tests that republish or break things."""
    return copy_home(built, tmp_path / "home")


def marts_of(home: Path) -> list[str]:
    return sorted(json.loads((home / "serving" / "publish.json").read_text())["marts"])


def test_serving_copy_parquet_and_docs(built):
    serving = built / "serving" / "handoff.duckdb"
    # DuckDB 1.x readers: storage version number 64 (v1.0.0 … v1.1) in the header.
    header = serving.read_bytes()[:20]
    assert header[8:12] == b"DUCK" and int.from_bytes(header[12:20], "little") == 64
    marts = marts_of(built)
    assert {"fct_handoffs", "dim_leads", "rpt_open_sla_breaches"} <= set(marts)
    with duckdb.connect(str(serving), read_only=True) as con:
        tables = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        assert tables == set(marts)
        assert con.execute("select count(*) from marts.fct_handoffs").fetchone()[0] > 0
        assert con.execute("select as_of_at from _publish").fetchone()[0].year == 2026
    with duckdb.connect(str(built / "build.duckdb"), read_only=True) as con:
        for mart in marts:
            parquet = built / "serving" / "parquet" / f"{mart}.parquet"
            assert parquet.exists(), mart
            built_rows = con.execute(f"select count(*) from marts.{mart}").fetchone()[0]
            assert con.execute(f"select count(*) from '{parquet}'").fetchone()[0] == built_rows
    assert (built / "docs" / "index.html").stat().st_size > 10_000
    assert (built / "docs" / "catalog.json").exists()
    gx_index = built / "docs" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    assert gx_index.exists()
    assert not list((built / "serving").glob(".*.tmp*"))
    # the Data Docs are styled offline: no page loads a stylesheet, script or image from
    # the network, and each links the stylesheet and script shipped beside it
    site = gx_index.parent
    pages = list(site.rglob("*.html"))
    assert len(pages) > len(marts)
    remote = re.compile(r"<(link|script|img)\b[^>]*\b(href|src)=[\"']https?:", re.IGNORECASE)
    for page in pages:
        html = page.read_text()
        assert not remote.search(html), (page, remote.search(html))
        assert "handoff-offline.css" in html and "handoff-offline.js" in html, page
    assert (site / "static" / "styles" / "handoff-offline.css").stat().st_size > 1000


READER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    q = "select cast(published_at as varchar) || ' ' || (select count(*) from marts.fct_handoffs) from _publish"
    print(con.execute(q).fetchone()[0], flush=True)
    sys.stdin.readline()  # hold the file open until told
    print(con.execute(q).fetchone()[0], flush=True)
    """
)


def test_a_reader_never_blocks_a_rebuild_and_keeps_its_snapshot(home):
    serving = home / "serving" / "handoff.duckdb"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(serving)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        before = reader.stdout.readline().strip()
        assert before
        proc = handoff("publish", "--home", str(home))
        assert proc.returncode == 0, proc.stderr[-3000:]
        with duckdb.connect(str(serving), read_only=True) as con:
            fresh = con.execute(
                "select cast(published_at as varchar) || ' ' || "
                "(select count(*) from marts.fct_handoffs) from _publish"
            ).fetchone()[0]
        reader.stdin.write("\n")
        reader.stdin.flush()
        after = reader.stdout.readline().strip()
    finally:
        reader.kill()
        reader.wait()
    assert after == before  # the old inode: a consistent old snapshot
    assert fresh != before  # new readers see the new publish


def test_a_failing_audit_leaves_the_serving_copy_untouched(home):
    serving = home / "serving" / "handoff.duckdb"
    before = sha256(serving)
    parquet_before = sha256(home / "serving" / "parquet" / "fct_handoffs.parquet")
    with duckdb.connect(str(home / "build.duckdb")) as con:
        con.execute(
            "update marts.fct_handoffs set first_touch_deadline_at = clock_start_at - "
            "interval 1 hour where handoff_id in "
            "(select handoff_id from marts.fct_handoffs order by handoff_id limit 3)"
        )
    proc = handoff("publish", "--home", str(home))
    assert proc.returncode != 0
    assert "the audit failed" in proc.stderr
    # The rule's one home is its dbt test, which `handoff publish` runs before the gate:
    # it names the rule and how many rows break it.
    assert "dbt test assert_handoff_deadlines_follow_clock_start fail: 3 row(s)" in proc.stderr
    assert "serving copy unchanged" in proc.stdout
    assert sha256(serving) == before
    assert sha256(home / "serving" / "parquet" / "fct_handoffs.parquet") == parquet_before


def test_personal_data_in_a_mart_fails_the_audit_without_being_shown(home):
    serving = home / "serving" / "handoff.duckdb"
    before = sha256(serving)
    phone = "+55 11 98765-4321"
    with duckdb.connect(str(home / "build.duckdb")) as con:
        # a lead of the sample (not also an employee, whose name is published)
        first, last = con.execute(
            "select firstname, lastname from raw.hubspot__contacts as contacts "
            "where firstname is not null and lastname is not null and not exists ("
            "select 1 from raw.hubspot__owners as owners where owners.lastname = contacts.lastname"
            ") order by hs_object_id limit 1"
        ).fetchone()
        forms = [
            row[0]
            for row in con.execute(
                "select offer_id from marts.dim_offers where crm = 'hubspot' order by offer_id limit 2"
            ).fetchall()
        ]
        con.execute(
            "update marts.dim_offers set page_url = ? where offer_id = ?",
            [f"https://www.example.com/thanks?phone={phone}", forms[0]],
        )
        con.execute(
            "update marts.dim_offers set offer_name = ? where offer_id = ?",
            [f"Webinar with {first} {last}", forms[1]],
        )
    proc = handoff("publish", "--home", str(home))
    assert proc.returncode != 0
    assert "the audit failed" in proc.stderr
    assert "marts.dim_offers: page_url holds a phone number (values not shown)" in proc.stderr
    assert "marts.dim_offers: offer_name holds a lead's name (values not shown)" in proc.stderr
    output = proc.stdout + proc.stderr
    assert phone not in output and f"{first} {last}" not in output
    assert sha256(serving) == before


def test_the_gate_checks_the_contract_and_counts_against_the_last_publish(home):
    """What the GX gate keeps (dbt's tests hold the row-level rules): the contract's
    exact column set, row counts within HANDOFF_MAX_ROW_CHANGE of the last publish,
    and rate drift against the last publish as a warning that never blocks."""
    serving = home / "serving" / "handoff.duckdb"
    before = sha256(serving)
    with duckdb.connect(str(home / "build.duckdb")) as con:
        days = con.execute("select count(*) from marts.dim_calendar").fetchone()[0]
        con.execute("alter table marts.dim_offers add column contact_email varchar")
        # keep 30 % of the calendar: a drop beyond the default bound of 50 %
        con.execute(
            "delete from marts.dim_calendar where calendar_date >= "
            "(select quantile_disc(calendar_date, 0.3) from marts.dim_calendar)"
        )
        kept = con.execute("select count(*) from marts.dim_calendar").fetchone()[0]
        # every week's first-touch rate to 0: still a proportion, far from the last mean
        con.execute("update marts.fct_sales_sla_weekly set first_touch_sla_rate = 0")
    proc = handoff("publish", "--home", str(home))
    assert proc.returncode != 0, proc.stdout
    assert "the audit failed" in proc.stderr
    assert "marts.dim_offers: has exactly the columns of its dbt contract" in proc.stderr
    assert "unexpected ['contact_email']" in proc.stderr
    low, high = days // 2, days * 2
    assert (
        f"marts.dim_calendar: row count between {low:,} and {high:,}, given the last "
        f"publish's {days:,} (HANDOFF_MAX_ROW_CHANGE=0.5)"
    ) in proc.stderr
    assert f"observed {kept:,} rows" in proc.stderr
    assert "audit warning: marts.fct_sales_sla_weekly: mean of first_touch_sla_rate" in (
        proc.stdout + proc.stderr
    )
    # the gate goes first: a failed gate does not wait for the marts' dbt tests
    assert "running the marts' dbt tests" not in proc.stdout + proc.stderr
    assert sha256(serving) == before

    # The bound is configurable, and drift alone never blocks.
    with duckdb.connect(str(home / "build.duckdb")) as con:
        con.execute("alter table marts.dim_offers drop column contact_email")
    proc = handoff("publish", "--home", str(home), env={"HANDOFF_MAX_ROW_CHANGE": "1"})
    assert proc.returncode == 0, proc.stderr
    assert "running the marts' dbt tests" in proc.stdout + proc.stderr  # once it passed
    # in the run's summary, where a reader of the output looks
    warning = next(line for line in proc.stdout.splitlines() if "first_touch_sla_rate" in line)
    assert warning.startswith(
        "audit warning (not blocking): marts.fct_sales_sla_weekly: mean of first_touch_sla_rate"
    )
    assert "observed 0.000" in warning
    assert sha256(serving) != before
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_calendar").fetchone()[0] == kept


@pytest.mark.parametrize("point", ["copy", "swap"])
def test_a_run_killed_mid_publish_leaves_serving_intact_and_the_next_recovers(home, point):
    serving = home / "serving" / "handoff.duckdb"
    parquet = home / "serving" / "parquet" / "fct_handoffs.parquet"
    before, parquet_before = sha256(serving), sha256(parquet)
    killed = handoff("publish", "--home", str(home), env={"HANDOFF_FAULT_DURING_PUBLISH": point})
    assert killed.returncode != 0
    assert sha256(serving) == before
    assert sha256(parquet) == parquet_before
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_handoffs").fetchone()[0] > 0
    if point == "copy":  # the half-written file
        assert list((home / "serving").glob(".publish-*.tmp*/handoff.duckdb"))
    else:  # the new publish, complete but never swapped in
        assert len(list((home / "serving").glob("publish-*"))) == 2

    again = handoff("publish", "--home", str(home))
    assert again.returncode == 0, again.stderr[-3000:]
    assert not list((home / "serving").glob(".*.tmp*"))
    assert len(list((home / "serving").glob("publish-*"))) == 1
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_handoffs").fetchone()[0] > 0


def test_a_home_an_older_version_published_is_migrated_to_links(home, monkeypatch):
    from handoff.publish import publish_marts
    from handoff.settings import Settings

    serving = home / "serving"
    # What older versions left: real files at the three paths BI reads, no publish
    # folder, and a temporary Parquet file of a publish that died.
    if (serving / "current").is_symlink():
        folder = serving / os.readlink(serving / "current")
        for name in ("handoff.duckdb", "publish.json"):
            (serving / name).unlink()
            shutil.copyfile(folder / name, serving / name)
        (serving / "parquet").unlink()
        shutil.copytree(folder / "parquet", serving / "parquet")
        (serving / "current").unlink()
        shutil.rmtree(folder)
    (serving / "parquet" / ".fct_handoffs.parquet.tmp99").write_bytes(b"half")
    marts = marts_of(home)

    monkeypatch.setenv("HANDOFF_HOME", str(home))
    monkeypatch.setenv("HANDOFF_AS_OF", AS_OF)
    published = publish_marts(Settings.from_env(), progress=lambda _line: None)

    for name in ("handoff.duckdb", "parquet", "publish.json"):
        assert (serving / name).is_symlink(), name
        assert os.readlink(serving / name) == f"current/{name}"
    current = f"publish-{published.publish_id}"
    assert os.readlink(serving / "current") == current
    assert sorted(p.name for p in serving.iterdir()) == sorted(
        ["current", current, "handoff.duckdb", "parquet", "publish.json"]
    )  # the old folder, files and leftovers are gone
    assert sorted(p.stem for p in (serving / "parquet").iterdir()) == marts
    assert json.loads((serving / "publish.json").read_text())["publish_id"] == (
        published.publish_id
    )
    with duckdb.connect(str(serving / "handoff.duckdb"), read_only=True) as con:
        assert con.execute("select publish_id from _publish").fetchone()[0] == (
            published.publish_id
        )
        for mart in marts:
            parquet = serving / "parquet" / f"{mart}.parquet"
            assert (
                con.execute(f"select count(*) from '{parquet}'").fetchone()[0]
                == (published.marts[mart])
            )


def test_publish_lets_go_of_the_build_database_before_the_parquet_export(home, monkeypatch):
    """The publish step starts `dbt docs generate` (which opens the build database for
    writing, as dbt-duckdb does) once the copy has detached it, beside the Parquet
    export: the callback comes while the old publish is still the current one, and
    another process can then open the build database read-write."""
    from handoff.publish import publish_marts
    from handoff.settings import Settings

    serving = home / "serving"
    before = os.readlink(serving / "current")
    seen = []

    def released() -> None:
        opened = subprocess.run(
            [sys.executable, "-c", "import duckdb, sys; duckdb.connect(sys.argv[1]).close()"]
            + [str(home / "build.duckdb")],
            capture_output=True,
            text=True,
        )
        seen.append((opened.returncode, opened.stderr, os.readlink(serving / "current")))

    monkeypatch.setenv("HANDOFF_HOME", str(home))
    monkeypatch.setenv("HANDOFF_AS_OF", AS_OF)
    published = publish_marts(
        Settings.from_env(), progress=lambda _line: None, build_released=released
    )

    assert len(seen) == 1
    returncode, stderr, current_then = seen[0]
    assert returncode == 0, stderr
    assert current_then == before  # not yet swapped: the Parquet export was still to come
    assert os.readlink(serving / "current") == f"publish-{published.publish_id}"
