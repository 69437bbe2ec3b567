"""What the gate reads of the connector's tables on Spark in source mode;
test_fivetran_spark.py runs this in a child process (its JVM takes the home's Derby
metastore, released on exit) and reads the JSON it prints.

In one SparkSession on the home ``HANDOFF_HOME`` (``HANDOFF_TARGET=spark``,
``HANDOFF_SOURCE=fivetran``): the raw layout and row-count bounds the audit reads from
the Spark databases ``hubspot`` and ``salesforce``; then the personal-data scan of
:class:`handoff.audit.SparkGate` on a probe table of ``marts__build`` whose one text
column holds ``PROBE`` (dropped again afterwards).

Usage: ``python spark_source_gate.py PROBE``.
"""

from __future__ import annotations

import dataclasses
import json
import sys

from handoff.audit import BUILD_SCHEMA, SparkGate, _SparkQueries, raw_bounds, raw_layout
from handoff.engines.spark import session
from handoff.settings import Settings


def main(probe: str) -> None:
    settings = Settings.from_env()
    spark = session(settings.home)
    try:
        queries = _SparkQueries(spark)
        layout = raw_layout(queries, settings)
        bounds = raw_bounds(queries, settings)
        spark.sql(
            f"create table {BUILD_SCHEMA}.dim_probe using parquet as select "
            f"'{probe}' as label, 1 as n"
        )
        try:
            findings = SparkGate(settings, spark).personal_data({"marts.dim_probe"})
        finally:
            spark.sql(f"drop table {BUILD_SCHEMA}.dim_probe")
        out = {
            "layout": {t: [relation, columns] for t, (relation, columns) in layout.items()},
            "bounds": bounds,
            "findings": [dataclasses.asdict(f) for f in findings],
        }
    finally:
        spark.stop()
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
