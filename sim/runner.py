"""The notebook API: ``run(scenario, seed, replicates) -> Results``."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.errors import UserError
from sim.model import MultivectorModel
from sim.results import Results
from sim.scenario.loader import load_scenario
from sim.scenario.schema import MAX_REPLICATES, Scenario
from sim.seeds import replicate_seeds
from sim.validate.ensemble import Ensemble, conflicts, read_ensemble

__all__ = ["Results", "run", "run_model"]


def run_model(scenario: Scenario, seed: int) -> MultivectorModel:
    """Run one replicate to the end of the time axis (no mesa DataCollector)."""
    model = MultivectorModel(scenario, seed=seed, mesa_datacollector=False)
    model.run()
    return model


def run(
    scenario: str | Path | Scenario | dict[str, Any],
    seed: int | None = None,
    replicates: int | None = None,
    *,
    overrides: dict[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
    ensemble: Ensemble | str | Path | None = None,
) -> Results:
    """Run a scenario's replicates.

    Args:
        scenario: YAML path, plain data or a validated :class:`Scenario`.
        seed: master seed (default: the scenario's ``seed``); replicate seeds derive from it.
        replicates: number of replicates (default: the scenario's ``replicates``).
        overrides: dotted path -> value, applied before validation.
        progress: called as ``progress(done, total)`` after each replicate.
        ensemble: a parameter ensemble (:mod:`sim.validate.ensemble`, or its file): replicate
            ``r`` runs the set drawn for it from the master seed (the same sets for every
            scenario run with that seed), so bands cover parameters as well as seeds.

    Returns:
        :class:`Results` of all replicates (the tidy time series is built when first asked for).

    Raises:
        ScenarioError: for an invalid scenario (nothing is run).
        UserError: for more than :data:`~sim.scenario.schema.MAX_REPLICATES` replicates.
    """
    t0 = time.perf_counter()
    sc = load_scenario(scenario, overrides)
    master = sc.seed if seed is None else int(seed)
    n = sc.replicates if replicates is None else int(replicates)
    if n < 1:
        raise ValueError("replicates must be at least 1")
    if n > MAX_REPLICATES:
        raise UserError(
            f"replicates: {n:,} is too many; a run may have at most {MAX_REPLICATES:,} "
            "replicates (for more, run a sweep)"
        )
    seeds = replicate_seeds(master, n)
    ens = read_ensemble(ensemble) if isinstance(ensemble, (str, Path)) else ensemble
    if ens is not None and not isinstance(ens, Ensemble):
        raise UserError(
            f"ensemble must be a sim.validate.ensemble.Ensemble or its file, not "
            f"{type(ens).__name__}"
        )
    if ens is not None and conflicts(sc, ens):
        raise UserError(
            f"{sc.name} sets parameters.{', parameters.'.join(conflicts(sc, ens))}, which the "
            f"ensemble {ens.source} varies: its value would be replaced in every replicate"
        )
    sets = ens.draw(master, n) if ens is not None else []
    variants: dict[int, Scenario] = {}
    t1 = time.perf_counter()
    recorders, events = [], []
    for r, s in enumerate(seeds):
        if ens is None:
            model = run_model(sc, s)
        else:
            k = sets[r]
            if k not in variants:
                variants[k] = sc.with_changes(ens.overrides(k))
            model = run_model(variants[k], s)
        recorders.append(model.recorder)
        if r == 0:
            events = list(model.events.log)
        if progress:
            progress(r + 1, n)
    t2 = time.perf_counter()
    return Results(
        sc,
        seeds,
        master,
        recorders,
        events,
        {"load_s": t1 - t0, "run_s": t2 - t1},
        ensemble=ens,
        sets=sets,
    )
