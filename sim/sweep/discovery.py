"""Scenario discovery with PRIM (the ``prim`` package): where in parameter space does a condition
hold?

Each run is a case: its parameter values are the inputs, and the condition on one of its scalar
outcomes (e.g. ``kaz_rus_share_2030 < 0.5``) marks the cases of interest. PRIM peels the
parameter space into boxes; each box is reported with its limits, coverage (share of all cases of
interest inside the box) and density (share of the box's cases that are of interest), and the
peeling trajectory for the coverage-density trade-off plot.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.errors import UserError
from sim.sweep.analyze import Condition, SweepResults, WeakAnalysisWarning, parse_condition

if TYPE_CHECKING:
    import pandas as pd

MIN_BOX_CASES = 20
"""Fewest runs a PRIM box should hold: a density (a share of the box's runs) from fewer has a
95% binomial interval wider than about +/-20 points, too loose to tell the box from the base
rate. A smaller box is reported as weak (:attr:`PrimResult.weak`)."""


@dataclass
class PrimResult:
    """Boxes found by PRIM.

    Attributes:
        condition: the condition that defines cases of interest.
        n: runs analysed; n_coi: runs where the condition holds.
        stats: one row per box: box, coverage, density, mass, res_dim, n_in_box.
        limits: one row per restricted parameter of each box: box, parameter, min, max, qp.
        trajectory: peeling trajectory of each box: box, step, coverage, density, mass, res_dim.
        weak: one message per box holding fewer than :data:`MIN_BOX_CASES` runs.
    """

    condition: Condition
    n: int
    n_coi: int
    stats: pd.DataFrame
    limits: pd.DataFrame
    trajectory: pd.DataFrame
    weak: list[str] = field(default_factory=list)

    @property
    def base_rate(self) -> float:
        """Share of all runs where the condition holds."""
        return self.n_coi / self.n if self.n else float("nan")


def prim(
    res: SweepResults,
    condition: str | Condition,
    *,
    outcome: str | None = None,
    max_boxes: int = 3,
    mass_min: float = 0.05,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
) -> PrimResult:
    """Find boxes of parameter space where ``condition`` holds.

    Args:
        res: a loaded store (any design; runs stored so far are used).
        condition: e.g. ``"kaz_rus_share_2030 < 0.5"``, or ``"< 0.5"`` with ``outcome``.
        outcome: default outcome for a condition without one.
        max_boxes: at most this many boxes (1-20).
        mass_min: smallest box mass (share of runs), 0-1.
        peel_alpha, paste_alpha: share of runs peeled or pasted per step, 0-1.

    Raises:
        UserError: for a bad condition, an unknown outcome, or no runs stored.
    """
    import pandas as pd
    from prim import Prim

    cond = (
        condition
        if isinstance(condition, Condition)
        else parse_condition(condition, res.outcomes, outcome)
    )
    df = res.scalars
    if df.empty:
        raise UserError(f"{res.path}: no runs stored yet; run the sweep first")
    x = df[res.parameters].copy()
    x.columns = [str(c) for c in x.columns]
    y = cond.holds(df[cond.outcome].to_numpy())
    n, n_coi = len(y), int(y.sum())
    stats, limits, traj = [], [], []
    if n_coi:
        logging.getLogger("prim").setLevel(logging.WARNING)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p = Prim(
                x,
                y,
                threshold=None,
                mass_min=mass_min,
                peel_alpha=peel_alpha,
                paste_alpha=paste_alpha,
            )
            for b in range(1, max_boxes + 1):
                box = p.find_box()
                if box is None or box.coverage <= 0:
                    break
                inside = round(box.mass * n)
                stats.append(
                    {
                        "box": b,
                        "coverage": float(box.coverage),
                        "density": float(box.density),
                        "mass": float(box.mass),
                        "res_dim": int(box.res_dim),
                        "n_in_box": inside,
                    }
                )
                lim = box.limits
                for name, row in lim.iterrows():
                    lo, hi = row["min"], row["max"]
                    limits.append(
                        {
                            "box": b,
                            "parameter": name,
                            "min": lo if not isinstance(lo, (set, frozenset)) else np.nan,
                            "max": hi if not isinstance(hi, (set, frozenset)) else np.nan,
                            "values": (
                                ", ".join(sorted(map(str, lo)))
                                if isinstance(lo, (set, frozenset))
                                else ""
                            ),
                            "qp": float(row["qp values"]),
                        }
                    )
                tr = box.peeling_trajectory.reset_index(drop=True)
                for k, r in tr.iterrows():
                    traj.append(
                        {
                            "box": b,
                            "step": int(k),
                            "coverage": float(r["coverage"]),
                            "density": float(r["density"]),
                            "mass": float(r["mass"]),
                            "res_dim": int(r["res dim"]),
                        }
                    )
                if box.density <= n_coi / n:  # no better than the whole space: stop
                    break
    weak = [
        f"PRIM box {b['box']} holds only {b['n_in_box']} of {n} runs "
        f"({round(b['coverage'] * n_coi)} where {cond} holds): its density "
        f"{b['density']:.0%} rests on too few cases (fewer than {MIN_BOX_CASES}) to be told "
        f"from the base rate {n_coi / n:.0%}; run more points or replicates, or raise mass_min "
        f"(now {mass_min:g})"
        for b in stats
        if b["n_in_box"] < MIN_BOX_CASES
    ]
    for message in weak:
        warnings.warn(message, WeakAnalysisWarning, stacklevel=2)
    return PrimResult(
        cond,
        n,
        n_coi,
        pd.DataFrame(stats, columns=["box", "coverage", "density", "mass", "res_dim", "n_in_box"]),
        pd.DataFrame(limits, columns=["box", "parameter", "min", "max", "values", "qp"]),
        pd.DataFrame(traj, columns=["box", "step", "coverage", "density", "mass", "res_dim"]),
        weak,
    )
