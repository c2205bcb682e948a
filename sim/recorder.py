"""Per-step metrics into preallocated arrays; the tidy DataFrame is built once, at the end."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.metrics import dependence, hhi
from sim.world import World

PAIR_RAW = ("arms_share", "trade_share", "deliveries", "trade", "compliance", "pressure")
STATE_RAW = ("arms_budget", "capacity", "reliability", "input_loss", "threat")
COLUMNS = ["replicate", "step", "date", "state", "partner", "metric", "value"]
# rows of the blocks the compiled period writes
ARMS_SHARE, TRADE_SHARE, DELIVERIES, TRADE, COMPLIANCE, PRESSURE = range(len(PAIR_RAW))
BUDGET, CAPACITY, RELIABILITY, INPUT_LOSS, THREAT = range(len(STATE_RAW))


class Blocks(NamedTuple):
    """The recorder's preallocated blocks, as the compiled period writes them."""

    pairs: np.ndarray   # (len(PAIR_RAW), T, n, n)
    states: np.ndarray  # (len(STATE_RAW), T, n)


class Recorder:
    """Records one run: ``pairs[name][t]`` (n x n) and ``states[name][t]`` (n,) per period ``t``.

    The values live in two preallocated blocks, ``pair_block`` (len(PAIR_RAW), T, n, n) and
    ``state_block`` (len(STATE_RAW), T, n), which the compiled period writes at row ``t``
    (:func:`sim.period.advance`, in the order of :data:`PAIR_RAW` and :data:`STATE_RAW`);
    ``pairs`` and ``states`` are named views of them.
    """

    def __init__(self, world: World) -> None:
        T, n = world.axis.n, world.n
        self.world = world
        self.n_steps = 0
        self.pair_block = np.zeros((len(PAIR_RAW), T, n, n))
        self.state_block = np.zeros((len(STATE_RAW), T, n))
        self.blocks = Blocks(self.pair_block, self.state_block)
        self.pairs = {k: self.pair_block[i] for i, k in enumerate(PAIR_RAW)}
        self.states = {k: self.state_block[i] for i, k in enumerate(STATE_RAW)}

    def arrays(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """All metrics as arrays over the recorded periods, derived ones included."""
        T = self.n_steps
        pairs = {k: v[:T] for k, v in self.pairs.items()}
        states = {k: v[:T] for k, v in self.states.items()}
        pairs["dependence"] = dependence(
            pairs["arms_share"], pairs["trade_share"], self.world.params.dependence_arms_weight)
        states["arms_hhi"] = hhi(pairs["arms_share"])
        states["trade_hhi"] = hhi(pairs["trade_share"])
        return pairs, states

    def frame(self, replicate: int = 0):
        """The tidy long table of this run (columns :data:`COLUMNS`)."""
        import pandas as pd

        w = self.world
        pairs, states = self.arrays()
        T, n = self.n_steps, w.n
        ids = np.array(w.ids, dtype=object)
        dates = np.array(w.axis.labels()[:T], dtype=object)
        off = ~np.eye(n, dtype=bool)
        sanctioned = np.zeros(n, dtype=bool)
        for r in w.sanctions.values():
            sanctioned[r.target] = True
        masks = {
            "arms_share": pairs["arms_share"].any(axis=0) | pairs["deliveries"].any(axis=0),
            "deliveries": pairs["deliveries"].any(axis=0),
            "trade_share": off & pairs["trade"].any(axis=0),
            "trade": off & pairs["trade"].any(axis=0),
            "dependence": off & (pairs["arms_share"].any(axis=0) | pairs["trade"].any(axis=0)),
            "compliance": off & sanctioned[None, :],
            "pressure": w.client_mask.T.copy(),
        }
        parts = []
        for name, m in masks.items():
            ii, jj = np.nonzero(m)
            k = len(ii)
            if k == 0:
                continue
            vals = pairs[name][:, ii, jj]  # (T, k)
            parts.append((name, np.repeat(np.arange(T), k), np.tile(ids[ii], T),
                          np.tile(ids[jj], T), vals.ravel()))
        for name, arr in states.items():
            parts.append((name, np.repeat(np.arange(T), n), np.tile(ids, T),
                          np.full(T * n, "", dtype=object), arr.ravel()))
        frames = []
        for name, step, st, pt, val in parts:
            frames.append(pd.DataFrame({
                "replicate": np.full(len(val), replicate, dtype=np.int32),
                "step": step.astype(np.int32), "date": dates[step], "state": st,
                "partner": pt, "metric": name, "value": val,
            }))
        return pd.concat(frames, ignore_index=True)
