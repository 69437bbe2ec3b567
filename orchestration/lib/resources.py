"""Resources shared by the assets, configured from the environment (handoff.settings)."""

from __future__ import annotations

import dagster as dg

from handoff.settings import Settings


class HandoffSettings(dg.ConfigurableResource):
    """Paths and the as-of instant. Empty fields fall back to the HANDOFF_* variables
    (see :mod:`handoff.settings`), so `handoff run`, `dagster dev` and schedules agree."""

    def get(self) -> Settings:
        return Settings.from_env()
