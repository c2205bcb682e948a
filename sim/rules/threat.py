"""Threat and arms demand: a Richardson arms race with alliance guarantees.

Richardson (1960), *Arms and Insecurity*: each state's armament grows with its rivals' armament
(reaction), shrinks with its own burden (fatigue) and carries a grievance term. Here the threat
level of state i is

    threat_i = base_i + shocks_i + r * sum_j rivalry_ij * buildup_j - a * guarantee_i,

clipped to [0, max_threat], where ``buildup_j = max(0, budget_j / budget_ref_j - 1)`` is j's arms
spending above its reference level (the budget at its base threat). The budget relaxes towards ``base_budget_i * (1 + e *
threat_i)`` at ``budget_adjustment`` per year: the fatigue term of Richardson's equations.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.rules.common import inline, jit, lag_weight


def buildup(budget: np.ndarray, budget_ref: np.ndarray) -> np.ndarray:
    """Relative arms build-up above the reference budget (>= 0)."""
    return np.maximum(
        0.0, np.divide(budget, budget_ref, out=np.ones_like(budget), where=budget_ref > 0) - 1.0
    )


def alliance_guarantee(
    membership: np.ndarray, leader: np.ndarray, guarantee: np.ndarray, affinity: np.ndarray
) -> np.ndarray:
    """Security guarantee each state receives from the alliances it belongs to.

    A member (not the leader) receives ``guarantee_a * max(0, affinity(i, leader_a))``.

    Args:
        membership: bool (n, A).
        leader: int (A,), -1 for leaderless alliances.
        guarantee: (A,) guarantee strength 0..1.
        affinity: (n, n).

    Returns:
        (n,) guarantee received.
    """
    return _guarantee(
        np.asarray(membership, np.bool_),
        np.asarray(leader, np.int64),
        np.asarray(guarantee, np.float64),
        np.asarray(affinity, np.float64),
    )


@jit
def _guarantee(membership, leader, guarantee, affinity):
    n, A = membership.shape
    out = np.zeros(n)
    for i in range(n):
        for a in range(A):
            ld = leader[a]
            if membership[i, a] and ld >= 0 and ld != i:
                out[i] += max(affinity[i, ld], 0.0) * guarantee[a]
    return out


def threat_level(
    base: np.ndarray,
    extra: np.ndarray,
    rivalry: np.ndarray,
    rival_buildup: np.ndarray,
    guarantee: np.ndarray,
    reaction: float,
    reassurance: float,
    max_threat: float,
) -> np.ndarray:
    """Threat of each state (see module docstring)."""
    t = base + extra + reaction * (rivalry @ rival_buildup) - reassurance * guarantee
    return np.clip(t, 0.0, max_threat)


def budget_target(base_budget: np.ndarray, threat: np.ndarray, elasticity: float) -> np.ndarray:
    """Threat-driven arms budget, US$ bn/yr."""
    return base_budget * (1.0 + elasticity * threat)


@inline
def _buildup(budget, budget_ref):
    """One state's :func:`buildup` (its budget and reference budget)."""
    ratio = budget / budget_ref if budget_ref > 0 else 1.0
    return max(0.0, ratio - 1.0)


@jit
def _shocks(threat_extra, t, uniform, exponential, chance, size, steps):
    n = uniform.shape[0]
    end = min(t + steps, threat_extra.shape[0])
    for i in range(n):
        if uniform[i] < chance:
            x = size * exponential[i]
            for s in range(t, end):
                threat_extra[s, i] += x


def random_shocks(
    threat_extra: np.ndarray,
    t: int,
    uniform: np.ndarray,
    exponential: np.ndarray,
    chance: float,
    size: float,
    steps: int,
) -> None:
    """Unscheduled threat shocks, in place: state i is hit at step ``t`` when its uniform draw
    is below ``chance`` (= 1 - exp(-shock_rate * dt), Poisson arrivals), by ``size`` times its
    standard exponential draw (mean ``shock_size``), for ``steps`` steps from ``t``.

    Args:
        threat_extra: (T + 1, n) extra threat per step, written from row ``t``.
        uniform, exponential: (n,) this step's draws (:class:`sim.draws.Draws`).
    """
    _shocks(
        threat_extra,
        int(t),
        np.asarray(uniform, np.float64),
        np.asarray(exponential, np.float64),
        float(chance),
        float(size),
        int(steps),
    )


class ThreatInputs(NamedTuple):
    """What the threat mechanism reads and writes (arrays are the world's own, updated in
    place: ``threat_extra``, ``threat``, ``budget``).

    Attributes:
        shock_chance: chance of a random shock per state and step (``shock_rate``).
        shock_size: mean shock size, threat units; shock_steps: its duration in steps.
        base_threat, threat_extra, rivalry, guarantee, guarantee_extra: the terms of the
            threat level (threat units; rivalry 0-1; guarantee 0-1).
        rivalry_base: rivalry between the scenario's links; cf_a, cf_b, cf_start, cf_end,
            cf_x: the run's conflicts (pair, first step, step after the last, intensity), in
            the order they fire; :func:`_rivalry` sets ``rivalry`` from them each step.
        base_budget, budget_ref, threat, budget: US$ bn/yr (threat: threat units).
        reaction, reassurance, max_threat, elasticity: ``richardson_reaction``,
            ``alliance_reassurance``, ``max_threat``, ``threat_budget_elasticity``.
        alpha_budget: weight of one step of the budget's lag (``budget_adjustment``).
    """

    shock_chance: float
    shock_size: float
    shock_steps: int
    base_threat: np.ndarray
    threat_extra: np.ndarray
    rivalry: np.ndarray
    rivalry_base: np.ndarray
    cf_a: np.ndarray
    cf_b: np.ndarray
    cf_start: np.ndarray
    cf_end: np.ndarray
    cf_x: np.ndarray
    guarantee: np.ndarray
    guarantee_extra: np.ndarray
    base_budget: np.ndarray
    budget_ref: np.ndarray
    threat: np.ndarray
    budget: np.ndarray
    reaction: float
    reassurance: float
    max_threat: float
    elasticity: float
    alpha_budget: float


def pack(
    w, p, *, guarantee: np.ndarray, base_budget: np.ndarray, budget_ref: np.ndarray
) -> ThreatInputs:
    """The threat mechanism's inputs from world ``w`` and parameters ``p`` (the named
    parameters of the module docstring) plus the model's cached guarantee and budgets."""
    dt = float(w.axis.dt)
    cf = w.conflicts
    return ThreatInputs(
        shock_chance=lag_weight(p.shock_rate, dt),
        shock_size=float(p.shock_size),
        shock_steps=max(1, round(p.shock_duration / dt)),
        base_threat=w.base_threat,
        threat_extra=w.threat_extra,
        rivalry=w.rivalry,
        rivalry_base=w.rivalry_base,
        cf_a=np.array([c[2] for c in cf], dtype=np.int64),
        cf_b=np.array([c[3] for c in cf], dtype=np.int64),
        cf_start=np.array([c[0] for c in cf], dtype=np.int64),
        cf_end=np.array([c[1] for c in cf], dtype=np.int64),
        cf_x=np.array([c[4] for c in cf], dtype=np.float64),
        guarantee=guarantee,
        guarantee_extra=w.guarantee_extra,
        base_budget=base_budget,
        budget_ref=budget_ref,
        threat=w.threat,
        budget=w.budget,
        reaction=float(p.richardson_reaction),
        reassurance=float(p.alliance_reassurance),
        max_threat=float(p.max_threat),
        elasticity=float(p.threat_budget_elasticity),
        alpha_budget=lag_weight(p.budget_adjustment, dt),
    )


@inline
def _rivalry(t, x):
    """Rivalry at step ``t``, in place: the links' rivalry raised by the conflicts under way
    (``cf_start <= t < cf_end``), each in turn, capped at 1 (so a war between rivals makes
    them as hostile as can be, whatever their rivalry before)."""
    x.rivalry[...] = x.rivalry_base
    for k in range(x.cf_x.shape[0]):
        if x.cf_start[k] <= t < x.cf_end[k]:
            a, b = x.cf_a[k], x.cf_b[k]
            r = min(1.0, x.rivalry[a, b] + x.cf_x[k])
            x.rivalry[a, b] = r
            x.rivalry[b, a] = r


def rivalry_at(x: ThreatInputs, t: int) -> None:
    """Set ``x.rivalry`` to the rivalry of step ``t``, in place (see :func:`_rivalry`)."""
    _rivalry(int(t), x)


@inline
def _advance(t, x, uniform, exponential):
    _shocks(x.threat_extra, t, uniform, exponential, x.shock_chance, x.shock_size, x.shock_steps)
    budget, threat = x.budget, x.threat
    n = budget.shape[0]
    # every threat level from the budgets before the step (the build-up of each rival is
    # recomputed where it is used, rather than kept in a temporary array), then the budgets
    for i in range(n):
        r = 0.0
        for j in range(n):
            r += x.rivalry[i, j] * _buildup(budget[j], x.budget_ref[j])
        guarantee = x.guarantee[i] + x.guarantee_extra[t, i]
        level = x.base_threat[i] + x.threat_extra[t, i] + x.reaction * r - x.reassurance * guarantee
        threat[i] = min(x.max_threat, max(0.0, level))
    for i in range(n):
        target = x.base_budget[i] * (1.0 + x.elasticity * threat[i])
        budget[i] += x.alpha_budget * (target - budget[i])


def advance(x: ThreatInputs, t: int, uniform: np.ndarray, exponential: np.ndarray) -> None:
    """Step 2 of period ``t``, in place: random shocks (:func:`random_shocks`), the threat
    level (:func:`threat_level` of the rivals' :func:`buildup`) and the budget one lag step
    towards :func:`budget_target`."""
    _advance(int(t), x, np.asarray(uniform, np.float64), np.asarray(exponential, np.float64))
