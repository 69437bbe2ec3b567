"""A run's configuration reaches the Dagster job as configuration, not as
environment variables the CLI writes (README, "The command line"): the CLI process's
``os.environ`` is the same after a command as before; the ``HANDOFF_*`` variables a
user sets still configure a run that has no config of its own (a schedule, the UI);
and ``--as-of`` is read by one function for `handoff run` and `handoff publish`."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from handoff.cli import main, parse_as_of_option
from handoff.settings import Settings
from orchestration.lib.resources import HandoffSettings, run_config


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_run_and_publish_leave_the_environment_as_it_was(tmp_path, monkeypatch):
    for name in ("HANDOFF_LANDING", "HANDOFF_TARGET", "HANDOFF_AS_OF", "HANDOFF_FULL_REFRESH"):
        monkeypatch.delenv(name, raising=False)
    home, empty = tmp_path / "home", tmp_path / "empty"
    (empty / "salesforce").mkdir(parents=True)
    before = dict(os.environ)
    # Each stops with its sentence once it has read every option into its settings.
    code, out = _invoke(
        "run", "--home", str(home), "--landing", str(empty), "--target", "duckdb",
        "--as-of", "2026-01-07 10:00", "--full-refresh",
    )  # fmt: skip
    assert code == 1 and f"there is nothing to load in {empty}" in out
    code, out = _invoke(
        "publish", "--home", str(home), "--target", "duckdb", "--as-of", "2026-01-07"
    )
    assert code == 1 and f"no build database at {home / 'build.duckdb'}" in out
    code, out = _invoke("status", "--home", str(tmp_path / "nowhere"), "--target", "duckdb")
    assert code == 1 and "there is no handoff home" in out
    code, out = _invoke("check", "--home", str(home), "--landing", str(tmp_path / "nowhere"))
    assert code == 1 and "does not exist" in out
    assert dict(os.environ) == before


def test_run_and_publish_read_the_as_of_alike():
    # 10:00 at +01:00 is 09:00 UTC; a date alone is midnight UTC
    assert parse_as_of_option("2026-01-07T10:00:00+01:00") == datetime(2026, 1, 7, 9)
    assert parse_as_of_option("2026-01-07") == datetime(2026, 1, 7)
    assert parse_as_of_option(None) is None
    sentence = "error: --as-of 'last tuesday' is not an ISO 8601 date or timestamp"
    # One function, one sentence, and before any other check: publish says it on a
    # home that has no build database yet, as run does on a landing that is not there.
    for command in ("run", "publish"):
        code, out = _invoke(command, "--home", "/nonexistent/h", "--as-of", "last tuesday")
        assert code == 1
        assert out.startswith(sentence), (command, out)


def test_settings_take_the_options_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("HANDOFF_HOME", str(tmp_path / "env-home"))
    monkeypatch.setenv("HANDOFF_TARGET", "postgres")
    monkeypatch.delenv("HANDOFF_LANDING", raising=False)
    monkeypatch.delenv("HANDOFF_FULL_REFRESH", raising=False)
    chosen = Settings.from_env(home=tmp_path / "h", as_of="2026-01-07 10:00")
    assert chosen.home == (tmp_path / "h").resolve()
    assert chosen.landing == (tmp_path / "h" / "landing").resolve()  # the chosen home's
    assert chosen.target == "postgres"  # not given: the environment's
    assert chosen.as_of == datetime(2026, 1, 7, 10)
    assert chosen.full_refresh is False
    assert Settings.from_env(full_refresh=True).full_refresh is True


def test_a_run_without_config_reads_the_users_variables(tmp_path, monkeypatch):
    """A schedule's run, or one launched from the UI, configures nothing but the
    as-of: the rest comes from the variables the README documents."""
    monkeypatch.setenv("HANDOFF_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HANDOFF_LANDING", str(tmp_path / "drop"))
    monkeypatch.setenv("HANDOFF_TARGET", "duckdb")
    monkeypatch.setenv("HANDOFF_AS_OF", "2025-12-01 08:00:00")
    monkeypatch.setenv("HANDOFF_FULL_REFRESH", "1")
    settings = HandoffSettings().get()
    assert settings.home == (tmp_path / "home").resolve()
    assert settings.landing == (tmp_path / "drop").resolve()
    assert settings.as_of == datetime(2025, 12, 1, 8)
    assert settings.full_refresh is True
    # A schedule's as-of wins over HANDOFF_AS_OF.
    assert HandoffSettings(as_of="2026-01-07 10:00:00").get().as_of == datetime(2026, 1, 7, 10)


def test_the_clis_settings_become_the_runs_config(tmp_path, monkeypatch):
    monkeypatch.delenv("HANDOFF_FULL_REFRESH", raising=False)
    monkeypatch.setenv("HANDOFF_LANDING", str(tmp_path / "not-this-one"))
    settings = Settings.from_env(
        home=tmp_path / "h", landing=tmp_path / "l", as_of="2026-01-07", full_refresh=True
    )
    config = run_config(settings)["resources"]["handoff"]["config"]
    assert config == {
        "home": str((tmp_path / "h").resolve()),
        "landing": str((tmp_path / "l").resolve()),
        "target": settings.target,
        "as_of": "2026-01-07 00:00:00",
        "full_refresh": True,
        "source": "files",
    }
    # What the job's resource makes of it, whatever the environment says.
    monkeypatch.setenv("HANDOFF_HOME", str(tmp_path / "env-home"))
    assert HandoffSettings(**config).get() == settings


def test_a_job_run_with_the_clis_config_sees_the_clis_settings(tmp_path, monkeypatch):
    """The run config replaces the resource's configuration: all of the CLI's settings
    reach the steps, none from HANDOFF_HOME's home."""
    import dagster as dg

    seen = []

    @dg.asset
    def probe(handoff: HandoffSettings) -> None:
        seen.append(handoff.get())

    monkeypatch.setenv("HANDOFF_HOME", str(tmp_path / "env-home"))
    monkeypatch.delenv("HANDOFF_FULL_REFRESH", raising=False)
    settings = Settings.from_env(home=tmp_path / "cli-home", as_of="2026-01-07 10:00")
    result = dg.materialize(
        [probe], resources={"handoff": HandoffSettings()}, run_config=run_config(settings)
    )
    assert result.success and seen == [settings]


@pytest.mark.parametrize("home", ["relative-home", None])
def test_dbt_gets_the_runs_home_and_as_of_from_the_environment(home, tmp_path, monkeypatch):
    """Not as dbt vars: a change of ``--vars`` makes dbt parse the whole project again,
    and the as-of changes every run (tests/integration/test_parse_reuse.py)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HANDOFF_HOME", raising=False)
    monkeypatch.delenv("HANDOFF_AS_OF", raising=False)
    settings = Settings.from_env(home=home, as_of="2026-01-07 10:00")
    expected = (tmp_path / (home or ".handoff")).resolve()
    assert settings.dbt_vars == {"handoff_source": "files"}
    assert settings.child_env()["HANDOFF_HOME"] == str(expected)
    assert settings.child_env()["HANDOFF_AS_OF"] == "2026-01-07 10:00:00"
    profiles = (Path(__file__).resolve().parents[2] / "profiles" / "profiles.yml").read_text()
    assert "{{ var('home', env_var('HANDOFF_HOME', '.handoff')) }}/build.duckdb" in profiles
    # for a child process that inherits this one's environment (dagster-dbt's dbt)
    with settings.exported():
        assert os.environ["HANDOFF_HOME"] == str(expected)
        assert os.environ["HANDOFF_AS_OF"] == "2026-01-07 10:00:00"
    assert "HANDOFF_HOME" not in os.environ and "HANDOFF_AS_OF" not in os.environ
