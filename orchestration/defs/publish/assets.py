"""The publish step: after every mart passed its checks, swap in a new serving DuckDB
file with its Parquet per mart (one rename, handoff.publish) and the dbt docs (on
DuckDB generated while the Parquet files are written)."""

import dagster as dg

from handoff.audit import AuditFailed, read_audit, record_published_profiles, run_audit
from handoff.dbt import test_marts
from handoff.engines import spark_jobs
from handoff.lock import build_lock
from handoff.publish import (
    DocsJob,
    finish_docs,
    publish_docs,
    publish_marts,
    publish_postgres,
    serving_path,
    start_docs,
)
from orchestration.lib.resources import HandoffSettings


def publish_asset(mart_keys: dict[str, dg.AssetKey]) -> dg.AssetsDefinition:
    """The ``publish`` asset, downstream of the marts ``mart_keys`` names."""

    @dg.asset(
        name="publish",
        deps=list(mart_keys.values()),
        group_name="publish",
        kinds={"duckdb", "parquet"},
        description="Serving copy <home>/serving/handoff.duckdb (swapped atomically), "
        "<home>/serving/parquet/<mart>.parquet and the dbt docs in <home>/docs.",
    )
    def publish(
        context: dg.AssetExecutionContext, handoff: HandoffSettings
    ) -> dg.MaterializeResult:
        settings = handoff.get()
        with build_lock(settings.home, "publish", progress=context.log.info):
            record = read_audit(settings, context.run_id)
            if record is None or not record.get("passed"):
                # Published without the checks in the same run (e.g. materialised alone in
                # the UI): audit here, so nothing unaudited ever reaches BI.
                context.log.info(
                    "publish: no passing audit in this run; testing and auditing first"
                )
                problems = test_marts(settings)
                if problems:
                    raise dg.Failure(
                        description="the marts' dbt tests failed:\n"
                        + "\n".join(f"  {p}" for p in problems)
                        + f"\nNothing was published: {_published_where(settings)} is unchanged."
                    )
                tables = {f"marts.{m}" for m in mart_keys}
                if settings.target == "spark":
                    report = spark_jobs.audit(settings, tables, progress=context.log.info)
                else:
                    report = run_audit(
                        settings, progress=context.log.info, data_docs=True, tables=tables
                    )
                if not report.passed:
                    raise dg.Failure(
                        description=str(AuditFailed(report))
                        + f"\nNothing was published: {_published_where(settings)} is unchanged."
                    )
                audited, profiles = report.fingerprints, report.profiles
            else:
                audited, profiles = record["fingerprints"], record.get("profiles") or {}
            # On DuckDB the dbt docs are generated beside the Parquet export, as soon as
            # the copy has let go of the build database.
            docs_job: list[DocsJob] = []
            try:
                if settings.target == "spark":
                    published = spark_jobs.publish(settings, audited, progress=context.log.info)
                elif settings.target == "postgres":
                    published = publish_postgres(
                        settings, progress=context.log.info, audited=audited
                    )
                else:
                    published = publish_marts(
                        settings,
                        progress=context.log.info,
                        audited=audited,
                        build_released=lambda: docs_job.append(start_docs(settings)),
                    )
                # what the next audit compares row counts and rates with
                record_published_profiles(settings, published.publish_id, profiles)
            except BaseException:
                for job in docs_job:
                    job.cancel()
                raise
            if docs_job:
                docs = finish_docs(settings, docs_job[0], progress=context.log.info)
            else:
                docs = publish_docs(settings, progress=context.log.info)
        return dg.MaterializeResult(
            metadata={
                "serving_file": dg.MetadataValue.path(str(published.serving_file))
                if published.serving_file
                else f"schema marts ({settings.target})",
                "publish_id": published.publish_id,
                "marts": len(published.marts),
                "rows": sum(published.marts.values()),
                "rows_by_mart": published.marts,
                "docs": dg.MetadataValue.path(str(docs)) if docs else "not generated",
                "seconds": round(published.seconds, 1),
            }
        )

    return publish


def _published_where(settings) -> str:
    return str(serving_path(settings)) if settings.target == "duckdb" else "schema marts"
