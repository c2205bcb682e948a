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


def inline(fn: F) -> F:
    """Like :func:`jit`, but compiled into each compiled caller (numba's IR inlining).

    For the per-step kernels and their helpers. Each call of a compiled function whose body can
    raise (a float division, an allocation, a call) takes and releases a reference to every
    array it is given, an atomic operation each; with records of dozens of arrays passed from
    kernel to helper, that was about 40% of a step. Compiled into one body, each record is
    counted once a step. Called from Python it is an ordinary compiled function; compiled
    callers must pass its arguments one by one (numba inlines no ``f(*args)`` call).
    """
    return cast(F, njit(cache=True, nogil=True, inline="always")(fn))


SHARE_FLOOR = 1e-300
"""Row sums are floored at this in :func:`_shares` (a row of zeros gives shares of 0)."""


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


@inline
def _row_sum(m, i):
    """Sum of row ``i`` of ``m``, left to right (as ``m.sum(axis=1)[i]``)."""
    tot = 0.0
    for j in range(m.shape[1]):
        tot += m[i, j]
    return tot


@inline
def _shares_into(m, out, floor=SHARE_FLOOR):
    """:func:`_shares` written into ``out`` (same shape as ``m``, or ``m`` itself)."""
    n, k = m.shape
    for i in range(n):
        tot = max(_row_sum(m, i), floor)
        for j in range(k):
            out[i, j] = m[i, j] / tot


@jit
def _shares(m, floor=SHARE_FLOOR):
    """Rows of a non-negative ``m`` over ``max(row sum, floor)`` (rows of zeros stay 0)."""
    out = np.empty(m.shape)
    _shares_into(m, out, floor)
    return out
