"""The page's figures (matplotlib, projector-sized): plain functions of a :class:`Snapshot`.

A snapshot holds the recorded arrays of the live run up to now and the reference run ("ghost":
the chosen scenario without the page's changes, or the scenario a lesson extends; see
:meth:`sim.ui.model.ClassroomModel.reference`). Every figure draws the live run strongly and the
reference faintly behind it, both only up to the current quarter, so students predict before they
see where either goes; a slider's effect shows as the gap between the two. Each legend entry pairs
a state's live mark with its reference line.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.plots import color

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

    from sim.ui.model import ClassroomModel

FONT = 15  # pt: readable from the back of a classroom
GHOST_ALPHA = 0.35
REF_LW = 2.0  # pt: the reference's dashed band edges in the supplier chart
MIN_TRADE_SHARE = 0.02  # partners below this share of trade are left out of the trade chart
MAX_YEAR_TICKS = 6  # year labels on a time axis (more overlap at the page's size)
NETWORK_WINDOW = 4  # periods of deliveries summed for the network's edge widths
STYLE: dict[RcKeyType, Any] = {
    "font.size": FONT,
    "axes.titlesize": FONT + 2,
    "axes.labelsize": FONT,
    "xtick.labelsize": FONT - 2,
    "ytick.labelsize": FONT - 2,
    "legend.fontsize": FONT - 3,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


@dataclass(frozen=True)
class Snapshot:
    """What the figures need: ids, names, date labels (whole axis), steps done, arrays, ghost."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    labels: tuple[str, ...]
    t: int
    pairs: dict[str, np.ndarray]
    states: dict[str, np.ndarray]
    ghost_pairs: dict[str, np.ndarray]
    ghost_states: dict[str, np.ndarray]
    focus: int
    exporters: np.ndarray
    patron: int
    ref_label: str = "without your changes"

    @property
    def importers(self) -> list[int]:
        """Row indices of the states that do not export arms."""
        return [i for i in range(len(self.ids)) if not self.exporters[i]]


def snapshot(model: ClassroomModel) -> Snapshot:
    """The live model's arrays so far and its cached reference run."""
    w = model.world
    pairs, states = model.recorder.arrays()
    ref = model.reference()
    g = ref.run
    patrons = np.flatnonzero(w.client_mask.any(axis=1))
    if len(patrons):
        patron = int(patrons[0])
    else:  # no declared patron: the largest supplier of the importers at the start
        share = w.stock_shares()[~w.exports].sum(axis=0) * w.exports
        patron = int(np.argmax(share))
    return Snapshot(
        tuple(w.ids),
        tuple(w.names),
        tuple(w.axis.labels()),
        model.recorder.n_steps,
        pairs,
        states,
        g.pairs,
        g.states,
        w.idx(model.focus),
        w.exports.copy(),
        patron,
        ref.label,
    )


def _figure(w: float = 8.0, h: float = 4.8) -> Figure:
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(w, h), dpi=80, layout="constrained")
        fig.add_subplot()
    return fig


@contextmanager
def _styled(w: float = 8.0, h: float = 4.8) -> Iterator[tuple[Figure, Axes]]:
    """A figure with one axes in the page's style: ``with _styled() as (fig, ax): ...``."""
    import matplotlib

    with matplotlib.rc_context(STYLE):
        fig = _figure(w, h)
        yield fig, fig.axes[0]


def _axis(ax: Axes, s: Snapshot, ylabel: str, ylim: tuple[float, float] | None = (0, 1)) -> None:
    """Whole time axis, year ticks, a 'now' marker."""
    n = len(s.labels)
    ax.set_xlim(0, max(1, n - 1))
    years = [i for i in range(n) if i == 0 or s.labels[i][:4] != s.labels[i - 1][:4]]
    step = -(-len(years) // MAX_YEAR_TICKS)  # ceiling: at most MAX_YEAR_TICKS labels
    ticks = years[::step]
    ax.set_xticks(ticks, [s.labels[i][:4] for i in ticks])
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_ylabel(ylabel)
    if s.t:
        ax.axvline(s.t - 1, color="#444444", lw=1.2, ls=":")
    ax.grid(axis="y", alpha=0.3)


Entry = tuple[tuple[Any, ...], str]
"""A legend entry: the artists drawn side by side for it, and its text."""


def _ghost_and_live(
    ax: Axes, s: Snapshot, ghost: np.ndarray, live: np.ndarray, state: int
) -> Entry:
    """One state's series so far: the reference faint, this run bold; its legend entry."""
    c = color(s.ids[state])
    (ref,) = ax.plot(
        ghost[: s.t], color=c, lw=2, alpha=GHOST_ALPHA, gid=f"reference:{s.ids[state]}"
    )
    (now,) = ax.plot(np.arange(s.t), live, color=c, lw=3, gid=f"live:{s.ids[state]}")
    return (now, ref), s.names[state]


def _finish(
    ax: Axes,
    s: Snapshot,
    entries: list[Entry],
    ylabel: str,
    title: str,
    ghost_style: dict[str, Any] | None = None,
) -> None:
    """Axes, title and the legend outside the plot: one entry per state (its live and reference
    marks side by side) and one saying what the reference is."""
    from matplotlib.legend_handler import HandlerTuple
    from matplotlib.lines import Line2D

    key = Line2D([], [], alpha=GHOST_ALPHA, **(ghost_style or dict(color="grey", lw=2)))
    what = "dashed" if ghost_style and ghost_style.get("ls") == "--" else "faint"
    handles = [h for h, _ in entries] + [(key,)]
    labels = [t for _, t in entries] + [f"{what}: {s.ref_label}"]
    _axis(ax, s, ylabel)
    ax.set_title(title)
    ax.legend(
        handles,
        labels,
        handler_map={tuple: HandlerTuple(ndivide=None, pad=0.3)},
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        frameon=False,
    )


def supplier_shares(s: Snapshot) -> Figure:
    """The followed importer's arms stock by supplier so far: stacked areas. The reference's
    upper edge of each supplier's band is a dashed line in that supplier's colour (outlined, so it
    shows on any band), paired with the supplier's area in the legend."""
    from matplotlib import patheffects
    from matplotlib.patches import Patch

    with _styled() as (fig, ax):
        i = s.focus
        live = s.pairs["arms_share"][:, i, :]
        ghost = s.ghost_pairs["arms_share"][: s.t, i, :]
        cols = [j for j in range(len(s.ids)) if live[:, j].any() or ghost[:, j].any()]
        cols.sort(key=lambda j: -s.ghost_pairs["arms_share"][0, i, j])  # the start: no spoiler
        entries: list[Entry] = []
        if s.t:
            ax.stackplot(
                np.arange(s.t), live[:, cols].T, colors=[color(s.ids[j]) for j in cols], alpha=0.9
            )
        edges = np.cumsum(ghost[:, cols], axis=1).T
        outline = [patheffects.withStroke(linewidth=REF_LW + 2, foreground="white")]
        for k, j in enumerate(cols):
            c = color(s.ids[j])
            marks: tuple[Any, ...] = (Patch(color=c, alpha=0.9),)
            if k < len(cols) - 1:  # the top band's upper edge is always 1
                (line,) = ax.plot(
                    edges[k],
                    color=c,
                    lw=REF_LW,
                    ls="--",
                    path_effects=outline,
                    gid=f"reference:{s.ids[j]}",
                )
                marks += (line,)
            entries.append((marks, s.names[j]))
        _finish(
            ax,
            s,
            entries,
            "share of arms stock",
            f"Who arms {s.names[i]}?",
            dict(color="black", lw=REF_LW, ls="--"),
        )
    return fig


def dependence_lines(s: Snapshot) -> Figure:
    """Every importer's dependence on the main patron (arms and trade), ghost faint behind."""
    with _styled() as (fig, ax):
        p = s.patron
        entries = [
            _ghost_and_live(
                ax, s, s.ghost_pairs["dependence"][:, i, p], s.pairs["dependence"][:, i, p], i
            )
            for i in s.importers
        ]
        _finish(ax, s, entries, "dependence (0-1)", f"How dependent on {s.names[p]} is each state?")
    return fig


def trade_shares(s: Snapshot) -> Figure:
    """The followed importer's trade by partner (share of its trade inside the scenario)."""
    with _styled() as (fig, ax):
        i = s.focus
        live = s.pairs["trade_share"][:, i, :]
        ghost = s.ghost_pairs["trade_share"][:, i, :]
        seen = ghost[: max(1, s.t)]  # partners so far (the first quarter's before the run)
        peak = np.maximum(seen.max(axis=0, initial=0), live.max(axis=0, initial=0))
        big = peak > MIN_TRADE_SHARE
        cols = [j for j in range(len(s.ids)) if j != i and big[j]]
        cols.sort(key=lambda j: -ghost[0, j])
        entries = [_ghost_and_live(ax, s, ghost[:, j], live[:, j], j) for j in cols]
        _finish(ax, s, entries, "share of trade", f"Who does {s.names[i]} trade with?")
        # a steady scale: the whole reference run's largest share (an axis, not a path)
        top = max(0.1, float(ghost[:, cols].max(initial=0)), float(live[:, cols].max(initial=0)))
        ax.set_ylim(0, min(1.0, top * 1.15))
    return fig


def network_layout(s: Snapshot) -> dict[int, tuple[float, float]]:
    """Suppliers (arms exporters) on an upper arc, importers on a lower row."""
    exp = [i for i in range(len(s.ids)) if s.exporters[i]]
    imp = s.importers
    pos: dict[int, tuple[float, float]] = {}
    for k, i in enumerate(exp):
        x = (k + 0.5) / max(1, len(exp))
        pos[i] = (x, 0.8 + 0.12 * np.sin(np.pi * x))
    for k, i in enumerate(imp):
        pos[i] = ((k + 0.5) / max(1, len(imp)), 0.1)
    return pos


def _flow_scale(s: Snapshot) -> float:
    """Largest single flow into an importer over a year of the ghost run (US$ bn), > 0."""
    d = s.ghost_pairs["deliveries"][:, ~s.exporters][:, :, s.exporters]
    return max(1e-9, float(d.max()) * NETWORK_WINDOW)


def arms_network(s: Snapshot) -> Figure:
    """Arms flows between states: arrows supplier -> buyer, width by deliveries in the last year."""
    import networkx as nx

    with _styled() as (fig, ax):
        ax.axis("off")
        g = nx.DiGraph()
        g.add_nodes_from(range(len(s.ids)))
        lo = max(0, s.t - NETWORK_WINDOW)
        flow = s.pairs["deliveries"][lo : s.t].sum(axis=0) if s.t else np.zeros((len(s.ids),) * 2)
        np.fill_diagonal(flow, 0.0)
        flow[:, ~s.exporters] = 0.0  # rows: buyer, columns: supplier (arms exporters only)
        flow[s.exporters, :] = 0.0  # only flows into the region's importers
        top = max(_flow_scale(s), flow.max())  # fixed scale: widths comparable over time
        for b, a in zip(*np.nonzero(flow > top * 0.01)):
            g.add_edge(int(a), int(b), w=float(flow[b, a]))
        pos = network_layout(s)
        nodes = list(g.nodes)
        nx.draw_networkx_nodes(
            g,
            pos,
            ax=ax,
            nodelist=nodes,
            node_size=1500,
            node_color=[color(s.ids[i]) for i in nodes],
            alpha=0.95,
        )
        nx.draw_networkx_labels(
            g,
            pos,
            ax=ax,
            labels={i: s.ids[i] for i in nodes},
            font_size=FONT - 2,
            font_color="white",
            font_weight="bold",
        )
        if g.number_of_edges():
            widths = [1.0 + 11.0 * d["w"] / top for _, _, d in g.edges(data=True)]
            nx.draw_networkx_edges(
                g,
                pos,
                ax=ax,
                width=widths,
                arrowsize=18,
                node_size=1500,
                edge_color=[color(s.ids[a]) for a, _ in g.edges()],
                alpha=0.7,
                connectionstyle="arc3,rad=0.08",
            )
        when = f"{s.labels[lo]} to {s.labels[s.t - 1]}" if s.t else "no deliveries yet"
        ax.set_title(f"Arms deliveries in the last year ({when})")
        ax.set_xlim(-0.05, 1.05)
        ax.set_ylim(-0.05, 1.05)
    return fig
