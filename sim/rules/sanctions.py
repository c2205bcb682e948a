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

import numpy as np

from sim.rules.common import _shares, jit


@jit
def _exposure(trade, total, senders):
    n = trade.shape[0]
    out = np.zeros(n)
    for i in range(n):
        x = 0.0
        for j in range(n):
            if senders[j]:
                x += trade[i, j]
        out[i] = x / max(total[i], 1e-300)
    return out


def exposure(trade: np.ndarray, total: np.ndarray, senders: np.ndarray) -> np.ndarray:
    """(n,) share of each state's total trade that is with the sender coalition.

    Args:
        trade: symmetric bilateral trade among modelled states.
        total: (n,) each state's total trade (modelled partners plus the rest of the world).
        senders: bool (n,) sender coalition.
    """
    return _exposure(np.asarray(trade, np.float64), np.asarray(total, np.float64),
                     np.asarray(senders, np.bool_))


def dependence_on(trade: np.ndarray, total: np.ndarray, target: int) -> np.ndarray:
    """(n,) share of each state's total trade that is with ``target``."""
    return trade[:, target] / np.maximum(total, 1e-300)


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


@jit
def _compliance(exposure_s, dependence_t, affinity_s, affinity_t, secondary, senders, target,
                w_e, w_s, w_t, w_a, threshold, steepness):
    n = exposure_s.shape[0]
    c = np.empty(n)
    for k in range(n):
        if senders[k]:
            c[k] = 1.0
            continue
        pull = (w_e * exposure_s[k] * (1.0 + w_s * secondary) - w_t * dependence_t[k]
                + w_a * (affinity_s[k] - affinity_t[k]))
        c[k] = 1.0 / (1.0 + np.exp(-steepness * (pull - threshold)))
    c[target] = 0.0
    return c


def compliance_target(
    exposure_s: np.ndarray, dependence_t: np.ndarray, affinity_s: np.ndarray,
    affinity_t: np.ndarray, secondary: float, senders: np.ndarray, target: int, p,
) -> np.ndarray:
    """(n,) compliance each state would choose with one regime (see module docstring)."""
    f = np.float64
    return _compliance(
        np.asarray(exposure_s, f), np.asarray(dependence_t, f), np.asarray(affinity_s, f),
        np.asarray(affinity_t, f), float(secondary), np.asarray(senders, np.bool_), int(target),
        p.compliance_exposure_weight, p.compliance_secondary_weight, p.compliance_target_weight,
        p.compliance_affinity_weight, p.compliance_threshold, p.compliance_steepness)


def input_loss(compliance_t: np.ndarray, input_weights: np.ndarray, intensity) -> np.ndarray | float:
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
    return _trade_cut(np.asarray(compliance, np.float64), np.asarray(trade_intensity, np.float64),
                      float(cut))


@jit
def _trade_cut(compliance, trade_intensity, cut):
    n = compliance.shape[0]
    out = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            out[i, j] = max(cut * compliance[i, j] * trade_intensity[j],
                            cut * compliance[j, i] * trade_intensity[i])
    return out


@jit
def _reroute(potential, cut, compliance, senders_any, share):
    n = potential.shape[0]
    add = np.zeros((n, n))
    for t in range(n):
        is_target = False
        for k in range(n):
            if compliance[k, t] != 0.0:
                is_target = True
                break
        if not is_target:
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
    return add + add.T


def reroute(potential: np.ndarray, cut: np.ndarray, compliance: np.ndarray,
            senders_any: np.ndarray, share: float) -> np.ndarray:
    """Trade of sanctioned targets rerouted to their non-complying partners (symmetric addition).

    The target's lost trade times ``share`` is spread over partners that are not senders, in
    proportion to their trade with it times (1 - compliance). Only columns of sanctioned
    targets (where some state complies, senders at least) lose trade: ``cut`` is symmetric, and a
    sender's or a complier's side of the cut pair must not be rerouted back to the target.
    """
    f = np.float64
    return _reroute(np.asarray(potential, f), np.asarray(cut, f), np.asarray(compliance, f),
                    np.asarray(senders_any, np.bool_), float(share))


@jit
def _regime_compliance(trade, total, senders, target, affinity_s, affinity, secondary,
                       w_e, w_s, w_t, w_a, threshold, steepness):
    e = _exposure(trade, total, senders)
    n = trade.shape[0]
    dep = np.empty(n)
    aff_t = np.empty(n)
    for k in range(n):
        dep[k] = trade[k, target] / max(total[k], 1e-300)
        aff_t[k] = affinity[k, target]
    c = _compliance(e, dep, affinity_s, aff_t, secondary, senders, target,
                    w_e, w_s, w_t, w_a, threshold, steepness)
    return c, e


def regime_compliance(
    trade: np.ndarray, total: np.ndarray, senders: np.ndarray, target: int,
    affinity_s: np.ndarray, affinity: np.ndarray, secondary: float, p,
) -> tuple[np.ndarray, np.ndarray]:
    """Compliance target and exposure of every state for one regime.

    :func:`compliance_target` fed with :func:`exposure` to the senders, :func:`dependence_on`
    the target and affinity to the target (column of ``affinity``).

    Returns:
        (compliance, exposure), each (n,).
    """
    f = np.float64
    return _regime_compliance(
        np.asarray(trade, f), np.asarray(total, f), np.asarray(senders, np.bool_), int(target),
        np.asarray(affinity_s, f), np.asarray(affinity, f), float(secondary),
        p.compliance_exposure_weight, p.compliance_secondary_weight, p.compliance_target_weight,
        p.compliance_affinity_weight, p.compliance_threshold, p.compliance_steepness)


@jit
def _capacity_response(capacity_base, capacity, reliability, reliability_base, input_loss,
                       fin_loss, cap_effect, rel_effect, alpha):
    n = capacity.shape[0]
    cap = np.empty(n)
    rel = np.empty(n)
    for i in range(n):
        cap_target = capacity_base[i] * (1.0 - cap_effect * input_loss[i])
        cap[i] = capacity[i] + alpha * (cap_target - capacity[i])
        rel_target = reliability_base[i] * (1.0 - rel_effect * min(1.0, input_loss[i] + fin_loss[i]))
        rel[i] = reliability[i] + alpha * (rel_target - reliability[i])
    return cap, rel


def capacity_response(
    capacity_base: np.ndarray, capacity: np.ndarray, reliability: np.ndarray,
    reliability_base: np.ndarray, input_loss: np.ndarray, fin_loss: np.ndarray, p, alpha: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Capacity and reliability one step closer to their sanctioned levels.

    ``capacity -> capacity_base * (1 - sanction_capacity_effect * input_loss)`` and
    ``reliability -> reliability_base * (1 - sanction_reliability_effect * min(1, input_loss +
    finance_loss))``, each by a first-order lag with weight ``alpha``
    (= 1 - exp(-capacity_adjustment * dt)).

    Returns:
        (capacity, reliability), each (n,).
    """
    f = np.float64
    return _capacity_response(
        np.asarray(capacity_base, f), np.asarray(capacity, f), np.asarray(reliability, f),
        np.asarray(reliability_base, f), np.asarray(input_loss, f), np.asarray(fin_loss, f),
        p.sanction_capacity_effect, p.sanction_reliability_effect, float(alpha))


@jit
def _effects(compliance, trade, input_sources, has_inputs, tech_int, fin_int, arms_int,
             secondary, expo):
    n = trade.shape[0]
    trade_w = _shares(trade, 1e-12)
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
    compliance: np.ndarray, trade: np.ndarray, input_sources: np.ndarray, has_inputs: np.ndarray,
    tech_int: np.ndarray, fin_int: np.ndarray, arms_int: np.ndarray, secondary: np.ndarray,
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
    return _effects(np.asarray(compliance, f), np.asarray(trade, f),
                    np.asarray(input_sources, f), np.asarray(has_inputs, np.bool_),
                    np.asarray(tech_int, f), np.asarray(fin_int, f), np.asarray(arms_int, f),
                    np.asarray(secondary, f), np.asarray(exposure, f))
