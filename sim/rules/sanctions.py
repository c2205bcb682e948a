"""Sanctions: third-state compliance, input loss of the target's defence industry, trade cuts.

Compliance follows the sanctions-busting literature (Early 2015, *Busted Sanctions*): a third
state complies as far as its commercial exposure to the senders (and their threat of secondary
sanctions) outweighs its trade dependence on, and political affinity to, the target. Here

    pull_k = w_e * exposure_k * (1 + w_s * secondary) - w_t * dependence_k
             + w_a * (affinity to senders_k - affinity to target_k)
    compliance*_k = logistic(steepness * (pull_k - threshold))

with senders at 1 and the target at 0. Sanctions with a technology scope cut the target's access
to defence-industrial inputs in proportion to the compliant share of its input sources
(trade-weighted where the scenario gives none); that lowers its capacity and delivery
reliability (Connolly 2018 on Russia's defence industry under sanctions).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sim.rules.choice import FOLLOW_CUT, PolicyArrays, _complied
from sim.rules.common import _row_sum, _shares, inline, jit, lag_weight

TOTAL_FLOOR = 1e-300
"""A state's total trade is floored at this where it divides (a state without trade)."""
WEIGHT_FLOOR = 1e-12
"""Row sums of trade are floored at this for the trade weights of :func:`effects`."""

if TYPE_CHECKING:
    from sim.world import SanctionRegime


@jit
def _exposure(trade, total, senders):
    n = trade.shape[0]
    out = np.zeros(n)
    for i in range(n):
        x = 0.0
        for j in range(n):
            if senders[j]:
                x += trade[i, j]
        out[i] = x / max(total[i], TOTAL_FLOOR)
    return out


def exposure(trade: np.ndarray, total: np.ndarray, senders: np.ndarray) -> np.ndarray:
    """(n,) share of each state's total trade that is with the sender coalition.

    Args:
        trade: symmetric bilateral trade among modelled states.
        total: (n,) each state's total trade (modelled partners plus the rest of the world).
        senders: bool (n,) sender coalition.
    """
    return _exposure(
        np.asarray(trade, np.float64), np.asarray(total, np.float64), np.asarray(senders, np.bool_)
    )


def dependence_on(trade: np.ndarray, total: np.ndarray, target: int) -> np.ndarray:
    """(n,) share of each state's total trade that is with ``target``."""
    return trade[:, target] / np.maximum(total, TOTAL_FLOOR)


def affinity_to(affinity: np.ndarray, senders: np.ndarray) -> np.ndarray:
    """(n,) mean political affinity of each state to the sender coalition (itself excluded)."""
    return _affinity_to(np.asarray(affinity, np.float64), np.asarray(senders, np.bool_))


@jit
def _affinity_to(affinity, senders):
    n = affinity.shape[0]
    out = np.zeros(n)
    for i in range(n):
        total = 0.0
        count = 0
        for j in range(n):
            if senders[j] and j != i:
                total += affinity[i, j]
                count += 1
        if count > 0:
            out[i] = total / count
    return out


@inline
def _compliance_of(
    is_target,
    is_sender,
    exposure_s,
    dependence_t,
    affinity_s,
    affinity_t,
    secondary,
    w_e,
    w_s,
    w_t,
    w_a,
    threshold,
    steepness,
):
    """One state's compliance under the economic rule (:func:`compliance_target`)."""
    if is_target:
        return 0.0
    if is_sender:
        return 1.0
    pull = (
        w_e * exposure_s * (1.0 + w_s * secondary)
        - w_t * dependence_t
        + w_a * (affinity_s - affinity_t)
    )
    return 1.0 / (1.0 + np.exp(-steepness * (pull - threshold)))


@jit
def _compliance(
    exposure_s,
    dependence_t,
    affinity_s,
    affinity_t,
    secondary,
    senders,
    target,
    w_e,
    w_s,
    w_t,
    w_a,
    threshold,
    steepness,
):
    n = exposure_s.shape[0]
    c = np.empty(n)
    for k in range(n):
        c[k] = _compliance_of(
            k == target,
            senders[k],
            exposure_s[k],
            dependence_t[k],
            affinity_s[k],
            affinity_t[k],
            secondary,
            w_e,
            w_s,
            w_t,
            w_a,
            threshold,
            steepness,
        )
    return c


def compliance_target(
    exposure_s: np.ndarray,
    dependence_t: np.ndarray,
    affinity_s: np.ndarray,
    affinity_t: np.ndarray,
    secondary: float,
    senders: np.ndarray,
    target: int,
    p,
) -> np.ndarray:
    """(n,) compliance each state would choose with one regime (see module docstring)."""
    f = np.float64
    return _compliance(
        np.asarray(exposure_s, f),
        np.asarray(dependence_t, f),
        np.asarray(affinity_s, f),
        np.asarray(affinity_t, f),
        float(secondary),
        np.asarray(senders, np.bool_),
        int(target),
        p.compliance_exposure_weight,
        p.compliance_secondary_weight,
        p.compliance_target_weight,
        p.compliance_affinity_weight,
        p.compliance_threshold,
        p.compliance_steepness,
    )


def input_loss(
    compliance_t: np.ndarray, input_weights: np.ndarray, intensity
) -> np.ndarray | float:
    """Fraction of a target's defence inputs lost: intensity x compliant share of its sources.

    Works for one target (vectors over sources, scalar intensity) or for all targets at once
    (target x source matrices, intensity per target).

    Args:
        compliance_t: compliance of each source with sanctions on the target (0-1).
        input_weights: shares of the target's inputs by source (sum <= 1).
        intensity: intensity of technology-scope sanctions on the target (0-1).

    Returns:
        Input loss in 0..1 (scalar for one target, (targets,) otherwise).
    """
    return np.minimum(1.0, intensity * (compliance_t * input_weights).sum(axis=-1))


def trade_cut(compliance: np.ndarray, trade_intensity: np.ndarray, cut: float) -> np.ndarray:
    """Symmetric fraction of each pair's trade cut by sanctions (state x target and back).

    Args:
        compliance: state x target compliance.
        trade_intensity: (n,) intensity of trade-scope sanctions on each target (0 if none).
        cut: fraction cut at full intensity and compliance.
    """
    return _trade_cut(
        np.asarray(compliance, np.float64), np.asarray(trade_intensity, np.float64), float(cut)
    )


@jit
def _trade_cut_into(compliance, trade_intensity, cut, out):
    """:func:`trade_cut` written into ``out``."""
    n = compliance.shape[0]
    for i in range(n):
        for j in range(n):
            out[i, j] = max(
                cut * compliance[i, j] * trade_intensity[j],
                cut * compliance[j, i] * trade_intensity[i],
            )


@jit
def _trade_cut(compliance, trade_intensity, cut):
    out = np.empty(compliance.shape)
    _trade_cut_into(compliance, trade_intensity, cut, out)
    return out


@jit
def _is_target(compliance, t):
    """Whether some state complies with sanctions on ``t`` (senders at least do)."""
    for k in range(compliance.shape[0]):  # noqa: SIM110 (numba compiles no generators)
        if compliance[k, t] != 0.0:
            return True
    return False


@jit
def _reroute_into(potential, cut, compliance, senders_any, share, add):
    """:func:`reroute` before its symmetrisation (the result is ``add + add.T``), written
    into ``add``."""
    n = potential.shape[0]
    add[...] = 0.0
    for t in range(n):
        if not _is_target(compliance, t):
            continue
        lost = 0.0
        tot = 0.0
        for k in range(n):
            lost += potential[k, t] * cut[k, t]
            if not senders_any[k]:
                tot += potential[k, t] * (1.0 - compliance[k, t])
        if tot <= 0.0:
            continue
        for k in range(n):
            if not senders_any[k]:
                add[k, t] += potential[k, t] * (1.0 - compliance[k, t]) * lost * share / tot


@jit
def _reroute(potential, cut, compliance, senders_any, share):
    add = np.empty(potential.shape)
    _reroute_into(potential, cut, compliance, senders_any, share, add)
    return add + add.T


@jit
def _circumvent_into(
    potential,
    cut,
    compliance,
    senders_any,
    tolerance,
    customs,
    rate,
    outside,
    margin,
    add,
    reexports,
):
    """:func:`circumvent` written into ``add`` (before its symmetrisation: the addition to
    trade is ``add + add.T``) and ``reexports``."""
    n = potential.shape[0]
    add[...] = 0.0
    reexports[...] = 0.0
    for t in range(n):
        if not _is_target(compliance, t):
            continue
        lost = 0.0
        base = 0.0
        for s in range(n):
            if senders_any[s] and s != t:
                lost += potential[s, t] * cut[s, t]
                base += potential[s, t]
        if lost <= 0.0:
            continue
        # each conduit's re-exports before the cap, kept in the target's column (0 elsewhere)
        total = 0.0
        for c in range(n):
            if c == t or senders_any[c]:
                continue
            access = 1.0 if customs[c, t] else outside
            xc = rate * tolerance[c] * access * potential[c, t] * (1.0 - cut[c, t]) * lost / base
            reexports[c, t] = xc
            total += xc
        scale = min(1.0, lost / total) if total > 0.0 else 0.0
        for c in range(n):
            if reexports[c, t] <= 0.0:
                reexports[c, t] = 0.0
                continue
            xc = reexports[c, t] * scale
            reexports[c, t] = xc
            add[c, t] += xc
            for s in range(n):
                if senders_any[s] and s != t:
                    add[s, c] += xc / (1.0 + margin) * potential[s, t] * cut[s, t] / lost


@jit
def _circumvent(potential, cut, compliance, senders_any, tolerance, customs, rate, outside, margin):
    add = np.empty(potential.shape)
    reexports = np.empty(potential.shape)
    _circumvent_into(
        potential,
        cut,
        compliance,
        senders_any,
        tolerance,
        customs,
        rate,
        outside,
        margin,
        add,
        reexports,
    )
    return add + add.T, reexports


def circumvent(
    potential: np.ndarray,
    cut: np.ndarray,
    compliance: np.ndarray,
    senders_any: np.ndarray,
    tolerance: np.ndarray,
    customs: np.ndarray,
    rate: float,
    outside: float,
    margin: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Trade with sanctions targets routed through conduit states (re-exports).

    For each target t of trade sanctions, a conduit c (neither t nor a sender) re-exports
    ``X_ct = rate * tolerance_c * access_ct * P_ct * (1 - cut_ct) * L_t / P_t`` to it, where
    ``P`` is potential trade, ``L_t`` the target's trade lost with the senders and ``P_t`` its
    potential trade with them (so ``L_t / P_t`` is how much of it the sanctions cut), and
    ``access_ct`` is 1 inside a customs union with the target, ``outside`` otherwise. The
    conduits together carry at most ``L_t``. Both legs are recorded: the conduit's trade with
    the target rises by ``X_ct``, its trade with each sender by ``X_ct / (1 + margin)`` in
    proportion to that sender's lost trade.

    Returns:
        (symmetric addition to trade, conduit x target re-exports), US$ bn/yr.
    """
    f = np.float64
    return _circumvent(
        np.asarray(potential, f),
        np.asarray(cut, f),
        np.asarray(compliance, f),
        np.asarray(senders_any, np.bool_),
        np.asarray(tolerance, f),
        np.asarray(customs, np.bool_),
        float(rate),
        float(outside),
        float(margin),
    )


def reroute(
    potential: np.ndarray,
    cut: np.ndarray,
    compliance: np.ndarray,
    senders_any: np.ndarray,
    share: float,
) -> np.ndarray:
    """Trade of sanctioned targets rerouted to their non-complying partners (symmetric addition).

    The target's lost trade times ``share`` is spread over partners that are not senders, in
    proportion to their trade with it times (1 - compliance). Only columns of sanctioned
    targets (where some state complies, senders at least) lose trade: ``cut`` is symmetric, and a
    sender's or a complier's side of the cut pair must not be rerouted back to the target.
    """
    f = np.float64
    return _reroute(
        np.asarray(potential, f),
        np.asarray(cut, f),
        np.asarray(compliance, f),
        np.asarray(senders_any, np.bool_),
        float(share),
    )


@inline
def _sanctioned(
    capacity, reliability, capacity_base, reliability_base, loss, fin, cap_effect, rel_effect, alpha
):
    """One state's capacity and reliability one lag step towards their levels under an input
    loss ``loss`` and a finance loss ``fin``."""
    cap_target = capacity_base * (1.0 - cap_effect * loss)
    rel_target = reliability_base * (1.0 - rel_effect * min(1.0, loss + fin))
    return capacity + alpha * (cap_target - capacity), reliability + alpha * (
        rel_target - reliability
    )


@jit
def _effects(
    compliance, trade, input_sources, has_inputs, tech_int, fin_int, arms_int, secondary, expo
):
    n = trade.shape[0]
    trade_w = _shares(trade, WEIGHT_FLOOR)
    ct = np.ascontiguousarray(compliance.T)  # target x source
    weights = np.empty((n, n))
    for t in range(n):
        for k in range(n):
            weights[t, k] = input_sources[t, k] if has_inputs[t] else trade_w[t, k]
    loss = np.minimum(1.0, tech_int * (ct * weights).sum(axis=1))
    fin = np.minimum(1.0, fin_int * (ct * trade_w).sum(axis=1))
    risk = np.empty((n, n))
    for i in range(n):
        for t in range(n):
            risk[i, t] = arms_int[t] * min(1.0, compliance[i, t] + secondary[t] * expo[i, t])
    return loss, fin, risk


def effects(
    compliance: np.ndarray,
    trade: np.ndarray,
    input_sources: np.ndarray,
    has_inputs: np.ndarray,
    tech_int: np.ndarray,
    fin_int: np.ndarray,
    arms_int: np.ndarray,
    secondary: np.ndarray,
    exposure: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What the regimes in force do this step, given compliance (state x target).

    * input loss of each target (:func:`input_loss` with its declared input sources, else its
      trade partners' shares), from technology-scope intensity;
    * finance loss of each target (the same over trade shares, finance-scope intensity), which
      with the input loss lowers delivery reliability;
    * secondary-sanctions risk to importer i of buying from target t:
      ``arms_intensity_t * min(1, compliance_it + secondary_t * exposure_it)``.

    Args:
        exposure: state x target exposure to the senders of the regimes on the target.

    Returns:
        (input_loss (n,), finance_loss (n,), risk importer x supplier).
    """
    f = np.float64
    return _effects(
        np.asarray(compliance, f),
        np.asarray(trade, f),
        np.asarray(input_sources, f),
        np.asarray(has_inputs, np.bool_),
        np.asarray(tech_int, f),
        np.asarray(fin_int, f),
        np.asarray(arms_int, f),
        np.asarray(secondary, f),
        np.asarray(exposure, f),
    )


@dataclass(frozen=True)
class Regimes:
    """The sanctions regimes in force, as arrays for the period.

    Regimes with the same target and senders share one compliance decision, at the strongest
    secondary threat among them (``target``, ``senders``, ``secondary``, ``affinity_s``: one
    row each). Intensities per target are the maxima over the regimes on it, per scope.
    """

    target: np.ndarray  # (R,) int
    senders: np.ndarray  # (R, n) bool
    secondary: np.ndarray  # (R,)
    affinity_s: np.ndarray  # (R, n) mean affinity of each state to the senders
    arms: np.ndarray  # (n,) intensity of arms-scope sanctions on each target
    technology: np.ndarray  # (n,)
    finance: np.ndarray  # (n,)
    trade: np.ndarray  # (n,)
    secondary_by_target: np.ndarray  # (n,) strongest secondary threat on each target
    embargo: np.ndarray  # (n, n) bool: arms embargo between senders and target
    senders_any: np.ndarray  # (n,) bool: sends at least one regime
    ids: tuple[tuple[str, ...], ...] = ()  # per row: the ids of the regimes merged into it


SCOPES: tuple[str, ...] = ("arms", "technology", "finance", "trade")


_REGIME_ARRAYS: tuple[str, ...] = tuple(f.name for f in fields(Regimes) if f.name != "ids")
"""The fields of :class:`Regimes` that :func:`_aggregate` returns, in its order."""


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
        np.asarray(affinity, np.float64),
    )
    named = dict(zip(_REGIME_ARRAYS, arrays, strict=True))  # the kernel's results, in order
    # rows are the (target, senders) groups in the order of their first regime
    groups: dict[tuple[int, bytes], list[str]] = {}
    for r in active:
        groups.setdefault((int(r.target), np.asarray(r.senders, np.bool_).tobytes()), []).append(
            r.id
        )
    return Regimes(**named, ids=tuple(tuple(x) for x in groups.values()))


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
    return (
        target[keep].copy(),
        senders[keep].copy(),
        sec,
        aff_s,
        by_scope[0].copy(),
        by_scope[1].copy(),
        by_scope[2].copy(),
        by_scope[3].copy(),
        sec_target,
        embargo,
        senders_any,
    )


class SanctionsInputs(NamedTuple):
    """What the sanctions mechanism reads and writes (``compliance``, ``input_loss``, ``risk``,
    ``capacity_base``, ``capacity`` and ``reliability`` are the world's, updated in place).

    Attributes:
        reg_target, reg_senders, reg_secondary, reg_aff_s: one row per compliance decision
            (:class:`Regimes`).
        tech_int, fin_int, arms_int, secondary: (n,) per target, strongest intensity per
            scope and secondary threat of the regimes on it.
        alpha_compliance, alpha_capacity: per-step lag weights of ``compliance_adjustment``
            and ``capacity_adjustment``.
        w_e, w_s, w_t, w_a, threshold, steepness: the ``compliance_*`` parameters.
        growth_keep: (n,) per-step trend growth factor of capacity.
        cap_effect, rel_effect: ``sanction_capacity_effect``, ``sanction_reliability_effect``.
    """

    reg_target: np.ndarray
    reg_senders: np.ndarray
    reg_secondary: np.ndarray
    reg_aff_s: np.ndarray
    trade: np.ndarray
    other_trade: np.ndarray
    affinity: np.ndarray
    compliance: np.ndarray
    alpha_compliance: float
    w_e: float
    w_s: float
    w_t: float
    w_a: float
    threshold: float
    steepness: float
    input_sources: np.ndarray
    has_inputs: np.ndarray
    tech_int: np.ndarray
    fin_int: np.ndarray
    arms_int: np.ndarray
    secondary: np.ndarray
    input_loss: np.ndarray
    risk: np.ndarray
    capacity_base: np.ndarray
    growth_keep: np.ndarray
    capacity: np.ndarray
    reliability: np.ndarray
    reliability_base: np.ndarray
    cap_effect: float
    rel_effect: float
    alpha_capacity: float


def pack(w, p, *, regimes: Regimes, risk: np.ndarray, growth_keep: np.ndarray) -> SanctionsInputs:
    """The sanctions mechanism's inputs from world ``w``, parameters ``p`` and the regimes in
    force (:func:`regimes_in_force`)."""
    dt = float(w.axis.dt)
    f = float
    rg = regimes
    return SanctionsInputs(
        reg_target=rg.target,
        reg_senders=rg.senders,
        reg_secondary=rg.secondary,
        reg_aff_s=rg.affinity_s,
        trade=w.trade,
        other_trade=w.other_trade,
        affinity=w.affinity,
        compliance=w.compliance,
        alpha_compliance=lag_weight(p.compliance_adjustment, dt),
        w_e=f(p.compliance_exposure_weight),
        w_s=f(p.compliance_secondary_weight),
        w_t=f(p.compliance_target_weight),
        w_a=f(p.compliance_affinity_weight),
        threshold=f(p.compliance_threshold),
        steepness=f(p.compliance_steepness),
        input_sources=w.input_sources,
        has_inputs=w.has_inputs,
        tech_int=rg.technology,
        fin_int=rg.finance,
        arms_int=rg.arms,
        secondary=rg.secondary_by_target,
        input_loss=w.input_loss,
        risk=risk,
        capacity_base=w.capacity_base,
        growth_keep=growth_keep,
        capacity=w.capacity,
        reliability=w.reliability,
        reliability_base=w.reliability_base,
        cap_effect=f(p.sanction_capacity_effect),
        rel_effect=f(p.sanction_reliability_effect),
        alpha_capacity=lag_weight(p.capacity_adjustment, dt),
    )


@inline
def _resolve(first, x, pol, friend):
    """Step 4: compliance with each regime (the economic rule, then the policies: followers
    spare what they follow, a stance replaces the rule), its effects on the targets, and
    capacity and reliability relaxing to their sanctioned levels.

    In place and without temporary arrays: each state's compliance with sanctions on each
    target (the strongest over the regime rows on it) lags towards its new level as soon as
    it is known (no compliance is read before all are), then the secondary-sanctions risk of
    the pair; then each target's losses and its capacity (:func:`effects`)."""
    n = x.trade.shape[0]
    R = x.reg_target.shape[0]
    trade, reg_target, reg_senders, compliance = x.trade, x.reg_target, x.reg_senders, x.compliance
    active = R > 0 or compliance.any()  # else compliance stays 0, and the input loss as it is
    if active:
        for k in range(n):
            total = max(_row_sum(trade, k) + x.other_trade[k], TOTAL_FLOOR)
            for t in range(n):
                c_target = 0.0  # compliance of k with sanctions on t, and its exposure
                expo = 0.0
                for r in range(R):
                    if reg_target[r] != t:
                        continue
                    sent = 0.0  # k's trade with the senders (as _exposure)
                    for j in range(n):
                        if reg_senders[r, j]:
                            sent += trade[k, j]
                    e = sent / total
                    c = _compliance_of(
                        k == t,
                        reg_senders[r, k],
                        e,
                        trade[k, t] / total,
                        x.reg_aff_s[r, k],
                        x.affinity[k, t],
                        x.reg_secondary[r],
                        x.w_e,
                        x.w_s,
                        x.w_t,
                        x.w_a,
                        x.threshold,
                        x.steepness,
                    )
                    c = _complied(
                        c,
                        k == t,
                        friend[k] == t,
                        pol.rules[k, FOLLOW_CUT],
                        pol.comply[r, k],
                        pol.comply_max[r, k],
                    )
                    c_target = max(c_target, c)
                    expo = max(expo, e)
                if first:
                    compliance[k, t] = c_target
                else:  # one step of the lag
                    compliance[k, t] += x.alpha_compliance * (c_target - compliance[k, t])
                x.risk[k, t] = x.arms_int[t] * min(1.0, compliance[k, t] + x.secondary[t] * expo)
    else:
        x.risk[...] = 0.0
    for t in range(n):
        loss = 0.0
        fin = 0.0
        if active:
            # compliant shares of t's input sources and of its trade (as _effects)
            weight_total = max(_row_sum(trade, t), WEIGHT_FLOOR)
            inputs = 0.0
            finance = 0.0
            for k in range(n):
                w = trade[t, k] / weight_total
                source = x.input_sources[t, k] if x.has_inputs[t] else w
                inputs += compliance[k, t] * source
                finance += compliance[k, t] * w
            loss = np.minimum(1.0, x.tech_int[t] * inputs)
            fin = np.minimum(1.0, x.fin_int[t] * finance)
            x.input_loss[t] = loss
        if not first:
            x.capacity_base[t] *= x.growth_keep[t]
            x.capacity[t], x.reliability[t] = _sanctioned(
                x.capacity[t],
                x.reliability[t],
                x.capacity_base[t],
                x.reliability_base[t],
                loss,
                fin,
                x.cap_effect,
                x.rel_effect,
                x.alpha_capacity,
            )


def resolve(x: SanctionsInputs, pol: PolicyArrays, friend: np.ndarray, first: bool = False) -> None:
    """Step 4, in place (see :func:`_resolve`). With ``first``, only the compliance with the
    regimes in force at the start (set, not lagged), without capacity changes."""
    _resolve(bool(first), x, pol, np.asarray(friend, np.int64))
