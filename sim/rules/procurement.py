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
from sim.rules.common import _shares, jit, lag_weight


@jit
def _pressure_cost(pressure: np.ndarray) -> np.ndarray:
    n = pressure.shape[0]
    cost = np.zeros((n, n))
    for i in range(n):
        total = 0.0
        for k in range(n):
            total += pressure[k, i]
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
            x = static[i, j] + w_rel * reliability[j] + w_path * stock_share[i, j]
            if licensed[i, j] > 0:
                x += w_tech
            x -= w_press * pressure_cost[i, j] + w_risk * risk[i, j]
            u[i, j] = x
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


@jit
def _availability(exports, capacity, licensed, affinity, embargo, min_affinity):
    n = exports.shape[0]
    ok = np.zeros((n, n), dtype=np.bool_)
    for i in range(n):
        for j in range(n):
            sells = capacity[j] > 0 and (exports[j] or i == j)
            ok[i, j] = (
                (sells or licensed[i, j] > 0)
                and affinity[i, j] >= min_affinity
                and not embargo[i, j]
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
        for s in range(span):
            slot = (t + lead_steps[j] + s) % L
            for i in range(n):
                pipeline[slot, i, j] += orders[i, j] / span


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


@jit
def _deliver(due, capacity_step, reliability, licensed_step):
    n, m = due.shape
    out = np.empty((n, m))
    for j in range(m):
        demand = 0.0
        for i in range(n):
            local = min(due[i, j], licensed_step[i, j])
            out[i, j] = local
            demand += due[i, j] - local
        usable = capacity_step[j] * reliability[j]
        frac = min(1.0, usable / demand) if demand > 0 else 1.0
        for i in range(n):
            out[i, j] += (due[i, j] - out[i, j]) * frac
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


@jit
def _settle(
    pipeline,
    t,
    shares,
    budget_step,
    scheduled,
    lead_steps,
    span,
    backlog,
    capacity_step,
    reliability,
    licensed_step,
    fill_rate,
    alpha_fill,
    backlog_keep,
    stock,
    stock_keep,
):
    n, m = shares.shape
    orders = np.empty((n, m))
    for i in range(n):
        committed = 0.0
        for j in range(m):
            committed += scheduled[i, j]
        b = max(0.0, budget_step[i] - committed)
        for j in range(m):
            orders[i, j] = b * shares[i, j]
    _place_orders(pipeline, t, orders, lead_steps, span)
    slot = t % pipeline.shape[0]
    fresh = pipeline[slot] + scheduled
    due = fresh + backlog
    pipeline[slot, :, :] = 0.0
    got = _deliver(due, capacity_step, reliability, licensed_step)
    new_fill = fill_rate.copy()
    for j in range(m):
        # the fill rate compares deliveries with what fell due this step (not with the
        # backlog too, which would make it depend on the step's length)
        d = 0.0
        g = 0.0
        for i in range(n):
            d += fresh[i, j]
            g += got[i, j]
        f = min(1.0, g / d) if d > 1e-12 else 1.0
        new_fill[j] += alpha_fill * (f - fill_rate[j])
    return got, (due - got) * backlog_keep, stock * stock_keep + got, new_fill


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


@jit
def _choose(x, pol, normal, friend, foe):
    """Supplier choice of every importer this step: the utilities, the policies' adjustments
    and the logit over available suppliers. Returns the shares (importer x supplier), what
    each state spends on imports and what it invests at home (per year)."""
    n = x.stock.shape[0]
    stock_share = _shares(x.stock)
    u = _utility(
        x.u_static,
        x.reliability_base * x.fill_rate,
        stock_share,
        x.licensed,
        x.capacity > 0,
        _pressure_cost(x.pressure),
        x.risk,
        x.w_rel,
        x.w_path,
        x.w_tech,
        x.w_press,
        x.w_risk,
        x.w_dom,
    )
    u += x.choice_noise * normal + x.w_aff * x.attitude
    _adjust(u, pol, x.diversification, stock_share, x.affinity, friend, foe)
    spend = np.empty(n)
    invest = np.empty(n)
    precision = np.empty(n)
    for i in range(n):
        invest[i] = pol.invest[i] * x.budget[i]
        spend[i] = x.budget[i] - invest[i]
        precision[i] = x.base_precision[i] * pol.precision[i]
    avail = _availability(x.exports, x.capacity, x.licensed, x.affinity, x.embargo, x.min_affinity)
    return _logit(u, precision, avail), spend, invest


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


@jit
def _procure(t, x, pol, normal, friend, foe):
    """Step 3: licensed lines ramp up; the supplier choice (:func:`_choose`); domestic
    investment out of the budget; orders, rationed deliveries, stock."""
    n = x.stock.shape[0]
    for i in range(n):
        for j in range(n):
            x.licensed[i, j] = min(
                x.licensed_target[i, j], x.licensed[i, j] + x.licensed_target[i, j] * x.ramp_step
            )
    shares, spend, invest = _choose(x, pol, normal, friend, foe)
    free = np.empty(n)  # capacity left to orders after a war's own consumption
    for i in range(n):
        x.capacity_base[i] += x.invest_yield * invest[i] * x.dt
        free[i] = x.capacity[i] * x.dt * (1.0 - min(1.0, x.war_share[t, i]))
    got, bl, st, fr = _settle(
        x.pipeline,
        t,
        shares,
        spend * x.dt,
        x.scheduled[t],
        x.lead_steps,
        x.span_steps,
        x.backlog,
        free,
        x.reliability,
        x.licensed * x.dt,
        x.fill_rate,
        x.alpha_capacity,
        x.backlog_keep,
        x.stock,
        x.stock_keep,
    )
    x.deliveries[...] = got
    x.backlog[...] = bl
    x.stock[...] = st
    x.fill_rate[:] = fr


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
