"""One writer at a time on the build database (README, "Publishing, audit and schedules").

DuckDB allows one writing process per file, so two runs (the CLI and a scheduled
run, or two sensor-triggered runs) must not ingest, build or publish at the same
time. Each writing step holds an exclusive ``flock`` on ``<home>/build.lock`` for
as long as it needs the file. ``flock`` locks belong to an open file description,
so they exclude each other across processes *and* within one process, and the
kernel drops them when a process dies: a killed run never leaves a stale lock."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_TIMEOUT_SECONDS = 3 * 60 * 60


class LockTimeout(RuntimeError):
    pass


@contextmanager
def build_lock(
    home: Path,
    step: str,
    progress: Callable[[str], None] | None = None,
    timeout_seconds: float | None = None,
) -> Iterator[None]:
    """Hold ``<home>/build.lock`` exclusively while the block runs; wait (saying so
    once) while another step holds it. ``HANDOFF_LOCK_TIMEOUT`` (seconds) bounds the
    wait."""
    if timeout_seconds is None:
        timeout_seconds = float(os.environ.get("HANDOFF_LOCK_TIMEOUT", DEFAULT_TIMEOUT_SECONDS))
    home.mkdir(parents=True, exist_ok=True)
    path = home / "build.lock"
    with open(path, "a+") as fh:
        deadline = time.monotonic() + timeout_seconds
        told = False
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockTimeout(
                        f"{step}: another run has held {path} for over "
                        f"{timeout_seconds:.0f} s (it writes {home / 'build.duckdb'}); "
                        "giving up"
                    ) from None
                if not told and progress:
                    holder = _holder(fh)
                    progress(
                        f"{step}: waiting for another run to finish writing the build "
                        f"database{f' ({holder})' if holder else ''}"
                    )
                    told = True
                time.sleep(0.5)
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(f"pid {os.getpid()} {step} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
            fh.flush()
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _holder(fh) -> str:
    try:
        fh.seek(0)
        return fh.read().strip()
    except OSError:
        return ""
