"""Design points: sampling in the unit cube (SALib, ``scipy.stats.qmc``) and mapping to values.

Every design is first drawn in unit coordinates ``u`` in [0, 1]^D (one column per parameter), then
each column is mapped to the parameter's values: a range linearly, a distribution through its
quantile function (``scipy.stats`` ppf), a list of values by equal-width bins. Sobol and Morris
indices are computed on the unit coordinates (Sobol indices do not change under such per-column
maps; Morris effects are then per full range of each parameter).

Runs: point ``p`` and replicate ``r`` make run ``p * R + r`` with seed
``derive_seed(master, p, r)`` (or ``derive_seed(master, r)`` for common random numbers).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.errors import UserError
from sim.seeds import derive_seed
from sim.sweep.spec import (
    MAX_RUNS,
    Lognormal,
    Normal,
    Parameter,
    Sweep,
    Triangular,
    Uniform,
    same_value,
)

if TYPE_CHECKING:
    import pandas as pd
    from scipy.stats._distn_infrastructure import rv_continuous_frozen

TAIL = 1e-3  # quantiles used for an unbounded distribution's ends (grid and Morris levels 0 and 1)
DESIGN_SEED_KEY = (2**31 - 1,)  # SeedSequence key of the sampler (runs use (point, replicate))


@dataclass
class DesignPoints:
    """The sampled design.

    Attributes:
        method: grid, lhs, sobol or morris.
        columns: parameter column names, in order.
        unit: (P, D) unit coordinates in [0, 1].
        values: column -> (P,) parameter values (float, or object for strings / booleans).
    """

    method: str
    columns: list[str]
    unit: np.ndarray
    values: dict[str, np.ndarray]

    @property
    def n_points(self) -> int:
        """Number of design points."""
        return int(self.unit.shape[0])


def salib_problem(columns: list[str]) -> dict[str, Any]:
    """The SALib problem over the unit cube for these parameter columns."""
    return {"num_vars": len(columns), "names": list(columns), "bounds": [[0.0, 1.0]] * len(columns)}


def _dist(d: Uniform | Normal | Triangular | Lognormal) -> rv_continuous_frozen[Any, Any]:
    from scipy import stats

    if d.type == "uniform":
        return stats.uniform(loc=d.low, scale=d.high - d.low)
    if d.type == "triangular":
        return stats.triang(c=(d.mode - d.low) / (d.high - d.low), loc=d.low, scale=d.high - d.low)
    if d.type == "lognormal":
        return stats.lognorm(s=d.sigma, scale=d.median)
    lo = -np.inf if d.low is None else (d.low - d.mean) / d.sd
    hi = np.inf if d.high is None else (d.high - d.mean) / d.sd
    return stats.truncnorm(lo, hi, loc=d.mean, scale=d.sd)


def to_values(p: Parameter, u: np.ndarray) -> np.ndarray:
    """Map unit coordinates ``u`` (any shape) to the parameter's values."""
    u = np.asarray(u, dtype=float)
    if p.range is not None:
        lo, hi = p.range
        scaled: np.ndarray = lo + u * (hi - lo)
        return scaled
    if p.values is not None:
        k = len(p.values)
        idx = np.minimum((u * k).astype(int), k - 1)
        vals = p.values
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
            picked: np.ndarray = np.asarray(vals, dtype=float)[idx]
        else:
            picked = np.asarray(vals, dtype=object)[idx]
        return picked
    assert p.distribution is not None  # a range, values or a distribution (Parameter checks)
    quantiles: np.ndarray = _dist(p.distribution).ppf(np.clip(u, TAIL, 1 - TAIL))
    return quantiles


def extremes(p: Parameter) -> list[Any]:
    """The most extreme values the parameter can take (checked against the scenario schema)."""
    if p.values is not None:
        return list(p.values)
    return [float(v) for v in to_values(p, np.array([0.0, 1.0]))]


def _grid_unit(p: Parameter, levels: int) -> np.ndarray:
    if p.values is not None:
        k = len(p.values)
        return (np.arange(k) + 0.5) / k
    return np.linspace(0.0, 1.0, p.levels or levels)


def check_size(sweep: Sweep) -> None:
    """Refuse a sweep of more than :data:`~sim.sweep.spec.MAX_RUNS` runs, before building it.

    Raises:
        UserError: naming the number of points, replicates and runs, and the limit.
    """
    points = n_points(sweep)
    runs = points * sweep.replicates
    if runs > MAX_RUNS:
        raise UserError(size_message(points, sweep.replicates))


def size_message(points: int, replicates: int) -> str:
    """Why a design of ``points`` x ``replicates`` runs is too big."""
    return (
        f"the design has {points:,} points x {replicates:,} replicate(s) = "
        f"{points * replicates:,} runs; a sweep may have at most {MAX_RUNS:,} runs "
        "(use fewer parameters, levels or replicates, or a smaller n)"
    )


def sample_unit(sweep: Sweep) -> np.ndarray:
    """The design in unit coordinates, (P, D); reproducible from the sweep's master seed.

    Raises:
        UserError: for a sweep of more than :data:`~sim.sweep.spec.MAX_RUNS` runs.
    """
    check_size(sweep)
    d = sweep.design
    D = len(sweep.parameters)
    seed = derive_seed(sweep.seed, *DESIGN_SEED_KEY)
    if d.method == "grid":
        axes = [_grid_unit(p, d.levels) for p in sweep.parameters]
        return np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, D)
    if d.method == "points":
        assert d.points is not None  # a points design lists them (Design checks)
        return np.column_stack(
            [_points_unit(p, [pt[p.column] for pt in d.points]) for p in sweep.parameters]
        ).reshape(-1, D)
    assert d.n is not None  # lhs, sobol and morris need n (Design checks)
    if d.method == "lhs":
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=D, rng=np.random.default_rng(seed)).random(d.n)
    problem = salib_problem(sweep.columns)
    if d.method == "sobol":
        from SALib.sample import sobol

        unit: np.ndarray = sobol.sample(
            problem, d.n, calc_second_order=d.second_order, scramble=True, seed=seed
        )
        return unit
    from SALib.sample import morris

    unit = morris.sample(problem, d.n, num_levels=d.levels, seed=seed % 2**32)
    return unit


def _points_unit(p: Parameter, given: list[Any]) -> np.ndarray:
    """Unit coordinates of given values (the inverse of :func:`to_values`): a range's share of
    its width, a value's bin middle (points lists only range or values parameters)."""
    if p.range is not None:
        lo, hi = p.range
        return (np.asarray(given, dtype=float) - lo) / (hi - lo)
    assert p.values is not None  # no distribution with a points design (Sweep checks)
    k = len(p.values)
    idx = [next(i for i, w in enumerate(p.values) if same_value(v, w)) for v in given]
    return (np.asarray(idx, dtype=float) + 0.5) / k


def _levels(p: Parameter, levels: int) -> int:
    """Grid levels of one parameter (as :func:`_grid_unit` makes them)."""
    return len(p.values) if p.values is not None else p.levels or levels


def n_points(sweep: Sweep) -> int:
    """Number of design points the sweep will have (arithmetic only: nothing is sampled)."""
    d, D = sweep.design, len(sweep.parameters)
    if d.method == "grid":
        return math.prod(_levels(p, d.levels) for p in sweep.parameters)
    if d.method == "points":
        assert d.points is not None  # a points design lists them (Design checks)
        return len(d.points)
    assert d.n is not None  # lhs, sobol and morris need n (Design checks)
    if d.method == "lhs":
        return int(d.n)
    if d.method == "sobol":
        return int(d.n) * (2 * D + 2 if d.second_order else D + 2)
    return int(d.n) * (D + 1)


def build(sweep: Sweep) -> DesignPoints:
    """Sample the sweep's design and map it to parameter values."""
    unit = sample_unit(sweep)
    points = sweep.design.points
    if points is not None:  # the values as given, not mapped back from unit coordinates
        values = {p.column: _given([pt[p.column] for pt in points]) for p in sweep.parameters}
    else:
        values = {p.column: to_values(p, unit[:, i]) for i, p in enumerate(sweep.parameters)}
    return DesignPoints(sweep.design.method, sweep.columns, unit, values)


def _given(given: list[Any]) -> np.ndarray:
    """A points design's values of one parameter, typed as :func:`to_values` types them."""
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in given)
    return np.asarray(given, dtype=float if numeric else object)


def run_table(sweep: Sweep, design: DesignPoints) -> pd.DataFrame:
    """One row per run: run, point, replicate, seed and the parameter values (a DataFrame)."""
    import pandas as pd

    R = sweep.replicates
    P = design.n_points
    point = np.repeat(np.arange(P, dtype=np.int64), R)
    rep = np.tile(np.arange(R, dtype=np.int64), P)
    if sweep.seeds == "common":
        per_rep = np.array([derive_seed(sweep.seed, r) for r in range(R)], dtype=np.int64)
        seeds = per_rep[rep]
    else:
        seeds = np.array(
            [derive_seed(sweep.seed, p, r) for p, r in zip(point, rep)], dtype=np.int64
        )
    df = pd.DataFrame(
        {"run": np.arange(P * R, dtype=np.int64), "point": point, "replicate": rep, "seed": seeds}
    )
    for c in design.columns:
        v = design.values[c]
        df[c] = v[point] if v.dtype != object else list(v[point])  # str or bool columns
    return df


def points_table(design: DesignPoints) -> pd.DataFrame:
    """One row per design point with its unit coordinates (used by Sobol / Morris analysis)."""
    import pandas as pd

    df = pd.DataFrame(design.unit, columns=design.columns)
    df.insert(0, "point", np.arange(design.n_points, dtype=np.int64))
    return df
