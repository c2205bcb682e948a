"""Writing analyses into a store's ``analysis/`` folder (CSV + PNG, each file written atomically).

The ``analyze`` command is a thin face over :func:`analyze_store`.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sim import output
from sim.errors import UserError
from sim.sweep import analyze as sa

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

FLOAT = "%.6g"


def _atomic(path: Path, write: Callable[[str], object]) -> Path:
    """Call ``write(tmpname)`` then rename the file into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _save_fig(fig: Figure, path: Path) -> Path:
    import matplotlib.pyplot as plt

    try:
        return _atomic(path, lambda t: fig.savefig(t, dpi=120, format="png"))
    finally:
        plt.close(fig)


def fmt(df: pd.DataFrame) -> str:
    """A DataFrame as a plain text table (4 significant digits)."""
    return df.to_string(index=False, float_format=lambda v: f"{v:.4g}")


def _table(df: pd.DataFrame, cols: list[str], sort: str) -> str:
    return fmt(df.sort_values(["outcome", sort], ascending=[True, False])[cols])


def _sensitivity(
    res: sa.SweepResults, method: str, outcome: str | None, out: Path
) -> tuple[list[Path], str]:
    from sim.sweep import figures

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", sa.WeakAnalysisWarning)
        df = sa.sobol(res, outcome) if method == "sobol" else sa.morris(res, outcome)
    weak = _weak(caught)
    suffix = f"-{outcome}" if outcome else ""
    written = [
        _atomic(
            out / f"{method}{suffix}.csv", lambda t: df.to_csv(t, index=False, float_format=FLOAT)
        )
    ]
    scal = df[df["kind"] == "scalar"]
    for name in scal["outcome"].unique():
        fig = (
            figures.bars(df, name, method)
            if method == "sobol"
            else figures.morris_scatter(df, name)
        )
        written.append(_save_fig(fig, out / f"{method}-{name}.png"))
    for name in df.loc[df["kind"] == "series", "outcome"].unique():
        written.append(
            _save_fig(figures.over_time(df, name, method), out / f"{method}-{name}-over-time.png")
        )
    if method == "sobol":
        cols = ["outcome", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
        sort = "ST"
    else:
        cols = ["outcome", "parameter", "mu_star", "mu_star_conf", "mu", "sigma"]
        sort = "mu_star"
    text = (
        f"{method} indices ({res.manifest['points']} points x {res.manifest['replicates']} "
        f"replicates; means over replicates)\n"
    )
    text += (
        _table(scal, cols, sort) if len(scal) else "(series outcomes only: see the CSV and plots)"
    )
    return written, text + "".join(f"\nwarning: {m}" for m in weak)


def _weak(caught: list[warnings.WarningMessage]) -> list[str]:
    """The messages of the weak-analysis warnings ``caught``; any other warning is shown."""
    for w in caught:
        if not issubclass(w.category, sa.WeakAnalysisWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return [str(w.message) for w in caught if issubclass(w.category, sa.WeakAnalysisWarning)]


def _prim(
    res: sa.SweepResults, threshold: str, outcome: str | None, max_boxes: int, out: Path
) -> tuple[list[Path], str]:
    from sim.sweep import figures
    from sim.sweep.discovery import prim

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", sa.WeakAnalysisWarning)
        r = prim(res, threshold, outcome=outcome, max_boxes=max_boxes)
    _weak(caught)  # r.weak says it
    stem = f"prim-{r.condition.outcome}"
    written = [
        _atomic(
            out / f"{stem}-boxes.csv",
            lambda t: r.stats.merge(r.limits, on="box", how="left").to_csv(
                t, index=False, float_format=FLOAT
            ),
        ),
        _atomic(
            out / f"{stem}-trajectory.csv",
            lambda t: r.trajectory.to_csv(t, index=False, float_format=FLOAT),
        ),
        _atomic(
            out / f"{stem}-condition.txt",
            lambda t: Path(t).write_text(f"{r.condition}\n", encoding="utf-8"),
        ),
    ]
    if len(r.trajectory):
        written.append(_save_fig(figures.tradeoff(r), out / f"{stem}-tradeoff.png"))
    text = f"PRIM: {r.condition} holds in {r.n_coi} of {r.n} runs (base rate {r.base_rate:.3f})\n"
    if r.stats.empty:
        text += "no boxes: the condition never holds" if not r.n_coi else "no boxes found"
    else:
        text += fmt(r.stats) + "\n\nlimits (restricted parameters):\n"
        text += fmt(r.limits)
    return written, text + "".join(f"\nwarning: {m}" for m in r.weak)


def analyze_store(
    store: str | Path,
    method: str | None = None,
    outcome: str | None = None,
    threshold: str | None = None,
    max_boxes: int = 3,
) -> tuple[list[Path], str]:
    """Run one analysis on a store and write its tables and plots to ``STORE/analysis/``.

    Args:
        store: the sweep store folder.
        method: sobol, morris or prim (default: the store's design if sobol/morris, else prim).
        outcome: one outcome (default: all); for prim, the outcome a bare threshold refers to.
        threshold: prim condition, e.g. ``"kaz_rus_share_2030 < 0.5"``.
        max_boxes: prim: at most this many boxes.

    Returns:
        (files written, a text summary).

    Raises:
        UserError: for a wrong method for the design, unknown outcomes, bad thresholds,
            incomplete stores (every method), an analysis folder that cannot be written;
            nothing is written then.
        OutputError: an OS error while writing (full disk...); nothing is written then.
    """
    res = sa.load(store)
    if method is None:
        method = (
            "prim" if threshold else (res.method if res.method in ("sobol", "morris") else "prim")
        )
    if method == "prim" and not threshold:
        raise UserError(
            "--method prim needs --threshold, e.g. --threshold "
            f'"{(res.outcomes or ["OUTCOME"])[0]} < 0.5"'
        )
    if method != "prim" and threshold:
        raise UserError(f"--threshold is for --method prim, not {method}")
    if not 1 <= max_boxes <= 20:
        raise UserError(f"--boxes must be between 1 and 20, got {max_boxes}")
    out = Path(store) / "analysis"
    if method == "prim":
        assert threshold  # prim needs one (checked above)
        sa.parse_condition(threshold, res.outcomes, outcome)  # validate before writing
        sa.require_complete(res)
    # the output folder is checked before the analysis runs; its files are written to a
    # staging folder and moved into analysis/ together, or none is (an OS error is one line)
    with output.staged_files(out, "write the analysis") as stage:
        if method == "prim":
            assert threshold  # checked above
            written, text = _prim(res, threshold, outcome, max_boxes, stage)
        else:
            written, text = _sensitivity(res, method, outcome, stage)
    return [out / p.name for p in written], text
