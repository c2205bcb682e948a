"""Patron response: pressure on clients that diversify away from the patron.

A patron watches its clients' arms shares (hegemonic management of a sphere of influence; Walt
1987 on alliance management; Cooley 2012, *Great Games, Local Rules*, on Russia in Central Asia).
Its target pressure on client c grows with the fall of its own arms share below the reference
(start) level and with the rise of rival suppliers' shares, scaled by the patron's own remaining
capacity (a weakened patron can push less) and restrained by its need for the client (the
client's share of the patron's trade):

    target_pc = (s * drop_pc + r * rise_pc) * capacity_ratio_p * max(0, 1 - k * need_pc)

clipped to [0, pressure_max]; pressure relaxes towards it at ``pressure_adjustment`` per year.
"""

from __future__ import annotations

import numpy as np

from sim.rules.common import jit


@jit
def _pressure_target(stock_share, client_mask, ref_patron, ref_rival, capacity_ratio, trade,
                     total_trade, strength, rival_weight, restraint_k, pmax):
    n = stock_share.shape[0]
    out = np.zeros((n, n))
    for p in range(n):
        for c in range(n):
            if not client_mask[p, c]:
                continue
            share = stock_share[c, p]
            rival = min(1.0, max(0.0, 1.0 - share - stock_share[c, c]))
            drop = max(0.0, ref_patron[p, c] - share) / ref_patron[p, c] if ref_patron[p, c] > 0 else 0.0
            rise = max(0.0, rival - ref_rival[p, c])
            need = trade[p, c] / total_trade[p] if total_trade[p] > 0 else 0.0
            restraint = max(0.0, 1.0 - restraint_k * need)
            x = (strength * drop + rival_weight * rise) * capacity_ratio[p] * restraint
            out[p, c] = min(pmax, max(0.0, x))
    return out


def pressure_target(
    stock_share: np.ndarray, client_mask: np.ndarray, ref_patron: np.ndarray,
    ref_rival: np.ndarray, capacity_ratio: np.ndarray, trade: np.ndarray, total_trade: np.ndarray,
    p,
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
    """
    f = np.float64
    return _pressure_target(
        np.asarray(stock_share, f), np.asarray(client_mask, np.bool_), np.asarray(ref_patron, f),
        np.asarray(ref_rival, f), np.asarray(capacity_ratio, f), np.asarray(trade, f),
        np.asarray(total_trade, f), p.pressure_strength, p.pressure_rival_weight,
        p.pressure_need_restraint, p.pressure_max)


@jit
def _rival_trade_cost(pressure, client_mask):
    n = pressure.shape[0]
    cost = np.zeros((n, n))
    for p in range(n):
        for i in range(n):
            x = pressure[p, i]
            if x == 0.0:
                continue
            for j in range(n):
                if j != i and j != p and not client_mask[p, j]:
                    cost[i, j] += x
    return cost


def rival_trade_cost(pressure: np.ndarray, client_mask: np.ndarray) -> np.ndarray:
    """Pressure on client i's trade with partner j (client x partner).

    Patron p's pressure on i falls on i's trade with p's rivals: every partner that is neither
    p itself nor one of p's clients (fellow members of its sphere trade freely).
    """
    return _rival_trade_cost(np.asarray(pressure, np.float64), np.asarray(client_mask, np.bool_))


@jit
def _trade_friction(cost, friction):
    n = cost.shape[0]
    out = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            a = min(1.0, max(0.0, 1.0 - friction * cost[i, j]))
            b = min(1.0, max(0.0, 1.0 - friction * cost[j, i]))
            out[i, j] = min(a, b)
    return out


def trade_friction(pressure_cost: np.ndarray, friction: float) -> np.ndarray:
    """Symmetric factor (0..1) on trade: ``1 - friction * cost``, the lower of the two directions.

    Args:
        pressure_cost: client x partner pressure on the pair's trade (:func:`rival_trade_cost`).
        friction: ``pressure_trade_friction`` (fraction cut per unit pressure).
    """
    return _trade_friction(np.asarray(pressure_cost, np.float64), float(friction))
