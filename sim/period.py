"""One period of every rule, compiled as one function (steps 2 to 7 of the model's order).

The model fires events in Python, then calls :func:`advance` once a step with that step's random
draws (:mod:`sim.draws`). ``advance`` composes the compiled kernels behind the rules' Python faces
(:mod:`sim.rules`) and the strategies' coefficient table (:mod:`sim.strategies`) in the
documented order and hands arrays from one to the next; it holds no behaviour of its own, and
each rule keeps its own face and tests. Fusing them matters for small worlds: called one by one
from Python, ~25 kernels a step cost more in call overhead than in arithmetic.

World arrays are updated in place (the model never rebinds them between events), and the
recorder's blocks are written at row ``t``.

Arguments are grouped as the model packs them (:meth:`MultivectorModel._pack`):
the step ``t`` and its draws, whether this is the set-up call, then threat,
procurement, sanctions, pressure and trade inputs, then the recorder's blocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

from sim.recorder import PAIR_RAW, STATE_RAW
from sim.rules.common import _shares, jit
from sim.rules.pressure import _pressure_target, _rival_trade_cost, _trade_friction
from sim.rules.procurement import _availability, _logit, _pressure_cost, _settle, _utility
from sim.rules.sanctions import (
    _capacity_response, _effects, _regime_compliance, _reroute, _trade_cut, _affinity_to,
)
from sim.rules.threat import _shocks, _threat_and_budget
from sim.rules.trade import _grow
from sim.strategies import INVEST, _adjust, _comply, _targets
from sim.world import SanctionRegime

# rows of the recorder's blocks
ARMS_SHARE, TRADE_SHARE, DELIVERIES, TRADE, COMPLIANCE, PRESSURE = (
    PAIR_RAW.index(k) for k in ("arms_share", "trade_share", "deliveries", "trade", "compliance",
                                "pressure"))
BUDGET, CAPACITY, RELIABILITY, INPUT_LOSS, THREAT = (
    STATE_RAW.index(k) for k in ("arms_budget", "capacity", "reliability", "input_loss", "threat"))


@dataclass(frozen=True)
class Regimes:
    """The sanctions regimes in force, as arrays for the period.

    Regimes with the same target and senders share one compliance decision, at the strongest
    secondary threat among them (``target``, ``senders``, ``secondary``, ``affinity_s``: one
    row each). Intensities per target are the maxima over the regimes on it, per scope.
    """

    target: np.ndarray               # (R,) int
    senders: np.ndarray              # (R, n) bool
    secondary: np.ndarray            # (R,)
    affinity_s: np.ndarray           # (R, n) mean affinity of each state to the senders
    arms: np.ndarray                 # (n,) intensity of arms-scope sanctions on each target
    technology: np.ndarray           # (n,)
    finance: np.ndarray              # (n,)
    trade: np.ndarray                # (n,)
    secondary_by_target: np.ndarray  # (n,) strongest secondary threat on each target
    embargo: np.ndarray              # (n, n) bool: arms embargo between senders and target
    senders_any: np.ndarray          # (n,) bool: sends at least one regime


SCOPES: tuple[str, ...] = ("arms", "technology", "finance", "trade")


def regimes_in_force(sanctions: Iterable[SanctionRegime], affinity: np.ndarray) -> Regimes:
    """Aggregate the active regimes (see :class:`Regimes`)."""
    n = affinity.shape[0]
    active = [r for r in sanctions if r.active]
    k = len(active)
    arrays = _aggregate(
        np.array([r.target for r in active], dtype=np.int64),
        np.array([r.senders for r in active], dtype=np.bool_).reshape(k, n),
        np.array([r.intensity for r in active], dtype=np.float64),
        np.array([r.secondary for r in active], dtype=np.float64),
        np.array([[s in r.scope for s in SCOPES] for r in active], dtype=np.bool_).reshape(k, 4),
        np.asarray(affinity, np.float64))
    return Regimes(*arrays)


@jit
def _aggregate(target, senders, intensity, secondary, scope, affinity):
    k, n = senders.shape
    # one compliance decision per (target, senders), at the strongest secondary threat
    first = np.full(k, -1, dtype=np.int64)
    m = 0
    for r in range(k):
        for q in range(r):
            if first[q] == q and target[q] == target[r] and (senders[q] == senders[r]).all():
                first[r] = q
                break
        if first[r] < 0:
            first[r] = r
            m += 1
    keep = np.flatnonzero(first == np.arange(k))
    sec = secondary[keep].copy()
    for r in range(k):
        for z in range(m):
            if keep[z] == first[r]:
                sec[z] = max(sec[z], secondary[r])
    aff_s = np.empty((m, n))
    for z in range(m):
        aff_s[z] = _affinity_to(affinity, senders[keep[z]])
    by_scope = np.zeros((4, n))
    sec_target = np.zeros(n)
    embargo = np.zeros((n, n), dtype=np.bool_)
    senders_any = np.zeros(n, dtype=np.bool_)
    for r in range(k):
        tg = target[r]
        sec_target[tg] = max(sec_target[tg], secondary[r])
        for c in range(4):
            if scope[r, c]:
                by_scope[c, tg] = max(by_scope[c, tg], intensity[r])
        for j in range(n):
            if senders[r, j]:
                senders_any[j] = True
                if scope[r, 0]:  # arms
                    embargo[j, tg] = True
                    embargo[tg, j] = True
    return (target[keep].copy(), senders[keep].copy(), sec, aff_s, by_scope[0].copy(),
            by_scope[1].copy(), by_scope[2].copy(), by_scope[3].copy(), sec_target, embargo,
            senders_any)


@jit
def _lag(x, target, alpha):
    """In place: ``x += alpha * (target - x)`` (one step of a first-order lag)."""
    x[...] = x + alpha * (target - x)


@jit
def _sanctions(first, rows, coef, friend, reg_target, reg_senders, reg_secondary, reg_aff_s,
               trade, other_trade, affinity, compliance, alpha_compliance,
               w_e, w_s, w_t, w_a, threshold, steepness,
               input_sources, has_inputs, tech_int, fin_int, arms_int, secondary,
               input_loss, risk, capacity_base, growth_keep, capacity, reliability,
               reliability_base, cap_effect, rel_effect, alpha_capacity):
    """Step 4: compliance with each regime (strategies spare what they follow), its effects on
    the targets, and capacity and reliability relaxing to their sanctioned levels."""
    n = trade.shape[0]
    R = reg_target.shape[0]
    if R == 0 and not compliance.any():
        if not first:
            capacity_base *= growth_keep
            cap, rel = _capacity_response(capacity_base, capacity, reliability, reliability_base,
                                          np.zeros(n), np.zeros(n), cap_effect, rel_effect,
                                          alpha_capacity)
            capacity[:] = cap
            reliability[:] = rel
        risk[...] = 0.0
        return
    c_target = np.zeros((n, n))
    expo = np.zeros((n, n))
    total = trade.sum(axis=1) + other_trade
    for r in range(R):
        tg = reg_target[r]
        c, e = _regime_compliance(trade, total, reg_senders[r], tg, reg_aff_s[r], affinity,
                                  reg_secondary[r], w_e, w_s, w_t, w_a, threshold, steepness)
        _comply(c, rows, tg, coef, friend)
        for k in range(n):
            c_target[k, tg] = max(c_target[k, tg], c[k])
            expo[k, tg] = max(expo[k, tg], e[k])
    if first:
        compliance[...] = c_target
    else:
        _lag(compliance, c_target, alpha_compliance)
    loss, fin, rk = _effects(compliance, trade, input_sources, has_inputs, tech_int, fin_int,
                             arms_int, secondary, expo)
    input_loss[:] = loss
    risk[...] = rk
    if not first:
        capacity_base *= growth_keep
        cap, rel = _capacity_response(capacity_base, capacity, reliability, reliability_base,
                                      loss, fin, cap_effect, rel_effect, alpha_capacity)
        capacity[:] = cap
        reliability[:] = rel


@jit
def _procure(t, noise, friend, foe, rows, coef, u_static, reliability_base, reliability, fill_rate,
             stock, capacity, capacity_base, exports, affinity, diversification, pressure, risk,
             licensed, licensed_target, ramp_step, precision, embargo, min_affinity, pipeline,
             scheduled, lead_steps, backlog, deliveries, budget, dt, invest_yield, alpha_capacity,
             backlog_keep, stock_keep, w_rel, w_path, w_tech, w_press, w_risk, w_dom):
    """Step 3: licensed lines ramp up; utilities, strategy adjustments and the logit choice;
    autarky investment out of the budget; orders, rationed deliveries, stock."""
    n = stock.shape[0]
    for i in range(n):
        for j in range(n):
            licensed[i, j] = min(licensed_target[i, j],
                                 licensed[i, j] + licensed_target[i, j] * ramp_step)
    stock_share = _shares(stock)
    u = _utility(u_static, reliability_base * fill_rate, stock_share, licensed, capacity > 0,
                 _pressure_cost(pressure), risk, w_rel, w_path, w_tech, w_press, w_risk, w_dom)
    u += noise
    _adjust(u, rows, coef, diversification, stock_share, affinity, friend, foe)
    spend = np.empty(n)
    for i in range(n):
        invest = coef[i, INVEST] * budget[i]
        capacity_base[i] += invest_yield * invest * dt
        spend[i] = budget[i] - invest
    avail = _availability(exports, capacity, licensed, affinity, embargo, min_affinity)
    shares = _logit(u, precision, avail)
    got, bl, st, fr = _settle(pipeline, t, shares, spend * dt, scheduled[t], lead_steps, backlog,
                              capacity * dt, reliability, licensed * dt, fill_rate,
                              alpha_capacity, backlog_keep, stock, stock_keep)
    deliveries[...] = got
    backlog[...] = bl
    stock[...] = st
    fill_rate[:] = fr


@jit
def advance(
    t, uniform, exponential, normal, row, first,
    # threat (step 2)
    shock_chance, shock_size, shock_steps, base_threat, threat_extra, rivalry, guarantee,
    guarantee_extra, base_budget, budget_ref, threat, budget, reaction, reassurance, max_threat,
    elasticity, alpha_budget,
    # procurement (step 3)
    rows, coef, u_static, reliability_base, reliability, fill_rate, stock, capacity, capability,
    capacity_base, exports, affinity, patrons, use_patrons, diversification, pressure, risk,
    licensed, licensed_target, ramp_step, precision, embargo, min_affinity, pipeline, scheduled,
    lead_steps, backlog, deliveries, dt, invest_yield, alpha_capacity, backlog_keep, stock_keep,
    w_rel, w_path, w_tech, w_press, w_risk, w_dom, choice_noise,
    # sanctions (step 4)
    reg_target, reg_senders, reg_secondary, reg_aff_s, trade, other_trade, compliance,
    alpha_compliance, w_e, w_s, w_t, w_a, threshold, steepness, input_sources, has_inputs,
    tech_int, fin_int, arms_int, secondary, input_loss, growth_keep, cap_effect, rel_effect,
    # patron response (step 5)
    has_clients, client_mask, ref_patron, ref_rival, capacity_ref, strength, rival_weight,
    restraint, pressure_max, alpha_pressure,
    # trade (step 6)
    trade_potential, trade_factor, ag_a, ag_b, ag_target, ag_due, agreement_pull,
    trade_sanctions, trade_int, trade_cut, senders_any, reroute_share, friction, alpha_trade,
    # record (step 7)
    pairs_out, states_out,
):
    """Steps 2-7 of period ``t`` (see :mod:`sim.model`). With ``first``, only the set-up:
    compliance with the regimes in force at the start, without capacity changes.

    ``uniform``, ``exponential`` and ``normal`` are a block of :class:`sim.draws.Draws`; row
    ``row`` holds this step's."""
    power = capacity * capability
    friend, foe = _targets(rows, coef, power, affinity, exports, patrons, use_patrons, pressure,
                           rivalry)
    if not first:
        # 2. threat and arms budgets (random shocks first)
        _shocks(threat_extra, t, uniform[row], exponential[row], shock_chance, shock_size,
                shock_steps)
        th, bu = _threat_and_budget(base_threat, threat_extra[t], rivalry, budget, budget_ref,
                                    guarantee + guarantee_extra[t], base_budget, reaction,
                                    reassurance, max_threat, elasticity, alpha_budget)
        threat[:] = th
        budget[:] = bu
        # 3. procurement
        _procure(t, choice_noise * normal[row], friend, foe, rows, coef, u_static,
                 reliability_base, reliability, fill_rate, stock, capacity, capacity_base, exports,
                 affinity, diversification, pressure, risk, licensed, licensed_target, ramp_step,
                 precision, embargo, min_affinity, pipeline, scheduled, lead_steps, backlog,
                 deliveries, budget, dt, invest_yield, alpha_capacity, backlog_keep, stock_keep,
                 w_rel, w_path, w_tech, w_press, w_risk, w_dom)

    # 4. sanctions (at set-up: compliance with the regimes in force, nothing else)
    _sanctions(first, rows, coef, friend, reg_target, reg_senders, reg_secondary, reg_aff_s,
               trade, other_trade, affinity, compliance, alpha_compliance,
               w_e, w_s, w_t, w_a, threshold, steepness, input_sources, has_inputs,
               tech_int, fin_int, arms_int, secondary, input_loss, risk, capacity_base,
               growth_keep, capacity, reliability, reliability_base, cap_effect, rel_effect,
               alpha_capacity)
    if first:
        return

    # 5. patron response
    stock_share = _shares(stock)
    if has_clients:
        target = _pressure_target(stock_share, client_mask, ref_patron, ref_rival,
                                  capacity / capacity_ref, trade,
                                  trade.sum(axis=1) + other_trade, strength, rival_weight,
                                  restraint, pressure_max)
        _lag(pressure, target, alpha_pressure)

    # 6. trade
    new = _grow(trade_potential, trade_factor, trade, ag_a, ag_b, ag_target, ag_due, t,
                agreement_pull)
    trade_potential[...] = new
    target = new
    if trade_sanctions:
        cut = _trade_cut(compliance, trade_int, trade_cut)
        target = new * (1.0 - cut) + _reroute(new, cut, compliance, senders_any, reroute_share)
    if has_clients and friction > 0:
        target = target * _trade_friction(_rival_trade_cost(pressure, client_mask), friction)
    _lag(trade, target, alpha_trade)

    # 7. record
    pairs_out[ARMS_SHARE, t] = stock_share
    pairs_out[TRADE_SHARE, t] = _shares(trade)
    pairs_out[DELIVERIES, t] = deliveries
    pairs_out[TRADE, t] = trade
    pairs_out[COMPLIANCE, t] = compliance
    pairs_out[PRESSURE, t] = pressure.T
    states_out[BUDGET, t] = budget
    states_out[CAPACITY, t] = capacity
    states_out[RELIABILITY, t] = reliability
    states_out[INPUT_LOSS, t] = input_loss
    states_out[THREAT, t] = threat
