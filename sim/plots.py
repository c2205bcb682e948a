"""Matplotlib figures of a run, read from the tidy results (never from the model).

With several replicates, lines are medians with a 5-95% band; stacked shares use medians.
Every figure is saved as PNG and SVG.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sim.outcomes import label

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.results import Results

PALETTE = {
    "RUS": "#c0392b",
    "TUR": "#16a085",
    "CHN": "#f1c40f",
    "WEST": "#2e86c1",
    "KAZ": "#7d3c98",
    "UZB": "#d35400",
    "KGZ": "#5d6d7e",
    "TJK": "#a04000",
    "TKM": "#1e8449",
}


def color(sid: str, i: int = 0) -> str | tuple[float, float, float, float]:
    """A stable colour per state id."""
    import matplotlib

    return PALETTE.get(sid, matplotlib.colormaps["tab20"](hash(sid) % 20))


def _mpl() -> None:
    """Select matplotlib's non-interactive Agg backend (callers then import pyplot)."""
    import matplotlib

    matplotlib.use("Agg", force=True)


def band(ts: pd.DataFrame, metric: str, state: str, partner: str = "") -> pd.DataFrame:
    """Per step: median, q05, q95 of one series over replicates (index: step; column date)."""
    x = ts[(ts["metric"] == metric) & (ts["state"] == state) & (ts["partner"] == partner)]
    g = x.groupby("step")["value"]
    out = g.median().to_frame("median")
    out["q05"] = g.quantile(0.05)
    out["q95"] = g.quantile(0.95)
    out["date"] = x.groupby("step")["date"].first()
    return out


def line_with_band(
    ax: Axes,
    b: pd.DataFrame,
    label: str,
    c: str | tuple[float, float, float, float],
    show_band: bool,
    **kw: Any,
) -> None:
    """Draw a median line and (with replicates) its 5-95% band."""
    ax.plot(b.index, b["median"], label=label, color=c, **kw)
    if show_band:
        ax.fill_between(b.index, b["q05"], b["q95"], color=c, alpha=0.18, linewidth=0)


def _date_ticks(ax: Axes, dates: list[str]) -> None:
    step = max(1, len(dates) // 6)
    ticks = list(range(0, len(dates), step))
    ax.set_xticks(ticks)
    ax.set_xticklabels([dates[i] for i in ticks], rotation=30, ha="right", fontsize=8)


def _grid(n: int) -> tuple[int, int]:
    cols = min(3, n)
    return math.ceil(n / cols), cols


def stacked_shares(ts: pd.DataFrame, metric: str, states: list[str], title: str) -> Figure:
    """Stacked areas of median partner shares, one panel per state."""
    _mpl()
    import matplotlib.pyplot as plt

    from sim.summary import median_pairs

    med = median_pairs(ts, metric)
    rows, cols = _grid(len(states))
    fig, axes = plt.subplots(
        rows, cols, figsize=(4.2 * cols, 3.1 * rows), squeeze=False, sharey=True
    )
    dates = sorted(
        ts["date"].unique(), key=list(ts.drop_duplicates("step").sort_values("step")["date"]).index
    )
    for k, st in enumerate(states):
        ax = axes[k // cols][k % cols]
        ax.set_title(st, fontsize=10)
        if st not in med.index.get_level_values("state"):
            ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
            continue
        # a cross-section of a frame by an index level is a frame (pandas-stubs: frame or series)
        sub = cast("pd.DataFrame", med.xs(st, level="state")).droplevel("date")
        sub = sub.loc[:, (sub > 0).any()]
        sub = sub[sub.mean().sort_values(ascending=False).index]
        ax.stackplot(
            sub.index,
            sub.T.values,
            labels=sub.columns,
            colors=[color(c) for c in sub.columns],
            alpha=0.9,
        )
        ax.set_title(st, fontsize=10)
        ax.set_ylim(0, 1)
        _date_ticks(ax, dates)
        ax.legend(fontsize=7, loc="lower left", ncol=2, framealpha=0.7)
    for k in range(len(states), rows * cols):
        axes[k // cols][k % cols].axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def lines_across_states(
    ts: pd.DataFrame, panels: list[tuple[str, str, str]], states: list[str], title: str, reps: int
) -> Figure:
    """Panels of one metric per state (partner fixed or empty), with bands."""
    _mpl()
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 3.6), squeeze=False)
    dates = list(ts.drop_duplicates("step").sort_values("step")["date"])
    for ax, (metric, partner, panel_title) in zip(axes[0], panels):
        for st in states:
            b = band(ts, metric, st, partner)
            if len(b):
                line_with_band(ax, b, st, color(st), reps > 1)
        ax.set_title(panel_title, fontsize=10)
        _date_ticks(ax, dates)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def write_plots(results: Results, folder: Path) -> list[Path]:
    """Write all standard figures of a run as PNG and SVG; returns the PNG paths."""
    _mpl()
    import matplotlib.pyplot as plt

    from sim.summary import importers

    folder.mkdir(parents=True, exist_ok=True)
    ts = results.timeseries
    sc = results.scenario
    imp = importers(sc) or list(sc.state_ids)
    reps = len(results.seeds)
    exporters = [s for s in sc.state_ids if sc.states[s].exports_arms]
    patrons = [s for s in sc.state_ids if sc.states[s].clients]
    targets = sorted(
        {s.target for s in sc.sanctions}
        | {e.target for e in sc.events if e.type == "sanction_imposed"}
    )
    first_supplier: dict[str, str] = {}
    from sim.summary import summarize_frame

    summ = summarize_frame(ts, imp)
    for r in summ.itertuples():
        first_supplier[str(r.state)] = str(r.lead_start)
    main_sup = (
        max(set(first_supplier.values()), key=list(first_supplier.values()).count)
        if first_supplier
        else ""
    )
    figs = {
        "arms_shares": stacked_shares(ts, "arms_share", imp, f"{sc.name}: arms stock by supplier"),
        "trade_shares": stacked_shares(ts, "trade_share", imp, f"{sc.name}: trade by partner"),
        "concentration_dependence": lines_across_states(
            ts,
            [
                ("arms_hhi", "", label("arms_hhi")),
                ("trade_hhi", "", label("trade_hhi")),
                ("dependence", main_sup, f"{label('dependence')} on {main_sup}"),
            ],
            imp,
            f"{sc.name}: concentration and dependence",
            reps,
        ),
    }
    panels = []
    if targets:
        panels += [
            ("compliance", targets[0], f"{label('compliance')} with sanctions on {targets[0]}")
        ]
    if patrons:
        panels += [("pressure", patrons[0], f"{label('pressure')} from {patrons[0]}")]
    panels += [("threat", "", label("threat"))]
    figs["sanctions_pressure"] = lines_across_states(
        ts, panels, imp, f"{sc.name}: sanctions, compliance and pressure", reps
    )
    figs["supplier_capacity"] = lines_across_states(
        ts,
        [
            ("capacity", "", label("capacity")),
            ("reliability", "", label("reliability")),
            ("input_loss", "", label("input_loss")),
        ],
        exporters or list(sc.state_ids),
        f"{sc.name}: supplier capacity",
        reps,
    )
    cap = ts.loc[ts["metric"] == "capacity", "value"]
    if (cap > 0).any():
        figs["supplier_capacity"].axes[0].set_yscale("log")
    out = []
    for name, fig in figs.items():
        fig.savefig(folder / f"{name}.png", dpi=110)
        fig.savefig(folder / f"{name}.svg")
        plt.close(fig)
        out.append(folder / f"{name}.png")
    return out
