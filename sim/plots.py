"""Matplotlib figures of a run, read from the tidy results (never from the model).

With several replicates, lines are medians with a 5-95% band; stacked shares use medians.
Every figure is saved as PNG (and as SVG on request, ``formats=("png", "svg")``); a run's figures
are drawn in parallel, one forked process per core (:func:`plots_written`).

The conventions every figure of the tool follows (the compare report's figures use the helpers
here too):

* one fixed colour per actor (:func:`color`, Paul Tol's colour-blind-safe "muted" scheme; the web
  page uses it as well), and within a panel each line has its own dash pattern (:func:`dashes`),
  so lines that coincide stay visible;
* full state names in titles and legends; legends outside the panels;
* y-axis labels with units (:func:`sim.outcomes.label`), log scales said in the label, and axes
  of non-negative values starting at 0;
* event dates as dotted vertical lines, labelled on the top axis and listed under the figure
  (:func:`time_axis`, :func:`event_note`);
* the 5-95% band named in the legend only when it is wider than the line (:func:`band_entry`).
"""

from __future__ import annotations

import contextlib
import math
import textwrap
import uuid
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sim.outcomes import BY_NAME, label

if TYPE_CHECKING:
    from concurrent.futures import Executor

    import pandas as pd
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from numpy.typing import ArrayLike

    from sim.events import FiredEvent
    from sim.focus import Focus
    from sim.results import Results
    from sim.scenario.schema import Scenario

MUTED = (
    "#CC6677",  # rose
    "#332288",  # indigo
    "#DDCC77",  # sand
    "#117733",  # green
    "#88CCEE",  # cyan
    "#882255",  # wine
    "#44AA99",  # teal
    "#999933",  # olive
    "#AA4499",  # purple
)
"""Paul Tol's colour-blind-safe qualitative scheme "muted" (nine colours)."""
INK = "#000000"
"""The tenth actor colour (the scheme has nine): black, apart from all nine in lightness."""
PALETTE = {
    "RUS": "#CC6677",
    "UZB": "#88CCEE",
    "TUR": "#44AA99",
    "TKM": "#DDCC77",
    "CHN": "#882255",
    "EU": "#332288",
    "WEST": "#332288",  # the bloc of the older hindcasts; the EU is its larger part
    "USA": INK,
    "KAZ": "#AA4499",
    "KGZ": "#117733",
    "TJK": "#999933",
}
"""The actor colours, the same in every figure and on the web page (one colour of
:data:`MUTED` each, and :data:`INK` for the tenth, the USA; the pairs easily confused on a map,
TUR/TKM and RUS/UZB, far apart). WEST and the EU share indigo: no shipped scenario has both."""
DASHES: tuple[Any, ...] = ("-", (0, (5, 2)), (0, (1, 1.5)), (0, (6, 2, 1, 2)), (0, (3, 3)))
"""Dash patterns of the lines of one panel, in turn: coinciding lines stay visible."""
BAND_ALPHA = 0.2
MIN_BAND = 0.01
"""A band narrower than this share of the y-axis span is hidden under its line."""
EVENT_COLOR = "#555555"
YEAR_TICKS = 6
Y_TICKS = 5
"""About this many date ticks on a time axis."""
PANEL_SIZE = (4.6, 3.3)
"""Width and height of one panel (inches); figures grow by panels, never into strips."""
MAX_COLS = 2
LEGEND_WIDTH = 2.1
"""Inches right of the panels for the figure's legend."""
TITLE_ROOM = 0.45
"""Inches above a panel for the event dates between the panel and its title."""
TITLE_PAD = 30
"""Points between a panel and its title when event dates stand there."""
NOTE_LINE = 0.12
NOTE_WIDTH = 160
"""The list of events under a figure: inches per line, characters per line."""
DPI = 100
PNG_COMPRESSION = 1
"""zlib level of the PNG files: fast (the files are about a third larger than at level 6)."""
MAX_WORKERS = 4
"""At most this many processes draw a run's figures (there are five or six)."""
FORMATS = ("png",)
"""Formats written by default (SVG on request: it takes as long again)."""


def color(sid: str, i: int = 0) -> str:
    """The fixed colour of an actor; other ids get a stable colour of the same scheme."""
    return PALETTE.get(sid) or MUTED[zlib.crc32(sid.encode()) % len(MUTED)]


def dashes(k: int) -> Any:
    """The dash pattern of the ``k``-th line of a panel."""
    return DASHES[k % len(DASHES)]


def _mpl() -> None:
    """Select matplotlib's non-interactive Agg backend (callers then import pyplot)."""
    import matplotlib

    matplotlib.use("Agg", force=True)


def state_name(sc: Scenario, sid: str) -> str:
    """A state's full name (its id if the scenario does not know it)."""
    return sc.states[sid].name if sid in sc.states else sid


def band(ts: pd.DataFrame, metric: str, state: str, partner: str = "") -> pd.DataFrame:
    """Per step: median, q05, q95 of one series over replicates (index: step; column date)."""
    return Bands(ts)(metric, state, partner)


class Bands:
    """Median and 5-95% band over replicates of every series of a tidy table, computed for a
    whole metric at once (the first time it is asked for) and then looked up."""

    def __init__(self, ts: pd.DataFrame) -> None:
        self.ts = ts
        self._by: dict[str, tuple[pd.DataFrame, pd.Series]] = {}

    def __call__(self, metric: str, state: str, partner: str = "") -> pd.DataFrame:
        """Per step: median, q05, q95 and date of one series (empty if it was not recorded)."""
        import pandas as pd

        if metric not in self._by:
            x = self.ts[self.ts["metric"] == metric]
            g = x.groupby(["state", "partner", "step"], sort=True, observed=True)["value"]
            frame = g.median().to_frame("median")
            if x["replicate"].nunique() > 1:
                # pandas-stubs: quantile takes a list of quantiles too (pandas documents it)
                q = g.quantile([0.05, 0.95]).unstack()  # type: ignore[arg-type]
                frame["q05"], frame["q95"] = q[0.05], q[0.95]
            else:
                frame["q05"] = frame["q95"] = frame["median"]
            dates = x.groupby("step", observed=True)["date"].first()
            self._by[metric] = (frame, dates)
        frame, dates = self._by[metric]
        try:  # one series, looked up when asked for (a pair metric has n x n of them)
            sub = cast("pd.DataFrame", frame.loc[(state, partner)]).copy()
        except KeyError:
            return pd.DataFrame(columns=["median", "q05", "q95", "date"])
        sub["date"] = dates.reindex(sub.index).to_numpy()
        return sub


# ----------------------------------------------------------------------------- figure helpers
def panels(n: int, cols: int = MAX_COLS, marks: Sequence[Mark] = ()) -> tuple[Figure, list[Axes]]:
    """A figure of ``n`` panels in rows of at most ``cols``, laid out by fixed margins (in
    inches, no layout engine: drawing stays fast): room on the right for the legend, above each
    panel for its title and event dates, below for the list of events."""
    _mpl()
    import matplotlib.pyplot as plt

    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    w, h = PANEL_SIZE
    left, right, gap_x = 0.75, LEGEND_WIDTH, 0.75
    top, gap_y = 0.55 + (TITLE_ROOM if marks else 0.3), 0.75  # event dates above the top row
    bottom = 0.45 + NOTE_LINE * len(_note_lines(marks))
    width = left + cols * w + (cols - 1) * gap_x + right
    height = top + rows * h + (rows - 1) * gap_y + bottom
    fig = plt.figure(figsize=(width, height))
    grid = fig.add_gridspec(
        rows,
        cols,
        left=left / width,
        right=1 - right / width,
        top=1 - top / height,
        bottom=bottom / height,
        wspace=gap_x / w,
        hspace=gap_y / h,
    )
    return fig, [fig.add_subplot(grid[i // cols, i % cols]) for i in range(n)]


@dataclass(frozen=True)
class Mark:
    """Events of one step, as a time axis marks them."""

    step: int
    date: str
    what: str


def event_marks(events: Sequence[FiredEvent]) -> list[Mark]:
    """One mark per step with events that fired (blocked ones are left out)."""
    by_step: dict[int, tuple[str, list[str]]] = {}
    for e in events:
        if e.blocked:
            continue
        _, kinds = by_step.setdefault(e.step, (e.date, []))
        kind = e.type.replace("_", " ")
        if kind not in kinds:
            kinds.append(kind)
    return [Mark(s, d, ", ".join(k)) for s, (d, k) in sorted(by_step.items())]


def panel_title(ax: Axes, text: str, pad: float = 6.0) -> None:
    """A panel's title at a fixed height (matplotlib's automatic placement measures every
    axis at each draw, a third of the drawing time)."""
    ax.set_title(text, fontsize=9, y=1.0, pad=pad)


def time_axis(ax: Axes, dates: Sequence[str], marks: Sequence[Mark] = ()) -> None:
    """Year ticks below; event dates as dotted lines, labelled above the panels of the top
    row (the figure lists them under the panels, :func:`event_note`)."""
    n = len(dates)
    starts = [i for i in range(n) if i == 0 or dates[i][:4] != dates[i - 1][:4]]
    every = max(1, math.ceil(len(starts) / YEAR_TICKS))
    ticks = starts[::every]
    ax.set_xticks(ticks, [dates[i][:4] for i in ticks], fontsize=7)
    ax.set_xlim(0, max(1, n - 1))
    for m in marks:
        ax.axvline(m.step, color=EVENT_COLOR, ls=":", lw=0.8, zorder=2.5)
    spec = ax.get_subplotspec()
    if not marks or (spec is not None and not spec.is_first_row()):
        return
    on_top = ax.get_xaxis_transform()  # x in data, y in axes coordinates
    for m in marks:
        ax.text(
            m.step,
            1.01,
            m.date,
            transform=on_top,
            rotation=90,
            fontsize=5.5,
            color=EVENT_COLOR,
            ha="center",
            va="bottom",
        )
    panel_title(ax, ax.get_title(), pad=TITLE_PAD)  # above the dates


def _note_lines(marks: Sequence[Mark]) -> list[str]:
    if not marks:
        return []
    text = "Dotted lines, events: " + "; ".join(f"{m.date} {m.what}" for m in marks)
    return textwrap.wrap(text, NOTE_WIDTH)


def event_note(fig: Figure, marks: Sequence[Mark]) -> None:
    """List the marked events under the figure (date and what happened)."""
    lines = _note_lines(marks)
    if lines:
        fig.text(0.01, 0.01, "\n".join(lines), fontsize=6.5, color=EVENT_COLOR, va="bottom")


def y_axis(ax: Axes, metric: str, *, log: bool = False, unit: str = "") -> None:
    """Label the y axis with the metric's unit (``unit`` replaces it); a log scale says so in
    the label; a linear axis has about :data:`Y_TICKS` ticks and, for values that are never
    negative, starts at 0 (no exaggeration)."""
    text = unit or label(metric)
    if log:
        ax.set_yscale("log")
        ax.set_ylabel(f"{text}, log scale", fontsize=8)
        return
    from matplotlib.ticker import MaxNLocator

    ax.set_ylabel(text, fontsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(Y_TICKS))
    if ax.dataLim.y0 >= 0:  # lines and bands drawn so far
        ax.set_ylim(bottom=0)


def is_share(metric: str) -> bool:
    """A metric on a 0-1 scale (shares, indices)."""
    o = BY_NAME.get(metric)
    return o is not None and o.unit in ("share", "index 0-1")


def band_visible(ax: Axes, lo: ArrayLike, hi: ArrayLike) -> bool:
    """Whether a band from ``lo`` to ``hi`` is wider than a line on ``ax`` somewhere (more than
    :data:`MIN_BAND` of a linear axis' span; 5% apart on a log axis)."""
    import numpy as np

    low, high = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    if ax.get_yscale() != "linear":
        with np.errstate(divide="ignore", invalid="ignore"):
            return bool(np.nanmax(high / low, initial=1.0) > 1.05)
    y0, y1 = ax.get_ylim()
    return bool(np.nanmax(high - low, initial=0.0) > MIN_BAND * abs(y1 - y0))


def band_entry(visible: bool, replicates: int, paired: bool = False) -> tuple[Artist, str]:
    """The legend entry of the 5-95% band: a grey patch if the band shows, else a note that it
    is narrower than the line."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if visible:
        what = "paired differences" if paired else "replicates"
        return Patch(color="grey", alpha=BAND_ALPHA + 0.1), f"5-95% of {replicates} {what}"
    who = "paired replicates" if paired else f"{replicates} replicates"
    return Line2D([], [], color="none"), f"{who}: band narrower than the line"


def outside_legend(fig: Figure, handles: list[Artist], labels: list[str], title: str = "") -> None:
    """One legend for the figure, in the margin right of the panels (never over the data)."""
    if not handles:
        return
    x = 1 - (LEGEND_WIDTH - 0.1) / fig.get_size_inches()[0]
    fig.legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(x, fig.subplotpars.top),
        fontsize=7,
        title=title or None,
        title_fontsize=7,
        frameon=False,
    )


# ----------------------------------------------------------------------------- run figures
def stacked_shares(
    ts: pd.DataFrame,
    metric: str,
    states: list[str],
    title: str,
    sc: Scenario | None = None,
    marks: Sequence[Mark] = (),
) -> Figure:
    """Stacked areas of median partner shares, one panel per state; one legend of partners."""
    from sim.summary import median_pairs

    med = median_pairs(ts, metric)
    fig, axes = panels(len(states), cols=3, marks=marks)
    dates = list(ts.drop_duplicates("step").sort_values("step")["date"])
    name = (lambda s: state_name(sc, s)) if sc is not None else (lambda s: s)
    seen: dict[str, Artist] = {}
    present = set(med.index.get_level_values("state"))
    for ax, st in zip(axes, states):
        panel_title(ax, name(st))
        if st not in present:
            ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
            continue
        # a cross-section of a frame by an index level is a frame (pandas-stubs: frame or series)
        sub = cast("pd.DataFrame", med.xs(st, level="state")).droplevel("date")
        sub = sub.loc[:, (sub > 0).any()]
        sub = sub[sub.mean().sort_values(ascending=False).index]
        polys = ax.stackplot(
            sub.index,
            sub.T.values,
            labels=[name(c) for c in sub.columns],
            colors=[color(c) for c in sub.columns],
            alpha=0.9,
        )
        for c, p in zip(sub.columns, polys):
            seen.setdefault(str(c), p)
        ax.set_ylim(0, 1)
        y_axis(ax, metric)
        time_axis(ax, dates, marks)
    outside_legend(fig, list(seen.values()), [name(c) for c in seen], "partner")
    fig.suptitle(f"{title} (medians)" if ts["replicate"].nunique() > 1 else title)
    event_note(fig, marks)
    return fig


def series_panels(
    ts: pd.DataFrame,
    panels_spec: list[tuple[str, str, str]],
    states: list[str],
    title: str,
    reps: int,
    sc: Scenario | None = None,
    marks: Sequence[Mark] = (),
    log: Sequence[str] = (),
) -> Figure:
    """Panels of one metric per state (partner fixed or empty), medians with 5-95% bands."""
    fig, axes = panels(len(panels_spec), marks=marks)
    dates = list(ts.drop_duplicates("step").sort_values("step")["date"])
    band = Bands(ts)
    name = (lambda s: state_name(sc, s)) if sc is not None else (lambda s: s)
    handles: dict[str, Artist] = {}
    shown_band = False
    for ax, (metric, partner, heading) in zip(axes, panels_spec):
        bands = []
        for k, st in enumerate(states):
            b = band(metric, st, partner)
            if len(b) == 0:
                continue
            (ln,) = ax.plot(b.index, b["median"], color=color(st), ls=dashes(k), lw=1.6)
            handles.setdefault(name(st), ln)
            if reps > 1:
                ax.fill_between(
                    b.index, b["q05"], b["q95"], color=color(st), alpha=BAND_ALPHA, lw=0
                )
                bands.append(b)
        panel_title(ax, heading)
        y_axis(ax, metric, log=metric in log)
        time_axis(ax, dates, marks)
        shown_band |= any(band_visible(ax, b["q05"], b["q95"]) for b in bands)
    h, lab = list(handles.values()), list(handles)
    if reps > 1:
        entry = band_entry(shown_band, reps)
        h.append(entry[0])
        lab.append(entry[1])
    outside_legend(fig, h, lab, "state")
    fig.suptitle(title)
    event_note(fig, marks)
    return fig


def focus_figure(results: Results, focus: Sequence[Focus], marks: Sequence[Mark] = ()) -> Figure:
    """One panel per focus series: its median over replicates with the 5-95% band."""
    ts = results.timeseries
    sc = results.scenario
    reps = len(results.seeds)
    fig, axes = panels(len(focus), marks=marks)
    dates = list(ts.drop_duplicates("step").sort_values("step")["date"])
    band = Bands(ts)
    shown_band = False
    for ax, f in zip(axes, focus):
        b = band(f.metric, f.state, f.partner)
        ax.plot(b.index, b["median"], color=color(f.partner or f.state), lw=1.8)
        if reps > 1:
            ax.fill_between(
                b.index, b["q05"], b["q95"], color=color(f.partner or f.state), alpha=BAND_ALPHA
            )
            ax.autoscale_view()
        panel_title(ax, f.title(sc))
        y_axis(ax, f.metric)
        time_axis(ax, dates, marks)
        if reps > 1:
            shown_band |= band_visible(ax, b["q05"], b["q95"])
    if reps > 1:
        h, lab = band_entry(shown_band, reps)
        outside_legend(fig, [h], [lab])
    med = " (medians)" if reps > 1 else ""
    fig.suptitle(f"{sc.metadata.title or sc.name}: focus{med}")
    event_note(fig, marks)
    return fig


def figure_makers(results: Results, focus: Sequence[Focus] = ()) -> dict[str, Callable[[], Figure]]:
    """The standard figures of a run, by file name, each made when called (the focus figure
    first, if asked for)."""
    from sim.summary import importers, summarize_frame

    ts = results.timeseries
    sc = results.scenario
    imp = importers(sc) or list(sc.state_ids)
    reps = len(results.seeds)
    marks = event_marks(results.fired)
    exporters = [s for s in sc.state_ids if sc.states[s].exports_arms]
    patrons = [s for s in sc.state_ids if sc.states[s].clients]
    targets = sorted(
        {s.target for s in sc.sanctions}
        | {e.target for e in sc.events if e.type == "sanction_imposed"}
    )
    leads = [str(r.lead_start) for r in summarize_frame(ts, imp).itertuples()]
    main_sup = max(set(leads), key=leads.count) if leads else ""
    title = sc.metadata.title or sc.name
    figs: dict[str, Callable[[], Figure]] = {}
    if focus:
        figs["focus"] = partial(focus_figure, results, focus, marks)
    figs["arms_shares"] = partial(
        stacked_shares, ts, "arms_share", imp, f"{title}: arms stock by supplier", sc, marks
    )
    figs["trade_shares"] = partial(
        stacked_shares, ts, "trade_share", imp, f"{title}: trade by partner", sc, marks
    )
    dep = f"dependence on {state_name(sc, main_sup)}"
    figs["concentration_dependence"] = partial(
        series_panels,
        ts,
        [
            ("arms_hhi", "", "arms suppliers' concentration"),
            ("trade_hhi", "", "trade partners' concentration"),
            ("dependence", main_sup, dep),
        ],
        imp,
        f"{title}: concentration and dependence",
        reps,
        sc,
        marks,
    )
    spec = []
    if targets:
        spec.append(
            ("compliance", targets[0], f"compliance with sanctions on {state_name(sc, targets[0])}")
        )
    if patrons:
        spec.append(("pressure", patrons[0], f"pressure from {state_name(sc, patrons[0])}"))
    spec.append(("threat", "", "threat"))
    figs["sanctions_pressure"] = partial(
        series_panels,
        ts,
        spec,
        imp,
        f"{title}: sanctions, compliance and pressure",
        reps,
        sc,
        marks,
    )
    cap = ts.loc[ts["metric"] == "capacity", "value"]
    figs["supplier_capacity"] = partial(
        series_panels,
        ts,
        [
            ("capacity", "", "production capacity"),
            ("reliability", "", "delivery reliability"),
            ("input_loss", "", "defence inputs lost to sanctions"),
        ],
        exporters or list(sc.state_ids),
        f"{title}: supplier capacity",
        reps,
        sc,
        marks,
        log=("capacity",) if bool((cap > 0).all()) else (),
    )
    return figs


def run_figures(results: Results, focus: Sequence[Focus] = ()) -> dict[str, Figure]:
    """The standard figures of a run, made (see :func:`figure_makers`)."""
    return {name: make() for name, make in figure_makers(results, focus).items()}


def save(fig: Figure, folder: Path, name: str, formats: Sequence[str]) -> Path:
    """Save ``fig`` as ``folder/name.<format>`` for each format (PNG fast-compressed), close
    it; returns the first file."""
    _mpl()
    import matplotlib.pyplot as plt

    paths = [folder / f"{name}.{fmt}" for fmt in formats]
    for path in paths:
        extra: dict[str, Any] = (
            {"pil_kwargs": {"compress_level": PNG_COMPRESSION}} if path.suffix == ".png" else {}
        )
        fig.savefig(path, dpi=DPI, **extra)
    plt.close(fig)
    return paths[0]


@dataclass(frozen=True)
class _Job:
    """What a figure worker draws from (pickled to it: the run's recorded arrays, not its
    tables, which the worker rebuilds in milliseconds)."""

    results: Results
    focus: tuple[Focus, ...]
    folder: Path
    formats: tuple[str, ...]
    key: str  # one per run's figures: a worker prepares them once (_draw)


def _warm_up() -> None:
    """Load matplotlib, its fonts and renderer in a new figure worker, while its parent is
    still busy (a tiny figure with text, drawn and thrown away); then freeze what the worker
    holds out of the garbage collector's reach (:func:`gc.freeze`): drawing makes enough
    objects to start a full collection, which would otherwise walk every object of pandas,
    numba and matplotlib (about 0.1 s, once or twice a run)."""
    import gc

    _mpl()
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1, 1))
    ax.set_title("warm-up")
    fig.canvas.draw()
    plt.close(fig)
    gc.freeze()


_PREPARED: dict[str, dict[str, Callable[[], Figure]]] = {}
"""A figure worker's makers of the run it is drawing (its tables are built once, not once
per figure)."""


def _draw(job: _Job, name: str) -> Path:
    """Make and save one figure of ``job`` (in a figure worker)."""
    makers = _PREPARED.get(job.key)
    if makers is None:
        _PREPARED.clear()
        makers = _PREPARED[job.key] = figure_makers(job.results, job.focus)
    return save(makers[name](), job.folder, name, job.formats)


def figure_workers() -> int:
    """How many processes draw a run's figures: one per core (at most :data:`MAX_WORKERS`),
    none (this process draws) on one core or where processes cannot be forked."""
    import multiprocessing as mp
    import os

    if "fork" not in mp.get_all_start_methods():
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    n = min(MAX_WORKERS, cores or 1)
    return n if n > 1 else 0


@contextmanager
def figure_pool(workers: int | None = None) -> Iterator[Executor | None]:
    """Worker processes that draw figures (:func:`plots_written`), started at once: they load
    matplotlib while the caller runs the model. ``workers``: how many (default
    :func:`figure_workers`; below 2: none, and None is yielded)."""
    n = figure_workers() if workers is None else workers
    if n < 2:
        yield None
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(n, mp_context=mp.get_context("fork"), initializer=_warm_up) as pool:
        pool.submit(int)  # starts the workers now
        yield pool


@contextmanager
def plots_written(
    results: Results,
    folder: Path,
    *,
    focus: Sequence[Focus] = (),
    formats: Sequence[str] = FORMATS,
    pool: Executor | None = None,
    workers: int | None = None,
) -> Iterator[list[Path]]:
    """Write the standard figures of a run while the block runs: drawn in parallel by the
    worker processes of ``pool`` (default: a :func:`figure_pool` of ``workers`` started here;
    with fewer than 2 workers this process draws them, after the block). The list it yields
    holds the paths of the first format, the focus figure first, once the block has ended."""
    folder.mkdir(parents=True, exist_ok=True)
    names = list(figure_makers(results, focus))
    paths: list[Path] = []
    with contextlib.ExitStack() as stack:
        if pool is None:
            pool = stack.enter_context(figure_pool(workers))
        if pool is None:
            yield paths
            for name, make in figure_makers(results, focus).items():
                paths.append(save(make(), folder, name, formats))
            return
        job = _Job(
            replace(results, _frames=None, _ts=None),
            tuple(focus),
            folder,
            tuple(formats),
            uuid.uuid4().hex,
        )
        pending = [pool.submit(_draw, job, name) for name in names]
        yield paths
        paths.extend(f.result() for f in pending)


def write_plots(
    results: Results,
    folder: Path,
    *,
    focus: Sequence[Focus] = (),
    formats: Sequence[str] = FORMATS,
    workers: int | None = None,
) -> list[Path]:
    """Write the standard figures of a run (see :func:`figure_makers`) in ``formats``, drawn
    by ``workers`` processes (see :func:`plots_written`); returns the paths of the first
    format, the focus figure first."""
    with plots_written(results, folder, focus=focus, formats=formats, workers=workers) as paths:
        pass
    return paths
