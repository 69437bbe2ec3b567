"""The ``handoff`` command line (README, "The command line").

``handoff run`` executes the Dagster job ``handoff_pipeline`` in-process, so the
CLI and the scheduler share one code path. The options become the run's settings
(:meth:`handoff.settings.Settings.from_env`, the environment filling in what is not
given) and reach the job as its configuration (:func:`handoff.pipeline.execute_pipeline`):
the CLI never writes ``os.environ``.

The modules that load DuckDB, pyarrow or Dagster are imported inside the command
that needs them, so ``handoff --help`` and the quick commands start fast."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import click
import yaml

from handoff.contract import CRMS
from handoff.dbt import prepare_manifest
from handoff.engines.postgres import PostgresUnreachable, connect
from handoff.ingest.discover import no_space_message
from handoff.project import init_project
from handoff.seeds import seed_problems
from handoff.settings import SOURCES, Settings, packaged_dir, parse_as_of, project_dir

SAMPLE_LEADS = 4000
SAMPLE_SEED = 42


def _say(message: str) -> None:
    click.echo(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", err=True)


# How a full disk shows up, whichever part hit it first: Python, DuckDB, SQLite (the
# Dagster instance, through SQLAlchemy), dbt.
_NO_SPACE = ("No space left on device", "database or disk is full", "disk I/O error")


def _settings(**options: object) -> Settings:
    """The command's settings: its options (``None`` when not given) over the
    environment's. The home is kept for :func:`_fail`'s full-disk sentence."""
    try:
        settings = Settings.from_env(**options)  # type: ignore[arg-type]
    except ValueError as exc:
        _fail(str(exc))
    context = click.get_current_context(silent=True)
    if context is not None:
        context.find_root().meta["handoff.home"] = settings.home
    return settings


def _home() -> Path:
    context = click.get_current_context(silent=True)
    home = context.find_root().meta.get("handoff.home") if context is not None else None
    return home or Settings.from_env().home


def parse_as_of_option(value: str | None) -> datetime | None:
    """The ``--as-of`` of `handoff run` and `handoff publish` (or the as-of either
    falls back to) as naive UTC (:func:`handoff.settings.parse_as_of`); ``None`` when
    not given; one sentence and exit 1 for a value that is no date."""
    if not value:
        return None
    try:
        return parse_as_of(value)
    except ValueError:
        _fail(f"--as-of {value!r} is not an ISO 8601 date or timestamp")
        raise  # not reached: _fail exits


def _fail(message: str, detail: str | None = None) -> None:
    if any(sign in f"{message}\n{detail or ''}" for sign in _NO_SPACE):
        detail = f"{message}\n{detail or ''}".strip()
        message = (
            no_space_message(_home())
            + "; free some and run again (what was loaded stays, the rest loads next time)"
        )
    click.secho(f"error: {message}", fg="red", err=True)
    if detail:
        click.echo(detail, err=True)
    sys.exit(1)


def _landing_is_empty(landing: Path) -> bool:
    return not landing.exists() or not any(p.is_file() for p in landing.rglob("*"))


def _has_batches(landing: Path) -> bool:
    """Whether the landing holds at least one batch folder or zip under a CRM folder."""
    for crm_dir in landing.iterdir():
        if crm_dir.is_dir() and crm_dir.name.lower() in CRMS:
            for entry in crm_dir.iterdir():
                if not entry.name.startswith((".", "_")) and (
                    entry.is_dir() or entry.name.lower().endswith(".zip")
                ):
                    return True
    return False


def _profile_targets() -> list[str]:
    profiles = yaml.safe_load((project_dir() / "profiles" / "profiles.yml").read_text())
    return sorted(profiles["handoff"]["outputs"])


def _check_seeds() -> None:
    problems = seed_problems(project_dir() / "seeds")
    if problems:
        _fail(problems[0], "\n".join(problems[1:]) or None)


def _check_target(target: str, reach: bool = True) -> None:
    """One sentence, before any work, for a target the profile lacks or a PostgreSQL
    server that cannot be reached."""
    targets = _profile_targets()
    if target not in targets:
        _fail(
            f"--target {target!r} is not a target of profiles/profiles.yml "
            f"(one of: {', '.join(targets)})"
        )
    if reach and target == "postgres":
        try:
            connect().close()
        except PostgresUnreachable as exc:
            _fail(str(exc), "Set HANDOFF_PG_HOST, _PORT, _USER, _PASSWORD and _DBNAME.")


def _chain_text(exc: BaseException) -> str:
    parts, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        parts.append(f"{type(exc).__name__}: {exc}")
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return "\n".join(parts)


class _Main(click.Group):
    """The command group; a full disk, wherever it strikes (the Dagster instance's
    SQLite, dbt's logs, DuckDB), ends the command with one sentence, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            text = _chain_text(exc)
            if any(sign in text for sign in _NO_SPACE):
                _fail(text.splitlines()[0], text)
            raise


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="handoff")
def main() -> None:
    """handoff: the marketing–sales handoff warehouse (ingest → dbt → marts)."""


@main.command()
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder to write.")
@click.option("--leads", type=click.IntRange(min=10), default=SAMPLE_LEADS, show_default=True)
@click.option("--seed", type=int, default=SAMPLE_SEED, show_default=True)
@click.option("--batches", type=click.IntRange(min=1, max=52), default=4, show_default=True)
def generate(out: Path, leads: int, seed: int, batches: int) -> None:
    """Write deterministic sample HubSpot and Salesforce extracts (same arguments →
    byte-identical files) in the CRMs' native layouts, as dated batches."""
    from handoff.generate import generate as run_generate  # lazy: loads duckdb

    if out.exists() and not out.is_dir():
        _fail(f"--out {out} is a file: give a folder to write the sample extracts into")
    started = time.monotonic()
    summary = run_generate(out, leads=leads, seed=seed, batches=batches, progress=_say)
    _say(
        f"wrote {summary.get('leads', leads):,} leads in {batches} batch(es) to {out} "
        f"({time.monotonic() - started:.1f} s)"
    )


def _sample_as_of(landing: Path) -> str | None:
    meta = landing / "_sample.json"
    if meta.exists():
        return json.loads(meta.read_text()).get("extracted_at")
    return None


@main.command()
@click.option(
    "--landing",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of extract batches: <crm>/<batch>/<object>.csv (default <home>/landing).",
)
@click.option(
    "--home",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where the build database, serving copy and docs go (default ./.handoff).",
)
@click.option(
    "--as-of",
    "as_of",
    help="Instant the SLAs are judged at (ISO 8601, UTC if no offset; default now, the "
    "sample's extraction time on the generated sample, or the end of the data when the "
    "extracts end more than 7 days before now).",
)
@click.option("--target", help="dbt target in profiles/profiles.yml (default duckdb).")
@click.option(
    "--full-refresh",
    is_flag=True,
    help="Rebuild the incremental models from scratch (passed to dbt build) instead of "
    "updating only the leads new batches touched.",
)
@click.option(
    "--source",
    type=click.Choice(SOURCES),
    help="Where the CRM data is: files (extracts in the landing folder, the default) or "
    "fivetran (the connector's tables in place: vars hubspot_schema, salesforce_schema …, "
    'README, "Already syncing with Fivetran?"). Default $HANDOFF_SOURCE, else files.',
)
def run(
    landing: Path | None,
    home: Path | None,
    as_of: str | None,
    target: str | None,
    full_refresh: bool,
    source: str | None,
) -> None:
    """Run the whole pipeline once: ingest new batches (or read the connector's tables,
    --source fivetran), build and test every model, audit and publish the marts."""
    as_of_at = parse_as_of_option(as_of)
    settings = _settings(
        home=home,
        landing=landing,
        target=target,
        full_refresh=full_refresh or None,
        source=source,
    )
    _check_target(settings.target)
    _check_seeds()
    if settings.source == "fivetran":
        if landing is not None:
            _fail("--landing and --source fivetran exclude each other: source mode reads no files")
    elif landing is not None:
        if not settings.landing.exists():
            _fail(f"the landing folder {settings.landing} does not exist")
        if not _has_batches(settings.landing):
            _fail(
                f"there is nothing to load in {settings.landing}: no batch folder or zip "
                "under hubspot/ or salesforce/ (expected <crm>/<batch>/<object>.csv); "
                "nothing was built or published",
                f"`handoff check --landing {settings.landing}` lists what is there.",
            )
    settings.home.mkdir(parents=True, exist_ok=True)

    if settings.source == "fivetran":
        _say("source fivetran: reading the connector's tables in place, no file ingest")
    elif landing is None and _landing_is_empty(settings.landing):
        _say(f"no extracts in {settings.landing}: generating the embedded sample there")
        from handoff.generate import generate as run_generate  # lazy: loads duckdb

        run_generate(settings.landing, leads=SAMPLE_LEADS, seed=SAMPLE_SEED, progress=_say)
    elif not settings.landing.exists():
        _fail(f"the landing folder {settings.landing} does not exist")
    if as_of_at is None and not os.environ.get("HANDOFF_AS_OF") and settings.source == "files":
        as_of_at = parse_as_of_option(_sample_as_of(settings.landing))
        if as_of_at is None:
            # an old export is judged where it ends, not today (README, "The as-of")
            from handoff.check import STALE_AFTER, default_as_of, extracts_newest  # lazy: pyarrow

            as_of_at = default_as_of(extracts_newest(settings))
            if as_of_at is not None:
                _say(
                    f"the extracts end at {as_of_at.isoformat(sep=' ')} UTC, more than "
                    f"{STALE_AFTER.days} days before now: judging at the end of the data "
                    "(give --as-of to choose)"
                )
    if as_of_at is not None:
        settings = dataclasses.replace(settings, as_of=as_of_at)
    _say(f"as-of {settings.as_of.isoformat(sep=' ')} UTC; home {settings.home}")

    _say("parsing the dbt project")
    try:
        prepare_manifest(settings)
    except RuntimeError as exc:
        _fail("dbt could not parse the project", str(exc))

    from handoff.pipeline import execute_pipeline  # lazy: loads Dagster

    # The job leaves the run's record in runs.jsonl (`handoff status` shows it).
    outcome = execute_pipeline(settings, progress=_say)
    for line in outcome.summary_lines:
        click.echo(line)
    if not outcome.success:
        _fail(outcome.error or "the pipeline failed", outcome.detail)
    if outcome.not_loaded_batches:
        _fail(
            f"{len(outcome.not_loaded_batches)} batch(es) could not be loaded for want of disk "
            f"space and wait for the next run: {', '.join(outcome.not_loaded_batches)}",
            "See the lines marked NOT LOADED above.",
        )
    if outcome.rejected_batches:
        _fail(
            f"{len(outcome.rejected_batches)} batch(es) were rejected and not loaded "
            f"(everything else was built): {', '.join(outcome.rejected_batches)}",
            "See `handoff status` and raw._batches for the reason.",
        )


@main.command()
@click.option("--home", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--as-of",
    "as_of",
    help="As-of the marts were built at (default: the last run's).",
)
@click.option("--target", help="dbt target the marts were built on (default duckdb).")
def publish(home: Path | None, as_of: str | None, target: str | None) -> None:
    """Test, audit and publish the marts already built (DuckDB: the serving copy,
    Parquet, docs; PostgreSQL: marts__build becomes marts) without ingesting or
    rebuilding."""
    as_of_at = parse_as_of_option(as_of)
    settings = _settings(home=home, target=target)
    _check_target(settings.target)
    if settings.target == "duckdb" and not settings.build_db.exists():
        _fail(f"no build database at {settings.build_db}: run `handoff run` first")
    if as_of_at is None and not os.environ.get("HANDOFF_AS_OF") and settings.runs_file.exists():
        runs = settings.runs_file.read_text().strip().splitlines()
        as_of_at = parse_as_of_option(json.loads(runs[-1])["as_of"] if runs else None)
    if as_of_at is not None:
        settings = dataclasses.replace(settings, as_of=as_of_at)
    _say(f"as-of {settings.as_of.isoformat(sep=' ')} UTC; home {settings.home}")
    from handoff.pipeline import execute_pipeline  # lazy: loads Dagster

    outcome = execute_pipeline(settings, progress=_say, job_name="audit_and_publish")
    for line in outcome.summary_lines:
        click.echo(line)
    if not outcome.success:
        _fail(outcome.error or "publish failed", outcome.detail)


@main.command()
@click.option(
    "--landing",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of extract batches to check (default <home>/landing).",
)
@click.option(
    "--home",
    type=click.Path(path_type=Path, file_okay=False),
    help="Home whose ledger says what is already loaded (default ./.handoff).",
)
def check(landing: Path | None, home: Path | None) -> None:
    """Dry run: what `handoff run` would load, quarantine, reject or not read, the
    data's time span and the as-of it suggests, and every value no seed maps. Changes
    nothing; exits 1 when a batch would not load."""
    settings = _settings(home=home, landing=landing)
    if not settings.landing.exists():
        _fail(f"the landing folder {settings.landing} does not exist")
    from handoff.check import check as run_check  # lazy: loads pyarrow and duckdb

    result = run_check(settings)
    for line in result.lines:
        click.echo(line)
    sys.exit(0 if result.ok else 1)


@main.command()
@click.option("--home", type=click.Path(path_type=Path, file_okay=False))
@click.option("--target", help="dbt target the runs used (default duckdb).")
def status(home: Path | None, target: str | None) -> None:
    """Show loaded and rejected batches, quarantine counts and the last run."""
    settings = _settings(home=home, target=target)
    _check_target(settings.target, reach=False)
    if not settings.home.exists():
        _fail(f"there is no handoff home at {settings.home}: run `handoff run` first")
    from handoff.status import render_status  # lazy: loads duckdb

    text, ok = render_status(settings)
    click.echo(text)
    if not ok:
        sys.exit(1)


@main.command()
@click.option(
    "--home",
    type=click.Path(path_type=Path, file_okay=False),
    help="The home whose published serving copy to show (default ./.handoff).",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True)
@click.option(
    "--address",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on (0.0.0.0 to share the scorecard on the network).",
)
@click.option(
    "--no-browser",
    "headless",
    is_flag=True,
    help="Serve without opening a browser (headless, e.g. on a server).",
)
def dashboard(home: Path | None, port: int, address: str, headless: bool) -> None:
    """Open the scorecard: both SLAs, the funnel, the offers and capacity, as charts,
    read from the published serving copy (never the build database)."""
    settings = _settings(home=home)
    from handoff.publish import serving_path  # lazy: loads duckdb

    serving = serving_path(settings)
    if not serving.exists():
        _fail(f"nothing is published yet at {serving}: run `handoff run` first")
    app = packaged_dir() / "dashboard" / "app.py"
    if not app.exists():
        _fail(f"the scorecard app {app} is missing (run handoff from its source checkout)")
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true" if headless else "false",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--theme.base",
        "light",
        "--client.toolbarMode",
        "minimal",
    ]
    _say(f"scorecard on http://{address}:{port} from {serving} (Ctrl-C to stop)")
    server = subprocess.Popen(
        command,
        env={**os.environ, "HANDOFF_HOME": str(settings.home), "HANDOFF_SERVING_DB": str(serving)},
    )

    def forward(signum: int, _frame: object) -> None:
        # Stopping `handoff dashboard` (kill, Ctrl-C) stops the server it started.
        server.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    sys.exit(server.wait())


@main.command()
@click.option(
    "--home",
    type=click.Path(path_type=Path, file_okay=False),
    help="The home whose pipeline and Dagster instance to show (default ./.handoff).",
)
@click.option("--target", help="dbt target in profiles/profiles.yml (default duckdb).")
@click.option("--port", type=click.IntRange(1, 65535), default=3000, show_default=True)
@click.option("--address", default="127.0.0.1", show_default=True, help="Interface to listen on.")
def dagster(home: Path | None, target: str | None, port: int, address: str) -> None:
    """Open the Dagster UI (`dagster dev`) on this project: the code location with its
    jobs, schedules and sensor, and the instance `handoff run` records into, so the
    runs and materializations of the CLI show there."""
    settings = _settings(home=home, target=target)
    settings.home.mkdir(parents=True, exist_ok=True)
    from handoff.pipeline import ensure_instance  # lazy: loads Dagster

    # The code location `dagster dev` loads reads its home and target from its own
    # environment (orchestration.definitions), so they are given to it there.
    env = dict(
        os.environ,
        DAGSTER_HOME=ensure_instance(settings),
        HANDOFF_HOME=str(settings.home),
        HANDOFF_TARGET=settings.target,
    )
    # dbt and dagster from this environment first, whatever the caller's PATH holds.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    _say(f"parsing the dbt project; instance {env['DAGSTER_HOME']}")
    try:
        prepare_manifest(settings, with_vars=False)
    except RuntimeError as exc:
        _fail("dbt could not parse the project", str(exc))
    command = [sys.executable, "-m", "dagster", "dev", "-m", "orchestration.definitions"]
    command += ["--host", address, "--port", str(port)]
    _say(f"Dagster UI on http://{address}:{port} (Ctrl-C to stop)")
    server = subprocess.Popen(command, env=env, cwd=project_dir())

    def forward(signum: int, _frame: object) -> None:
        server.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    sys.exit(server.wait())


@main.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
def init(directory: Path) -> None:
    """Write an editable project into DIRECTORY: the seeds (mappings, teams, SLA
    policy, holidays) and profiles to change, and a dbt_project.yml that builds the
    models handoff ships. Run handoff from DIRECTORY (or set HANDOFF_PROJECT_DIR)."""
    if directory.exists() and any(directory.iterdir()):
        _fail(f"{directory} is not empty: give a new or empty folder for the project")
    written = init_project(directory)
    _say(f"wrote {len(written)} files to {directory}: edit seeds/*.csv, then run handoff there")


if __name__ == "__main__":
    main()
