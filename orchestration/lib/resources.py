"""Resources shared by the assets: the run's settings (handoff.settings) as Dagster
config."""

from __future__ import annotations

import dagster as dg

from handoff.settings import Settings


class HandoffSettings(dg.ConfigurableResource):
    """The run's configuration (README, "The command line"). `handoff run` gives all
    of it as the run's config (:func:`run_config`: its options, the environment
    filling in the rest); schedules and the sensor give ``as_of``, so that every step
    of a run judges the SLAs at the same instant. A field the run's config leaves
    empty falls back to its ``HANDOFF_*`` variable
    (:meth:`handoff.settings.Settings.from_env`), so a run with no config (the UI, a
    schedule) reads the environment, as the code location it runs in was built for
    (:func:`orchestration.definitions.build_defs`)."""

    home: str = ""
    landing: str = ""
    target: str = ""
    as_of: str = ""
    full_refresh: bool = False
    source: str = ""

    def get(self) -> Settings:
        return Settings.from_env(
            home=self.home or None,
            landing=self.landing or None,
            target=self.target or None,
            as_of=self.as_of or None,
            full_refresh=self.full_refresh or None,
            source=self.source or None,
        )


def run_config(settings: Settings) -> dict:
    """The run config of a run for ``settings``: every field of :class:`HandoffSettings`
    (a run's config replaces the resource's whole configuration)."""
    return {
        "resources": {
            "handoff": {
                "config": {
                    "home": str(settings.home),
                    "landing": str(settings.landing),
                    "target": settings.target,
                    "as_of": settings.as_of.isoformat(sep=" "),
                    "full_refresh": settings.full_refresh,
                    "source": settings.source,
                }
            }
        }
    }
