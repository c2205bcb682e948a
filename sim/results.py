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
    from collections.abc import Sequence
    from concurrent.futures import Executor

    import numpy as np
    import pandas as pd

    from sim.focus import Focus
    from sim.recorder import Recorder


@dataclass
class Results:
    """Outputs of one scenario's replicates.

    Attributes:
        scenario: the resolved scenario that was run.
        seeds: one seed per replicate (derived from the master seed).
        master_seed: the master seed.
        recorders: each replicate's recorded arrays (:class:`~sim.recorder.Recorder`).
        events: events as they fired in replicate 0.
        timings: seconds spent per phase.

    The tidy tables (:attr:`frames`, :attr:`timeseries`) are built from the recorded arrays the
    first time they are asked for; :meth:`arrays` gives the arrays themselves.
    """

    scenario: Scenario
    seeds: list[int]
    master_seed: int
    recorders: list[Recorder]
    events: list[FiredEvent] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    _frames: list[pd.DataFrame] | None = None
    _ts: pd.DataFrame | None = None

    @property
    def frames(self) -> list[pd.DataFrame]:
        """Tidy per-replicate tables (columns as :attr:`timeseries`)."""
        if self._frames is None:
            self._frames = [rec.frame(r) for r, rec in enumerate(self.recorders)]
        return self._frames

    @property
    def timeseries(self) -> pd.DataFrame:
        """Tidy long table: replicate, step, date, state, partner, metric, value."""
        if self._ts is None:
            import pandas as pd

            self._ts = pd.concat(self.frames, ignore_index=True)
        return self._ts

    def arrays(self, replicate: int = 0) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """One replicate's outputs as arrays: ``(pairs, states)``, ``pairs[name]`` of shape
        (steps, state, partner) and ``states[name]`` of shape (steps, state), indexed in the
        order of ``scenario.state_ids`` (every declared output, :mod:`sim.outcomes`)."""
        return self.recorders[replicate].arrays()

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
        self,
        directory: str | Path,
        *,
        force: bool = False,
        command: str = "",
        plots: bool = True,
        focus: Sequence[Focus] = (),
        formats: Sequence[str] = ("png",),
        pool: Executor | None = None,
    ) -> Path:
        """Write the results bundle atomically (see :mod:`sim.bundle`); returns its folder.

        Args:
            plots: write the figures (``formats``: ``png`` and/or ``svg``).
            focus: series whose figure comes first (:class:`sim.focus.Focus`).
            pool: processes that draw the figures (:func:`sim.plots.figure_pool`, started
                before the run so that they load matplotlib meanwhile); default: started here.
        """
        from sim.bundle import write_bundle

        return write_bundle(
            self,
            Path(directory),
            force=force,
            command=command,
            plots=plots,
            focus=focus,
            formats=formats,
            pool=pool,
        )
