"""Resources shared by the assets, configured from the environment (handoff.settings)."""

from __future__ import annotations

import dataclasses

import dagster as dg

from handoff.settings import Settings, parse_as_of


class HandoffSettings(dg.ConfigurableResource):
    """Paths and the as-of instant. Empty fields fall back to the HANDOFF_* variables
    (see :mod:`handoff.settings`), so `handoff run`, `dagster dev` and schedules agree.
    Schedules and the sensor set ``as_of`` in the run config, so that every step of a
    run judges the SLAs at the same instant."""

    as_of: str = ""

    def get(self) -> Settings:
        settings = Settings.from_env()
        if self.as_of:
            settings = dataclasses.replace(settings, as_of=parse_as_of(self.as_of))
        return settings
