"""PostgreSQL connection settings, read from the same ``HANDOFF_PG_*`` variables as
the ``postgres`` target of ``profiles/profiles.yml``, so ingest and dbt always talk
to the same database.

| variable | default |
|---|---|
| ``HANDOFF_PG_HOST`` | ``localhost`` |
| ``HANDOFF_PG_PORT`` | ``5432`` |
| ``HANDOFF_PG_USER`` | ``postgres`` |
| ``HANDOFF_PG_PASSWORD`` | (empty) |
| ``HANDOFF_PG_DBNAME`` | ``handoff`` |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

DEFAULTS = {
    "host": "localhost",
    "port": "5432",
    "user": "postgres",
    "password": "",
    "dbname": "handoff",
}


class PostgresUnreachable(RuntimeError):
    """The server cannot be reached or refuses the login."""


def params(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """host, port, user, password and dbname from ``HANDOFF_PG_*`` (profiles.yml's defaults)."""
    env = os.environ if environ is None else environ
    return {key: env.get(f"HANDOFF_PG_{key.upper()}", default) for key, default in DEFAULTS.items()}


def dsn(environ: Mapping[str, str] | None = None) -> str:
    """A libpq connection string (the password is included when set)."""
    values = params(environ)
    if not values["password"]:
        del values["password"]
    return " ".join(f"{key}={_libpq_quote(value)}" for key, value in values.items())


def _libpq_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def connect(environ: Mapping[str, str] | None = None, **overrides: str) -> Any:
    """A psycopg2 connection (autocommit off). Raises :class:`PostgresUnreachable`
    with one sentence naming host, port and user when the server cannot be reached."""
    import psycopg2  # lazy: only PostgreSQL runs need it

    values = {**params(environ), **overrides}
    try:
        return psycopg2.connect(
            **{k: v for k, v in values.items() if v != "" or k != "password"},
            connect_timeout=10,
            application_name="handoff",
        )
    except psycopg2.OperationalError as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise PostgresUnreachable(
            f"cannot reach PostgreSQL at {values['host']}:{values['port']} "
            f"as user {values['user']} (database {values['dbname']}): {reason}"
        ) from exc


def pg_quote_ident(name: str) -> str:
    """``name`` as a quoted PostgreSQL identifier."""
    return '"' + name.replace('"', '""') + '"'
