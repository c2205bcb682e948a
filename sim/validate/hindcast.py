"""Hindcast: run a scenario over a past period and score its arms deliveries against SIPRI's.

The library face of ``python run_sim.py hindcast``::

    from sim.validate.hindcast import hindcast
    h = hindcast("scenarios/hindcast_2015.yaml", "data/sipri_tiv_central_asia_1995_2019.csv",
                 "data/supplier_blocs.csv", "2015-2019")
    h.score.skill, h.to_json()

Model side: the replicates of :func:`sim.runner.run` (same seeds: ``replicate_seeds(master, n)``
and :func:`sim.runner.run_model`), read from the recorder's arrays: ``deliveries`` (importer x
supplier, US$ bn per step) summed over the steps of the period, self-supply (importer ==
supplier) left out, suppliers grouped into blocs, then the median over replicates of each
recipient x bloc sum. Model states map to the data by their scenario ``name`` (recipients) and
by the bloc map (suppliers: a state whose name is a supplier in the map takes its bloc; a state
named like a bloc, e.g. "West", is that bloc; anything else is "Other").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.validate.observed import (
    Observed,
    Period,
    bloc_names,
    check_period,
    check_recipients,
    parse_period,
    read_blocs,
    read_observed,
)
from sim.validate.score import LARGE_CHANGE, Score, score

if TYPE_CHECKING:
    import pandas as pd

    from sim.scenario.schema import Scenario
    from sim.validate.trade import TradeObserved

OTHER = "Other"
TIV_PER_BN = 1000.0  # model US$ bn (TIV-equivalent) -> SIPRI TIV millions


@dataclass(frozen=True)
class Setup:
    """Validated inputs of a hindcast or a calibration (nothing has run yet)."""

    scenario: Scenario
    scenario_file: str
    observed: Observed
    blocs: dict[str, str]
    bloc_list: list[str]
    period: Period
    trade: TradeObserved | None = None

    @property
    def supplier_blocs(self) -> list[str]:
        """Bloc of each model state as a supplier (index order)."""
        return [
            supplier_bloc(s.name, self.blocs, self.bloc_list) for s in self.scenario.states.values()
        ]

    @property
    def recipients(self) -> list[str]:
        """Observed recipients (state names), in file order."""
        return list(dict.fromkeys(self.observed.table["recipient"]))


def supplier_bloc(name: str, blocs: dict[str, str], bloc_list: list[str]) -> str:
    """Bloc of a model state as a supplier: by the bloc map, else its own name if that is a
    bloc, else ``Other``."""
    if name in blocs:
        return blocs[name]
    return name if name in bloc_list else OTHER


def prepare(
    scenario: str | Path | Scenario,
    observed: str | Path,
    blocs: str | Path,
    period: str | Period,
    *,
    overrides: dict[str, Any] | None = None,
    trade: str | Path | None = None,
    option: str = "--period",
    persistence: bool = True,
) -> Setup:
    """Load and cross-check every input; raise a :class:`~sim.errors.UserError` on any problem.

    Args:
        scenario: scenario file (or a validated scenario).
        observed: observed deliveries CSV (``recipient,supplier,year,tiv_musd``).
        blocs: bloc map CSV (``supplier,bloc``).
        period: ``YYYY-YYYY`` or a :class:`Period`.
        overrides: dotted path -> value applied to the scenario.
        trade: optional ITPD-format trade CSV.
        option: the command-line option naming the period (for messages).
        persistence: require the previous period in the data (the hindcast's reference).
    """
    from sim.scenario.loader import load_scenario

    per = period if isinstance(period, Period) else parse_period(period, option)
    sc = load_scenario(scenario)
    sfile = str(scenario) if not hasattr(scenario, "metadata") else f"<scenario {sc.name}>"
    if overrides:  # applied to the resolved scenario, so parameters at their defaults can be set
        sc = load_scenario(sc, overrides)
    bmap = read_blocs(blocs)
    obs = read_observed(observed, bmap, str(blocs))
    names = {s.name: sid for sid, s in sc.states.items()}
    check_recipients(obs, names, sfile)
    check_period(per, obs, sc.time.axis, sfile, option=option, persistence=persistence)
    tr = None
    if trade is not None:
        from sim.validate.trade import read_trade

        tr = read_trade(trade, sc.state_ids, sfile)
    blist = bloc_names(bmap)
    if OTHER not in blist:
        blist.append(OTHER)
    return Setup(sc, sfile, obs, bmap, blist, per, tr)


def period_steps(scenario: Scenario, period: Period) -> np.ndarray:
    """Bool mask over the run's steps: steps that start in a year of ``period``."""
    axis = scenario.time.axis
    years = np.array([int(axis.label(i)[:4]) for i in range(axis.n)])
    return (years >= period.first) & (years <= period.last)


def bloc_volumes(
    deliveries: np.ndarray,
    mask: np.ndarray,
    recipients: list[int],
    supplier_blocs: list[str],
    bloc_list: list[str],
) -> np.ndarray:
    """Deliveries (T, n, n) summed over the masked steps, self-supply removed, by bloc.

    Returns:
        (len(recipients), len(bloc_list)) in TIV millions.
    """
    tot = deliveries[mask].sum(axis=0)
    np.fill_diagonal(tot, 0.0)
    out = np.zeros((len(recipients), len(bloc_list)))
    col = np.array([bloc_list.index(b) for b in supplier_blocs])
    for k, r in enumerate(recipients):
        np.add.at(out[k], col, tot[r])
    return out * TIV_PER_BN


def simulate(
    setup: Setup,
    *,
    seed: int | None = None,
    replicates: int | None = None,
    overrides: dict[str, Any] | None = None,
    trade_period: Period | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """Run the replicates and return the median model volumes.

    Returns:
        ``{"arms": recipient x bloc (TIV millions)}`` and, with ``trade_period``,
        ``"trade": reporter x partner`` (mean US$ bn/yr over the trade period's steps).
    """
    import pandas as pd

    from sim.runner import run_model
    from sim.scenario.loader import load_scenario
    from sim.seeds import replicate_seeds

    sc = load_scenario(setup.scenario, overrides) if overrides else setup.scenario
    master = sc.seed if seed is None else int(seed)
    n = sc.replicates if replicates is None else int(replicates)
    idx = {s.name: i for i, s in enumerate(sc.states.values())}
    recs = setup.recipients
    rows = [idx[r] for r in recs]
    mask = period_steps(sc, setup.period)
    sblocs = setup.supplier_blocs
    arms, trade = [], []
    tmask = period_steps(sc, trade_period) if trade_period is not None else None
    for k, s in enumerate(replicate_seeds(master, n)):
        model = run_model(sc, s)
        pairs = model.recorder.pairs
        arms.append(bloc_volumes(pairs["deliveries"], mask, rows, sblocs, setup.bloc_list))
        if tmask is not None:
            trade.append(pairs["trade"][tmask].mean(axis=0))
        if progress:
            progress(k + 1, n)
    out = {
        "arms": pd.DataFrame(np.median(np.stack(arms), axis=0), index=recs, columns=setup.bloc_list)
    }
    if tmask is not None and setup.trade is not None:
        from sim.validate.trade import partners

        med = np.median(np.stack(trade), axis=0)
        ids = list(sc.state_ids)
        reps = sorted(set(setup.trade.table["reporter"]), key=ids.index)
        parts = partners(setup.trade)
        m = med[np.ix_([ids.index(r) for r in reps], [ids.index(p) for p in parts])]
        out["trade"] = pd.DataFrame(m, index=reps, columns=parts)
    return out


@dataclass
class Hindcast:
    """A scored hindcast.

    Attributes:
        setup: the validated inputs.
        seed: master seed; ``replicates``: number of replicates.
        predicted_volume: recipient x bloc, model median (TIV millions).
        score: arms scores (see :mod:`sim.validate.score`).
        trade_period: years scored for trade (None without trade data for the period).
        trade_score: trade scores over ``trade_period`` (or None).
        trade_note: why trade was not scored, if it was not.
    """

    setup: Setup
    seed: int
    replicates: int
    predicted_volume: pd.DataFrame
    score: Score
    trade_period: Period | None = None
    trade_score: Score | None = None
    trade_note: str = ""

    def to_json(self) -> dict[str, Any]:
        """The JSON object of ``hindcast --json`` (see docs/validation.md)."""
        from sim.validate.report import hindcast_json

        return hindcast_json(self)


def hindcast(
    scenario: str | Path | Scenario,
    observed: str | Path,
    blocs: str | Path,
    period: str | Period,
    *,
    replicates: int | None = None,
    seed: int | None = None,
    overrides: dict[str, Any] | None = None,
    trade: str | Path | None = None,
    threshold: float = LARGE_CHANGE,
    progress: Callable[[int, int], None] | None = None,
) -> Hindcast:
    """Run ``scenario`` and score its deliveries over ``period`` (see the module docstring).

    Raises:
        UserError: for any bad input (nothing is run).
    """
    setup = prepare(scenario, observed, blocs, period, overrides=overrides, trade=trade)
    return run_hindcast(
        setup, replicates=replicates, seed=seed, threshold=threshold, progress=progress
    )


def run_hindcast(
    setup: Setup,
    *,
    replicates: int | None = None,
    seed: int | None = None,
    threshold: float = LARGE_CHANGE,
    progress: Callable[[int, int], None] | None = None,
) -> Hindcast:
    """Run and score a prepared hindcast."""
    sc, per = setup.scenario, setup.period
    tper, note = None, ""
    if setup.trade is not None:
        tper = setup.trade.years_in(per)
        if tper is None:
            note = (
                f"no trade data in {per} ({setup.trade.file} covers "
                f"{setup.trade.first_year}-{setup.trade.last_year})"
            )
        elif tper.previous().first < setup.trade.first_year:
            note = f"no trade data for the persistence period {tper.previous()}"
            tper = None
    vols = simulate(setup, seed=seed, replicates=replicates, trade_period=tper, progress=progress)
    obs = setup.observed
    sc_arms = score(
        vols["arms"],
        obs.volumes(per, setup.bloc_list),
        obs.volumes(per.previous(), setup.bloc_list),
        threshold,
    )
    tscore = None
    if tper is not None and setup.trade is not None:  # tper: only with trade data
        from sim.validate.trade import partners

        parts = partners(setup.trade)
        tscore = score(
            vols["trade"],
            setup.trade.volumes(tper, parts),
            setup.trade.volumes(tper.previous(), parts),
            threshold,
        )
    return Hindcast(
        setup,
        sc.seed if seed is None else int(seed),
        sc.replicates if replicates is None else int(replicates),
        vols["arms"],
        sc_arms,
        tper,
        tscore,
        note,
    )
