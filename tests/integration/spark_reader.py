"""A BI reader of ``marts`` on Spark during a rebuild and a publish; test_spark.py runs
this in a child process and reads what it saw.

The embedded Derby metastore admits one JVM at a time, so the reader, the rebuild and
the publish share this process's one SparkSession — as BI's queries and the builds
share a Spark Thrift server's in a deployment. The reader thread counts the rows of
every mart of ``marts`` in a loop while, in the main thread:

1. dbt (in process, session mode: it picks up this SparkSession) rebuilds the marts
   named on the command line into ``marts__build``, from the intermediate tables
   already on Spark — the same rows as the last publish;
2. every other mart's next generation is written into ``marts__build`` with twice the
   rows of the last publish, so the reader can tell the old mart from the new;
3. :func:`handoff.publish.publish_spark` switches the ``marts`` views to them.

Usage: ``python spark_reader.py OUT.json MARTS REBUILT`` (marts comma-separated), with
``HANDOFF_HOME``, ``HANDOFF_TARGET=spark`` and ``HANDOFF_AS_OF`` set. Writes the
counts and the views' metastore creation times before and after, every observation
``[phase, mart, rows, error]`` and dbt's outcome to OUT.json.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any

from dbt.cli.main import dbtRunner

from handoff.engines.spark import session
from handoff.publish import publish_spark
from handoff.settings import Settings

PROJECT_DIR = Path(__file__).resolve().parents[2]


def main(out: Path, marts: list[str], rebuilt: list[str]) -> None:
    settings = Settings.from_env()
    spark = session(settings.home)

    def rows(mart: str) -> int:
        return spark.sql(f"select count(*) from marts.`{mart}`").collect()[0][0]

    def created(mart: str) -> str:
        """The view's creation time in the metastore: an ALTER VIEW keeps it, a drop
        and create (Spark's CREATE OR REPLACE VIEW) renews it."""
        described = spark.sql(f"describe table extended marts.`{mart}`").collect()
        return next(str(r[1]) for r in described if r[0] == "Created Time")

    before = {mart: rows(mart) for mart in marts}
    created_before = {mart: created(mart) for mart in marts}
    phase = ["rebuild"]
    observed: list[list[Any]] = []
    laps_after = threading.Event()
    stop = threading.Event()

    def read() -> None:
        after_laps = 0
        while not stop.is_set():
            lap_phase = phase[0]
            for mart in marts:
                try:
                    observed.append([phase[0], mart, rows(mart), None])
                except Exception as exc:  # what BI would see: a missing table, say
                    observed.append([phase[0], mart, None, str(exc).splitlines()[0][:300]])
            if lap_phase == "after":
                after_laps += 1
                if after_laps >= 2:
                    laps_after.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    dbt = dbtRunner().invoke(
        [
            "run",
            "--select",
            *rebuilt,
            *("--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR / "profiles")),
            *("--target", "spark", "--target-path", str(settings.dbt_target_path)),
            *("--log-path", str(settings.dbt_target_path)),
            *("--vars", json.dumps(settings.dbt_vars), "--quiet"),
        ]
    )
    for mart in marts:
        if mart not in rebuilt:
            spark.sql(f"drop table if exists marts__build.`{mart}`")
            spark.sql(
                f"create table marts__build.`{mart}` as select * from marts.`{mart}` "
                f"union all select * from marts.`{mart}`"
            )
    phase[0] = "publish"
    published = publish_spark(settings, spark, progress=print)
    phase[0] = "after"
    laps_after.wait(timeout=600)
    stop.set()
    reader.join(timeout=600)
    after = {mart: rows(mart) for mart in marts}
    created_after = {mart: created(mart) for mart in marts}
    spark.stop()
    out.write_text(
        json.dumps(
            {
                "before": before,
                "after": after,
                "created_before": created_before,
                "created_after": created_after,
                "observed": observed,
                "dbt_success": dbt.success,
                "dbt_error": str(dbt.exception) if dbt.exception else None,
                "publish_id": published.publish_id,
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2].split(","), sys.argv[3].split(","))
