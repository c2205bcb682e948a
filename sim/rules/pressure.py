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


def pressure_target(
    stock_share: np.ndarray, client_mask: np.ndarray, ref_patron: np.ndarray,
    ref_rival: np.ndarray, capacity_ratio: np.ndarray, trade: np.ndarray, total_trade: np.ndarray,
    p,
) -> np.ndarray:
    """Target pressure, patron x client (zero outside ``client_mask``)."""
    patron_share = stock_share.T  # [p, c] = share of p in c
    own = np.diag(stock_share)
    rival = np.clip(1.0 - patron_share - own[None, :], 0.0, 1.0)
    drop = np.divide(np.maximum(0.0, ref_patron - patron_share), ref_patron,
                     out=np.zeros_like(ref_patron), where=ref_patron > 0)
    rise = np.maximum(0.0, rival - ref_rival)
    tot = total_trade[:, None]
    need = np.divide(trade, tot, out=np.zeros_like(trade), where=tot > 0)  # [p, c]
    restraint = np.maximum(0.0, 1.0 - p.pressure_need_restraint * need)
    target = (p.pressure_strength * drop + p.pressure_rival_weight * rise) * capacity_ratio[:, None] * restraint
    return np.where(client_mask, np.clip(target, 0.0, p.pressure_max), 0.0)


def rival_trade_cost(pressure: np.ndarray, client_mask: np.ndarray) -> np.ndarray:
    """Pressure on client i's trade with partner j (client x partner).

    Patron p's pressure on i falls on i's trade with p's rivals: every partner that is neither
    p itself nor one of p's clients (fellow members of its sphere trade freely).
    """
    n = pressure.shape[0]
    rival = ~client_mask & ~np.eye(n, dtype=bool)  # patron x partner
    cost = pressure.T @ rival
    np.fill_diagonal(cost, 0.0)
    return cost


def trade_friction(pressure_cost: np.ndarray, friction: float) -> np.ndarray:
    """Symmetric factor (0..1) on trade: ``1 - friction * cost``, the lower of the two directions.

    Args:
        pressure_cost: client x partner pressure on the pair's trade (:func:`rival_trade_cost`).
        friction: ``pressure_trade_friction`` (fraction cut per unit pressure).
    """
    f = np.clip(1.0 - friction * pressure_cost, 0.0, 1.0)
    return np.minimum(f, f.T)
