"""Shared fixtures: real engines for the engine-marked tests, and one built sample.

An engine that cannot be started or reached skips its tests, unless the engine is
named in ``HANDOFF_REQUIRE_ENGINES`` (comma-separated, e.g. ``postgres,spark``; CI
sets it), in which case they fail with the reason: CI never passes by skipping.

The suite runs on two pytest-xdist workers (``make test``), a test file at a time
on one worker (``--dist loadfile``), the longest files first (``FIRST``).
A build that several files read is made once per test run, whichever worker needs
it first, under a file lock (:func:`shared_build`); the others wait for it and read
it. Read shared builds freely; copy them (:func:`copy_home`) before changing them.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock


def required_engines() -> set[str]:
    return {
        name.strip().lower()
        for name in os.environ.get("HANDOFF_REQUIRE_ENGINES", "").split(",")
        if name.strip()
    }


def require_engine(engine: str, reason: str) -> None:
    """Give up on a test that needs an unavailable engine: skip it, or fail it when
    ``HANDOFF_REQUIRE_ENGINES`` names the engine. Never returns."""
    if engine.lower() in required_engines():
        pytest.fail(
            f"{engine} is required (HANDOFF_REQUIRE_ENGINES) but unavailable: {reason}",
            pytrace=False,
        )
    pytest.skip(f"{engine} unavailable: {reason}")


# --- PostgreSQL ---------------------------------------------------------------------

PG_ENV_KEYS = ("HOST", "PORT", "USER", "PASSWORD", "DBNAME")


def _pg_bindir() -> Path | None:
    """The directory of initdb/pg_ctl: pg_config's, else the newest Debian install,
    else the PATH."""
    found = shutil.which("pg_config")
    if found:
        proc = subprocess.run([found, "--bindir"], capture_output=True, text=True)
        bindir = Path(proc.stdout.strip())
        if proc.returncode == 0 and (bindir / "initdb").exists():
            return bindir
    debian = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: [int(x) for x in Path(p).parent.name.split(".") if x.isdigit()],
    )
    if debian:
        return Path(debian[-1])
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary directory, trust auth on 127.0.0.1 only.
    initdb refuses to run as root, so as root the cluster belongs to the ``postgres``
    OS user."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = _free_port()
        # A short path: the Unix socket lives here (at most 107 bytes).
        self.root = Path(
            tempfile.mkdtemp(prefix="handoff-pg-", dir="/tmp" if os.path.isdir("/tmp") else None)
        )
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            log = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(
                f"{Path(args[0]).name} failed ({proc.returncode}): "
                f"{(proc.stderr or proc.stdout).strip()[-2000:]} {log}".strip()
            )

    def start(self) -> None:
        if self.as_root:
            if subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
                raise RuntimeError("running as root and there is no 'postgres' OS user for initdb")
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            str(self.bindir / "initdb"),
            *("-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"),
            *("--locale=C", "--no-sync"),
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            *("-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60"),
            "start",
        )

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _create_database(env: dict[str, str], name: str) -> None:
    from handoff.engines.postgres import connect

    con = connect(env, dbname="postgres")
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute(f"create database \"{name}\" encoding 'UTF8' template template0")
    con.close()


def _drop_database(env: dict[str, str], name: str) -> None:
    from handoff.engines.postgres import connect

    try:
        con = connect(env, dbname="postgres")
    except Exception:  # noqa: BLE001 — the server is gone: nothing to drop
        return
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute(f'drop database if exists "{name}" with (force)')
    con.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[dict[str, str]]:
    """A PostgreSQL server and a fresh database for this test session, as the
    ``HANDOFF_PG_*`` variables. Uses the server of ``HANDOFF_PG_HOST`` when set (CI
    starts one), else starts a throwaway one (initdb, trust auth, a free port)."""
    from handoff.engines.postgres import PostgresUnreachable, params

    server: _ThrowawayPostgres | None = None
    if os.environ.get("HANDOFF_PG_HOST"):
        base = {f"HANDOFF_PG_{k.upper()}": v for k, v in params().items()}
    else:
        bindir = _pg_bindir()
        if bindir is None:
            require_engine(
                "postgres", "PostgreSQL is not installed (no initdb) and HANDOFF_PG_HOST is unset"
            )
        server = _ThrowawayPostgres(bindir)  # type: ignore[arg-type]
        try:
            server.start()
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
            server.stop()
            require_engine("postgres", f"could not start a throwaway server: {exc}")
        base = {
            "HANDOFF_PG_HOST": "127.0.0.1",
            "HANDOFF_PG_PORT": str(server.port),
            "HANDOFF_PG_USER": "postgres",
            "HANDOFF_PG_PASSWORD": "",
        }
    name = f"handoff_test_{uuid.uuid4().hex[:10]}"
    try:
        _create_database(base, name)
    except PostgresUnreachable as exc:
        if server:
            server.stop()
        require_engine("postgres", str(exc))
    env = {**base, "HANDOFF_PG_DBNAME": name}
    try:
        yield env
    finally:
        _drop_database(base, name)
        if server:
            server.stop()


@pytest.fixture
def postgres_env(
    postgres_server: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    """A fresh database of the session's server for one test (no test sees another's
    raw tables), exported as ``HANDOFF_PG_*`` for the duration of the test."""
    name = f"{postgres_server['HANDOFF_PG_DBNAME']}_{uuid.uuid4().hex[:6]}"
    _create_database(postgres_server, name)
    env = {**postgres_server, "HANDOFF_PG_DBNAME": name}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    yield env
    _drop_database(postgres_server, name)


# --- Spark ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def spark_available() -> None:
    """Java and pyspark for the ``spark``-marked tests (a local SparkSession, no
    server): skip without them, or fail when HANDOFF_REQUIRE_ENGINES names spark."""
    from handoff.engines.spark import unavailable_reason

    reason = unavailable_reason()
    if reason:
        require_engine("spark", reason)


# --- the run's layout: workers, order, builds shared across them -------------------

# Longest first (as measured with --durations), so that what is left at the end is
# short and both workers finish together; the rest keeps collection order.
FIRST = (
    "test_spark.py",
    "test_fivetran_spark.py",
    "test_incremental.py",
    "test_audit_publish.py",
    "test_failure_safety.py",
    "test_cli.py",
    "test_extract_versions.py",
    "test_sla_known_answers.py",
    "test_postgres.py",
    "test_fivetran_postgres.py",
    "test_fivetran_source.py",
)
_OWN_HOME = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    # Each worker (and a plain run) keeps in-process Dagster/dbt state (the manifest
    # `orchestration.project` reads, the instance) in a home of its own instead of
    # the checkout's ./.handoff, which two workers would otherwise share.
    # xdist workers inherit the controller's environment: a home this hook made in
    # the controller is not the user's, and each worker makes its own.
    made_here = os.environ.get("HANDOFF_TESTS_HOME") == os.environ.get("HANDOFF_HOME")
    if "HANDOFF_HOME" not in os.environ or made_here:
        home = tempfile.mkdtemp(prefix="handoff-tests-home-")
        os.environ["HANDOFF_HOME"] = os.environ["HANDOFF_TESTS_HOME"] = home
        config.stash[_OWN_HOME] = home


def pytest_unconfigure(config: pytest.Config) -> None:
    home = config.stash.get(_OWN_HOME, None)
    if home:
        shutil.rmtree(home, ignore_errors=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        # A test that reads the whole-pipeline sample is an end-to-end test: out of
        # `make test-fast` (which runs `-m "not slow ..."`).
        if "built_sample" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
    # Stable: files keep their order otherwise (every worker must collect the same).
    items.sort(key=lambda item: FIRST.index(item.path.name) if item.path.name in FIRST else 99)


def shared_build(
    tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], dict]
) -> tuple[Path, dict]:
    """``make(root)`` once per test run, whichever xdist worker asks first; the
    others block on the lock, then get the same ``root`` and the JSON-able dict
    ``make`` returned. A build that failed fails every test that asks for it."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's folder, above each worker's own
    root, done = base / f"shared-{name}", base / f"shared-{name}.json"
    with FileLock(str(base / f"shared-{name}.lock")):
        if not done.exists():
            if root.exists():
                shutil.rmtree(root)  # a build that died half-way
            root.mkdir()
            try:
                result = {"ok": True, "value": make(root)}
            except BaseException as exc:
                result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            done.write_text(json.dumps(result))
    result = json.loads(done.read_text())
    if not result["ok"]:
        pytest.fail(f"the shared build {name!r} failed: {result['error']}", pytrace=False)
    return root, result["value"]


# --- one generated sample, built once per session -----------------------------------

SAMPLE_LEADS, SAMPLE_SEED, SAMPLE_AS_OF = 800, 7, "2026-01-01T00:00:00Z"


@dataclass(frozen=True)
class BuiltSample:
    landing: Path
    home: Path
    run: subprocess.CompletedProcess


def _build_sample(root: Path) -> dict:
    landing, home = root / "landing", root / "home"
    handoff = str(Path(sys.executable).parent / "handoff")
    gen = subprocess.run(
        [
            handoff,
            "generate",
            "--out",
            str(landing),
            "--leads",
            str(SAMPLE_LEADS),
            "--seed",
            str(SAMPLE_SEED),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert gen.returncode == 0, gen.stderr
    run = subprocess.run(
        [handoff, "run", "--landing", str(landing), "--home", str(home), "--as-of", SAMPLE_AS_OF],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    return {
        "args": run.args,
        "returncode": run.returncode,
        "stdout": run.stdout,
        "stderr": run.stderr,
    }


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> BuiltSample:
    """A generated sample (800 leads, seed 7) run once through the whole pipeline
    (ingest → dbt build → audit → publish) as of 2026-01-01, once per test run (see
    :func:`shared_build`). Read it freely; copy ``home`` before changing anything
    (the full run is the suite's costliest step)."""
    root, run = shared_build(tmp_path_factory, "built_sample", _build_sample)
    proc = subprocess.CompletedProcess(run["args"], run["returncode"], run["stdout"], run["stderr"])
    return BuiltSample(landing=root / "landing", home=root / "home", run=proc)


def stop_process_group(proc: subprocess.Popen, timeout: float = 30) -> None:
    """Stop a server started with ``start_new_session=True`` and its children:
    SIGTERM to the group, SIGKILL if it has not exited within ``timeout``."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def project_copy(root: Path) -> Path:
    """A copy of the dbt project under ``root`` (models, macros, seeds, snapshots, dbt
    tests, profiles, dbt_project.yml), for a test to change; point a run at it with
    ``HANDOFF_PROJECT_DIR``."""
    source = Path(__file__).resolve().parents[1]
    project = root / "project"
    for part in ("models", "macros", "seeds", "snapshots", "tests/dbt", "profiles"):
        if (source / part).exists():
            shutil.copytree(source / part, project / part)
    shutil.copy(source / "dbt_project.yml", project / "dbt_project.yml")
    return project


def copy_home(home: Path, to: Path) -> Path:
    """A private copy of a built home (without the Dagster instance and the lock).
    Symlinks stay links (the serving paths are relative links into the current
    publish folder), so the copy's links point into the copy."""
    shutil.copytree(home, to, symlinks=True, ignore=shutil.ignore_patterns("dagster", "build.lock"))
    return to


def dbt_build_select(
    home: Path, select: str, target: str = "duckdb", *extra: str
) -> subprocess.CompletedProcess:
    """``dbt build --select`` of the project on ``home`` (its DuckDB file, or the
    ``HANDOFF_PG_*`` database on ``postgres``), artifacts and logs under ``home``;
    ``extra`` arguments appended (``--vars``, ``--resource-type`` …)."""
    project = Path(__file__).resolve().parents[1]
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "build",
            *("--profiles-dir", str(project / "profiles"), "--project-dir", str(project)),
            *("--target", target, "--select", select),
            *("--target-path", str(home / "target"), "--log-path", str(home / "logs")),
            *extra,
        ],
        cwd=project,
        env={**os.environ, "HANDOFF_HOME": str(home), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def full_parses(home: Path) -> int:
    """How many dbt commands on ``home`` said they had to parse the whole project, over
    its logs (one command may give several reasons, e.g. both its vars and its profile
    changed)."""
    return sum(
        "Unable to do partial parsing" in command
        for log in home.rglob("dbt.log*")
        for command in log.read_text(errors="replace").split("Running with dbt=")
    )
