"""The Monday and Wednesday reviews as assets downstream of publish: they read the
serving copy, so they never report on marts that failed the audit."""

import dagster as dg

from handoff.reports import marketing_sla_review, open_breach_alert
from orchestration.lib.resources import HandoffSettings

PUBLISH = dg.AssetKey(["publish"])


@dg.asset(deps=[PUBLISH], group_name="reports", kinds={"csv"})
def marketing_sla_report(
    context: dg.AssetExecutionContext, handoff: HandoffSettings
) -> dg.MaterializeResult:
    """The last weeks of fct_marketing_sla_weekly as <home>/reports/marketing_sla_<week>.csv."""
    report = marketing_sla_review(handoff.get(), progress=context.log.info)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(report.path)),
            "rows": report.rows,
            "summary": report.summary,
        }
    )


@dg.asset(deps=[PUBLISH], group_name="reports", kinds={"csv"})
def open_sla_breach_alert(
    context: dg.AssetExecutionContext, handoff: HandoffSettings
) -> dg.MaterializeResult:
    """rpt_open_sla_breaches as <home>/reports/open_sla_breaches_<date>.csv, POSTed as
    JSON to HANDOFF_ALERT_WEBHOOK when it is set."""
    report = open_breach_alert(handoff.get(), progress=context.log.info)
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(report.path)), "open_breaches": report.rows}
    )
