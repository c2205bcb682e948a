"""Bilateral trade: trend growth, pull towards agreed targets, then sanctions and friction.

Trend growth is a gravity-style baseline (trade grows with the economies and with political
affinity; Pollins 1989 on "trade follows the flag"). An agreement with a target value and year
pulls the pair's potential trade onto the constant-growth path that reaches the target at the end
of the target year; ``agreement_pull`` = 1 follows that path exactly. Effective trade moves
with a lag towards ``(potential * (1 - sanction cut) + rerouted) * pressure friction``.
"""

from __future__ import annotations

import numpy as np


def growth_factor(affinity: np.ndarray, growth: float, affinity_growth: float, dt: float) -> np.ndarray:
    """Per-step trend growth factor of each pair: ``exp((g + g_a * affinity) * dt)``."""
    return np.exp((growth + affinity_growth * affinity) * dt)


def grow(potential: np.ndarray, affinity: np.ndarray, growth: float, affinity_growth: float,
         dt: float) -> np.ndarray:
    """Potential trade after one step of trend growth (symmetric in, symmetric out)."""
    return potential * growth_factor(affinity, growth, affinity_growth, dt)


def agreement_growth(current: float, target: float, steps_left: int) -> float:
    """Per-step growth factor that reaches ``target`` from ``current`` in ``steps_left`` steps."""
    if steps_left <= 0 or current <= 0:
        return 1.0
    return float((target / current) ** (1.0 / steps_left))


def pull(trend_factor: float, path_factor: float, strength: float) -> float:
    """Blend of the trend and the agreement path factors (geometric, weight ``strength``)."""
    return float(trend_factor ** (1.0 - strength) * path_factor ** strength)


def trade_shares(trade: np.ndarray) -> np.ndarray:
    """Partner shares of each state's trade with the modelled partners (rows sum to 1 or 0)."""
    return trade / np.maximum(trade.sum(axis=1, keepdims=True), 1e-300)
