"""Helpers shared by the rules."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
from numba import njit

F = TypeVar("F", bound=Callable[..., Any])


def jit(fn: F) -> F:
    """Compile a rule kernel with numba (cached on disk; compiled on first call, not on import).

    Rules keep a plain-numpy Python face with named parameters; their inner loops over states are
    compiled so that a small world does not pay numpy's per-call overhead hundreds of times a step.
    """
    # numba types the result as a Dispatcher; it is called exactly like ``fn``
    return cast(F, njit(cache=True, nogil=True)(fn))


def lag_weight(rate: float, dt: float) -> float:
    """Weight of the target in one step of a first-order lag: ``1 - exp(-rate * dt)``."""
    return 1.0 - math.exp(-rate * dt)


def relax(x: np.ndarray, target: np.ndarray, rate: float, dt: float) -> np.ndarray:
    """Partial adjustment of ``x`` towards ``target`` at ``rate`` per year over ``dt`` years.

    Exact for a first-order lag: ``x + (1 - exp(-rate*dt)) * (target - x)``.
    """
    return x + lag_weight(rate, dt) * (target - x)


def row_shares(m: np.ndarray) -> np.ndarray:
    """Rows of ``m`` divided by their sums (rows summing to 0 stay 0)."""
    tot = m.sum(axis=1, keepdims=True)
    return np.divide(m, tot, out=np.zeros_like(m, dtype=float), where=tot > 0)


@jit
def _shares(m, floor=1e-300):
    """Rows of a non-negative ``m`` over ``max(row sum, floor)`` (rows of zeros stay 0)."""
    n, k = m.shape
    out = np.empty((n, k))
    for i in range(n):
        tot = 0.0
        for j in range(k):
            tot += m[i, j]
        tot = max(tot, floor)
        for j in range(k):
            out[i, j] = m[i, j] / tot
    return out
