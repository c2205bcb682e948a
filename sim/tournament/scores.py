"""What a tournament scores, declared once (name, unit, which way is better, how it is computed).

Each score is computed for one focal state from one finished run (the recorder's arrays and the
final world). Dependence scores look at foreign suppliers and partners only: a state's own
industry is not a dependence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model import MultivectorModel

Arrays = dict[str, np.ndarray]


@dataclass(frozen=True)
class Score:
    """A declared tournament score.

    Attributes:
        name: column name on the leaderboard.
        unit: its unit.
        better: "lower" or "higher".
        description: what it measures.
        compute: ``compute(pairs, states, model, i) -> float`` for focal state row ``i``.
    """

    name: str
    unit: str
    better: str
    description: str
    compute: Callable[[Arrays, Arrays, MultivectorModel, int], float]

    @property
    def sign(self) -> float:
        """+1 if lower is better, -1 if higher is better (so that sign * score is a loss)."""
        return 1.0 if self.better == "lower" else -1.0


def _foreign(m: np.ndarray, i: int) -> np.ndarray:
    """``m[..., i, :]`` with the state's own column removed (shape (..., n-1))."""
    row = m[..., i, :]
    return np.delete(row, i, axis=-1)


def _peak_top_share(pairs: Arrays, states: Arrays, model: MultivectorModel, i: int) -> float:
    second_half = pairs["arms_share"][pairs["arms_share"].shape[0] // 2 :]
    return float(_foreign(second_half, i).max())


def _final_top_share(pairs: Arrays, states: Arrays, model: MultivectorModel, i: int) -> float:
    return float(_foreign(pairs["arms_share"][-1:], i).max())


def _final_hhi(pairs: Arrays, states: Arrays, model: MultivectorModel, i: int) -> float:
    return float(states["arms_hhi"][-1, i])


def _final_dependence(pairs: Arrays, states: Arrays, model: MultivectorModel, i: int) -> float:
    return float(_foreign(pairs["dependence"][-1:], i).max())


def _security(pairs: Arrays, states: Arrays, model: MultivectorModel, i: int) -> float:
    stock = float(model.world.stock[i].sum())
    threat = float(states["threat"][-1, i])
    return stock / max(threat, 0.1)


def _cost(pairs: Arrays, states: Arrays, model: MultivectorModel, i: int) -> float:
    return float(states["arms_budget"][:, i].sum() * model.world.axis.dt)


def _sanctions_exposure(pairs: Arrays, states: Arrays, model: MultivectorModel, i: int) -> float:
    got = _foreign(pairs["deliveries"], i)  # (T, n-1)
    # a supplier is under sanctions to the degree its senders comply (1 for the senders)
    reach = np.delete(pairs["compliance"].max(axis=1), i, axis=-1)  # (T, n-1)
    total = got.sum()
    return float((got * reach).sum() / total) if total > 0 else 0.0


SCORES: tuple[Score, ...] = (
    Score(
        "peak_top_share",
        "share",
        "lower",
        "peak share of the largest foreign supplier in the installed arms stock over the "
        "second half of the run (the first half still carries the stock it started with)",
        _peak_top_share,
    ),
    Score(
        "final_top_share",
        "share",
        "lower",
        "share of the largest foreign supplier in the installed arms stock at the end",
        _final_top_share,
    ),
    Score(
        "final_arms_hhi",
        "index 0-1",
        "lower",
        "Herfindahl concentration of arms suppliers at the end",
        _final_hhi,
    ),
    Score(
        "final_dependence",
        "index 0-1",
        "lower",
        "largest dependence index on any foreign partner at the end (arms and trade)",
        _final_dependence,
    ),
    Score(
        "security",
        "US$ bn per threat unit",
        "higher",
        "installed arms stock at the end per unit of threat (threat floored at 0.1)",
        _security,
    ),
    Score(
        "cost",
        "US$ bn",
        "lower",
        "arms budget spent over the run (it follows threat; the model has no prices, so "
        "strategies differ here only through the threat they face)",
        _cost,
    ),
    Score(
        "sanctions_exposure",
        "share",
        "lower",
        "share of arms deliveries that came from suppliers under sanctions, weighted by how "
        "far the senders comply",
        _sanctions_exposure,
    ),
)
SCORE_NAMES: tuple[str, ...] = tuple(s.name for s in SCORES)
BY_NAME: dict[str, Score] = {s.name: s for s in SCORES}


def compute(model: MultivectorModel, rows: list[int]) -> np.ndarray:
    """Every score of one finished run, averaged over the focal state rows ``rows``."""
    pairs, states = model.recorder.arrays()
    out = np.empty((len(rows), len(SCORES)))
    for a, i in enumerate(rows):
        for k, s in enumerate(SCORES):
            out[a, k] = s.compute(pairs, states, model, i)
    mean: np.ndarray = out.mean(axis=0)
    return mean
