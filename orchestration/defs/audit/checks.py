"""The Great Expectations gate (handoff.audit) as blocking asset checks on the marts,
before publish (README, "Publishing, audit and schedules"). A failed expectation
fails the check with ERROR severity, which stops everything downstream (publish never
runs) and fails the run. dbt's own tests are asset checks too (dagster-dbt); in a run
that did not build with dbt (``audit_and_publish``, i.e. ``handoff publish``) the
marts' dbt tests run here too, after the gate passed, so the row-level rules still
apply."""

from collections.abc import Iterator

import dagster as dg

from handoff.audit import AuditReport, Failure, TableResult, record_audit, run_audit
from handoff.dbt import test_marts
from handoff.engines import spark_jobs
from handoff.lock import build_lock
from orchestration.lib.resources import HandoffSettings

# The job that audits and publishes without building (``handoff publish``).
NO_BUILD_JOB = "audit_and_publish"


def _result(check: str, key: dg.AssetKey, table: TableResult | None) -> dg.AssetCheckResult:
    if table is None:  # e.g. a raw object never delivered
        return dg.AssetCheckResult(
            check_name=check,
            asset_key=key,
            passed=True,
            metadata={"rows": 0},
            description="no such table yet: nothing to check",
        )
    metadata: dict = dict(table.metadata())
    if table.failures:
        metadata["failures"] = dg.MetadataValue.md(
            "\n".join(f"- {failure.render().strip()}" for failure in table.failures)
        )
    return dg.AssetCheckResult(
        check_name=check,
        asset_key=key,
        passed=table.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata=metadata,
        description="\n".join(f.render().strip() for f in table.failures) or None,
    )


def _run(
    context: dg.AssetCheckExecutionContext,
    handoff: HandoffSettings,
    check: str,
    keys: dict[str, dg.AssetKey],
    step: str,
) -> Iterator[dg.AssetCheckResult]:
    settings = handoff.get()
    selected = {
        table
        for table, key in keys.items()
        if dg.AssetCheckKey(key, check) in context.selected_asset_check_keys
    }
    with build_lock(settings.home, step, progress=context.log.info):
        if settings.target == "spark":
            report = spark_jobs.audit(settings, selected, progress=context.log.info)
        else:
            report = run_audit(settings, progress=context.log.info, tables=selected)
        # The gate first: it is the cheaper of the two (on Spark, the marts' dbt tests
        # are a minute of Spark jobs), and either failing stops the publish.
        if context.run.job_name == NO_BUILD_JOB and report.passed:
            context.log.info("audit: running the marts' dbt tests (nothing was built in this run)")
            problems = test_marts(settings)
            if problems:
                failures = [Failure("dbt tests", "dbt test", p, None, None, []) for p in problems]
                report = AuditReport(
                    [TableResult(table, 0, 0, failures) for table in sorted(selected)], {}
                )
    record_audit(settings, context.run.run_id, report)
    if report.passed:
        context.log.info(report.render())
    else:
        context.log.error(report.render())
    by_table = {r.table: r for r in report.results}
    for table in sorted(selected):
        yield _result(check, keys[table], by_table.get(table))


def gx_marts_checks(mart_keys: dict[str, dg.AssetKey]) -> dg.AssetChecksDefinition:
    """The ``gx_suite`` check of every mart ``mart_keys`` names."""
    tables = {f"marts.{name}": key for name, key in mart_keys.items()}

    @dg.multi_asset_check(
        specs=[
            dg.AssetCheckSpec(
                "gx_suite",
                asset=key,
                blocking=True,
                description="Great Expectations suite of the mart (handoff.audit): its "
                "contract's columns, row counts against raw and the last publish, rate "
                "drift (a warning), no personal data.",
            )
            for key in mart_keys.values()
        ],
        can_subset=True,
        name="gx_marts",
    )
    def gx_marts(context: dg.AssetCheckExecutionContext, handoff: HandoffSettings):
        """Every mart's suite; Data Docs to <home>/docs/gx. Publish waits for it."""
        yield from _run(context, handoff, "gx_suite", tables, "audit marts")

    return gx_marts
