"""One asset per raw CRM object (group ``raw``), all produced by one ingest step:
the extracts of a batch load together or not at all."""

import dagster as dg
import duckdb
from dagster import AssetExecutionContext

from handoff.contract import objects
from handoff.ingest.loader import ingest
from handoff.ingest.publish_raw import mirror_to_postgres, mirror_to_spark
from handoff.lock import build_lock
from orchestration.lib.resources import HandoffSettings

RAW_SPECS = [
    dg.AssetSpec(
        key=dg.AssetKey(["raw", spec.table]),
        group_name="raw",
        description=f"Append-only {spec.crm} {spec.name} extracts (raw.{spec.table}).",
        kinds={"duckdb"},
    )
    for spec in objects().values()
]


@dg.multi_asset(specs=RAW_SPECS, name="ingest_extracts", can_subset=False)
def ingest_extracts(context: AssetExecutionContext, handoff: HandoffSettings):
    """Load every new batch under the landing folder into ``raw.<crm>__<object>`` (of
    the target's engine: DuckDB, or PostgreSQL or Spark through a mirror of the ingest
    file)."""
    settings = handoff.get()
    settings.home.mkdir(parents=True, exist_ok=True)
    if settings.source == "fivetran":
        # Source mode (README, "Already syncing with Fivetran?"): staging reads the
        # connector's tables in place; there is no file to load and no ledger.
        context.log.info("source fivetran: no file ingest, staging reads the connector's tables")
        for spec in objects().values():
            yield dg.MaterializeResult(
                asset_key=dg.AssetKey(["raw", spec.table]), metadata={"source": "fivetran"}
            )
        return
    # Ingest always validates into DuckDB; another engine gets a mirror of its raw layer.
    # One writer at a time (handoff.lock): another run may be building or publishing.
    with (
        build_lock(settings.home, "ingest", progress=context.log.info),
        duckdb.connect(str(settings.ingest_db)) as con,
    ):
        report = ingest(
            settings.landing,
            con,
            work_dir=settings.work_dir,
            source_timezones=settings.source_timezones,
            progress=context.log.info,
        )
        if settings.target == "postgres":
            mirror_to_postgres(con, progress=context.log.info, scratch_dir=settings.work_dir)
        elif settings.target == "spark":
            mirror_to_spark(
                con, settings.home, progress=context.log.info, scratch_dir=settings.work_dir
            )
        if report.fatal:
            # The disk filled up and DuckDB invalidated the file: nothing can be built.
            raise dg.Failure(description=report.fatal)
        totals = dict(
            con.execute(
                "select table_name, estimated_size from duckdb_tables() where schema_name = 'raw'"
            ).fetchall()
        )
    for batch in report.rejected:
        context.log.error(f"batch {batch.batch_id} rejected: {batch.error}")
    for batch in report.not_loaded:
        context.log.error(f"batch {batch.batch_id} not loaded: {batch.error}")
    loaded = report.rows_by_table()
    for spec in objects().values():
        yield dg.MaterializeResult(
            asset_key=dg.AssetKey(["raw", spec.table]),
            metadata={
                "rows_loaded_this_run": loaded.get(spec.table, 0),
                "rows_total": int(totals.get(spec.table, 0)),
                "batches_rejected_this_run": len(report.rejected),
                "batches_not_loaded_this_run": len(report.not_loaded),
                "landing_paths_not_read": len(report.notices),
            },
        )
