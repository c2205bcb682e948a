"""Outputs of one scenario's replicates: the :class:`Results` that :func:`sim.run` returns and
that the results bundle, the summary table and the figures read (they import it from here, a
layer below the runner)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import UserError
from sim.events import FiredEvent
from sim.plots import FORMATS
from sim.scenario.schema import Scenario
from sim.scenario.timeaxis import periods

if TYPE_CHECKING:
    from collections.abc import Sequence
    from concurrent.futures import Executor

    import numpy as np
    import pandas as pd
    from matplotlib.figure import Figure

    from sim.focus import Focus
    from sim.recorder import Recorder
    from sim.validate.ensemble import Ensemble


@contextmanager
def _backend_kept() -> Iterator[None]:
    """Draw with :mod:`sim.plots` (which selects the off-screen Agg backend), then give
    matplotlib back the backend it had, so that a notebook still shows figures inline, and
    take the new figures out of pyplot's list: the figure returned is shown once, as the cell's
    value, not again when a later cell draws (``fig.savefig`` still writes it)."""
    import matplotlib
    import matplotlib.pyplot as plt

    before = matplotlib.get_backend()
    if not plt.get_fignums():  # load the session's backend now (a notebook's sets up display);
        plt.switch_backend(before)  # with figures open it is loaded, and they stay open
    open_before = set(plt.get_fignums())
    try:
        yield
    finally:
        for num in set(plt.get_fignums()) - open_before:
            plt.close(num)
        if matplotlib.get_backend() != before:
            matplotlib.use(before, force=True)


def _known(name: str, known: list[str], kind: str) -> None:
    """Refuse a name that is not among ``known``, suggesting the nearest.

    Raises:
        UserError: naming the unknown name, the nearest known one and all of them.
    """
    import difflib

    if name not in known:
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UserError(f"unknown {kind} {name!r}{hint} (allowed: {', '.join(known)})")


@dataclass
class Results:
    """Outputs of one scenario's replicates.

    Attributes:
        scenario: the resolved scenario that was run.
        seeds: one seed per replicate (derived from the master seed).
        master_seed: the master seed.
        recorders: each replicate's recorded arrays (:class:`~sim.recorder.Recorder`).
        fired: events as they fired in replicate 0 (:attr:`events` is their table).
        ensemble: the parameter ensemble the replicates drew from (None: the scenario's own
            parameters); sets: the set each replicate ran.
        timings: seconds spent per phase.

    The tidy tables (:attr:`frames`, :attr:`timeseries`, :attr:`events`) are built from the
    recorded arrays the first time they are asked for; :meth:`arrays` gives the arrays
    themselves. Their ``date`` column is the period's label as scenario files write it
    (``2022-Q1``); ``period`` is the same date as a :class:`pandas.Period`.
    """

    scenario: Scenario
    seeds: list[int]
    master_seed: int
    recorders: list[Recorder]
    fired: list[FiredEvent] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    ensemble: Ensemble | None = None
    sets: list[int] = field(default_factory=list)
    _frames: list[pd.DataFrame] | None = None
    _ts: pd.DataFrame | None = None

    @property
    def frames(self) -> list[pd.DataFrame]:
        """Tidy per-replicate tables (columns as :attr:`timeseries`)."""
        if self._frames is None:
            self._frames = [rec.frame(r) for r, rec in enumerate(self.recorders)]
        return self._frames

    @property
    def covers(self) -> str:
        """What the 5-95% bands over replicates cover: seeds, or seeds and parameters."""
        from sim.validate.ensemble import covers

        return covers(self.ensemble)

    @property
    def timeseries(self) -> pd.DataFrame:
        """Tidy long table: replicate, step, date, state, partner, metric, value, period."""
        if self._ts is None:
            import pandas as pd

            ts = pd.concat(self.frames, ignore_index=True)
            ts["period"] = periods(self.scenario.time.axis.labels()).take(ts["step"].to_numpy())
            self._ts = ts
        return self._ts

    @property
    def events(self) -> pd.DataFrame:
        """Events as they fired in replicate 0, one row each: step, date, period, type, summary,
        narration, blocked (whether an alliance's members blocked it)."""
        import pandas as pd

        cols = ["step", "date", "type", "summary", "narration", "blocked"]
        df = pd.DataFrame([e.__dict__ for e in self.fired], columns=cols)
        at = periods(self.scenario.time.axis.labels()).take(df["step"].to_numpy(dtype="int64"))
        df.insert(2, "period", at)
        return df.astype({"step": "int64", "blocked": "bool"})

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

    def plot(
        self,
        metric: str = "arms_share",
        *,
        states: str | list[str] | None = None,
        partner: str | None = None,
        title: str | None = None,
    ) -> Figure:
        """A common figure of the run, drawn by :mod:`sim.plots` (as in the results folder).

        Args:
            metric: ``arms_share`` or ``trade_share`` (without ``partner``): each state's
                suppliers / partners as stacked median shares, a panel per state; any other
                metric (a pair metric with ``partner``): a line per state, the median over
                replicates with its 5-95% band.
            states: the states drawn (default: the importers, or every state).
            partner: the partner of a pair metric (``dependence`` on ``RUS``...).
            title: the figure's title (default: the scenario's name and the metric).

        Returns:
            A matplotlib Figure (a notebook shows it; ``fig.savefig(...)`` writes it; it is
            not left open in pyplot, so ``plt.show()`` does not show it).

        Raises:
            UserError: an unknown metric, state or partner (with the nearest name), or a pair
                metric without its partner.
        """
        from sim import plots
        from sim.outcomes import BY_NAME, label
        from sim.summary import importers

        ts = self.timeseries
        sc = self.scenario
        ids = list(sc.state_ids)
        _known(metric, list(BY_NAME), "metric")
        chosen = [states] if isinstance(states, str) else list(states or [])
        for sid in [*chosen, *([partner] if partner else [])]:
            _known(sid, ids, "state")
        pair = BY_NAME[metric].pair
        if not chosen:
            chosen = [s for s in importers(sc) if s in ids] or ids
        head = title or f"{sc.name}: {label(metric)}"
        if pair and partner is None and metric not in ("arms_share", "trade_share"):
            raise UserError(f"{metric} is per partner: give partner= (one of {', '.join(ids)})")
        if not pair and partner is not None:
            raise UserError(f"{metric} is per state, not per partner: leave out partner=")
        with _backend_kept():
            if pair and partner is None:
                return plots.stacked_shares(
                    ts, metric, chosen, head, sc, plots.event_marks(self.fired)
                )
            panel = (metric, partner or "", label(metric) + (f" on {partner}" if partner else ""))
            marks = plots.event_marks(self.fired)
            return plots.series_panels(ts, [panel], chosen, head, len(self.seeds), sc, marks)

    def save(
        self,
        directory: str | Path,
        *,
        force: bool = False,
        command: str = "",
        plots: bool = True,
        focus: Sequence[Focus] = (),
        formats: Sequence[str] = FORMATS,
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
