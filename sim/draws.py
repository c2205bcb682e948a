"""The random numbers of a run, drawn from the model's RNG in blocks of steps.

Every step uses the same fixed set of standard draws: for each state a uniform (does a random
threat shock arrive?) and a standard exponential (its size), and for each importer x supplier a
standard normal (utility noise). The rules scale them by the current parameters
(``shock_rate``, ``shock_size``, ``choice_noise``), so a parameter changed by an event changes
the effect of a draw, never which draw comes next. Two consequences users can rely on:

* the random numbers of step ``t`` do not depend on what happened before it, so two scenarios
  run on the same seed share them (common random numbers) even where their shocks differ;
* they come from ``model.rng`` alone, a block of steps per call (numpy's own samplers), and the
  block length depends only on the world's size and the run's length.
"""

from __future__ import annotations

import numpy as np

BLOCK_BYTES = 8 * 2**20
"""Upper bound on the memory of one block of draws (a block holds at least one step)."""


class Draws:
    """Blocks of standard random draws per step (see the module docstring).

    Args:
        rng: the model's generator (``model.rng``).
        n: number of states.
        steps: number of steps of the run.
    """

    def __init__(self, rng: np.random.Generator, n: int, steps: int) -> None:
        self.rng = rng
        self.n = n
        self.steps = steps
        per_step = 8 * (n * n + 2 * n)
        self.block = int(max(1, min(steps, BLOCK_BYTES // per_step)))
        self.start = -self.block  # no block drawn yet
        self.uniform = self.exponential = self.normal = np.zeros(0)

    def at(self, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        """The block holding step ``t`` and ``t``'s row in it: ``(uniform (k, n),
        exponential (k, n), normal (k, n, n), row)``. Steps must be asked for in order."""
        if t < max(0, self.start):
            raise ValueError(f"draws are consumed in order: step {t} after step {self.start}")
        while t >= self.start + self.block:  # blocks are drawn in order, none skipped
            self._next_block()
        return self.uniform, self.exponential, self.normal, t - self.start

    def _next_block(self) -> None:
        k, n = self.block, self.n
        self.uniform = self.rng.random((k, n))
        self.exponential = self.rng.standard_exponential((k, n))
        self.normal = self.rng.standard_normal((k, n, n))
        self.start += k
