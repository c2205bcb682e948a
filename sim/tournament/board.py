"""The leaderboard: robustness of each contestant across futures, and the tournament's outputs.

For each score (:mod:`sim.tournament.scores`), per contestant, over the futures (replicates of
a future averaged first; in ``mode: each`` also over the focal states):

* ``mean``: the average over futures;
* ``cvar10``: the average over the worst 10 % of futures (conditional value at risk; worst by
  the score's direction);
* ``regret``: the average over futures of the distance to the best contestant in that future
  (0 for the winner; Savage's minimax-regret criterion as used in robust decision making,
  Lempert et al. 2003), and ``max_regret``;
* ``satisficing``: the share of futures in which the score meets the tournament's threshold
  (only for scores given under ``thresholds``).

Contestants are ranked by the mean of ``rank_by``; ``rank_lo``/``rank_hi`` are the 5-95 %
range of that rank over bootstrap resamples of the futures (500 resamples, seeded by the
tournament's master seed).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.tournament.scores import BY_NAME, SCORE_NAMES

if TYPE_CHECKING:
    import pandas as pd

    from sim.tournament.spec import TournamentPlan

BOOTSTRAP = 500


def per_future(store: Path) -> pd.DataFrame:
    """Scores per contestant and future (replicates and slots averaged)."""
    import pandas as pd

    from sim.sweep import store as st

    design = pd.read_parquet(Path(store) / "design.parquet")
    scal = st.read_scalars(store)
    df = scal.drop(columns=["point", "replicate"]).merge(
        design[["run", "contestant", "slot", "point", "replicate"]], on="run"
    )
    order = list(dict.fromkeys(design["contestant"]))
    g = df.groupby(["contestant", "point"], sort=False)[list(SCORE_NAMES)].mean().reset_index()
    g["contestant"] = pd.Categorical(g["contestant"], categories=order, ordered=True)
    return g.sort_values(["contestant", "point"]).reset_index(drop=True)


def leaderboard(
    scores: pd.DataFrame, rank_by: str, thresholds: dict[str, float], seed: int
) -> pd.DataFrame:
    """One row per contestant: mean, cvar10, regret, max_regret (and satisficing) per score,
    rank by ``rank_by`` with a bootstrap 5-95 % rank range."""
    import pandas as pd

    names = list(scores["contestant"].cat.categories)
    F = scores["point"].nunique()
    rows: dict[str, dict[str, Any]] = {c: {"contestant": c} for c in names}
    for s in SCORE_NAMES:
        sign = BY_NAME[s].sign
        m = scores.pivot(index="point", columns="contestant", values=s)[names].to_numpy()  # (F, C)
        loss = sign * m
        best = loss.min(axis=1, keepdims=True)
        regret = loss - best
        k = max(1, int(np.ceil(0.1 * F)))
        worst = -np.sort(-loss, axis=0)[:k]  # the k largest losses per contestant
        for j, c in enumerate(names):
            rows[c][f"{s}_mean"] = float(m[:, j].mean())
            rows[c][f"{s}_cvar10"] = float(sign * worst[:, j].mean())
            rows[c][f"{s}_regret"] = float(regret[:, j].mean())
            rows[c][f"{s}_max_regret"] = float(regret[:, j].max())
            if s in thresholds:
                ok = loss[:, j] <= sign * thresholds[s]
                rows[c][f"{s}_satisficing"] = float(ok.mean())
    board = pd.DataFrame(list(rows.values()))
    sign = BY_NAME[rank_by].sign
    m = scores.pivot(index="point", columns="contestant", values=rank_by)[names].to_numpy()
    loss = sign * m.mean(axis=0)
    board["rank"] = _ranks(loss)
    rng = np.random.default_rng(seed % 2**32)
    boot = np.empty((BOOTSTRAP, len(names)))
    for b in range(BOOTSTRAP):
        idx = rng.integers(0, F, F)
        boot[b] = _ranks(sign * m[idx].mean(axis=0))
    board["rank_lo"] = np.percentile(boot, 5, axis=0).round().astype(int)
    board["rank_hi"] = np.percentile(boot, 95, axis=0).round().astype(int)
    board = board.sort_values(["rank", "contestant"]).reset_index(drop=True)
    lead = ["rank", "rank_lo", "rank_hi", "contestant"]
    return board[lead + [c for c in board.columns if c not in lead]]


def _ranks(loss: np.ndarray) -> np.ndarray:
    """1-based ranks of ``loss`` (ties share the better rank)."""
    order = np.argsort(loss, kind="stable")
    ranks = np.empty(len(loss), dtype=int)
    ranks[order] = np.arange(1, len(loss) + 1)
    for v in np.unique(loss):  # ties
        same = loss == v
        ranks[same] = ranks[same].min()
    return ranks


def non_dominated(
    board: pd.DataFrame, x: str = "final_dependence_mean", y: str = "security_mean"
) -> list[str]:
    """Contestants not dominated on (lower ``x``, higher ``y``)."""
    pts = board[["contestant", x, y]].to_numpy()
    out = []
    for c, a, b in pts:
        dominated = any((a2 <= a and b2 >= b) and (a2 < a or b2 > b) for _, a2, b2 in pts)
        if not dominated:
            out.append(str(c))
    return out


def markdown(board: pd.DataFrame, plan: TournamentPlan) -> str:
    """The leaderboard as a Markdown table (rank, contestant and the headline columns)."""
    sp = plan.spec
    cols = [f"{s}_mean" for s in SCORE_NAMES] + [f"{sp.rank_by}_cvar10", f"{sp.rank_by}_regret"]
    cols += [c for c in board.columns if c.endswith("_satisficing")]
    head = ["rank (5-95%)", "contestant", *cols]
    lines = [
        f"# Tournament {plan.name}",
        "",
        f"{len(board)} contestants; focal: {', '.join(sp.focal)} ({sp.mode}); "
        f"{n_futures_of(board, plan)} futures x {sp.replicates} replicate(s); master seed "
        f"{sp.seed}; ranked by mean {sp.rank_by} ({BY_NAME[sp.rank_by].better} is better).",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for d in board.to_dict("records"):
        cells = [f"{d['rank']} ({d['rank_lo']}-{d['rank_hi']})", str(d["contestant"])]
        cells += [f"{d[c]:.3f}" for c in cols]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Scores: "
        + "; ".join(
            f"`{s.name}` ({s.unit}, {s.better} is better): {s.description}"
            for s in BY_NAME.values()
        ),
    ]
    return "\n".join(lines) + "\n"


def n_futures_of(board: pd.DataFrame, plan: TournamentPlan) -> int:
    from sim.tournament.spec import n_futures

    return n_futures(plan.spec)


LOSS_MARGIN = 0.01
"""The winner "loses" a future when another contestant beats it on ``rank_by`` by more than
this (in the score's units)."""


def discovery(
    store: Path, scores: pd.DataFrame, board: pd.DataFrame, plan: TournamentPlan
) -> tuple[pd.DataFrame, str]:
    """PRIM boxes of the futures where the winner loses (``sim.sweep.discovery.prim``), and one
    sentence saying so ("<winner> wins unless ...")."""
    import pandas as pd

    from sim.sweep.analyze import SweepResults
    from sim.sweep.discovery import prim

    sp = plan.spec
    s = sp.rank_by
    sign = BY_NAME[s].sign
    names = list(scores["contestant"].cat.categories)
    winner = str(board.iloc[0]["contestant"])
    m = sign * scores.pivot(index="point", columns="contestant", values=s)[names]
    loses = (m[winner] - m.min(axis=1)) > LOSS_MARGIN
    design = pd.read_parquet(Path(store) / "design.parquet")
    if sp.futures.overlays:  # named futures: say which ones
        per = design.drop_duplicates("point").set_index("point")["future"]
        lost = [str(per[k]) for k in m.index[loses.to_numpy()]]
        text = (
            f"{winner} wins on {s}; it loses (another contestant does better by more than "
            f"{LOSS_MARGIN:g}) in {len(lost)} of {len(per)} futures"
            + (f": {', '.join(lost)}." if lost else ".")
        )
        return pd.DataFrame(), text
    cols = [p.column for p in sp.futures.uncertainties]
    futures = design.drop_duplicates("point").set_index("point").loc[m.index, cols].reset_index()
    futures["winner_loses"] = loses.to_numpy().astype(float)
    res = SweepResults(
        Path(store),
        {
            "parameters": [{"column": c} for c in cols],
            "outcomes": ["winner_loses"],
            "series": [],
            "method": sp.futures.method,
        },
        futures,
        pd.DataFrame(),
        _scalars=futures,
    )
    n, k = len(futures), int(loses.sum())
    text = (
        f"{winner} wins on {s}; it loses (another contestant does better by more than "
        f"{LOSS_MARGIN:g}) in {k} of {n} futures."
    )
    if k == 0 or k == n:
        return pd.DataFrame(), text
    found = prim(res, "winner_loses > 0.5", max_boxes=1)
    if found.stats.empty:
        return pd.DataFrame(), text
    st = found.stats.iloc[0]
    lim = found.limits[found.limits["box"] == 1]
    parts = []
    significant = lim[lim["qp"] <= 0.05]  # restrictions PRIM's quasi-p-value supports
    for r in (significant if not significant.empty else lim).to_dict("records"):
        if r["values"]:
            parts.append(f"{r['parameter']} in {{{r['values']}}}")
        else:
            parts.append(f"{r['parameter']} between {r['min']:.3g} and {r['max']:.3g}")
    text += (
        f" {winner} wins unless "
        + " and ".join(parts)
        + f" (PRIM's first box holds {st['coverage']:.0%} of the futures it loses, and it "
        f"loses {st['density']:.0%} of the futures in the box)."
    )
    return found.limits.assign(coverage=st["coverage"], density=st["density"]), text


def write_outputs(store: Path, plan: TournamentPlan, manifest: dict[str, Any]) -> list[Path]:
    """Leaderboard (CSV, Parquet, Markdown), per-future scores, figures and the HTML report."""
    from sim.tournament.figures import write_figures
    from sim.tournament.report import write_report

    sp = plan.spec
    scores = per_future(store)
    board = leaderboard(scores, sp.rank_by, dict(sp.thresholds), sp.seed)
    boxes, sentence = discovery(store, scores, board, plan)
    out = [
        store / "leaderboard.csv",
        store / "leaderboard.parquet",
        store / "leaderboard.md",
        store / "scores.parquet",
        store / "discovery.csv",
    ]
    _atomic(out[0], lambda p: board.to_csv(p, index=False))
    _atomic(out[1], lambda p: board.to_parquet(p, index=False))
    md = markdown(board, plan) + f"\n## Where the winner loses\n\n{sentence}\n"
    _atomic(out[2], lambda p: p.write_text(md, encoding="utf-8"))
    _atomic(out[4], lambda p: boxes.to_csv(p, index=False))
    flat = scores.assign(contestant=scores["contestant"].astype(str))
    _atomic(out[3], lambda p: flat.to_parquet(p, index=False))
    evo = store / "evolution.parquet"
    spread = None
    if evo.exists() and sp.evolution is not None:
        import pandas as pd

        from sim.tournament.evolution import shares

        spread = shares(pd.read_parquet(evo), list(scores["contestant"].cat.categories))
        out.append(store / "evolution.csv")
        _atomic(out[-1], lambda p: spread.to_csv(p, index=False))
        last = spread[spread["step"] == spread["step"].max()].sort_values("share", ascending=False)
        played = ", ".join(f"{r['contestant']} {r['share']:.0%}" for r in last.to_dict("records"))
        md += (
            f"\n## Ecological tournament\n\nStates revise their strategy every "
            f"{sp.evolution.every:g} years by imitating better-scoring states (proportional "
            f"imitation on {sp.rank_by}). At {last['date'].iloc[0]}, over all futures, the "
            f"focal states play: {played}.\n"
        )
        _atomic(out[2], lambda p: p.write_text(md, encoding="utf-8"))
    figs = write_figures(store / "figures", scores, board, plan, spread)
    out += figs
    out.append(write_report(store, board, figs, plan, sentence))
    return out


def _atomic(path: Path, write: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    tmp.replace(path)
