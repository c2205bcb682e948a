"""Bilateral trade: trend growth, pull towards agreed targets, then sanctions and friction.

Trend growth is a gravity-style baseline (trade grows with the economies and with political
affinity; Pollins 1989 on "trade follows the flag"). An agreement with a target value and year
pulls the pair's potential trade onto the constant-growth path that reaches the target at the end
of the target year; ``agreement_pull`` = 1 follows that path exactly. Effective trade moves
with a lag towards ``(potential * (1 - sanction cut) + rerouted) * pressure friction``.
"""

from __future__ import annotations

import numpy as np

from sim.rules.common import _shares, jit


def growth_factor(affinity: np.ndarray, growth: float, affinity_growth: float, dt: float) -> np.ndarray:
    """Per-step trend growth factor of each pair: ``exp((g + g_a * affinity) * dt)``."""
    return np.exp((growth + affinity_growth * affinity) * dt)


def grow(potential: np.ndarray, affinity: np.ndarray, growth: float, affinity_growth: float,
         dt: float) -> np.ndarray:
    """Potential trade after one step of trend growth (symmetric in, symmetric out)."""
    return potential * growth_factor(affinity, growth, affinity_growth, dt)


@jit
def _agreement_growth(current, target, steps_left):
    if steps_left <= 0 or current <= 0:
        return 1.0
    return (target / current) ** (1.0 / steps_left)


def agreement_growth(current: float, target: float, steps_left: int) -> float:
    """Per-step growth factor that reaches ``target`` from ``current`` in ``steps_left`` steps."""
    return float(_agreement_growth(float(current), float(target), int(steps_left)))


@jit
def _pull(trend_factor, path_factor, strength):
    return trend_factor ** (1.0 - strength) * path_factor ** strength


def pull(trend_factor: float, path_factor: float, strength: float) -> float:
    """Blend of the trend and the agreement path factors (geometric, weight ``strength``)."""
    return float(_pull(float(trend_factor), float(path_factor), float(strength)))


@jit
def _grow(potential, factor, trade, ag_a, ag_b, ag_target, ag_due, t, strength):
    old = potential
    new = old * factor
    for k in range(ag_a.shape[0]):
        if t > ag_due[k]:
            continue
        a, b = ag_a[k], ag_b[k]
        trend = new[a, b] / old[a, b] if old[a, b] > 0 else 1.0
        path = _agreement_growth(max(trade[a, b], 1e-9), ag_target[k], ag_due[k] - t + 1)
        x = old[a, b] * _pull(trend, path, strength)
        new[a, b] = x
        new[b, a] = x
    return new


def grow_with_agreements(
    potential: np.ndarray, factor: np.ndarray, trade: np.ndarray, agreements: np.ndarray,
    t: int, strength: float,
) -> np.ndarray:
    """Potential trade after one step: trend growth, then each agreement not yet due pulls its
    pair onto the path that reaches its target (:func:`agreement_growth`, :func:`pull`).

    Args:
        potential: symmetric potential trade, US$ bn/yr.
        factor: per-step trend factor (:func:`growth_factor`).
        trade: current effective trade (the path starts from it).
        agreements: rows ``(a, b, target US$ bn/yr, due step)``.
        t: the current step.
        strength: ``agreement_pull``.
    """
    ag = np.asarray(agreements, np.float64).reshape(-1, 4)
    f = np.float64
    return _grow(np.asarray(potential, f), np.asarray(factor, f), np.asarray(trade, f),
                 ag[:, 0].astype(np.int64), ag[:, 1].astype(np.int64), ag[:, 2].copy(),
                 ag[:, 3].astype(np.int64), int(t), float(strength))


def trade_shares(trade: np.ndarray) -> np.ndarray:
    """Partner shares of each state's trade with the modelled partners (rows sum to 1 or 0)."""
    return _shares(np.asarray(trade, np.float64))
