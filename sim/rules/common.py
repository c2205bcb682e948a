"""Helpers shared by the rules."""

from __future__ import annotations

import numpy as np


def relax(x: np.ndarray, target: np.ndarray, rate: float, dt: float) -> np.ndarray:
    """Partial adjustment of ``x`` towards ``target`` at ``rate`` per year over ``dt`` years.

    Exact for a first-order lag: ``x + (1 - exp(-rate*dt)) * (target - x)``.
    """
    return x + (1.0 - np.exp(-rate * dt)) * (target - x)


def row_shares(m: np.ndarray) -> np.ndarray:
    """Rows of ``m`` divided by their sums (rows summing to 0 stay 0)."""
    tot = m.sum(axis=1, keepdims=True)
    return np.divide(m, tot, out=np.zeros_like(m, dtype=float), where=tot > 0)

