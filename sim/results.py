"""Outputs of one scenario's replicates: the :class:`Results` that :func:`sim.run` returns and
that the results bundle, the summary table and the figures read (they import it from here, a
layer below the runner)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sim.events import FiredEvent
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class Results:
    """Outputs of one scenario's replicates.

    Attributes:
        scenario: the resolved scenario that was run.
        seeds: one seed per replicate (derived from the master seed).
        master_seed: the master seed.
        frames: tidy per-replicate tables (concatenated lazily into :attr:`timeseries`).
        events: events as they fired in replicate 0.
        timings: seconds spent per phase.
    """

    scenario: Scenario
    seeds: list[int]
    master_seed: int
    frames: list[pd.DataFrame]
    events: list[FiredEvent] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    _ts: pd.DataFrame | None = None

    @property
    def timeseries(self) -> pd.DataFrame:
        """Tidy long table: replicate, step, date, state, partner, metric, value."""
        if self._ts is None:
            import pandas as pd

            self._ts = pd.concat(self.frames, ignore_index=True)
        return self._ts

    def metric(
        self, name: str, state: str | None = None, partner: str | None = None
    ) -> pd.DataFrame:
        """Rows of one metric (optionally one state / partner)."""
        ts = self.timeseries
        m = ts["metric"] == name
        if state is not None:
            m &= ts["state"] == state
        if partner is not None:
            m &= ts["partner"] == partner
        return ts[m]

    @property
    def summary(self) -> pd.DataFrame:
        """Per importer: leading supplier and share at start and end, concentration change."""
        from sim.summary import summarize

        return summarize(self)

    def save(
        self, directory: str | Path, *, force: bool = False, command: str = "", plots: bool = True
    ) -> Path:
        """Write the results bundle atomically (see :mod:`sim.bundle`); returns its folder."""
        from sim.bundle import write_bundle

        return write_bundle(self, Path(directory), force=force, command=command, plots=plots)
