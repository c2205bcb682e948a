"""How a state chooses: strategies as named sets of coefficients on one compiled choice rule.

A strategy is a small class with a name, a docstring citing the mechanism, and
:meth:`Strategy.coefficients`: how strongly it applies each of the adjustments below (zero: not at
all). The model stacks the coefficients of every state into one table (a row per state, columns
:data:`COEFFICIENTS`) that the compiled period reads; the same kernels serve the hooks
``precision``, ``adjust``, ``compliance`` and ``invest`` that tests and notebooks call on the rows
of the states that follow a strategy:

* ``precision``: multiplier on the logit's choice precision (higher: more concentrated);
* ``hedge``: utility of supplier j falls by ``hedge * diversification_i * stock_share_ij``;
* ``follow_bonus``: utility added to the power the state follows (:func:`strongest_friend`);
* ``follow_compliance_cut``: fraction of its compliance with sanctions on that power dropped;
* ``foe_penalty``: utility removed from the power that menaces it most (:func:`most_threatening`);
* ``foe_rival_bonus``: utility added per unit of a supplier's hostility to that power;
* ``own_bonus``: utility added to the state's own industry;
* ``invest``: share of the arms budget per year invested in domestic capacity (paid out of it).

``view`` is a :class:`ChoiceView`: read-only arrays of the current world.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from operator import attrgetter
from typing import ClassVar

import numpy as np

from sim.rules.common import jit


@dataclass(frozen=True)
class Coefficients:
    """What a strategy does, as numbers (see the module docstring for each)."""

    precision: float = 1.0
    hedge: float = 0.0
    follow_bonus: float = 0.0
    follow_compliance_cut: float = 0.0
    foe_penalty: float = 0.0
    foe_rival_bonus: float = 0.0
    own_bonus: float = 0.0
    invest: float = 0.0

    def row(self) -> tuple[float, ...]:
        """The values in the order of :data:`COEFFICIENTS`."""
        return _row(self)

    @property
    def follows(self) -> bool:
        """Whether it needs the power the state follows."""
        return self.follow_bonus != 0.0 or self.follow_compliance_cut != 0.0

    @property
    def balances(self) -> bool:
        """Whether it needs the power that menaces the state most."""
        return self.foe_penalty != 0.0 or self.foe_rival_bonus != 0.0


COEFFICIENTS: tuple[str, ...] = tuple(f.name for f in fields(Coefficients))
"""Columns of the coefficient table, in order."""
_row = attrgetter(*COEFFICIENTS)
PRECISION, HEDGE, FOLLOW_BONUS, FOLLOW_CUT, FOE_PENALTY, FOE_BONUS, OWN_BONUS, INVEST = range(
    len(COEFFICIENTS))


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

    def patron_matrix(self) -> np.ndarray:
        """``patrons``, or an all-false matrix when the view has none."""
        n = self.power.shape[0]
        return np.zeros((n, n), dtype=np.bool_) if self.patrons is None else self.patrons


def strongest_friend(view: ChoiceView, rows: np.ndarray) -> np.ndarray:
    """For each row, the power it would follow, else -1.

    Among the state's patrons (``view.patrons``: leaders of its alliances and powers that count
    it as a client) the exporter with the largest ``power * affinity`` (> 0); a state without a
    friendly patron looks at every exporter.
    """
    f = np.float64
    return _friend_kernel(np.asarray(view.power, f), np.asarray(view.affinity, f),
                          np.asarray(view.exports, np.bool_),
                          np.asarray(view.patron_matrix(), np.bool_), view.patrons is not None,
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
def _targets(rows, coef, power, affinity, exports, patrons, use_patrons, pressure, rivalry):
    """(friend, foe) per state, -1 where the state's strategy does not need one (or has none)."""
    n = power.shape[0]
    follow = np.zeros(rows.shape[0], dtype=np.bool_)
    balance = np.zeros(rows.shape[0], dtype=np.bool_)
    for k in range(rows.shape[0]):
        i = rows[k]
        follow[k] = coef[i, FOLLOW_BONUS] != 0.0 or coef[i, FOLLOW_CUT] != 0.0
        balance[k] = coef[i, FOE_PENALTY] != 0.0 or coef[i, FOE_BONUS] != 0.0
    friend = np.full(n, -1, dtype=np.int64)
    foe = np.full(n, -1, dtype=np.int64)
    fr = rows[follow]
    if fr.shape[0] > 0:
        friend[fr] = _friend_kernel(power, affinity, exports, patrons, use_patrons, fr)
    br = rows[balance]
    if br.shape[0] > 0:
        foe[br] = _foe_kernel(pressure, rivalry, affinity, power, br)
    return friend, foe


@jit
def _adjust(u, rows, coef, diversification, stock_share, affinity, friend, foe):
    """Strategy adjustments of the rows' supplier utilities, in place (module docstring)."""
    m = u.shape[1]
    for k in range(rows.shape[0]):
        i = rows[k]
        h = coef[i, HEDGE]
        if h != 0.0:
            for j in range(m):
                u[i, j] -= h * diversification[i] * stock_share[i, j]
        f = friend[i]
        if f >= 0:
            u[i, f] += coef[i, FOLLOW_BONUS]
        e = foe[i]
        if e >= 0:
            u[i, e] -= coef[i, FOE_PENALTY]
            bonus = coef[i, FOE_BONUS]
            for j in range(m):
                u[i, j] += bonus * max(0.0, -affinity[e, j])
        if coef[i, OWN_BONUS] != 0.0:
            u[i, i] += coef[i, OWN_BONUS]


@jit
def _comply(c, rows, target, coef, friend):
    """Compliance of the rows with a regime on ``target``: followers spare the power they follow."""
    for k in range(rows.shape[0]):
        i = rows[k]
        if friend[i] == target:
            c[i] *= 1.0 - coef[i, FOLLOW_CUT]


def coefficient_table(strategies: list["Strategy"], p) -> np.ndarray:
    """One row of :class:`Coefficients` per state (columns :data:`COEFFICIENTS`)."""
    classes = list(dict.fromkeys(type(s) for s in strategies))
    rows = np.array([c().coefficients(p).row() for c in classes], dtype=np.float64)
    index = np.array([classes.index(type(s)) for s in strategies], dtype=np.int64)
    return rows.reshape(len(classes), len(COEFFICIENTS))[index]


class Strategy:
    """Base: no adjustment (pure logit over the common utility)."""

    name: ClassVar[str] = ""

    def coefficients(self, p) -> Coefficients:
        """How strongly this strategy applies each adjustment, under parameters ``p``."""
        return Coefficients()

    # hooks on the rows of the states that follow this strategy (the model uses the table)
    def _table(self, rows: np.ndarray, n: int, p) -> tuple[np.ndarray, np.ndarray]:
        rows = np.asarray(rows, np.int64)
        table = np.zeros((n, len(COEFFICIENTS)))
        table[:, PRECISION] = 1.0
        table[rows] = self.coefficients(p).row()
        return rows, table

    def _targets(self, rows: np.ndarray, table: np.ndarray, view: ChoiceView):
        f = np.float64
        return _targets(rows, table, np.asarray(view.power, f), np.asarray(view.affinity, f),
                        np.asarray(view.exports, np.bool_),
                        np.asarray(view.patron_matrix(), np.bool_), view.patrons is not None,
                        np.asarray(view.pressure, f), np.asarray(view.rivalry, f))

    def precision(self, p) -> float:
        """Multiplier on the choice precision of its states."""
        return self.coefficients(p).precision

    def adjust(self, u: np.ndarray, rows: np.ndarray, view: ChoiceView, p) -> None:
        """Adjust the rows' supplier utilities ``u`` (importer x supplier) in place."""
        rows, table = self._table(rows, u.shape[0], p)
        friend, foe = self._targets(rows, table, view)
        _adjust(u, rows, table, np.asarray(view.diversification, np.float64),
                np.asarray(view.stock_share, np.float64), np.asarray(view.affinity, np.float64),
                friend, foe)

    def compliance(self, c: np.ndarray, rows: np.ndarray, target: int, view: ChoiceView, p) -> None:
        """Adjust the rows' compliance ``c`` (n,) with a regime on ``target`` in place."""
        rows, table = self._table(rows, c.shape[0], p)
        friend, _ = self._targets(rows, table, view)
        _comply(c, rows, int(target), table, friend)

    def invest(self, rows: np.ndarray, view: ChoiceView, p) -> np.ndarray:
        """Domestic capacity investment of the rows, US$ bn/yr (out of their arms budget)."""
        return self.coefficients(p).invest * np.asarray(view.budget, np.float64)[rows]


class MultiVector(Strategy):
    """Hedge: spread purchases and penalise existing dependence on any one supplier.

    Kazakhstan's "multi-vector" foreign policy (Nazarbayev's doctrine; Vanderhill et al. 2020,
    *Between the bear and the dragon*): keep the historical patron while adding partners. Utility
    of supplier j falls by ``hedge_weight * diversification_i * share_ij``, and the choice is
    less concentrated (``hedge_precision`` < 1).
    """

    name = "multi_vector"

    def coefficients(self, p) -> Coefficients:
        return Coefficients(precision=p.hedge_precision, hedge=p.hedge_weight)


class Bandwagon(Strategy):
    """Follow the strongest patron: buy from it, and do not sanction it.

    Bandwagoning in Walt's (1987) *The Origins of Alliances*: weak states align with, rather
    than against, the dominant power. Adds ``bandwagon_bonus`` to the power it follows (see
    :func:`strongest_friend`: its strongest friendly patron, else the strongest friendly
    exporter), concentrates the choice (``bandwagon_precision``) and cuts compliance with
    sanctions on that power by ``bandwagon_compliance``.
    """

    name = "bandwagon"

    def coefficients(self, p) -> Coefficients:
        return Coefficients(precision=p.bandwagon_precision, follow_bonus=p.bandwagon_bonus,
                            follow_compliance_cut=p.bandwagon_compliance)


class Balance(Strategy):
    """Balance against the most threatening power: avoid it, favour its adversaries.

    Balance-of-threat theory (Walt 1987): states align against the power whose capability,
    proximity and intentions menace them most. Utility of the most threatening power falls by
    ``balance_penalty``; suppliers hostile to it gain ``balance_bonus`` per unit of hostility.
    """

    name = "balance"

    def coefficients(self, p) -> Coefficients:
        return Coefficients(foe_penalty=p.balance_penalty, foe_rival_bonus=p.balance_bonus)


class Autarky(Strategy):
    """Favour domestic production and invest in it.

    Defence-industrial self-reliance (Bitzinger 2003 on second-tier arms producers; Uzbekistan's
    Lochin UAV): a strong preference for the state's own industry (``autarky_bonus``) and a
    yearly investment of ``autarky_investment`` of the arms budget (paid out of it) into domestic
    capacity, which grows by ``autarky_capacity_yield`` per dollar invested.
    """

    name = "autarky"

    def coefficients(self, p) -> Coefficients:
        return Coefficients(own_bonus=p.autarky_bonus, invest=p.autarky_investment)


STRATEGY_CLASSES: dict[str, type[Strategy]] = {
    cls.name: cls for cls in (MultiVector, Bandwagon, Balance, Autarky)
}
