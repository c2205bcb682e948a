"""Policies in the mechanisms: the standing rules of strategies and the per-state policy arrays.

The decide phase (:mod:`sim.decide`) turns every state's :class:`~sim.strategies.Policy` into
the arrays of :class:`PolicyArrays`; the compiled mechanisms read them by name. The standing
rules (:class:`~sim.strategies.Rules`, columns :data:`~sim.strategies.RULES`) are evaluated
here every step against the current world:

* ``hedge``: utility of supplier j falls by ``hedge * diversification_i * stock_share_ij``;
* ``follow_bonus``: utility added to the power the state follows (:func:`strongest_friend`);
* ``follow_compliance_cut``: fraction of its compliance with sanctions on that power dropped;
* ``foe_penalty``: utility removed from the power that menaces it most (:func:`most_threatening`);
* ``foe_rival_bonus``: utility added per unit of a supplier's hostility to that power.

Sources: Walt (1987) for following (bandwagoning) and balancing against threat; Kazakhstan's
multi-vector doctrine for hedging (see :mod:`sim.strategies`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.rules.common import SHARE_FLOOR, _row_sum, inline, jit

HEDGE, FOLLOW_BONUS, FOLLOW_CUT, FOE_PENALTY, FOE_BONUS = range(5)
"""Columns of the rule table (the order of :data:`sim.strategies.RULES`)."""


class PolicyArrays(NamedTuple):
    """Every state's policy this step, as arrays the compiled mechanisms read by name.

    Attributes:
        rules: (n, 5) standing rules per state (columns HEDGE .. FOE_BONUS).
        prefer: importer x supplier utility added by the state's preferences.
        precision: (n,) multiplier on each state's choice precision.
        invest: (n,) share of the arms budget per year invested in domestic capacity.
        comply: (R, n) compliance level per regime row (:class:`sim.period.Regimes`) and
            state; NaN where the state's policy leaves the regime to the economic rule.
        comply_max: (R, n) bool: the row merges regimes of which only some have a stance;
            compliance is then the maximum of the stance and the rule (the others').
        trade_tilt: symmetric per-step multiplier on each pair's trend trade growth.
        pressure_scale: patron x client multiplier on the patron's response.
        follows: (n,) bool, the state needs the power it follows (a follow rule is set).
        balances: (n,) bool, the state needs the power that menaces it most.
    """

    rules: np.ndarray
    prefer: np.ndarray
    precision: np.ndarray
    invest: np.ndarray
    comply: np.ndarray
    comply_max: np.ndarray
    trade_tilt: np.ndarray
    pressure_scale: np.ndarray
    follows: np.ndarray
    balances: np.ndarray


def neutral_policies(n: int, regimes: int = 0) -> PolicyArrays:
    """The arrays of ``n`` states that all follow the empty policy."""
    return PolicyArrays(
        rules=np.zeros((n, 5)),
        prefer=np.zeros((n, n)),
        precision=np.ones(n),
        invest=np.zeros(n),
        comply=np.full((regimes, n), np.nan),
        comply_max=np.zeros((regimes, n), dtype=np.bool_),
        trade_tilt=np.ones((n, n)),
        pressure_scale=np.ones((n, n)),
        follows=np.zeros(n, dtype=np.bool_),
        balances=np.zeros(n, dtype=np.bool_),
    )


def strongest_friend(
    power: np.ndarray,
    affinity: np.ndarray,
    exports: np.ndarray,
    patrons: np.ndarray | None,
    rows: np.ndarray,
) -> np.ndarray:
    """For each row, the power it would follow, else -1.

    Among the state's patrons (``patrons``: bool state x power, leaders of its alliances and
    powers that count it as a client) the exporter with the largest ``power * affinity``
    (> 0); a state without a friendly patron looks at every exporter.
    """
    f = np.float64
    n = np.asarray(power).shape[0]
    pm = np.zeros((n, n), dtype=np.bool_) if patrons is None else np.asarray(patrons, np.bool_)
    return _friend_kernel(
        np.asarray(power, f),
        np.asarray(affinity, f),
        np.asarray(exports, np.bool_),
        pm,
        patrons is not None,
        np.asarray(rows, np.int64),
    )


@jit
def _friend_of(i, power, affinity, exports, patrons, use_patrons):
    """The power state ``i`` would follow, else -1 (:func:`strongest_friend`)."""
    n = power.shape[0]
    has_patron = False
    if use_patrons:
        for j in range(n):
            if patrons[i, j] and j != i and exports[j] and power[j] * max(affinity[i, j], 0.0) > 0:
                has_patron = True
                break
    friend = -1
    best = 0.0
    for j in range(n):
        if j == i or not exports[j] or (has_patron and not patrons[i, j]):
            continue
        score = power[j] * max(affinity[i, j], 0.0)
        if score > best:
            best = score
            friend = j
    return friend


@jit
def _friend_kernel(power, affinity, exports, patrons, use_patrons, rows):
    out = np.empty(rows.shape[0], dtype=np.int64)
    for k in range(rows.shape[0]):
        out[k] = _friend_of(rows[k], power, affinity, exports, patrons, use_patrons)
    return out


def most_threatening(
    pressure: np.ndarray,
    rivalry: np.ndarray,
    affinity: np.ndarray,
    power: np.ndarray,
    rows: np.ndarray,
) -> np.ndarray:
    """For each row, the power that menaces it most, else -1.

    Menace of j to i: ``(pressure_ji + rivalry_ij + max(0, -affinity_ij)) * power_j``.
    """
    f = np.float64
    return _foe_kernel(
        np.asarray(pressure, f),
        np.asarray(rivalry, f),
        np.asarray(affinity, f),
        np.asarray(power, f),
        np.asarray(rows, np.int64),
    )


@jit
def _foe_of(i, pressure, rivalry, affinity, power):
    """The power that menaces state ``i`` most, else -1 (:func:`most_threatening`)."""
    foe = -1
    best = 0.0
    for j in range(power.shape[0]):
        if j == i:
            continue
        menace = (pressure[j, i] + rivalry[i, j] + max(0.0, -affinity[i, j])) * power[j]
        if menace > best:
            best = menace
            foe = j
    return foe


@jit
def _foe_kernel(pressure, rivalry, affinity, power, rows):
    out = np.empty(rows.shape[0], dtype=np.int64)
    for k in range(rows.shape[0]):
        out[k] = _foe_of(rows[k], pressure, rivalry, affinity, power)
    return out


@inline
def _targets(pol, power, affinity, exports, patrons, use_patrons, pressure, rivalry):
    """(friend, foe) per state, -1 where its rules do not need one (or it has none)."""
    n = power.shape[0]
    friend = np.full(n, -1, dtype=np.int64)
    foe = np.full(n, -1, dtype=np.int64)
    for i in range(n):
        if pol.follows[i]:
            friend[i] = _friend_of(i, power, affinity, exports, patrons, use_patrons)
        if pol.balances[i]:
            foe[i] = _foe_of(i, pressure, rivalry, affinity, power)
    return friend, foe


def targets(
    pol: PolicyArrays,
    power: np.ndarray,
    affinity: np.ndarray,
    exports: np.ndarray,
    patrons: np.ndarray,
    pressure: np.ndarray,
    rivalry: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(friend, foe) of every state under its rules: :func:`strongest_friend` for states with
    a follow rule, :func:`most_threatening` for states with a balance rule, else -1."""
    f = np.float64
    return _targets(
        pol,
        np.asarray(power, f),
        np.asarray(affinity, f),
        np.asarray(exports, np.bool_),
        np.asarray(patrons, np.bool_),
        True,
        np.asarray(pressure, f),
        np.asarray(rivalry, f),
    )


@jit
def _adjust(u, pol, diversification, stock_share, affinity, friend, foe, normalise=False):
    """The policies' adjustments of supplier utilities ``u`` (importer x supplier), in place:
    the standing rules, then the explicit preferences. With ``normalise``, ``stock_share``
    holds the stocks themselves and each row is divided by its sum (as :func:`_shares`)."""
    n, m = u.shape
    rules = pol.rules
    for i in range(n):
        total = max(_row_sum(stock_share, i), SHARE_FLOOR) if normalise else 1.0
        h = rules[i, HEDGE]
        if h != 0.0:
            for j in range(m):
                u[i, j] -= h * diversification[i] * (stock_share[i, j] / total)
        f = friend[i]
        if f >= 0:
            u[i, f] += rules[i, FOLLOW_BONUS]
        e = foe[i]
        if e >= 0:
            u[i, e] -= rules[i, FOE_PENALTY]
            bonus = rules[i, FOE_BONUS]
            for j in range(m):
                u[i, j] += bonus * max(0.0, -affinity[e, j])
        for j in range(m):
            x = pol.prefer[i, j]
            if x != 0.0:
                u[i, j] += x


def adjust(
    u: np.ndarray,
    pol: PolicyArrays,
    diversification: np.ndarray,
    stock_share: np.ndarray,
    affinity: np.ndarray,
    friend: np.ndarray,
    foe: np.ndarray,
) -> None:
    """Apply every state's rules and preferences to the utilities ``u`` in place."""
    f = np.float64
    _adjust(
        u,
        pol,
        np.asarray(diversification, f),
        np.asarray(stock_share, f),
        np.asarray(affinity, f),
        np.asarray(friend, np.int64),
        np.asarray(foe, np.int64),
    )


@inline
def _complied(c, is_target, follows_target, follow_cut, stance, stance_max):
    """One state's compliance ``c`` after its policy (:func:`_comply`): ``follows_target``
    and ``follow_cut``, its follow rule; ``stance`` and ``stance_max``, its policy's entries
    for the regime row; ``is_target``: the state is the regime's target."""
    if follows_target:
        c *= 1.0 - follow_cut
    if not is_target and not np.isnan(stance):
        c = max(c, stance) if stance_max else stance
    return c


@jit
def _comply(c, pol, regime, target, friend):
    """Compliance ``c`` (n,) with regime row ``regime`` on ``target``, in place: followers
    spare the power they follow; a policy's stance on the regime replaces the rule (or, for a
    row merging regimes of which only some have a stance, raises it to the stance)."""
    for i in range(c.shape[0]):
        c[i] = _complied(
            c[i],
            i == target,
            friend[i] == target,
            pol.rules[i, FOLLOW_CUT],
            pol.comply[regime, i],
            pol.comply_max[regime, i],
        )


def comply(c: np.ndarray, pol: PolicyArrays, regime: int, target: int, friend: np.ndarray) -> None:
    """Apply the states' stances and follow rules to compliance ``c`` with one regime row."""
    _comply(c, pol, int(regime), int(target), np.asarray(friend, np.int64))
