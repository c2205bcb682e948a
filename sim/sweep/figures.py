"""Figures of sweep analyses (matplotlib, Agg): index bars with CIs, indices over time, PRIM
trade-off.

Each function takes the DataFrames returned by :mod:`sim.sweep.analyze` / :mod:`sim.sweep.discovery`
and returns a matplotlib Figure; saving is the caller's job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from sim.sweep.discovery import PrimResult

# (index column, CI column, label) per method
INDICES: dict[str, list[tuple[str, str | None, str]]] = {
    "sobol": [("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total ST")],
    "morris": [("mu_star", "mu_star_conf", "mu* (mean |effect|)"), ("sigma", None, "sigma")],
}


def _use_agg() -> None:
    """Draw off-screen; called before pyplot is imported (it loads on first use only)."""
    import matplotlib

    matplotlib.use("Agg", force=True)


def bars(df: pd.DataFrame, outcome: str, method: str) -> Figure:
    """Grouped bars of one scalar outcome's indices per parameter, with confidence intervals."""
    _use_agg()
    import matplotlib.pyplot as plt

    sub = df[(df["outcome"] == outcome) & (df["kind"] == "scalar")]
    params = list(sub["parameter"])
    x = np.arange(len(params))
    specs = INDICES[method]
    w = 0.8 / len(specs)
    fig, ax = plt.subplots(figsize=(max(5.0, 1.1 * len(params) + 2), 4.0), layout="constrained")
    for k, (col, conf, label) in enumerate(specs):
        err = sub[conf].to_numpy() if conf else None
        ax.bar(
            x + (k - (len(specs) - 1) / 2) * w,
            sub[col].to_numpy(),
            w,
            yerr=err,
            capsize=3,
            label=label,
        )
    ax.set_xticks(x, params, rotation=30, ha="right")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_ylabel("index" if method == "sobol" else "effect per full range")
    ax.set_title(f"{method.capitalize()} indices: {outcome} (95% CI)")
    ax.legend(frameon=False)
    return fig


MORRIS_RATIOS = (1.0, 0.5, 0.1)
"""sigma / mu* of the reference lines of the Morris plot (as SALib's ``covariance_plot``): above
1, a parameter acts mostly through interactions or non-linearly; below 0.1, almost linearly."""


def morris_scatter(df: pd.DataFrame, outcome: str) -> Figure:
    """The Morris plot of one scalar outcome: sigma against mu* per parameter, keeping the sign.

    Colour is mu / mu* (from -1, every effect lowers the outcome, through 0, effects of both
    signs, to +1, every effect raises it) and the marker the sign of mu; the dashed lines are
    sigma / mu* = :data:`MORRIS_RATIOS`.
    """
    _use_agg()
    import matplotlib.pyplot as plt

    sub = df[(df["outcome"] == outcome) & (df["kind"] == "scalar")]
    mu_star, sigma, mu = (sub[c].to_numpy(dtype=float) for c in ("mu_star", "sigma", "mu"))
    sign = np.divide(mu, mu_star, out=np.zeros_like(mu), where=mu_star > 0)
    fig, ax = plt.subplots(figsize=(6.4, 4.8), layout="constrained")
    top = float(np.nanmax(np.concatenate([mu_star, sigma, [1e-12]]))) * 1.1
    for r in MORRIS_RATIOS:
        ax.plot([0, top], [0, r * top], color="grey", ls="--", lw=0.7)
        ax.annotate(
            f"sigma/mu* = {r:g}",
            (top, min(r * top, top)),
            fontsize=7,
            color="grey",
            ha="right",
            va="bottom",
        )
    sc = None
    for marker, keep, label in (
        ("^", mu >= 0, "mu >= 0 (raises on average)"),
        ("v", mu < 0, "mu < 0 (lowers on average)"),
    ):
        if keep.any():
            sc = ax.scatter(
                mu_star[keep],
                sigma[keep],
                c=sign[keep],
                cmap="RdBu_r",
                vmin=-1,
                vmax=1,
                marker=marker,
                s=70,
                edgecolor="black",
                label=label,
                zorder=3,
            )
    for name, x, y in zip(sub["parameter"], mu_star, sigma):
        ax.annotate(str(name), (x, y), textcoords="offset points", xytext=(6, 4), fontsize=8)
    if sc is not None:
        fig.colorbar(sc, ax=ax, label="mu / mu*  (-1 lowers, 0 both signs, +1 raises)")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("mu* (mean |effect| per full range)")
    ax.set_ylabel("sigma (spread of the effects)")
    ax.set_title(f"Morris screening: {outcome}")
    ax.legend(frameon=False, loc="upper left", fontsize=8)
    return fig


def over_time(df: pd.DataFrame, outcome: str, method: str) -> Figure:
    """Indices of a time-series outcome step by step: which parameters matter early, which late."""
    _use_agg()
    import matplotlib.pyplot as plt

    sub = df[(df["outcome"] == outcome) & (df["kind"] == "series")]
    specs = INDICES[method][: 2 if method == "sobol" else 1]
    fig, axes = plt.subplots(
        len(specs),
        1,
        figsize=(8.0, 3.2 * len(specs)),
        sharex=True,
        layout="constrained",
        squeeze=False,
    )
    for ax, (col, conf, label) in zip(axes[:, 0], specs):
        for p, g in sub.groupby("parameter", sort=False):
            g = g.sort_values("step")
            (line,) = ax.plot(g["step"], g[col], label=p)
            if conf:
                ax.fill_between(
                    g["step"],
                    g[col] - g[conf],
                    g[col] + g[conf],
                    color=line.get_color(),
                    alpha=0.15,
                    lw=0,
                )
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        if method == "sobol":  # estimates outside [0, 1] are sampling noise: keep the scale
            ax.set_ylim(-0.1, 1.1)
    steps = sub.drop_duplicates("step").sort_values("step")
    every = max(1, len(steps) // 8)
    ax = axes[-1, 0]
    ax.set_xticks(
        steps["step"].to_numpy()[::every],
        steps["date"].to_numpy()[::every],
        rotation=30,
        ha="right",
    )
    axes[0, 0].set_title(f"{method.capitalize()} indices over time: {outcome}")
    axes[0, 0].legend(frameon=False, fontsize=8, ncol=2)
    return fig


def tradeoff(result: PrimResult) -> Figure:
    """PRIM peeling trajectories: coverage against density, coloured by restricted dimensions."""
    _use_agg()
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.0, 4.5), layout="constrained")
    tr = result.trajectory
    sc = None
    for _, g in tr.groupby("box"):
        ax.plot(g["coverage"], g["density"], color="grey", lw=0.6, alpha=0.6)
        sc = ax.scatter(
            g["coverage"],
            g["density"],
            c=g["res_dim"],
            cmap="viridis",
            s=18,
            vmin=0,
            vmax=max(1, int(tr["res_dim"].max())),
        )
    for _, r in result.stats.iterrows():
        ax.scatter(
            [r["coverage"]],
            [r["density"]],
            marker="*",
            s=160,
            color="crimson",
            edgecolor="black",
            zorder=3,
        )
        ax.annotate(
            f"box {int(r['box'])}",
            (r["coverage"], r["density"]),
            textcoords="offset points",
            xytext=(6, -10),
        )
    if sc is not None:
        fig.colorbar(sc, ax=ax, label="restricted dimensions")
    ax.axhline(result.base_rate, color="black", ls=":", lw=0.8, label="base rate")
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"PRIM trade-off: {result.condition}")
    ax.legend(frameon=False, loc="lower left")
    return fig
