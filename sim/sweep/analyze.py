"""The notebook API of sweep analysis: load a store as DataFrames; Sobol, Morris (SALib) and PRIM.

Example::

    from sim.sweep import analyze as sa
    res = sa.load("results/sweeps/kaz_sensitivity")
    res.scalars            # one row per run: run, point, replicate, parameters..., outcomes...
    res.series()           # tidy: run, point, replicate, step, date, outcome, value
    sa.sobol(res)          # S1, ST (+ confidence intervals) per outcome, and per step for series
    sa.prim(res, "kaz_rus_share_2030 < 0.5").boxes

Sensitivity indices use the mean over replicates at each design point, and the design's unit
coordinates (Sobol indices do not depend on how each input is scaled; Morris effects are per
full range of each parameter).
"""

from __future__ import annotations

import difflib
import math
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.errors import UserError, excerpt
from sim.sweep import store as st

if TYPE_CHECKING:
    import pandas as pd

OPS = ("<=", ">=", "<", ">")
SOBOL_PRECISE = 0.1
"""Confidence half-width (a share of the output's variance) below which a Sobol index is read
well enough whatever its size: it tells a minor parameter from a major one. An index whose
interval is wider than both the index and this is reported as weak (:func:`sobol_warnings`)."""


class WeakAnalysisWarning(UserWarning):
    """An analysis whose numbers are too uncertain to be read as they stand (the message says
    what to run instead)."""


_COND = re.compile(
    r"^\s*([A-Za-z_][A-Za-z0-9_]*)?\s*(<=|>=|<|>)\s*"
    r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$"
)


@dataclass
class SweepResults:
    """A sweep store loaded for analysis.

    Attributes:
        path: the store folder.
        manifest: its manifest (sweep, scenario, seeds, versions).
        design: one row per run: run, point, replicate, seed and parameter values.
        points: one row per design point: unit coordinates of each parameter.
    """

    path: Path
    manifest: dict[str, Any]
    design: pd.DataFrame
    points: pd.DataFrame
    _scalars: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def method(self) -> str:
        """The design: grid, lhs, sobol or morris."""
        return str(self.manifest["method"])

    @property
    def parameters(self) -> list[str]:
        """Parameter column names."""
        return [p["column"] for p in self.manifest["parameters"]]

    @property
    def outcomes(self) -> list[str]:
        """Scalar outcome names."""
        return list(self.manifest["outcomes"])

    @property
    def series_names(self) -> list[str]:
        """Time-series outcome names."""
        return list(self.manifest["series"])

    @property
    def scalars(self) -> pd.DataFrame:
        """One row per stored run: run, point, replicate, seed, parameters, scalar outcomes."""
        if self._scalars is None:
            sc = st.read_scalars(self.path).drop(columns=["point", "replicate"])
            self._scalars = self.design.merge(sc, on="run", how="inner")
        return self._scalars

    def series(self, outcomes: list[str] | None = None) -> pd.DataFrame:
        """Time-series outcomes (tidy long: run, point, replicate, step, date, outcome, value,
        and for the model's runs period: the date as a pandas Period)."""
        df = st.read_series(self.path, outcomes)
        if self.manifest.get("scenario") is not None:  # calendar dates (not a test function's)
            from sim.scenario.timeaxis import periods

            df["period"] = periods(self.manifest["labels"]).take(df["step"].to_numpy(dtype="int64"))
        return df

    @property
    def n_runs(self) -> int:
        """Runs in the design."""
        return len(self.design)

    @property
    def complete(self) -> bool:
        """Whether every run of the design is stored."""
        return len(st.committed_runs(self.path)) == self.n_runs


def load(store: str | Path) -> SweepResults:
    """Load a sweep store (lazily: outcomes are read when first asked for).

    Raises:
        UserError: if ``store`` is not a sweep store.
    """
    import pandas as pd

    path = Path(store)
    man = st.read_manifest(path)
    return SweepResults(
        path,
        man,
        pd.read_parquet(path / "design.parquet"),
        pd.read_parquet(path / "points.parquet"),
    )


@dataclass(frozen=True)
class Condition:
    """``outcome op value``, e.g. ``kaz_rus_share_2030 < 0.5``."""

    outcome: str
    op: str
    value: float

    def __str__(self) -> str:
        return f"{self.outcome} {self.op} {self.value:g}"

    def holds(self, y: np.ndarray) -> np.ndarray:
        """Boolean mask of where the condition holds."""
        y = np.asarray(y, dtype=float)
        return {
            "<": y < self.value,
            "<=": y <= self.value,
            ">": y > self.value,
            ">=": y >= self.value,
        }[self.op]


def _unknown(name: str, known: list[str], kind: str) -> UserError:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return UserError(
        f"unknown {kind} {excerpt(name)}{hint} (this store has: {', '.join(known) or 'none'})"
    )


def parse_condition(expr: str, outcomes: list[str], default: str | None = None) -> Condition:
    """Parse ``"NAME OP NUMBER"`` (or ``"OP NUMBER"`` with ``default``) without evaluating code.

    Raises:
        UserError: for anything else, or an outcome the store does not have.
    """
    m = _COND.match(expr or "")
    if not m:
        raise UserError(
            f"--threshold {excerpt(expr)}: expected 'OUTCOME OP NUMBER' with OP one of "
            f"{' '.join(OPS)}, e.g. '{(outcomes or ['y'])[0]} < 0.5'"
        )
    name = m.group(1) or default
    if name is None:
        raise UserError(
            f"--threshold {excerpt(expr)}: name the outcome ('OUTCOME {m.group(2)} "
            f"{m.group(3)}') or give --outcome"
        )
    if default is not None and m.group(1) and m.group(1) != default:
        raise UserError(
            f"--threshold names {excerpt(m.group(1))} but --outcome is {excerpt(default)}"
        )
    if name not in outcomes:
        raise _unknown(name, outcomes, "scalar outcome")
    return Condition(name, m.group(2), float(m.group(3)))


def _require(res: SweepResults, method: str) -> None:
    if res.method != method:
        raise UserError(
            f"{res.path}: {method} indices need a {method} design, but this store has a "
            f"{res.method} design; run a sweep with `design: {{method: {method}}}` (or use "
            f"--method {'prim' if res.method in ('grid', 'lhs') else res.method})"
        )
    require_complete(res)


def require_complete(res: SweepResults) -> None:
    """Refuse a store that does not hold every run of its design (an interrupted sweep): an
    analysis of the runs that happen to be stored would silently answer another question.

    Raises:
        UserError: naming how many runs are stored and how to finish the sweep.
    """
    if not res.complete:
        n = len(st.committed_runs(res.path))
        raise UserError(
            f"{res.path}: the sweep is incomplete ({n} of {res.n_runs} runs); "
            "finish it with `run_sim.py sweep SWEEPFILE --resume`"
        )


def _targets(res: SweepResults, outcome: str | None) -> tuple[list[str], list[str]]:
    if outcome is None:
        return res.outcomes, res.series_names
    if outcome in res.outcomes:
        return [outcome], []
    if outcome in res.series_names:
        return [], [outcome]
    raise _unknown(outcome, res.outcomes + res.series_names, "outcome")


def point_means(
    res: SweepResults, outcome: str | None = None
) -> tuple[dict[str, np.ndarray], dict[str, tuple[np.ndarray, list[str]]]]:
    """Per design point (mean over replicates): scalars name -> (P,), series name -> ((P, T),
    dates)."""
    scal_names, ser_names = _targets(res, outcome)
    P = len(res.points)
    out_s = {}
    if scal_names:
        g = res.scalars.groupby("point")[scal_names].mean().reindex(range(P))
        out_s = {n: g[n].to_numpy() for n in scal_names}
    out_t = {}
    if ser_names:
        df = res.series(ser_names)
        for n in ser_names:
            sub = df[df["outcome"] == n]
            tab = sub.pivot_table(index="point", columns="step", values="value", aggfunc="mean")
            tab = tab.reindex(range(P))
            dates = sub.drop_duplicates("step").sort_values("step")["date"].tolist()
            out_t[n] = (tab.to_numpy(), dates)
    return out_s, out_t


def _flat(y: np.ndarray) -> bool:
    """Whether an output is non-finite or does not vary (indices undefined: reported as NaN)."""
    return (not np.all(np.isfinite(y))) or np.std(y) <= 1e-12 * (1.0 + np.abs(np.mean(y)))


def _rows(
    method_fn: Callable[[np.ndarray], list[dict[str, Any]]],
    res: SweepResults,
    outcome: str | None,
    cols: list[str],
) -> pd.DataFrame:
    import pandas as pd

    scal, ser = point_means(res, outcome)
    rows: list[dict[str, Any]] = []
    for name, y in scal.items():
        for rec in method_fn(y):
            rows.append({"outcome": name, "kind": "scalar", "step": -1, "date": "", **rec})
    for name, (Y, dates) in ser.items():
        for t in range(Y.shape[1]):
            for rec in method_fn(Y[:, t]):
                rows.append({"outcome": name, "kind": "series", "step": t, "date": dates[t], **rec})
    return pd.DataFrame(rows, columns=["outcome", "kind", "step", "date", "parameter"] + cols)


def _per_parameter(
    parameters: list[str], keys: list[str], analyze: Callable[[np.ndarray], Any]
) -> Callable[[np.ndarray], list[dict[str, Any]]]:
    """One outcome vector -> a row per parameter with the SALib result's ``keys``
    (NaN where the outcome does not vary: nothing to attribute)."""

    def one(y: np.ndarray) -> list[dict[str, Any]]:
        if _flat(y):
            return [{"parameter": p, **{k: np.nan for k in keys}} for p in parameters]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            si = analyze(y)
        return [{"parameter": p, **{k: si[k][i] for k in keys}} for i, p in enumerate(parameters)]

    return one


def sobol(
    res: SweepResults,
    outcome: str | None = None,
    *,
    conf_level: float = 0.95,
    num_resamples: int = 200,
) -> pd.DataFrame:
    """Sobol indices (SALib): first order S1 and total ST with confidence half-widths.

    Args:
        res: a loaded store with a sobol design, complete.
        outcome: one outcome name (default: all scalar and series outcomes).
        conf_level: confidence level of the bootstrap intervals (0-1).
        num_resamples: bootstrap resamples.

    Returns:
        Rows: outcome, kind (scalar|series), step (-1 for scalars), date, parameter, S1, S1_conf,
        ST, ST_conf. Indices are NaN where the outcome does not vary.
    """
    from SALib.analyze import sobol as sa_sobol

    from sim.sweep.design import salib_problem

    _require(res, "sobol")
    problem = salib_problem(res.parameters)
    second = bool(res.manifest["sweep"]["design"].get("second_order", True))
    seed = int(res.manifest["master_seed"]) % 2**32

    keys = ["S1", "S1_conf", "ST", "ST_conf"]
    one = _per_parameter(
        res.parameters,
        keys,
        lambda y: sa_sobol.analyze(
            problem,
            y,
            calc_second_order=second,
            conf_level=conf_level,
            num_resamples=num_resamples,
            seed=seed,
        ),
    )
    df = _rows(one, res, outcome, keys)
    for message in sobol_warnings(df, int(res.manifest["sweep"]["design"]["n"]), conf_level):
        warnings.warn(message, WeakAnalysisWarning, stacklevel=2)
    return df


def sobol_warnings(df: pd.DataFrame, n: int, conf_level: float = 0.95) -> list[str]:
    """Where Sobol indices are weak: per outcome, the indices whose confidence interval is wider
    than the index it bounds (and than :data:`SOBOL_PRECISE`), with the base sample ``n`` that
    would narrow the worst of them enough (intervals shrink as 1/sqrt(n); Saltelli's N is a
    power of 2).

    Args:
        df: the table of :func:`sobol`.
        n: the sweep's base sample N.
        conf_level: the intervals' level (for the message).
    """
    out = []
    for outcome, g in df.groupby("outcome", sort=False):
        weak = []
        for col in ("S1", "ST"):
            idx, conf = g[col].abs(), g[f"{col}_conf"]
            bad = (conf > idx) & (conf > SOBOL_PRECISE)
            for k in np.flatnonzero(bad.to_numpy()):
                row = g.iloc[k]
                need = float(conf.iloc[k] / max(idx.iloc[k], SOBOL_PRECISE)) ** 2
                weak.append((need, col, row))
        if not weak:
            continue
        need, col, row = max(weak, key=lambda w: w[0])
        total = int(g[["S1", "ST"]].notna().to_numpy().sum())
        suggest = 2 ** math.ceil(math.log2(max(2 * n, n * need)))
        at = f" at {row['date']}" if row["kind"] == "series" else ""
        out.append(
            f"Sobol indices of {outcome}: {len(weak)} of {total} have a {conf_level:.0%} "
            f"confidence interval wider than the index itself (worst: {col} of "
            f"{row['parameter']}{at} = {row[col]:.2f} +/- {row[f'{col}_conf']:.2f}), so they "
            f"cannot be told from zero; run a larger base sample, n: {suggest} or more (now "
            f"{n}; intervals shrink as 1/sqrt(n))"
        )
    return out


def morris(
    res: SweepResults,
    outcome: str | None = None,
    *,
    conf_level: float = 0.95,
    num_resamples: int = 200,
) -> pd.DataFrame:
    """Morris elementary-effects screening (SALib): mu, mu_star (with CI), sigma.

    Effects are per full range of each parameter (unit coordinates).

    Returns:
        Rows: outcome, kind, step, date, parameter, mu, mu_star, mu_star_conf, sigma.
    """
    from SALib.analyze import morris as sa_morris

    from sim.sweep.design import salib_problem

    _require(res, "morris")
    problem = salib_problem(res.parameters)
    X = res.points[res.parameters].to_numpy()
    levels = int(res.manifest["sweep"]["design"]["levels"])
    seed = int(res.manifest["master_seed"]) % 2**32

    keys = ["mu", "mu_star", "mu_star_conf", "sigma"]
    one = _per_parameter(
        res.parameters,
        keys,
        lambda y: sa_morris.analyze(
            problem,
            X,
            y,
            num_resamples=num_resamples,
            conf_level=conf_level,
            num_levels=levels,
            seed=seed,
        ),
    )
    return _rows(one, res, outcome, keys)
