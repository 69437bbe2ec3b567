"""Great Expectations suites (handoff.audit) as blocking asset checks (DESIGN §8):
the raw contract on the ingest assets, before dbt; the mart suites on the dbt marts,
before publish. A failed expectation fails the check with ERROR severity, which
stops everything downstream (publish never runs) and fails the run. dbt's own tests
are asset checks too (dagster-dbt)."""

from collections.abc import Iterator

import dagster as dg

from handoff.audit import AuditReport, TableResult, record_audit, run_audit
from handoff.contract import objects
from handoff.lock import build_lock
from orchestration.defs.marts import MART_KEYS
from orchestration.lib.resources import HandoffSettings

RAW_KEYS = {f"raw.{spec.table}": dg.AssetKey(["raw", spec.table]) for spec in objects().values()}
MART_TABLES = {f"marts.{name}": key for name, key in MART_KEYS.items()}


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
    if settings.target != "duckdb":
        for key in keys.values():
            if dg.AssetCheckKey(key, check) in context.selected_asset_check_keys:
                yield dg.AssetCheckResult(
                    check_name=check,
                    asset_key=key,
                    passed=True,
                    description=f"skipped: the GX gate reads DuckDB (target {settings.target})",
                )
        return
    selected = {
        table
        for table, key in keys.items()
        if dg.AssetCheckKey(key, check) in context.selected_asset_check_keys
    }
    with build_lock(settings.home, step, progress=context.log.info):
        report: AuditReport = run_audit(settings, progress=context.log.info, tables=selected)
    if check == "gx_suite":
        record_audit(settings, context.run.run_id, report)
    if report.passed:
        context.log.info(report.render())
    else:
        context.log.error(report.render())
    by_table = {r.table: r for r in report.results}
    for table in sorted(selected):
        yield _result(check, keys[table], by_table.get(table))


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            "gx_contract",
            asset=key,
            blocking=True,
            description="Great Expectations: required columns present, ids never null.",
        )
        for key in RAW_KEYS.values()
    ],
    can_subset=True,
    name="gx_raw_contract",
)
def gx_raw_contract(context: dg.AssetCheckExecutionContext, handoff: HandoffSettings):
    """The input contract on the raw tables, before dbt reads them."""
    yield from _run(context, handoff, "gx_contract", RAW_KEYS, "audit raw")


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            "gx_suite",
            asset=key,
            blocking=True,
            description="Great Expectations suite of the mart (handoff.audit): keys, "
            "accepted values, row counts against raw, nothing after the as-of, rates in "
            "[0, 1], deadlines after the clock start.",
        )
        for key in MART_KEYS.values()
    ],
    can_subset=True,
    name="gx_marts",
)
def gx_marts(context: dg.AssetCheckExecutionContext, handoff: HandoffSettings):
    """Every mart's suite; Data Docs to <home>/docs/gx. Publish waits for it."""
    yield from _run(context, handoff, "gx_suite", MART_TABLES, "audit marts")
