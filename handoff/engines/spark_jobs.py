"""The audit and the publish on Spark (README, "Running on Spark"), each in a child
Python process: ``python -m handoff.engines.spark_jobs audit|publish <home> <args>``.

Derby, Spark's embedded metastore, admits one JVM per home, so the session that
audits or publishes lives in a process of its own that exits (releasing the
metastore) before dbt or the next step starts one (:func:`handoff.engines.spark.run_child`).
The gate and the publish themselves are :func:`handoff.audit.run_audit` and
:func:`handoff.publish.publish_spark`, on the child's session."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from handoff.audit import AuditReport, report_from_json, report_to_json, run_audit
from handoff.engines.spark import Progress, run_child, session
from handoff.publish import Published, PublishError, publish_spark
from handoff.settings import Settings


def audit(
    settings: Settings, tables: set[str] | None, progress: Progress | None = None
) -> AuditReport:
    """:func:`handoff.audit.run_audit` on Spark, in a child process."""
    data = run_child(
        __name__, "audit", settings, {"tables": sorted(tables) if tables else None}, progress
    )
    return report_from_json(data)


def publish(
    settings: Settings, audited: dict[str, Any] | None, progress: Progress | None = None
) -> Published:
    """:func:`handoff.publish.publish_spark` in a child process."""
    data = run_child(__name__, "publish", settings, {"audited": audited}, progress)
    if data.get("error"):
        raise PublishError(data["error"])
    return Published(
        serving_file=None,
        publish_id=data["publish_id"],
        marts=data["marts"],
        seconds=data["seconds"],
    )


def _main(argv: list[str]) -> int:
    command, home = argv[0], Path(argv[1])
    args = json.loads(argv[2])
    settings = Settings.from_env()
    say = lambda msg: print(msg, flush=True)  # noqa: E731
    spark = session(home)
    try:
        if command == "audit":
            tables = set(args["tables"]) if args.get("tables") else None
            report = run_audit(settings, progress=say, tables=tables, spark=spark)
            out = report_to_json(report)
        else:
            try:
                done = publish_spark(settings, spark, progress=say, audited=args.get("audited"))
                out = {"publish_id": done.publish_id, "marts": done.marts, "seconds": done.seconds}
            except PublishError as exc:
                out = {"error": str(exc)}
    finally:
        spark.stop()
    Path(args["result"]).write_text(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
