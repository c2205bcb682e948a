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

import math
from typing import NamedTuple

import numpy as np

from sim.rules.choice import PolicyArrays, _adjust
from sim.rules.common import SHARE_FLOOR, _row_sum, inline, jit, lag_weight


@inline
def _pressure_on(pressure, i):
    """Total patron pressure on importer ``i`` (column ``i`` of patron x client, summed)."""
    total = 0.0
    for k in range(pressure.shape[0]):
        total += pressure[k, i]
    return total


@jit
def _pressure_cost(pressure: np.ndarray) -> np.ndarray:
    n = pressure.shape[0]
    cost = np.zeros((n, n))
    for i in range(n):
        total = _pressure_on(pressure, i)
        for j in range(n):
            if j != i:
                cost[i, j] = total - pressure[j, i]
    return cost


def pressure_cost(pressure: np.ndarray) -> np.ndarray:
    """Cost to importer i of buying from j, per unit of patron pressure on i.

    Pressure from patron p on client i falls on every supplier j other than p itself and i's own
    industry: ``cost_ij = sum_p pressure_pi - pressure_ji`` (0 on the diagonal). Returns
    importer x supplier.
    """
    return _pressure_cost(np.asarray(pressure, dtype=np.float64))


def static_utility(
    *,
    cost_effectiveness: np.ndarray,
    capability: np.ndarray,
    affinity: np.ndarray,
    p,
) -> np.ndarray:
    """The part of supplier utility that changes only when events change attributes.

    ``w_cost * cost_effectiveness_j + w_capability * capability_j + w_affinity * affinity_ij``.
    """
    u = (p.weight_cost * cost_effectiveness + p.weight_capability * capability)[None, :]
    return u + p.weight_affinity * affinity


@inline
def _utility_of(
    static,
    reliability,
    stock_share,
    licensed,
    pressure_cost,
    risk,
    w_rel,
    w_path,
    w_tech,
    w_press,
    w_risk,
):
    """One importer-supplier utility of :func:`utility`, without the domestic bonus."""
    x = static + w_rel * reliability + w_path * stock_share
    if licensed > 0:
        x += w_tech
    return x - (w_press * pressure_cost + w_risk * risk)


@jit
def _utility(
    static,
    reliability,
    stock_share,
    licensed,
    has_capacity,
    pressure_cost,
    risk,
    w_rel,
    w_path,
    w_tech,
    w_press,
    w_risk,
    w_dom,
):
    n, m = static.shape
    u = np.empty((n, m))
    for i in range(n):
        for j in range(m):
            u[i, j] = _utility_of(
                static[i, j],
                reliability[j],
                stock_share[i, j],
                licensed[i, j],
                pressure_cost[i, j],
                risk[i, j],
                w_rel,
                w_path,
                w_tech,
                w_press,
                w_risk,
            )
        if i < m and has_capacity[i]:
            u[i, i] += w_dom
    return u


def utility(
    *,
    cost_effectiveness: np.ndarray,
    capability: np.ndarray,
    reliability: np.ndarray,
    affinity: np.ndarray,
    stock_share: np.ndarray,
    licensed: np.ndarray,
    has_capacity: np.ndarray,
    pressure_cost: np.ndarray,
    sanction_risk: np.ndarray,
    p,
    static: np.ndarray | None = None,
) -> np.ndarray:
    """Utility of supplier j to importer i (importer x supplier), before strategy adjustments.

    ``u_ij = static_ij + w_rel * reliability_j + w_path * stock_share_ij + w_tech * [licensed_ij > 0]
    - w_pressure * pressure_cost_ij - w_risk * sanction_risk_ij + w_dom * [i = j, capacity_i > 0]``.

    Args:
        static: :func:`static_utility` if already computed (it is cached between events).
    """
    if static is None:
        static = static_utility(
            cost_effectiveness=cost_effectiveness, capability=capability, affinity=affinity, p=p
        )
    f = np.float64
    return _utility(
        np.asarray(static, f),
        np.asarray(reliability, f),
        np.asarray(stock_share, f),
        np.asarray(licensed, f),
        np.asarray(has_capacity, np.bool_),
        np.asarray(pressure_cost, f),
        np.asarray(sanction_risk, f),
        p.weight_reliability,
        p.weight_path,
        p.weight_tech_transfer,
        p.weight_pressure,
        p.weight_sanction_risk,
        p.weight_domestic,
    )


@inline
def _available(own, exports, capacity, licensed, affinity, embargo, min_affinity):
    """Whether an importer can buy from a supplier (:func:`availability`), from the pair's
    values: ``own`` (the supplier is the importer), the supplier's ``exports`` and
    ``capacity``, the pair's ``licensed``, ``affinity`` and ``embargo``."""
    sells = capacity > 0 and (exports or own)
    return (sells or licensed > 0) and affinity >= min_affinity and not embargo


@jit
def _availability(exports, capacity, licensed, affinity, embargo, min_affinity):
    n = exports.shape[0]
    ok = np.zeros((n, n), dtype=np.bool_)
    for i in range(n):
        for j in range(n):
            ok[i, j] = _available(
                i == j,
                exports[j],
                capacity[j],
                licensed[i, j],
                affinity[i, j],
                embargo[i, j],
                min_affinity,
            )
    return ok


def availability(
    exports: np.ndarray,
    capacity: np.ndarray,
    licensed: np.ndarray,
    affinity: np.ndarray,
    embargo: np.ndarray,
    min_affinity: float,
) -> np.ndarray:
    """Whether importer i can buy from supplier j (importer x supplier, bool).

    j must export (or be i itself) with capacity, or run a licensed line in i; affinity must be
    at least ``min_affinity``; no embargo between them.
    """
    f = np.float64
    return _availability(
        np.asarray(exports, np.bool_),
        np.asarray(capacity, f),
        np.asarray(licensed, f),
        np.asarray(affinity, f),
        np.asarray(embargo, np.bool_),
        float(min_affinity),
    )


@jit
def _logit(u, precision, available):
    n, m = u.shape
    out = np.zeros((n, m))
    for i in range(n):
        zmax = -np.inf
        for j in range(m):
            if available[i, j]:
                z = precision[i] * u[i, j]
                if z > zmax:
                    zmax = z
        if zmax == -np.inf:
            continue
        tot = 0.0
        for j in range(m):
            if available[i, j]:
                e = np.exp(precision[i] * u[i, j] - zmax)
                out[i, j] = e
                tot += e
        for j in range(m):
            out[i, j] /= tot
    return out


def logit_shares(u: np.ndarray, precision: np.ndarray, available: np.ndarray) -> np.ndarray:
    """Multinomial logit shares per importer: ``exp(b_i u_ij) / sum_k exp(b_i u_ik)``.

    Args:
        u: importer x supplier utilities.
        precision: (n,) inverse temperature per importer (0: equal split).
        available: bool mask; unavailable suppliers get share 0.

    Returns:
        Rows summing to 1 (or 0 where nothing is available).
    """
    return _logit(
        np.asarray(u, np.float64),
        np.asarray(precision, np.float64),
        np.asarray(available, np.bool_),
    )


@jit
def _place_orders(pipeline, t, orders, lead_steps, span):
    L = pipeline.shape[0]
    n, m = orders.shape
    for j in range(m):
        first = (t + lead_steps[j]) % L
        for i in range(n):
            part = orders[i, j] / span
            # the ring buffer's slots (t + lead + s) % L, s < span, without a division each
            slot = first
            for _ in range(span):
                pipeline[slot, i, j] += part
                slot = slot + 1 if slot + 1 < L else 0


def place_orders(
    pipeline: np.ndarray, t: int, orders: np.ndarray, lead_steps: np.ndarray, span: int = 1
) -> None:
    """Add ``orders`` (importer x supplier) to the ring-buffer pipeline: each is delivered in
    ``span`` equal parts, the first after the supplier's lead (``lead_steps + span <=`` the
    pipeline's length)."""
    _place_orders(
        pipeline,
        int(t),
        np.asarray(orders, np.float64),
        np.asarray(lead_steps, np.int64),
        int(span),
    )


@inline
def _deliver_column(due, j, usable, licensed, licensed_scale, out):
    """Column ``j`` of :func:`_deliver` into ``out``: ``usable`` is the supplier's capacity
    times reliability this step, ``licensed * licensed_scale`` the local lines' capacity."""
    n = due.shape[0]
    demand = 0.0
    for i in range(n):
        local = min(due[i, j], licensed[i, j] * licensed_scale)
        out[i, j] = local
        demand += due[i, j] - local
    frac = min(1.0, usable / demand) if demand > 0 else 1.0
    for i in range(n):
        out[i, j] += (due[i, j] - out[i, j]) * frac


@jit
def _deliver(due, capacity_step, reliability, licensed_step):
    out = np.empty(due.shape)
    for j in range(due.shape[1]):
        _deliver_column(due, j, capacity_step[j] * reliability[j], licensed_step, 1.0, out)
    return out


def deliver(
    due: np.ndarray, capacity_step: np.ndarray, reliability: np.ndarray, licensed_step: np.ndarray
) -> np.ndarray:
    """Deliveries this step (importer x supplier) from what is due, rationed by capacity.

    Licensed local lines deliver first (up to their own capacity); the rest of what is due from
    supplier j, its own forces included, gets ``min(1, capacity_j * reliability_j / due_j)``.
    """
    f = np.float64
    return _deliver(
        np.asarray(due, f),
        np.asarray(capacity_step, f),
        np.asarray(reliability, f),
        np.asarray(licensed_step, f),
    )


class ProcurementInputs(NamedTuple):
    """What the procurement mechanism reads and writes (the world's own arrays; ``licensed``,
    ``capacity_base``, ``pipeline``, ``backlog``, ``deliveries``, ``stock`` and ``fill_rate`` are
    updated in place).

    Attributes:
        u_static: importer x supplier utility that changes only with events
            (:func:`static_utility`).
        base_precision: (n,) logit precision before policies: ``choice_precision * (1 -
            diversification_effect * diversification)``.
        patrons: bool state x power (:func:`sim.model.patron_matrix`).
        risk: importer x supplier secondary-sanctions risk (written by the sanctions step).
        embargo: bool importer x supplier arms embargo.
        ramp_step: share of a licensed line's target capacity added per step.
        dl_producer, dl_licensor, dl_capacity, dl_step: the run's production deals (each
            adds its line to ``licensed_target`` at its step, US$ bn/yr).
        dt: step length, years; invest_yield: ``autarky_capacity_yield``.
        alpha_capacity, backlog_keep, stock_keep: per-step weights of
            ``capacity_adjustment``, ``backlog_cancellation``, ``stock_depreciation``.
        w_rel .. w_aff, choice_noise, min_affinity: the ``weight_*``, ``choice_noise`` and
            ``min_affinity_for_arms`` parameters.
        attitude: importer x supplier goodwill or resentment (:mod:`sim.rules.pressure`),
            added to utility like affinity (times ``weight_affinity``).
    """

    u_static: np.ndarray
    reliability_base: np.ndarray
    reliability: np.ndarray
    fill_rate: np.ndarray
    stock: np.ndarray
    capacity: np.ndarray
    capability: np.ndarray
    capacity_base: np.ndarray
    exports: np.ndarray
    affinity: np.ndarray
    patrons: np.ndarray
    diversification: np.ndarray
    pressure: np.ndarray
    risk: np.ndarray
    licensed: np.ndarray
    licensed_target: np.ndarray
    ramp_step: float
    dl_producer: np.ndarray
    dl_licensor: np.ndarray
    dl_capacity: np.ndarray
    dl_step: np.ndarray
    base_precision: np.ndarray
    embargo: np.ndarray
    min_affinity: float
    pipeline: np.ndarray
    scheduled: np.ndarray
    war_share: np.ndarray
    lead_steps: np.ndarray
    span_steps: int
    backlog: np.ndarray
    deliveries: np.ndarray
    budget: np.ndarray
    dt: float
    invest_yield: float
    alpha_capacity: float
    backlog_keep: float
    stock_keep: float
    w_rel: float
    w_path: float
    w_tech: float
    w_press: float
    w_risk: float
    w_dom: float
    w_aff: float
    attitude: np.ndarray
    choice_noise: float


def pack(
    w,
    p,
    *,
    u_static: np.ndarray,
    base_precision: np.ndarray,
    patrons: np.ndarray,
    risk: np.ndarray,
    embargo: np.ndarray,
) -> ProcurementInputs:
    """The procurement mechanism's inputs from world ``w`` and parameters ``p``."""
    dt = float(w.axis.dt)
    f = float
    return ProcurementInputs(
        u_static=u_static,
        reliability_base=w.reliability_base,
        reliability=w.reliability,
        fill_rate=w.fill_rate,
        stock=w.stock,
        capacity=w.capacity,
        capability=w.capability,
        capacity_base=w.capacity_base,
        exports=w.exports,
        affinity=w.affinity,
        patrons=patrons,
        diversification=w.diversification,
        pressure=w.pressure,
        risk=risk,
        licensed=w.licensed,
        licensed_target=w.licensed_target,
        ramp_step=min(1.0, dt / p.licence_ramp),
        dl_producer=np.array([d.producer for d in w.deals], dtype=np.int64),
        dl_licensor=np.array([d.licensor for d in w.deals], dtype=np.int64),
        dl_capacity=np.array([d.capacity for d in w.deals], dtype=np.float64),
        dl_step=np.array([d.step for d in w.deals], dtype=np.int64),
        base_precision=base_precision,
        embargo=embargo,
        min_affinity=f(p.min_affinity_for_arms),
        pipeline=w.pipeline,
        scheduled=w.scheduled,
        war_share=w.war_share,
        lead_steps=w.lead_steps,
        span_steps=int(w.span_steps),
        backlog=w.backlog,
        deliveries=w.deliveries,
        budget=w.budget,
        dt=dt,
        invest_yield=f(p.autarky_capacity_yield),
        alpha_capacity=lag_weight(p.capacity_adjustment, dt),
        backlog_keep=math.exp(-p.backlog_cancellation * dt),
        stock_keep=math.exp(-p.stock_depreciation * dt),
        w_rel=f(p.weight_reliability),
        w_path=f(p.weight_path),
        w_tech=f(p.weight_tech_transfer),
        w_press=f(p.weight_pressure),
        w_risk=f(p.weight_sanction_risk),
        w_dom=f(p.weight_domestic),
        w_aff=f(p.weight_affinity),
        attitude=w.attitude,
        choice_noise=f(p.choice_noise),
    )


@inline
def _invest(x, pol, i):
    """What state ``i`` invests at home per year (its policy's share of its arms budget); the
    rest of the budget it spends on procurement."""
    return pol.invest[i] * x.budget[i]


@inline
def _choose_into(x, pol, normal, friend, foe, out):
    """The shares of :func:`_choose`, written into ``out`` (importer x supplier), which holds
    the utilities on the way. Row by row, without temporary arrays: each importer's utilities
    (:func:`utility`, the stock shares and pressure costs computed in place), plus noise and
    attitude, the policies' adjustments, then the logit (:func:`logit_shares`) over the
    suppliers available to it, in the operations and order of the vectorised forms."""
    n, m = out.shape
    stock, pressure, licensed, affinity = x.stock, x.pressure, x.licensed, x.affinity
    exports, capacity, embargo = x.exports, x.capacity, x.embargo
    for i in range(n):
        stock_total = max(_row_sum(stock, i), SHARE_FLOOR)  # as _shares(stock)
        pressure_i = _pressure_on(pressure, i)
        for j in range(m):
            cost = pressure_i - pressure[j, i] if j != i else 0.0  # as _pressure_cost
            u = _utility_of(
                x.u_static[i, j],
                x.reliability_base[j] * x.fill_rate[j],
                stock[i, j] / stock_total,
                licensed[i, j],
                cost,
                x.risk[i, j],
                x.w_rel,
                x.w_path,
                x.w_tech,
                x.w_press,
                x.w_risk,
            )
            if j == i and capacity[i] > 0:
                u += x.w_dom
            out[i, j] = u + (x.choice_noise * normal[i, j] + x.w_aff * x.attitude[i, j])
    _adjust(out, pol, x.diversification, stock, affinity, friend, foe, True)
    for i in range(n):
        # the logit of _logit, availability tested in place
        b = x.base_precision[i] * pol.precision[i]
        zmax = -np.inf
        for j in range(m):
            if _available(
                i == j,
                exports[j],
                capacity[j],
                licensed[i, j],
                affinity[i, j],
                embargo[i, j],
                x.min_affinity,
            ):
                z = b * out[i, j]
                if z > zmax:
                    zmax = z
        tot = 0.0
        for j in range(m):
            e = 0.0
            if zmax != -np.inf and _available(
                i == j,
                exports[j],
                capacity[j],
                licensed[i, j],
                affinity[i, j],
                embargo[i, j],
                x.min_affinity,
            ):
                e = np.exp(b * out[i, j] - zmax)
                tot += e
            out[i, j] = e
        if zmax != -np.inf:
            for j in range(m):
                out[i, j] /= tot


@jit
def _choose(x, pol, normal, friend, foe):
    """Supplier choice of every importer this step: the utilities, the policies' adjustments
    and the logit over available suppliers. Returns the shares (importer x supplier), what
    each state spends on imports and what it invests at home (per year)."""
    n = x.stock.shape[0]
    shares = np.empty((n, n))
    _choose_into(x, pol, normal, friend, foe, shares)
    spend = np.empty(n)
    invest = np.empty(n)
    for i in range(n):
        invest[i] = _invest(x, pol, i)
        spend[i] = x.budget[i] - invest[i]
    return shares, spend, invest


SEED_ITERATIONS = 30
SEED_TOLERANCE = 1e-3
"""Damped iterations of the set-up's fixed point between fill rates and the choice: at most
``SEED_ITERATIONS``, stopping once no fill rate moves by ``SEED_TOLERANCE`` (the baseline
stops after about 8)."""


@jit
def _seed_orders(x, pol, friend, foe):
    """Set-up: the orders placed before the run. Each importer is taken to have ordered, in
    every period of each supplier's lead time before the start, what it chooses at the start
    (its first period's choice without noise), so deliveries continue the choice the model
    makes rather than jumping from a seeded mix to it (issue "after 2022": no start-up jump)."""
    n = x.stock.shape[0]
    # A supplier whose usable capacity U falls short of the orders D starts with the fill rate
    # U / D it would have had all along, and the choice with that fill rate (a fixed point,
    # found by damped iteration: fill rates enter the utilities through reliability).
    demand = np.zeros(n)
    shares, spend, _ = _choose(x, pol, np.zeros((n, n)), friend, foe)
    for _ in range(SEED_ITERATIONS):
        moved = 0.0
        for j in range(n):
            demand[j] = 0.0
            for i in range(n):
                demand[j] += spend[i] * x.dt * shares[i, j]
            usable = x.capacity[j] * x.dt * x.reliability[j]
            f = min(1.0, usable / demand[j]) if demand[j] > 1e-12 else 1.0
            new = 0.5 * (x.fill_rate[j] + f)
            moved = max(moved, abs(new - x.fill_rate[j]))
            x.fill_rate[j] = new
        if moved < SEED_TOLERANCE:
            break
        shares, spend, _ = _choose(x, pol, np.zeros((n, n)), friend, foe)
    # and the backlog B = keep * (D - U) / (1 - keep) per step at which cancellation removes
    # what capacity leaves undelivered
    keep = x.backlog_keep
    for j in range(n):
        usable = x.capacity[j] * x.dt * x.reliability[j]
        if demand[j] > usable and keep < 1.0:
            short = keep * (demand[j] - usable) / (1.0 - keep)
            for i in range(n):
                x.backlog[i, j] = short * spend[i] * x.dt * shares[i, j] / demand[j]
    L = x.pipeline.shape[0]
    span = x.span_steps
    x.pipeline[...] = 0.0
    for j in range(n):
        lead = x.lead_steps[j]
        # due at step k: the parts of orders placed at k - lead - s (s < span) before the start
        for k in range(lead + span - 1):
            before = span - max(0, k - lead + 1)
            for i in range(n):
                x.pipeline[k % L, i, j] = spend[i] * x.dt * shares[i, j] * before / span


@inline
def _settle(t, x, pol):
    """Orders, rationed deliveries, backlog, stock and fill rates of period ``t``, in place.

    On entry ``x.deliveries`` holds this step's supplier shares; they become the orders (each
    importer's procurement budget for the step, less what is already scheduled, split by the
    shares) and go into the pipeline; ``x.deliveries`` then receives the step's deliveries.
    While they are rationed, ``x.backlog`` holds what falls due (fresh orders plus backlog)."""
    n, m = x.deliveries.shape
    scheduled = x.scheduled[t]
    orders = x.deliveries
    for i in range(n):
        spend = x.budget[i] - _invest(x, pol, i)
        b = max(0.0, spend * x.dt - _row_sum(scheduled, i))
        for j in range(m):
            orders[i, j] = b * orders[i, j]
    _place_orders(x.pipeline, t, orders, x.lead_steps, x.span_steps)
    fresh = x.pipeline[t % x.pipeline.shape[0]]  # falls due now (besides ``scheduled``)
    due = x.backlog
    for i in range(n):
        for j in range(m):
            due[i, j] = (fresh[i, j] + scheduled[i, j]) + due[i, j]
    got = x.deliveries
    for j in range(m):
        # capacity left to orders after a war's own consumption
        free = x.capacity[j] * x.dt * (1.0 - min(1.0, x.war_share[t, j]))
        _deliver_column(due, j, free * x.reliability[j], x.licensed, x.dt, got)
        # the fill rate compares deliveries with what fell due this step (not with the
        # backlog too, which would make it depend on the step's length)
        d = 0.0
        g = 0.0
        for i in range(n):
            d += fresh[i, j] + scheduled[i, j]
            g += got[i, j]
        f = min(1.0, g / d) if d > 1e-12 else 1.0
        x.fill_rate[j] += x.alpha_capacity * (f - x.fill_rate[j])
        for i in range(n):
            x.backlog[i, j] = (due[i, j] - got[i, j]) * x.backlog_keep
            x.stock[i, j] = x.stock[i, j] * x.stock_keep + got[i, j]
    fresh[:, :] = 0.0


@inline
def _procure(t, x, pol, normal, friend, foe):
    """Step 3: this step's production deals add their lines; licensed lines ramp up; the
    supplier choice (:func:`_choose`); domestic investment out of the budget; orders,
    rationed deliveries, stock (:func:`_settle`)."""
    n = x.stock.shape[0]
    for k in range(x.dl_step.shape[0]):
        if x.dl_step[k] == t:
            x.licensed_target[x.dl_producer[k], x.dl_licensor[k]] += x.dl_capacity[k]
    for i in range(n):
        for j in range(n):
            x.licensed[i, j] = min(
                x.licensed_target[i, j], x.licensed[i, j] + x.licensed_target[i, j] * x.ramp_step
            )
    _choose_into(x, pol, normal, friend, foe, x.deliveries)  # the shares, until _settle
    for i in range(n):
        x.capacity_base[i] += x.invest_yield * _invest(x, pol, i) * x.dt
    _settle(t, x, pol)


def procure(
    x: ProcurementInputs,
    pol: PolicyArrays,
    t: int,
    normal: np.ndarray,
    friend: np.ndarray,
    foe: np.ndarray,
) -> None:
    """Step 3 of period ``t``, in place (see :func:`_procure`): ``normal`` is the step's
    standard normal draw per importer x supplier (scaled by ``choice_noise``); ``friend`` and
    ``foe`` come from :func:`sim.rules.choice.targets`."""
    _procure(
        int(t),
        x,
        pol,
        np.asarray(normal, np.float64),
        np.asarray(friend, np.int64),
        np.asarray(foe, np.int64),
    )
