"""Bilateral trade: trend growth, pull towards agreed targets, then sanctions and friction.

Trend growth is a gravity-style baseline (trade grows with the economies and with political
affinity; Pollins 1989 on "trade follows the flag"). An agreement with a target value and year
pulls the pair's potential trade onto the constant-growth path that reaches the target at the end
of the target year; ``agreement_pull`` = 1 follows that path exactly. The states' policies tilt
each pair's trend (``Policy.trade``: a multiplier per partner on the yearly growth factor; both
sides' multipliers compound). Effective trade moves with a lag towards ``(potential * (1 -
sanction cut) + rerouted + re-exported through conduits) * designation cut * pressure
friction`` (conduits: :func:`sim.rules.sanctions.circumvent`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.rules.choice import PolicyArrays
from sim.rules.common import _shares, inline, jit, lag_weight
from sim.rules.pressure import _friction_of, _rival_trade_cost
from sim.rules.sanctions import Regimes, _circumvent_into, _reroute_into, _trade_cut_into


def growth_factor(
    affinity: np.ndarray, growth: float, affinity_growth: float, dt: float
) -> np.ndarray:
    """Per-step trend growth factor of each pair: ``exp((g + g_a * affinity) * dt)``."""
    return np.exp((growth + affinity_growth * affinity) * dt)


def grow(
    potential: np.ndarray, affinity: np.ndarray, growth: float, affinity_growth: float, dt: float
) -> np.ndarray:
    """Potential trade after one step of trend growth (symmetric in, symmetric out)."""
    return potential * growth_factor(affinity, growth, affinity_growth, dt)


@jit
def _agreement_growth(current, target, steps_left):
    if steps_left <= 0 or current <= 0:
        return 1.0
    return (target / current) ** (1.0 / steps_left)


def agreement_growth(current: float, target: float, steps_left: int) -> float:
    """Per-step growth factor that reaches ``target`` from ``current`` in ``steps_left`` steps."""
    return float(_agreement_growth(float(current), float(target), int(steps_left)))


@jit
def _pull(trend_factor, path_factor, strength):
    return trend_factor ** (1.0 - strength) * path_factor**strength


def pull(trend_factor: float, path_factor: float, strength: float) -> float:
    """Blend of the trend and the agreement path factors (geometric, weight ``strength``)."""
    return float(_pull(float(trend_factor), float(path_factor), float(strength)))


@jit
def _grow_in_place(
    potential, factor, trade, ag_a, ag_b, ag_target, ag_due, ag_start, t, strength, tilt
):
    """:func:`_grow`, in place."""
    n, m = potential.shape
    old = np.empty(ag_a.shape[0])  # the agreements' pairs before the step
    for k in range(ag_a.shape[0]):
        old[k] = potential[ag_a[k], ag_b[k]]
    for i in range(n):
        for j in range(m):
            potential[i, j] = potential[i, j] * factor[i, j] * tilt[i, j]
    for k in range(ag_a.shape[0]):
        if t < ag_start[k] or t > ag_due[k]:
            continue
        a, b = ag_a[k], ag_b[k]
        trend = potential[a, b] / old[k] if old[k] > 0 else 1.0
        path = _agreement_growth(max(trade[a, b], 1e-9), ag_target[k], ag_due[k] - t + 1)
        x = old[k] * _pull(trend, path, strength)
        potential[a, b] = x
        potential[b, a] = x


@jit
def _grow(potential, factor, trade, ag_a, ag_b, ag_target, ag_due, ag_start, t, strength, tilt):
    new = potential.copy()
    _grow_in_place(new, factor, trade, ag_a, ag_b, ag_target, ag_due, ag_start, t, strength, tilt)
    return new


def grow_with_agreements(
    potential: np.ndarray,
    factor: np.ndarray,
    trade: np.ndarray,
    agreements: np.ndarray,
    t: int,
    strength: float,
) -> np.ndarray:
    """Potential trade after one step: trend growth, then each agreement not yet due pulls its
    pair onto the path that reaches its target (:func:`agreement_growth`, :func:`pull`).

    Args:
        potential: symmetric potential trade, US$ bn/yr.
        factor: per-step trend factor (:func:`growth_factor`).
        trade: current effective trade (the path starts from it).
        agreements: rows ``(a, b, target US$ bn/yr, due step)``.
        t: the current step.
        strength: ``agreement_pull``.
    """
    ag = np.asarray(agreements, np.float64).reshape(-1, 4)
    f = np.float64
    pot = np.asarray(potential, f)
    return _grow(
        pot,
        np.asarray(factor, f),
        np.asarray(trade, f),
        ag[:, 0].astype(np.int64),
        ag[:, 1].astype(np.int64),
        ag[:, 2].copy(),
        ag[:, 3].astype(np.int64),
        np.zeros(len(ag), dtype=np.int64),  # all signed
        int(t),
        float(strength),
        np.ones_like(pot),
    )


def trade_shares(trade: np.ndarray) -> np.ndarray:
    """Partner shares of each state's trade with the modelled partners (rows sum to 1 or 0)."""
    return _shares(np.asarray(trade, np.float64))


class TradeInputs(NamedTuple):
    """What the trade mechanism reads and writes (``trade_potential`` and ``trade`` are the
    world's, updated in place).

    Attributes:
        trade_factor: per-step trend growth factor of each pair (:func:`growth_factor`).
        ag_a, ag_b, ag_target, ag_due, ag_start: the run's agreements (pair, target US$
            bn/yr, due step, the step it is signed: it pulls from then on).
        agreement_pull: ``agreement_pull``.
        trade_sanctions: whether any trade-scope regime is in force; trade_int: (n,) its
            intensity per target; trade_cut: ``sanction_trade_cut``; senders_any: (n,) bool.
        reroute_share: ``trade_reroute_share``.
        friction: ``pressure_trade_friction`` (0 without patrons).
        alpha_trade: per-step lag weight of ``trade_adjustment``.
    """

    trade_potential: np.ndarray
    trade_factor: np.ndarray
    trade: np.ndarray
    ag_a: np.ndarray
    ag_b: np.ndarray
    ag_target: np.ndarray
    ag_due: np.ndarray
    ag_start: np.ndarray
    agreement_pull: float
    trade_sanctions: bool
    trade_int: np.ndarray
    trade_cut: float
    senders_any: np.ndarray
    compliance: np.ndarray
    reroute_share: float
    pressure: np.ndarray
    client_mask: np.ndarray
    friction: float
    alpha_trade: float
    tolerance: np.ndarray
    customs: np.ndarray
    designation: np.ndarray
    reexports: np.ndarray
    circumvention_rate: float
    access_outside: float
    margin: float
    designation_cut: float


def pack(w, p, *, trade_factor: np.ndarray, regimes: Regimes) -> TradeInputs:
    """The trade mechanism's inputs from world ``w``, parameters ``p`` and the regimes."""
    ag = w.agreements
    has_clients = bool(w.client_mask.any())
    return TradeInputs(
        trade_potential=w.trade_potential,
        trade_factor=trade_factor,
        trade=w.trade,
        ag_a=np.array([a.a for a in ag], dtype=np.int64),
        ag_b=np.array([a.b for a in ag], dtype=np.int64),
        ag_target=np.array([a.target for a in ag], dtype=np.float64),
        ag_due=np.array([a.due_step for a in ag], dtype=np.int64),
        ag_start=np.array([a.start_step for a in ag], dtype=np.int64),
        agreement_pull=float(p.agreement_pull),
        trade_sanctions=bool(regimes.trade.any()),
        trade_int=regimes.trade,
        trade_cut=float(p.sanction_trade_cut),
        senders_any=regimes.senders_any,
        compliance=w.compliance,
        reroute_share=float(p.trade_reroute_share),
        pressure=w.pressure,
        client_mask=w.client_mask,
        friction=float(p.pressure_trade_friction) if has_clients else 0.0,
        alpha_trade=lag_weight(p.trade_adjustment, w.axis.dt),
        tolerance=w.tolerance,
        customs=w.customs,
        designation=w.designation,
        reexports=w.reexports,
        circumvention_rate=float(p.circumvention_rate),
        access_outside=float(p.conduit_access_outside),
        margin=float(p.reexport_margin),
        designation_cut=float(p.designation_trade_cut),
    )


@inline
def _advance(t, x, pol):
    """Step 6: potential trade grows (trend, policies' tilt, agreements); effective trade
    lags towards it after sanction cuts, rerouting, re-exports through conduits, designations
    and pressure friction.

    In place: the terms of the target are computed into one scratch block, then each pair's
    target and both lags in one pass (the operations and order of the vectorised form)."""
    new = x.trade_potential
    _grow_in_place(
        new,
        x.trade_factor,
        x.trade,
        x.ag_a,
        x.ag_b,
        x.ag_target,
        x.ag_due,
        x.ag_start,
        t,
        x.agreement_pull,
        pol.trade_tilt,
    )
    n = new.shape[0]
    scratch = np.empty((5, n, n))
    cut, rerouted, conduits, reexports, cost = (
        scratch[0],
        scratch[1],
        scratch[2],
        scratch[3],
        scratch[4],
    )
    if x.trade_sanctions:
        _trade_cut_into(x.compliance, x.trade_int, x.trade_cut, cut)
        _circumvent_into(
            new,
            cut,
            x.compliance,
            x.senders_any,
            x.tolerance,
            x.customs,
            x.circumvention_rate,
            x.access_outside,
            x.margin,
            conduits,
            reexports,
        )
        _reroute_into(new, cut, x.compliance, x.senders_any, x.reroute_share, rerouted)
    if x.friction > 0:
        _rival_trade_cost(x.pressure, x.client_mask, cost)
    trade, designation = x.trade, x.designation
    for i in range(n):
        for j in range(n):
            target = new[i, j]
            re = 0.0
            if x.trade_sanctions:  # conduits and rerouted trade: symmetric additions
                target = (
                    new[i, j] * (1.0 - cut[i, j])
                    + (rerouted[i, j] + rerouted[j, i])
                    + (conduits[i, j] + conduits[j, i])
                )
                re = reexports[i, j]
            if x.designation_cut > 0:
                target = target * (1.0 - x.designation_cut * designation[i, j])
            if x.friction > 0:
                target = target * _friction_of(cost[i, j], cost[j, i], x.friction)
            trade[i, j] += x.alpha_trade * (target - trade[i, j])
            x.reexports[i, j] += x.alpha_trade * (re - x.reexports[i, j])


def advance(x: TradeInputs, pol: PolicyArrays, t: int) -> None:
    """Step 6 of period ``t``, in place (see :func:`_advance`)."""
    _advance(int(t), x, pol)
