"""Tournament figures: score distributions per contestant, a regret heat map over futures, and
the trade-off between dependence and security with the non-dominated contestants marked."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.tournament.scores import BY_NAME, SCORE_NAMES

if TYPE_CHECKING:
    import pandas as pd

    from sim.tournament.spec import TournamentPlan


def write_figures(
    folder: Path,
    scores: pd.DataFrame,
    board: pd.DataFrame,
    plan: TournamentPlan,
    spread: pd.DataFrame | None = None,
) -> list[Path]:
    """Write the figures as PNG; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.tournament.board import non_dominated

    folder.mkdir(parents=True, exist_ok=True)
    names = list(scores["contestant"].cat.categories)
    out = []

    # 1. score distributions over futures
    fig, axes = plt.subplots(2, 4, figsize=(15, 7), squeeze=False)
    for ax, s in zip(axes.ravel(), SCORE_NAMES):
        data = [scores.loc[scores["contestant"] == c, s].to_numpy() for c in names]
        ax.boxplot(data, showfliers=False)
        ax.set_xticks(range(1, len(names) + 1), names, rotation=35, ha="right", fontsize=8)
        sc = BY_NAME[s]
        ax.set_title(f"{s} ({sc.better} is better)", fontsize=9)
        ax.set_ylabel(sc.unit, fontsize=8)
        values = scores[s].to_numpy()
        same = scores.groupby("point", observed=True)[s].agg(lambda v: v.max() - v.min())
        if float(same.max()) <= 1e-9 * max(1.0, float(np.abs(values).max())):
            # every contestant scores the same in every future: say so, do not magnify noise
            mid = float(np.median(values))
            ax.set_ylim(mid - 0.1 * abs(mid) - 1e-9, mid + 0.1 * abs(mid) + 1e-9)
            ax.text(
                0.5,
                0.9,
                "the same for every contestant",
                transform=ax.transAxes,
                ha="center",
                fontsize=8,
                color="#a04000",
            )
    axes.ravel()[-1].axis("off")
    fig.suptitle(f"{plan.name}: scores across {scores['point'].nunique()} futures")
    fig.tight_layout()
    out.append(_save(fig, folder / "score_distributions.png"))

    # 2. regret heat map on rank_by, futures sorted by the winner's loss
    s = plan.spec.rank_by
    sign = BY_NAME[s].sign
    m = sign * scores.pivot(index="point", columns="contestant", values=s)[names].to_numpy()
    regret = (m - m.min(axis=1, keepdims=True)).T  # (C, F)
    order = np.argsort(regret.mean(axis=0))
    fig, ax = plt.subplots(figsize=(12, 0.5 * len(names) + 1.8))
    im = ax.imshow(regret[:, order], aspect="auto", cmap="viridis", interpolation="nearest")
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.set_xlabel("futures (sorted by mean regret)")
    ax.set_title(f"regret on {s}: distance to the best contestant in each future")
    fig.colorbar(im, ax=ax, label=BY_NAME[s].unit)
    fig.tight_layout()
    out.append(_save(fig, folder / "regret_heatmap.png"))

    # 3. trade-off: dependence (lower better) against security (higher better)
    fig, ax = plt.subplots(figsize=(6.5, 5))
    front = set(non_dominated(board))
    for d in board.to_dict("records"):
        on = d["contestant"] in front
        ax.scatter(
            d["final_dependence_mean"],
            d["security_mean"],
            s=60 if on else 30,
            marker="o" if on else "x",
            color="C3" if on else "C0",
        )
        ax.annotate(
            str(d["contestant"]),
            (d["final_dependence_mean"], d["security_mean"]),
            fontsize=8,
            xytext=(4, 4),
            textcoords="offset points",
        )
    ax.set_xlabel(f"final dependence, mean ({BY_NAME['final_dependence'].unit}; lower is better)")
    ax.set_ylabel(f"security, mean ({BY_NAME['security'].unit}; higher is better)")
    ax.set_title("trade-off: red circles are not dominated")
    fig.tight_layout()
    out.append(_save(fig, folder / "tradeoff.png"))

    # 4. the ecological tournament: which strategies spread
    if spread is not None:
        wide = spread.pivot(index="date", columns="contestant", values="share")[names]
        fig, ax = plt.subplots(figsize=(8, 4))
        ax.stackplot(range(len(wide)), wide.T.to_numpy(), labels=names)
        ax.set_xticks(range(len(wide)), list(wide.index), rotation=30, ha="right", fontsize=8)
        ax.set_ylim(0, 1)
        ax.set_ylabel("share of focal states playing it")
        ax.set_title("ecological tournament: which strategies spread (all futures)")
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
        fig.tight_layout()
        out.append(_save(fig, folder / "evolution.png"))
    return out


def _save(fig: object, path: Path) -> Path:
    import matplotlib.pyplot as plt

    tmp = path.with_name(f".{path.stem}.tmp.png")
    fig.savefig(tmp, dpi=100)  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[arg-type]
    tmp.replace(path)
    return path
