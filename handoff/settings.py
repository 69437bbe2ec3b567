"""Where things live and the run's instant. The defaults come from the environment,
so that the CLI, `dagster dev` and schedules share one configuration (README, "The
command line"); a run's own choices (the CLI's options, a schedule's as-of) are
given to :meth:`Settings.from_env` as arguments, and reach the Dagster job as its
run config (``orchestration.lib.resources.HandoffSettings``), never by writing the
environment.

| variable | default | meaning |
|---|---|---|
| ``HANDOFF_HOME`` | ``./.handoff`` | build database (``ingest.duckdb`` on other targets), serving copy, docs, run records |
| ``HANDOFF_LANDING`` | ``<home>/landing`` | extract batches, ``<crm>/<batch>/<object>.csv`` |
| ``HANDOFF_TARGET`` | ``duckdb`` | dbt target in ``profiles/profiles.yml``; ``postgres`` reads ``HANDOFF_PG_*``; ``spark`` keeps its tables under ``<home>/spark`` |
| ``HANDOFF_AS_OF`` | now (UTC) | the instant every time-relative result is computed at |
| ``HANDOFF_SOURCE`` | ``files`` | where the CRM data is read: ``files`` (extracts in the landing folder, ingested into raw) or ``fivetran`` (the connector's tables in place, README "Already syncing with Fivetran?") |
| ``HANDOFF_HUBSPOT_SCHEMA`` / ``HANDOFF_SALESFORCE_SCHEMA`` | ``hubspot`` / ``salesforce`` | source mode: the schema the connector syncs each CRM into (dbt vars ``hubspot_schema`` / ``salesforce_schema``) |
| ``HANDOFF_SOURCE_TZ`` | ``UTC`` | timezone of naive timestamps in extracts (``HANDOFF_SOURCE_TZ_HUBSPOT`` / ``_SALESFORCE`` per CRM) |
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from handoff.contract import CRMS

# Where a run reads the CRM data (``HANDOFF_SOURCE``, ``handoff run --source``).
SOURCES = ("files", "fivetran")


def packaged_dir() -> Path:
    """The dbt project, seeds, profiles and scorecard handoff ships with: the
    repository root in a checkout, ``handoff/_project`` in an installed wheel."""
    here = Path(__file__).resolve().parent.parent
    if (here / "dbt_project.yml").exists():
        return here
    return Path(__file__).resolve().parent / "_project"


def project_dir() -> Path:
    """The dbt project runs use: ``HANDOFF_PROJECT_DIR``, else the checkout, else the
    current folder when it holds a ``dbt_project.yml`` (one ``handoff init`` wrote),
    else the project in the installed package (README, "Installing")."""
    env = os.environ.get("HANDOFF_PROJECT_DIR")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parent.parent
    if (here / "dbt_project.yml").exists():
        return here
    if (Path.cwd() / "dbt_project.yml").exists():
        return Path.cwd()
    return packaged_dir()


def parse_as_of(text: str | None) -> datetime:
    """An as-of instant as naive UTC. Accepts ISO 8601 with or without offset (naive
    means UTC) or a date (midnight UTC); ``None``/empty means now."""
    if not text:
        return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


@dataclass(frozen=True)
class Settings:
    home: Path
    landing: Path
    target: str
    as_of: datetime
    source_timezones: dict[str, str]
    # dbt build --full-refresh: rebuild the incremental models from scratch
    full_refresh: bool = False
    # files: ingest the landing folder into raw; fivetran: read the connector's tables
    source: str = "files"
    # source mode: the schema each CRM's connector writes to (dbt var <crm>_schema)
    connector_schemas: dict[str, str] = field(default_factory=lambda: {crm: crm for crm in CRMS})
    # run dbt's unit tests inside the run's dbt build (HANDOFF_UNIT_TESTS=1); by
    # default a run leaves them out: they test the models' SQL on fixed inputs, not
    # the data, so they belong to development and CI (`make test` runs every one)
    unit_tests: bool = False

    @property
    def build_db(self) -> Path:
        return self.home / "build.duckdb"

    @property
    def ingest_db(self) -> Path:
        """The DuckDB file ingest parses and validates into: the build database itself
        on DuckDB; on another engine a staging file whose raw layer is then mirrored
        into that engine (:mod:`handoff.ingest.publish_raw`)."""
        return self.build_db if self.target == "duckdb" else self.home / "ingest.duckdb"

    @property
    def serving_dir(self) -> Path:
        return self.home / "serving"

    @property
    def work_dir(self) -> Path:
        return self.home / "work"

    @property
    def runs_file(self) -> Path:
        return self.home / "runs.jsonl"

    @property
    def dbt_target_path(self) -> Path:
        """dbt's artifacts for this home and target (manifest, partial parse, compiled
        SQL, run results): one fixed folder per home, reused by every run (the build
        lock serialises them), so runs on other homes never share or grow it, and a
        rerun's parse is partial."""
        return self.home / "target" / self.target

    @property
    def dbt_vars(self) -> dict[str, str]:
        """The ``--vars`` every dbt command of a run passes (parse, build, docs, tests):
        what decides the shape of the project (where staging reads from), nothing that
        changes from run to run. Any change of ``--vars`` voids dbt's partial parse, so
        the run's as-of and home reach dbt through the environment instead
        (:meth:`child_env`: ``HANDOFF_AS_OF``, read by the macro ``as_of_text`` only
        when executing; ``HANDOFF_HOME``, read by ``profiles/profiles.yml``), and a home
        parses in full once, not at every new as-of."""
        out = {"handoff_source": self.source}
        if self.source == "fivetran":
            out.update({f"{crm}_schema": schema for crm, schema in self.connector_schemas.items()})
        return out

    def child_env(self) -> dict[str, str]:
        """The environment of a child process (dbt, a Spark job) working for these
        settings: this process's, with the ``HANDOFF_*`` variables that say them."""
        return {
            **os.environ,
            "HANDOFF_HOME": str(self.home),
            "HANDOFF_LANDING": str(self.landing),
            "HANDOFF_TARGET": self.target,
            "HANDOFF_AS_OF": self.as_of.isoformat(sep=" "),
            "HANDOFF_FULL_REFRESH": "1" if self.full_refresh else "",
            "HANDOFF_SOURCE": self.source,
            **{f"HANDOFF_{crm.upper()}_SCHEMA": s for crm, s in self.connector_schemas.items()},
        }

    @contextmanager
    def exported(self) -> Iterator[None]:
        """This process's environment with the ``HANDOFF_*`` variables of
        :meth:`child_env` for the duration, then as it was: for a child process this
        process does not start itself (dagster-dbt's dbt, which passes on
        ``os.environ``) to see the run's home and as-of."""
        ours = {
            name: value for name, value in self.child_env().items() if name.startswith("HANDOFF_")
        }
        saved = {name: os.environ.get(name) for name in ours}
        os.environ.update(ours)
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    @classmethod
    def from_env(
        cls,
        *,
        home: str | Path | None = None,
        landing: str | Path | None = None,
        target: str | None = None,
        as_of: str | datetime | None = None,
        full_refresh: bool | None = None,
        source: str | None = None,
    ) -> Settings:
        """The settings of the variables above; an argument given (not ``None`` or
        empty) wins over its variable. The landing defaults to ``<home>/landing`` of
        the home chosen."""
        home = Path(home or os.environ.get("HANDOFF_HOME") or ".handoff").resolve()
        landing = Path(landing or os.environ.get("HANDOFF_LANDING") or home / "landing").resolve()
        default_tz = os.environ.get("HANDOFF_SOURCE_TZ", "UTC")
        tzs = {crm: os.environ.get(f"HANDOFF_SOURCE_TZ_{crm.upper()}", default_tz) for crm in CRMS}
        if not isinstance(as_of, datetime):
            as_of = parse_as_of(as_of or os.environ.get("HANDOFF_AS_OF"))
        source = (source or os.environ.get("HANDOFF_SOURCE") or "files").strip().lower()
        if source not in SOURCES:
            raise ValueError(f"HANDOFF_SOURCE={source!r}: it must be one of {', '.join(SOURCES)}")
        if full_refresh is None:
            full_refresh = os.environ.get("HANDOFF_FULL_REFRESH", "") not in ("", "0")
        return cls(
            home=home,
            landing=landing,
            target=target or os.environ.get("HANDOFF_TARGET", "duckdb"),
            as_of=as_of,
            source_timezones=tzs,
            full_refresh=full_refresh,
            source=source,
            connector_schemas={
                crm: os.environ.get(f"HANDOFF_{crm.upper()}_SCHEMA") or crm for crm in CRMS
            },
            unit_tests=os.environ.get("HANDOFF_UNIT_TESTS", "") not in ("", "0"),
        )
