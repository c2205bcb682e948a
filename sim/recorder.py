"""Per-step metrics into preallocated arrays; the tidy DataFrame is built once, at the end."""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from sim.outcomes import OUTPUTS, PAIR_RAW, STATE_RAW, derived
from sim.world import World

COLUMNS = ["replicate", "step", "date", "state", "partner", "metric", "value"]

Blocks = namedtuple("Blocks", PAIR_RAW + STATE_RAW)  # type: ignore[misc]
"""The recorder's arrays by output name, as the compiled period writes them at row ``t``:
(T, n, n) for pair outputs, (T, n) for state outputs (views of the preallocated blocks)."""


class Recorder:
    """Records one run: ``pairs[name][t]`` (n x n) and ``states[name][t]`` (n,) per period ``t``.

    The values live in two preallocated blocks, ``pair_block`` (len(PAIR_RAW), T, n, n) and
    ``state_block`` (len(STATE_RAW), T, n); ``pairs``, ``states`` and :data:`Blocks` (what the
    compiled period writes, by output name) are named views of them.
    """

    def __init__(self, world: World) -> None:
        T, n = world.axis.n, world.n
        self.world = world
        self.n_steps = 0
        self.pair_block = np.zeros((len(PAIR_RAW), T, n, n))
        self.state_block = np.zeros((len(STATE_RAW), T, n))
        self.pairs = {k: self.pair_block[i] for i, k in enumerate(PAIR_RAW)}
        self.states = {k: self.state_block[i] for i, k in enumerate(STATE_RAW)}
        self.blocks = Blocks(**self.pairs, **self.states)

    def arrays(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """All outputs as arrays over the recorded periods, derived ones included."""
        T = self.n_steps
        pairs = {k: v[:T] for k, v in self.pairs.items()}
        states = {k: v[:T] for k, v in self.states.items()}
        return derived(pairs, states, self.world.params)

    def frame(self, replicate: int = 0):  # type: ignore[no-untyped-def]
        """The tidy long table of this run (columns :data:`COLUMNS`), outputs in declared order."""
        import pandas as pd

        w = self.world
        pairs, states = self.arrays()
        T, n = self.n_steps, w.n
        dates = np.array(w.axis.labels()[:T], dtype=object)
        masks = keep_masks(w, pairs)
        # integer codes first (cheap), object columns by one take each at the end
        steps, rows, cols, codes, vals = [], [], [], [], []
        none = np.full(n, n, dtype=np.intp)  # partner code n: "" (state outputs)
        for code, o in enumerate(OUTPUTS):
            if o.pair:
                ii, jj = np.nonzero(masks[o.keep])
                if len(ii) == 0:
                    continue
                vals.append(pairs[o.name][:, ii, jj].ravel())  # (T, k) row by row
            else:
                ii, jj = np.arange(n), none
                vals.append(states[o.name].ravel())
            k = len(ii)
            rows.append(np.tile(ii, T))
            cols.append(np.tile(jj, T))
            steps.append(np.repeat(np.arange(T, dtype=np.int32), k))
            codes.append(np.full(T * k, code, dtype=np.intp))
        step = np.concatenate(steps)
        names = np.array([*w.ids, ""], dtype=object)
        metrics = np.array([o.name for o in OUTPUTS], dtype=object)
        return pd.DataFrame(
            {
                "replicate": np.full(len(step), replicate, dtype=np.int32),
                "step": step,
                "date": dates[step],
                "state": names[np.concatenate(rows)],
                "partner": names[np.concatenate(cols)],
                "metric": metrics[np.concatenate(codes)],
                "value": np.concatenate(vals),
            },
            copy=False,
        )


KEEP = ("stock", "deliveries", "trade", "arms_or_trade", "sanctioned", "conduits", "clients")
"""What the tidy table keeps of a pair output (``Output.keep``): cells of the installed stock
or deliveries; of deliveries; of trade (off the diagonal); of either arms or trade; of
sanctioned targets (off the diagonal); of states that can carry trade to a sanctioned target
(neither senders nor targets); of a patron's clients."""


def keep_masks(w: World, pairs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The state x partner masks of :data:`KEEP` for one run."""
    n = w.n
    off = ~np.eye(n, dtype=bool)
    sanctioned = np.zeros(n, dtype=bool)
    senders = np.zeros(n, dtype=bool)
    for r in w.sanctions.values():
        sanctioned[r.target] = True
        senders |= r.senders
    traded = off & pairs["trade"].any(axis=0)
    # the pair arrays are (T, n, n): any over time is an (n, n) array (numpy's stubs allow a
    # scalar; asarray returns the array itself)
    delivered = np.asarray(pairs["deliveries"].any(axis=0))
    return {
        "stock": pairs["arms_share"].any(axis=0) | delivered,
        "deliveries": delivered,
        "trade": traded,
        "arms_or_trade": off & (pairs["arms_share"].any(axis=0) | pairs["trade"].any(axis=0)),
        "sanctioned": off & sanctioned[None, :],
        "conduits": off & sanctioned[None, :] & ~senders[:, None] & ~sanctioned[:, None],
        "clients": w.client_mask.T.copy(),
    }
