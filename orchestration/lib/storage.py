"""Dagster's SQLite instance storage, with the event log kept open.

Dagster's own SQLite event log opens a new engine and connection for every event it
stores and closes it afterwards; a `handoff run` stores ~1,800 events (a dbt node,
a dbt test as an asset check, a log line …), and every close of the last connection
to a WAL database checkpoints and syncs it. Kept open, a run's events cost a
fraction of that; ``synchronous=NORMAL`` (safe with WAL: a crash loses no committed
event, a power cut at most the last ones) drops the sync on every commit.

Everything else — where the files are (``<home>/dagster/history``, ``schedules``),
their schema, the other storages — is Dagster's default, so ``dagster dev`` and the
webserver read the same instance. ``handoff.pipeline`` writes the ``dagster.yaml``
that names this class.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as db
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from dagster._serdes import ConfigurableClassData
from sqlalchemy.pool import StaticPool

# Open databases kept per process: the cross-run index and the latest runs' own.
KEEP_OPEN = 4


class KeptOpenSqliteEventLogStorage(SqliteEventLogStorage):
    """One open connection per shard (the index, each run), reused for every event."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, db.engine.Engine] = OrderedDict()
        super().__init__(base_dir, inst_data=inst_data)

    def _engine(self, shard: str) -> db.engine.Engine:
        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = db.create_engine(
                self.conn_string_for_shard(shard),
                poolclass=StaticPool,
                # one connection, used by one thread at a time (Dagster's _db_lock)
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            db.event.listen(engine, "connect", _synchronous_normal)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > KEEP_OPEN:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Any]:  # type: ignore[override]
        with self._db_lock:
            engine = self._engine(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _close_all(self) -> None:
        with self._db_lock:
            while self._engines:
                _, engine = self._engines.popitem()
                engine.dispose()

    def delete_events(self, run_id: str) -> None:
        self._close_all()  # the run's file goes: no connection may hold it
        super().delete_events(run_id)

    def wipe(self) -> None:
        self._close_all()
        super().wipe()

    def dispose(self) -> None:
        self._close_all()
        super().dispose()


def _synchronous_normal(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class HandoffSqliteStorage(DagsterSqliteStorage):
    """Dagster's SQLite storage with :class:`KeptOpenSqliteEventLogStorage`.

    ``dagster.yaml``::

        storage:
          custom:
            module: orchestration.lib.storage
            class: HandoffSqliteStorage
            config:
              base_dir: <home>/dagster
    """

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        super().__init__(base_dir, inst_data=inst_data)
        self._event_log_storage = KeptOpenSqliteEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData, config_value: dict[str, Any]
    ) -> HandoffSqliteStorage:
        return cls.from_local(inst_data=inst_data, **config_value)
