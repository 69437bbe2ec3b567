"""The hooks that keep a pipeline job's run record (:mod:`orchestration.lib.runs`):
after every step, failed or not, the run's record in ``<home>/runs.jsonl`` is
written once that step settles the run, so the record of a scheduled run is there
for `handoff status` as surely as one of `handoff run`."""

import dagster as dg

from orchestration.lib.resources import HandoffSettings
from orchestration.lib.runs import record_run


def _record(context: dg.HookContext) -> None:
    handoff: HandoffSettings = context.resources.handoff
    record_run(context.instance, context.run_id, handoff.get(), after_step=context.step_key)


@dg.success_hook(name="record_run_after_step", required_resource_keys={"handoff"})
def record_run_after_step(context: dg.HookContext) -> None:
    _record(context)


@dg.failure_hook(name="record_run_after_failed_step", required_resource_keys={"handoff"})
def record_run_after_failed_step(context: dg.HookContext) -> None:
    _record(context)


RUN_RECORD_HOOKS = {record_run_after_step, record_run_after_failed_step}
