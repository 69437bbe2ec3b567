"""dbt parses the project in full once per home, not at every run (README "Development",
what a pipeline run paid for nothing): the run's as-of and home reach dbt through the
environment, not ``--vars`` (any change of which makes dbt parse everything again), so
a run at a new as-of reuses the home's last parse; and the as-of still reaches the
models, at execution. (A home moved elsewhere parses in full once: dbt's profile,
which names the build database's path, changed.)"""

from __future__ import annotations

from pathlib import Path

from conftest import full_parses

from handoff.dbt import dbt_command, prepare_manifest, run_dbt
from handoff.settings import Settings


def compiled_as_of(settings: Settings) -> str:
    """What ``as_of_timestamp()`` compiles to in a dbt command run for ``settings``."""
    cmd = dbt_command(settings, ["compile", "--inline", "select {{ as_of_timestamp() }} as t"])
    cmd.remove("--quiet")
    proc = run_dbt(cmd, settings)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    return proc.stdout


def test_a_new_as_of_reuses_the_parse(tmp_path: Path) -> None:
    first = Settings.from_env(home=tmp_path / "home", as_of="2026-01-01 00:00")
    prepare_manifest(first)
    assert full_parses(first.home) == 1  # a new home: nothing to reuse

    later = Settings.from_env(home=first.home, as_of="2026-01-08 06:30")
    prepare_manifest(later)
    assert full_parses(later.home) == 1  # the as-of changed, the parse did not
    assert "cast('2026-01-08 06:30:00' as timestamp)" in compiled_as_of(later)
    assert full_parses(later.home) == 1

    # a dbt user's own --vars still set the as-of, and win over the environment
    cmd = dbt_command(
        later, ["compile", "--inline", "select {{ as_of_timestamp() }} as t"], with_vars=False
    )
    cmd.remove("--quiet")
    proc = run_dbt([*cmd, "--vars", '{"as_of": "2025-06-01 00:00:00"}'], later)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert "cast('2025-06-01 00:00:00' as timestamp)" in proc.stdout
