"""Reproducible seeds: every run's seed derives from one master seed via ``SeedSequence``.

A replicate's (or a sweep run's) seed depends only on the master seed and its key, never on
how many workers run or in which order runs complete.
"""

from __future__ import annotations

from typing import SupportsIndex

import numpy as np


def derive_seed(master: SupportsIndex, *key: SupportsIndex) -> int:
    """A 63-bit seed for the run identified by ``key`` (``(replicate,)``, ``(point, rep)`` ...).

    ``master`` and ``key`` are whole numbers: Python or numpy integers.
    """
    ss = np.random.SeedSequence(entropy=int(master), spawn_key=tuple(int(k) for k in key))
    return int(
        ss.generate_state(2, dtype=np.uint32)
        .astype(np.uint64)
        .dot(np.array([1, 2**32], dtype=np.uint64))
        & np.uint64(2**63 - 1)
    )


def replicate_seeds(master: int, replicates: int) -> list[int]:
    """Seeds of replicates ``0 .. replicates-1`` of one scenario."""
    return [derive_seed(master, r) for r in range(replicates)]
