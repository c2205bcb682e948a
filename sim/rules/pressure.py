"""Patron response: pressure on clients that diversify away from the patron.

A patron watches its clients' arms shares (hegemonic management of a sphere of influence; Walt
1987 on alliance management; Cooley 2012, *Great Games, Local Rules*, on Russia in Central Asia).
Its target pressure on client c grows with the fall of its own arms share below the reference
(start) level and with the rise of rival suppliers' shares, scaled by the patron's own remaining
capacity (a weakened patron can push less) and restrained by its need for the client (the
client's share of the patron's trade):

    target_pc = (s * drop_pc + r * rise_pc) * capacity_ratio_p * max(0, 1 - k * need_pc)

clipped to [0, pressure_max]; pressure relaxes towards it at ``pressure_adjustment`` per year.
Pressure can backfire: above ``pressure_backfire_threshold`` the excess lowers the client's
attitude towards its patron by ``pressure_backfire_rate`` per year (publics and elites resent
coercion; FACTS-2022-2025, Alignment), and attitudes fade at ``attitude_decay``. A state's
attitude towards a supplier enters its supplier utility like affinity
(:mod:`sim.rules.procurement`).
Each patron's policy scales its own response per client (``Policy.pressure``; default 1, the
documented rule above).

Patron p's pressure on client i also falls on i's trade with p's rivals: every partner that is
neither p itself nor one of p's clients (fellow members of its sphere trade freely); the trade
mechanism cuts that trade by ``pressure_trade_friction`` per unit (:func:`trade_friction`).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from sim.rules.choice import PolicyArrays
from sim.rules.common import SHARE_FLOOR, _row_sum, inline, jit, lag_weight


@inline
def _pressure_target_of(
    share,
    own_share,
    ref_patron,
    ref_rival,
    capacity_ratio,
    trade,
    total_trade,
    strength,
    rival_weight,
    restraint_k,
    pmax,
    scale,
):
    """Target pressure of one patron on one client (:func:`pressure_target`): ``share`` and
    ``own_share`` are the patron's and the client's own shares of the client's arms stock,
    ``trade`` the pair's trade, ``total_trade`` the patron's."""
    rival = min(1.0, max(0.0, 1.0 - share - own_share))
    drop = max(0.0, ref_patron - share) / ref_patron if ref_patron > 0 else 0.0
    rise = max(0.0, rival - ref_rival)
    need = trade / total_trade if total_trade > 0 else 0.0
    restraint = max(0.0, 1.0 - restraint_k * need)
    x = (strength * drop + rival_weight * rise) * capacity_ratio * restraint
    x *= scale
    return min(pmax, max(0.0, x))


@jit
def _pressure_target(
    stock_share,
    client_mask,
    ref_patron,
    ref_rival,
    capacity_ratio,
    trade,
    total_trade,
    strength,
    rival_weight,
    restraint_k,
    pmax,
    scale,
):
    n = stock_share.shape[0]
    out = np.zeros((n, n))
    for p in range(n):
        for c in range(n):
            if client_mask[p, c]:
                out[p, c] = _pressure_target_of(
                    stock_share[c, p],
                    stock_share[c, c],
                    ref_patron[p, c],
                    ref_rival[p, c],
                    capacity_ratio[p],
                    trade[p, c],
                    total_trade[p],
                    strength,
                    rival_weight,
                    restraint_k,
                    pmax,
                    scale[p, c],
                )
    return out


def pressure_target(
    stock_share: np.ndarray,
    client_mask: np.ndarray,
    ref_patron: np.ndarray,
    ref_rival: np.ndarray,
    capacity_ratio: np.ndarray,
    trade: np.ndarray,
    total_trade: np.ndarray,
    p,
    scale: np.ndarray | None = None,
) -> np.ndarray:
    """Target pressure, patron x client (zero outside ``client_mask``; see module docstring).

    Args:
        stock_share: importer x supplier shares of installed arms stock.
        client_mask: bool patron x client.
        ref_patron: patron x client, the patron's share in the client at the start.
        ref_rival: patron x client, rival suppliers' share at the start.
        capacity_ratio: (n,) each patron's capacity relative to its start.
        trade: bilateral trade, US$ bn/yr.
        total_trade: (n,) each state's total trade (need = trade with client / total).
        p: parameters (pressure_strength, pressure_rival_weight, pressure_need_restraint,
            pressure_max).
        scale: patron x client multiplier from the patrons' policies (default 1).
    """
    f = np.float64
    return _pressure_target(
        np.asarray(stock_share, f),
        np.asarray(client_mask, np.bool_),
        np.asarray(ref_patron, f),
        np.asarray(ref_rival, f),
        np.asarray(capacity_ratio, f),
        np.asarray(trade, f),
        np.asarray(total_trade, f),
        p.pressure_strength,
        p.pressure_rival_weight,
        p.pressure_need_restraint,
        p.pressure_max,
        np.ones(np.shape(client_mask)) if scale is None else np.asarray(scale, f),
    )


@jit
def _rival_trade_cost(pressure, client_mask, cost):
    """Client x partner pressure on the pair's trade, written into ``cost``: patron p's
    pressure on client i falls on i's trade with every partner that is neither p nor one of
    p's clients (see the module docstring)."""
    n = pressure.shape[0]
    cost[...] = 0.0
    for p in range(n):
        for i in range(n):
            x = pressure[p, i]
            if x == 0.0:
                continue
            for j in range(n):
                if j != i and j != p and not client_mask[p, j]:
                    cost[i, j] += x


@inline
def _friction_of(cost, cost_back, friction):
    """One pair's factor of :func:`trade_friction`, from its costs both ways."""
    a = min(1.0, max(0.0, 1.0 - friction * cost))
    b = min(1.0, max(0.0, 1.0 - friction * cost_back))
    return min(a, b)


@jit
def _trade_friction(cost, friction):
    n = cost.shape[0]
    out = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            out[i, j] = _friction_of(cost[i, j], cost[j, i], friction)
    return out


def trade_friction(pressure_cost: np.ndarray, friction: float) -> np.ndarray:
    """Symmetric factor (0..1) on trade: ``1 - friction * cost``, the lower of the two directions.

    Args:
        pressure_cost: client x partner pressure on the pair's trade (:func:`_rival_trade_cost`).
        friction: ``pressure_trade_friction`` (fraction cut per unit pressure).
    """
    return _trade_friction(np.asarray(pressure_cost, np.float64), float(friction))


class PressureInputs(NamedTuple):
    """What the patron response reads and writes (``pressure`` is the world's, in place).

    Attributes:
        has_clients: whether any state has clients (else the step is skipped).
        client_mask: bool patron x client; ref_patron, ref_rival: shares at the start.
        capacity, capacity_ref: (n,) capacity now and at the start (US$ bn/yr).
        trade, other_trade: bilateral and rest-of-world trade, US$ bn/yr.
        stock: importer x supplier installed arms stock, US$ bn.
        strength, rival_weight, restraint, pressure_max: the ``pressure_*`` parameters.
        alpha_pressure: per-step lag weight of ``pressure_adjustment``.
    """

    has_clients: bool
    client_mask: np.ndarray
    ref_patron: np.ndarray
    ref_rival: np.ndarray
    capacity: np.ndarray
    capacity_ref: np.ndarray
    trade: np.ndarray
    other_trade: np.ndarray
    stock: np.ndarray
    pressure: np.ndarray
    strength: float
    rival_weight: float
    restraint: float
    pressure_max: float
    alpha_pressure: float
    attitude: np.ndarray
    attitude_keep: float
    backfire_threshold: float
    backfire_step: float


def pack(w, p, *, capacity_ref: np.ndarray) -> PressureInputs:
    """The patron response's inputs from world ``w`` and parameters ``p``."""
    f = float
    return PressureInputs(
        has_clients=bool(w.client_mask.any()),
        client_mask=w.client_mask,
        ref_patron=w.ref_patron_share,
        ref_rival=w.ref_rival_share,
        capacity=w.capacity,
        capacity_ref=capacity_ref,
        trade=w.trade,
        other_trade=w.other_trade,
        stock=w.stock,
        pressure=w.pressure,
        strength=f(p.pressure_strength),
        rival_weight=f(p.pressure_rival_weight),
        restraint=f(p.pressure_need_restraint),
        pressure_max=f(p.pressure_max),
        alpha_pressure=lag_weight(p.pressure_adjustment, w.axis.dt),
        attitude=w.attitude,
        attitude_keep=math.exp(-p.attitude_decay * w.axis.dt),
        backfire_threshold=f(p.pressure_backfire_threshold),
        backfire_step=f(p.pressure_backfire_rate) * w.axis.dt,
    )


@inline
def _respond(x, pol):
    """Step 5: attitudes fade; pressure one lag step towards its target, scaled by the
    patrons' policies; pressure above the backfire threshold builds the client's resentment
    of its patron. In place, one pair at a time (no temporary arrays)."""
    attitude, pressure, stock, trade = x.attitude, x.pressure, x.stock, x.trade
    n = pressure.shape[0]
    for i in range(n):
        for j in range(n):
            attitude[i, j] *= x.attitude_keep
    if not x.has_clients:
        return
    for c in range(n):
        stock_total = max(_row_sum(stock, c), SHARE_FLOOR)  # as _shares(stock)
        for p in range(n):
            target = 0.0
            if x.client_mask[p, c]:
                target = _pressure_target_of(
                    stock[c, p] / stock_total,
                    stock[c, c] / stock_total,
                    x.ref_patron[p, c],
                    x.ref_rival[p, c],
                    x.capacity[p] / x.capacity_ref[p],
                    trade[p, c],
                    _row_sum(trade, p) + x.other_trade[p],
                    x.strength,
                    x.rival_weight,
                    x.restraint,
                    x.pressure_max,
                    pol.pressure_scale[p, c],
                )
            pressure[p, c] += x.alpha_pressure * (target - pressure[p, c])
            excess = pressure[p, c] - x.backfire_threshold
            if excess > 0.0:
                attitude[c, p] -= x.backfire_step * excess


def respond(x: PressureInputs, pol: PolicyArrays) -> None:
    """Step 5, in place: the patrons' pressure on their clients moves towards
    :func:`pressure_target` (scaled by each patron's policy)."""
    _respond(x, pol)
