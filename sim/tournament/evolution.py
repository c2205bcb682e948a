"""The ecological tournament: focal states revise their strategy every few years by imitating
better-scoring states, showing which strategies spread.

Each future starts with the contestants dealt round-robin to the focal states (rotated by the
future's index, so every contestant starts in every state equally often). Every ``every`` years
each focal state looks at another focal state drawn at random and switches to its strategy with
probability ``(payoff_other - payoff_own) / (max payoff - min payoff)`` when the other does
better: proportional imitation (Schlag 1998, *Why imitate, and if so, how?*), whose expected
dynamics are the replicator dynamics (Taylor and Jonker 1978). The payoff is the tournament's
``rank_by`` score at that date (negated when lower is better). The imitation draws come from a
generator of their own, seeded from the master seed and the future, so the model's own random
numbers are those of the tournament's other runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.seeds import derive_seed
from sim.tournament.scores import BY_NAME, SCORE_NAMES, compute

if TYPE_CHECKING:
    import pandas as pd

    from sim.sweep.design import DesignPoints
    from sim.tournament.spec import TournamentPlan


def evolve(plan: TournamentPlan, design: DesignPoints, every: float) -> pd.DataFrame:
    """Run the ecological tournament in every future; returns one row per future, revision
    date and focal state: future, step, date, state, contestant."""
    import pandas as pd

    from sim.model import MultivectorModel
    from sim.sweep.execute import scenario_with
    from sim.sweep.loader import _py

    sp = plan.spec
    focal = list(sp.focal)
    C = len(sp.contestants)
    k_score = SCORE_NAMES.index(sp.rank_by)
    sign = BY_NAME[sp.rank_by].sign
    steps = max(1, round(every / plan.dt))
    rows = []
    for f in range(design.n_points):
        ov = {p.path: _py(design.values[p.column][f]) for p in sp.futures.uncertainties}
        base = plan.bases[f] if plan.bases else plan.base
        playing = [(k + f) % C for k in range(len(focal))]
        for sid, c in zip(focal, playing):
            ov[f"states.{sid}.strategy"] = plan.specs[c]
            ov[f"states.{sid}.strategy_params"] = dict(sp.contestants[c].params)
        model = MultivectorModel(
            scenario_with(base, ov), derive_seed(sp.seed, f, 0), mesa_datacollector=False
        )
        rng = np.random.default_rng(derive_seed(sp.seed, f, 0, 1))
        rows += [(f, 0, plan.labels[0], s, sp.contestants[c].name) for s, c in zip(focal, playing)]
        ix = [model.world.idx(s) for s in focal]
        while model.running:
            model.step()
            t = model.steps
            if t % steps or t >= len(plan.labels):
                continue
            payoff = np.array([-sign * compute(model, [i])[k_score] for i in ix])
            spread = payoff.max() - payoff.min()
            new = list(playing)
            for a in range(len(focal)):
                b = int(rng.integers(len(focal) - 1))
                b += b >= a  # another focal state
                gain = payoff[b] - payoff[a]
                if gain > 0 and spread > 0 and rng.random() < gain / spread:
                    new[a] = playing[b]
            for a, sid in enumerate(focal):
                if new[a] != playing[a]:
                    c = new[a]
                    model.set_strategy(sid, plan.specs[c], dict(sp.contestants[c].params))
            playing = new
            rows += [
                (f, t, plan.labels[t - 1], s, sp.contestants[c].name)
                for s, c in zip(focal, playing)
            ]
    return pd.DataFrame(rows, columns=["future", "step", "date", "state", "contestant"])


def shares(table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Share of focal states playing each contestant at each revision (over all futures):
    step, date, contestant, share."""
    import pandas as pd

    n = table.groupby("step")["state"].count()
    g = table.groupby(["step", "date", "contestant"]).size().rename("k").reset_index()
    g["share"] = g["k"] / g["step"].map(n)
    full = pd.MultiIndex.from_product(
        [sorted(table["step"].unique()), names], names=["step", "contestant"]
    )
    out = g.set_index(["step", "contestant"])["share"].reindex(full, fill_value=0.0).reset_index()
    dates = table.drop_duplicates("step").set_index("step")["date"]
    out.insert(1, "date", out["step"].map(dates))
    return out
