"""Arms procurement: scoring suppliers, a logit choice, and rationed deliveries with lead times.

Supplier choice is a multinomial logit (McFadden 1974) over a linear utility of supplier
attributes, the standard discrete-choice form for procurement and trade-partner choice. The
attributes follow the arms-trade literature's drivers of supplier choice: price/cost-effectiveness
and capability, political alignment, supplier reliability, interoperability with the installed
base (path dependence; Kinsella 1998), technology transfer and offsets, patron pressure, and the
risk of secondary sanctions (CAATSA-type measures on buyers of sanctioned suppliers).

Capacity is finite: due deliveries beyond a supplier's capacity times its reliability are
rationed pro rata across all buyers, the supplier's own forces included (a war at home therefore
starves exports); the shortfall stays in a backlog that is partly cancelled each year. Licensed local lines deliver the licensor's design in the buyer
without using the licensor's capacity.
"""

from __future__ import annotations

import numpy as np


def pressure_cost(pressure: np.ndarray) -> np.ndarray:
    """Cost to importer i of buying from j, per unit of patron pressure on i.

    Pressure from patron p on client i falls on every supplier j other than p itself and i's own
    industry. Returns importer x supplier.
    """
    on_client = pressure.T  # client x patron
    total = on_client.sum(axis=1, keepdims=True)
    cost = total - on_client
    np.fill_diagonal(cost, 0.0)
    return cost


def static_utility(
    *, cost_effectiveness: np.ndarray, capability: np.ndarray, affinity: np.ndarray, p,
) -> np.ndarray:
    """The part of supplier utility that changes only when events change attributes.

    ``w_cost * cost_effectiveness_j + w_capability * capability_j + w_affinity * affinity_ij``.
    """
    u = (p.weight_cost * cost_effectiveness + p.weight_capability * capability)[None, :]
    return u + p.weight_affinity * affinity


def utility(
    *, cost_effectiveness: np.ndarray, capability: np.ndarray, reliability: np.ndarray,
    affinity: np.ndarray, stock_share: np.ndarray, licensed: np.ndarray, has_capacity: np.ndarray,
    pressure_cost: np.ndarray, sanction_risk: np.ndarray, p, static: np.ndarray | None = None,
) -> np.ndarray:
    """Utility of supplier j to importer i (importer x supplier), before strategy adjustments.

    ``u_ij = static_ij + w_rel * reliability_j + w_path * stock_share_ij + w_tech * [licensed_ij > 0]
    - w_pressure * pressure_cost_ij - w_risk * sanction_risk_ij + w_dom * [i = j, capacity_i > 0]``.

    Args:
        static: :func:`static_utility` if already computed (it is cached between events).
    """
    if static is None:
        static = static_utility(cost_effectiveness=cost_effectiveness, capability=capability,
                                affinity=affinity, p=p)
    u = static + (p.weight_reliability * reliability)[None, :] + p.weight_path * stock_share
    u += p.weight_tech_transfer * (licensed > 0)
    u -= p.weight_pressure * pressure_cost + p.weight_sanction_risk * sanction_risk
    u.flat[:: u.shape[0] + 1] += p.weight_domestic * has_capacity
    return u


def availability(
    exports: np.ndarray, capacity: np.ndarray, licensed: np.ndarray, affinity: np.ndarray,
    embargo: np.ndarray, min_affinity: float,
) -> np.ndarray:
    """Whether importer i can buy from supplier j (importer x supplier, bool).

    j must export (or be i itself) with capacity, or run a licensed line in i; affinity must be
    at least ``min_affinity``; no embargo between them.
    """
    n = exports.shape[0]
    sells = (exports & (capacity > 0))[None, :] | np.eye(n, dtype=bool) & (capacity > 0)[None, :]
    ok = (sells | (licensed > 0)) & (affinity >= min_affinity) & ~embargo
    return ok


def logit_shares(u: np.ndarray, precision: np.ndarray, available: np.ndarray) -> np.ndarray:
    """Multinomial logit shares per importer: ``exp(b_i u_ij) / sum_k exp(b_i u_ik)``.

    Args:
        u: importer x supplier utilities.
        precision: (n,) inverse temperature per importer (0: equal split).
        available: bool mask; unavailable suppliers get share 0.

    Returns:
        Rows summing to 1 (or 0 where nothing is available).
    """
    z = precision[:, None] * u
    z = np.where(available, z, -np.inf)
    zmax = z.max(axis=1, keepdims=True)
    zmax = np.where(np.isfinite(zmax), zmax, 0.0)
    e = np.exp(z - zmax)
    tot = e.sum(axis=1, keepdims=True)
    return np.divide(e, tot, out=np.zeros_like(e), where=tot > 0)


def place_orders(pipeline: np.ndarray, t: int, orders: np.ndarray, lead_steps: np.ndarray) -> None:
    """Add ``orders`` (importer x supplier) to the ring-buffer pipeline, due after each supplier's lead."""
    L = pipeline.shape[0]
    n = orders.shape[1]
    slots = (t + lead_steps) % L
    pipeline[slots, :, np.arange(n)] += orders.T


def deliver(
    due: np.ndarray, capacity_step: np.ndarray, reliability: np.ndarray, licensed_step: np.ndarray
) -> np.ndarray:
    """Deliveries this step (importer x supplier) from what is due, rationed by capacity.

    Licensed local lines deliver first (up to their own capacity); the rest of what is due from
    supplier j, its own forces included, gets ``min(1, capacity_j * reliability_j / due_j)``.
    """
    local = np.minimum(due, licensed_step)
    rest = due - local
    usable = capacity_step * reliability
    demand = rest.sum(axis=0)
    frac = np.minimum(1.0, np.divide(usable, demand, out=np.ones_like(usable), where=demand > 0))
    return local + rest * frac[None, :]
