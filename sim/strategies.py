"""How a state chooses: strategies that adjust supplier utilities, choice precision and compliance.

Each strategy is a small class with a name, a docstring citing the mechanism, and four hooks the
model calls for the rows of the states that follow it:

* ``precision(p)``: multiplier on the logit's choice precision (higher: more concentrated);
* ``adjust(u, rows, view, p)``: in-place changes to those importers' supplier utilities;
* ``compliance(c, rows, target, view, p)``: changes to their compliance with a regime;
* ``invest(rows, view, p)``: domestic capacity investment, US$ bn/yr added to base capacity.

``view`` is a :class:`ChoiceView`: read-only arrays of the current world.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from sim.rules.common import jit


@dataclass(frozen=True)
class ChoiceView:
    """What a strategy may look at when it decides."""

    stock_share: np.ndarray      # importer x supplier
    affinity: np.ndarray
    rivalry: np.ndarray
    pressure: np.ndarray         # patron x client
    power: np.ndarray            # (n,) effective arms capacity x capability
    exports: np.ndarray          # (n,) bool
    diversification: np.ndarray  # (n,)
    budget: np.ndarray           # (n,) US$ bn/yr
    patrons: np.ndarray | None = None  # bool state x power: alliance leaders / patrons of each state
    _memo: dict = field(default_factory=dict, compare=False, repr=False)

    def memo(self, key: str, rows: np.ndarray, fn) -> np.ndarray:
        """``fn(self, rows)`` computed once per view (views live for one step)."""
        k = (key, rows.tobytes())
        if k not in self._memo:
            self._memo[k] = fn(self, rows)
        return self._memo[k]


def strongest_friend(view: ChoiceView, rows: np.ndarray) -> np.ndarray:
    """For each row, the power it would follow, else -1.

    Among the state's patrons (``view.patrons``: leaders of its alliances and powers that count
    it as a client) the exporter with the largest ``power * affinity`` (> 0); a state without a
    friendly patron looks at every exporter.
    """
    return view.memo("friend", rows, _strongest_friend)


def _strongest_friend(view: ChoiceView, rows: np.ndarray) -> np.ndarray:
    n = view.power.shape[0]
    use = view.patrons is not None
    pat = view.patrons if use else np.zeros((n, n), dtype=np.bool_)
    return _friend_kernel(np.asarray(view.power, np.float64), np.asarray(view.affinity, np.float64),
                          np.asarray(view.exports, np.bool_), np.asarray(pat, np.bool_), use,
                          np.asarray(rows, np.int64))


@jit
def _friend_kernel(power, affinity, exports, patrons, use_patrons, rows):
    n = power.shape[0]
    out = np.full(rows.shape[0], -1, dtype=np.int64)
    for k in range(rows.shape[0]):
        i = rows[k]
        has_patron = False
        if use_patrons:
            for j in range(n):
                if patrons[i, j] and j != i and exports[j] and power[j] * max(affinity[i, j], 0.0) > 0:
                    has_patron = True
                    break
        best = 0.0
        for j in range(n):
            if j == i or not exports[j] or (has_patron and not patrons[i, j]):
                continue
            score = power[j] * max(affinity[i, j], 0.0)
            if score > best:
                best = score
                out[k] = j
    return out


def most_threatening(view: ChoiceView, rows: np.ndarray) -> np.ndarray:
    """For each row, the power that menaces it most, else -1.

    Menace of j to i: ``(pressure_ji + rivalry_ij + max(0, -affinity_ij)) * power_j``.
    """
    return view.memo("foe", rows, _most_threatening)


def _most_threatening(view: ChoiceView, rows: np.ndarray) -> np.ndarray:
    f = np.float64
    return _foe_kernel(np.asarray(view.pressure, f), np.asarray(view.rivalry, f),
                       np.asarray(view.affinity, f), np.asarray(view.power, f),
                       np.asarray(rows, np.int64))


@jit
def _foe_kernel(pressure, rivalry, affinity, power, rows):
    n = power.shape[0]
    out = np.full(rows.shape[0], -1, dtype=np.int64)
    for k in range(rows.shape[0]):
        i = rows[k]
        best = 0.0
        for j in range(n):
            if j == i:
                continue
            menace = (pressure[j, i] + rivalry[i, j] + max(0.0, -affinity[i, j])) * power[j]
            if menace > best:
                best = menace
                out[k] = j
    return out


@jit
def _hedge(u, rows, diversification, stock_share, weight):
    for k in range(rows.shape[0]):
        i = rows[k]
        for j in range(u.shape[1]):
            u[i, j] -= weight * diversification[i] * stock_share[i, j]


class Strategy:
    """Base: no adjustment (pure logit over the common utility)."""

    name: ClassVar[str] = ""
    invests: ClassVar[bool] = False  # whether invest() can return non-zero amounts

    def precision(self, p) -> float:
        return 1.0

    def adjust(self, u: np.ndarray, rows: np.ndarray, view: ChoiceView, p) -> None:
        return None

    def compliance(self, c: np.ndarray, rows: np.ndarray, target: int, view: ChoiceView, p) -> None:
        return None

    def invest(self, rows: np.ndarray, view: ChoiceView, p) -> np.ndarray:
        return np.zeros(len(rows))


class MultiVector(Strategy):
    """Hedge: spread purchases and penalise existing dependence on any one supplier.

    Kazakhstan's "multi-vector" foreign policy (Nazarbayev's doctrine; Vanderhill et al. 2020,
    *Between the bear and the dragon*): keep the historical patron while adding partners. Utility
    of supplier j falls by ``hedge_weight * diversification_i * share_ij``, and the choice is
    less concentrated (``hedge_precision`` < 1).
    """

    name = "multi_vector"

    def precision(self, p) -> float:
        return p.hedge_precision

    def adjust(self, u, rows, view, p) -> None:
        _hedge(u, np.asarray(rows, np.int64), np.asarray(view.diversification, np.float64),
               np.asarray(view.stock_share, np.float64), p.hedge_weight)


class Bandwagon(Strategy):
    """Follow the strongest patron: buy from it, and do not sanction it.

    Bandwagoning in Walt's (1987) *The Origins of Alliances*: weak states align with, rather
    than against, the dominant power. Adds ``bandwagon_bonus`` to the power it follows (see
    :func:`strongest_friend`: its strongest friendly patron, else the strongest friendly
    exporter), concentrates the choice (``bandwagon_precision``) and cuts compliance with
    sanctions on that power by ``bandwagon_compliance``.
    """

    name = "bandwagon"

    def precision(self, p) -> float:
        return p.bandwagon_precision

    def adjust(self, u, rows, view, p) -> None:
        friend = strongest_friend(view, rows)
        ok = friend >= 0
        u[rows[ok], friend[ok]] += p.bandwagon_bonus

    def compliance(self, c, rows, target, view, p) -> None:
        friend = strongest_friend(view, rows)
        hit = rows[friend == target]
        c[hit] *= 1.0 - p.bandwagon_compliance


class Balance(Strategy):
    """Balance against the most threatening power: avoid it, favour its adversaries.

    Balance-of-threat theory (Walt 1987): states align against the power whose capability,
    proximity and intentions menace them most. Utility of the most threatening power falls by
    ``balance_penalty``; suppliers hostile to it gain ``balance_bonus`` per unit of hostility.
    """

    name = "balance"

    def adjust(self, u, rows, view, p) -> None:
        foe = most_threatening(view, rows)
        ok = foe >= 0
        r, f = rows[ok], foe[ok]
        u[r, f] -= p.balance_penalty
        hostility = np.maximum(0.0, -view.affinity[f])  # (k, n): hostility of each supplier to foe
        u[r] += p.balance_bonus * hostility


class Autarky(Strategy):
    """Favour domestic production and invest in it.

    Defence-industrial self-reliance (Bitzinger 2003 on second-tier arms producers; Uzbekistan's
    Lochin UAV): a strong preference for the state's own industry (``autarky_bonus``) and a
    yearly investment of ``autarky_investment`` of the arms budget (paid out of it) into domestic
    capacity, which grows by ``autarky_capacity_yield`` per dollar invested.
    """

    name = "autarky"
    invests = True

    def adjust(self, u, rows, view, p) -> None:
        u[rows, rows] += p.autarky_bonus

    def invest(self, rows, view, p) -> np.ndarray:
        return p.autarky_investment * view.budget[rows]


STRATEGY_CLASSES: dict[str, type[Strategy]] = {
    cls.name: cls for cls in (MultiVector, Bandwagon, Balance, Autarky)
}
