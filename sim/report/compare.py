"""Compare what-if scenarios with a baseline on common random numbers (paired by replicate).

Every scenario runs with the same replicate seeds (``sim.seeds.replicate_seeds(master, n)``), so
replicate ``r`` of a what-if and replicate ``r`` of the baseline share their random draws as far
as the scenarios allow; the paired difference ``whatif_r - baseline_r`` then measures the
scenario's effect rather than the noise, and a scenario compared with itself differs by exactly
zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import Problem, UserError

if TYPE_CHECKING:
    import pandas as pd

    from sim.focus import Focus
    from sim.results import Results
    from sim.scenario.schema import Scenario

KEYS = ["replicate", "step", "date", "state", "partner", "metric"]
TEXT_KEYS = ("date", "state", "partner", "metric")
"""Key columns held as pandas categories in :attr:`Comparison.paired` (memory: many what-ifs)."""
TABLE_METRICS = ("arms_share", "arms_hhi", "trade_share", "dependence")
"""Metrics of the differences table (per importer, and per supplier / partner)."""
HEADLINE_METRICS = TABLE_METRICS + ("pressure", "compliance", "threat", "arms_budget", "capacity")
"""Metrics the plain-language summary and the figures choose the largest effects from."""
SHARE_METRICS = {
    "arms_share",
    "arms_hhi",
    "trade_share",
    "dependence",
    "compliance",
    "trade_hhi",
    "reliability",
    "input_loss",
}
"""Metrics on a 0-1 scale: effects in percentage points; others relative to the baseline."""
DEFAULT_REPLICATES = 20


@dataclass
class Comparison:
    """What-if scenarios against a baseline, paired by replicate.

    Attributes:
        names: display names, baseline first (duplicates get ``#2``...).
        scenarios: the resolved scenarios, baseline first.
        files: the files they came from (or "" for objects).
        master_seed: master seed; ``seeds`` are the common replicate seeds.
        at: the dates of the differences table (axis labels).
        results: the runs, baseline first.
        paired: long table of paired values: keys, scenario, base, value, diff.
        table: differences at ``at``: scenario, metric, state, partner, date, base, whatif,
            diff, q05, q95, share_up (fraction of replicates with a positive difference).
        focus: the series asked about (:class:`sim.focus.Focus`): summaries, figures and the
            report lead with them.
    """

    names: list[str]
    scenarios: list[Scenario]
    files: list[str]
    master_seed: int
    seeds: list[int]
    at: list[str]
    results: list[Results]
    paired: pd.DataFrame
    table: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)
    focus: list[Focus] = field(default_factory=list)
    _series: dict[Any, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def covers(self) -> str:
        """What the bands and intervals cover: seeds, or seeds and parameters."""
        return self.results[0].covers

    @property
    def baseline(self) -> str:
        """Display name of the baseline."""
        return self.names[0]

    @property
    def whatifs(self) -> list[str]:
        """Display names of the what-ifs."""
        return self.names[1:]

    def bands(self, scenario: str, metric: str, state: str, partner: str = "") -> pd.DataFrame:
        """Per step: median and 5-95% band of the what-if, the baseline and the paired difference.

        Columns: date, base_median, base_q05, base_q95, value_median, value_q05, value_q95,
        diff_median, diff_q05, diff_q95 (index: step).
        """
        if not self._series:
            self._series = {
                k: v
                for k, v in self.paired.groupby(
                    ["scenario", "metric", "state", "partner"], sort=False, observed=True
                )
            }
        x = self._series.get((scenario, metric, state, partner), self.paired.iloc[:0])
        g = x.groupby("step")
        out = g["date"].first().to_frame("date")
        for col in ("base", "value", "diff"):
            out[f"{col}_median"] = g[col].median()
            out[f"{col}_q05"] = g[col].quantile(0.05)
            out[f"{col}_q95"] = g[col].quantile(0.95)
        return out


def parse_at(text: str | None, sc: Scenario) -> list[str]:
    """Dates of the differences table as axis labels.

    Args:
        text: comma-separated dates (``2025-Q4,2030-Q4``; ``YYYY-MM`` and ``YYYY`` also work);
            None: the end of the middle year and the last period.
        sc: the scenario whose time axis the dates must fall in.

    Raises:
        UserError: a malformed date or one outside the run (nothing is run or written).
    """
    from sim.scenario.timeaxis import DATE_HELP, parse_date

    axis = sc.time.axis
    if text is None:
        return list(dict.fromkeys([axis.label(max(0, axis.n // 2 - 1)), axis.label(axis.n - 1)]))
    out, problems = [], []
    for raw in [t.strip() for t in text.split(",")]:
        if not raw:
            problems.append(
                Problem("--at", "", f"empty date in {text!r}; give {DATE_HELP}, comma-separated")
            )
            continue
        try:
            parse_date(raw)
        except ValueError:
            problems.append(Problem("--at", "", f"{raw!r} is not {DATE_HELP}"))
            continue
        i = axis.index(raw)
        if not 0 <= i < axis.n:
            problems.append(
                Problem("--at", "", f"{raw} is outside the run ({sc.time.start} to {sc.time.end})")
            )
            continue
        out.append(axis.label(i))
    if problems:
        raise UserError("bad --at dates", problems)
    return list(dict.fromkeys(out))


def check_comparable(scenarios: list[Scenario], files: list[str]) -> None:
    """Refuse scenarios that cannot be paired with the first (the baseline).

    Raises:
        UserError: one line per what-if whose state set or time axis differs, saying what differs.
    """
    base, bfile = scenarios[0], files[0]
    problems = []
    for sc, f in zip(scenarios[1:], files[1:]):
        extra = [s for s in sc.state_ids if s not in base.states]
        missing = [s for s in base.state_ids if s not in sc.states]
        if extra or missing:
            bits = ([f"has states not in the baseline: {', '.join(extra)}"] if extra else []) + (
                [f"lacks the baseline's states: {', '.join(missing)}"] if missing else []
            )
            problems.append(
                Problem(f, "states", "cannot be compared with " + bfile + ": " + "; ".join(bits))
            )
        t0, t1 = base.time, sc.time
        if (t0.start, t0.end, t0.step) != (t1.start, t1.end, t1.step):
            problems.append(
                Problem(
                    f,
                    "time",
                    f"cannot be compared with {bfile}: its time axis "
                    f"is {t1.start} to {t1.end} by {t1.step}, the baseline's "
                    f"{t0.start} to {t0.end} by {t0.step}",
                )
            )
    if problems:
        raise UserError("scenarios cannot be compared", problems)


def display_names(scenarios: list[Scenario]) -> list[str]:
    """Scenario names, made unique with ``#2``, ``#3``... (a scenario may be compared with
    itself)."""
    seen: dict[str, int] = {}
    out = []
    for sc in scenarios:
        k = seen.get(sc.name, 0) + 1
        seen[sc.name] = k
        out.append(sc.name if k == 1 else f"{sc.name}#{k}")
    return out


def load_all(sources: list[Any]) -> tuple[list[Scenario], list[str]]:
    """Validate every scenario before anything runs; all problems of all files at once."""
    from sim.errors import ScenarioError
    from sim.scenario.loader import load_scenario
    from sim.scenario.overlay import load_with_origins
    from sim.scenario.schema import Scenario

    scs, files, problems = [], [], []
    for src in sources:
        try:
            if isinstance(src, (str, Path)):
                sc, _ = load_with_origins(src)
            else:
                sc = load_scenario(src)
        except ScenarioError as e:
            problems += e.problems
            continue
        scs.append(sc)
        files.append(
            str(src)
            if isinstance(src, (str, Path))
            else f"<{src.name if isinstance(src, Scenario) else 'data'}>"
        )
    if problems:
        raise UserError("invalid scenarios", problems)
    return scs, files


def pair(base: pd.DataFrame, other: pd.DataFrame, name: str) -> pd.DataFrame:
    """Paired rows of two runs' tidy tables (a series missing on one side counts as 0)."""
    both = "period" in base and "period" in other  # a date's pandas Period, as Results has it
    m = base.merge(
        other, on=[*KEYS, "period"] if both else KEYS, how="outer", suffixes=("_b", "_w")
    )
    m["base"] = m.pop("value_b").fillna(0.0)
    m["value"] = m.pop("value_w").fillna(0.0)
    m["diff"] = m["value"] - m["base"]
    m.insert(0, "scenario", name)
    return m.astype({c: "category" for c in ("scenario", *TEXT_KEYS)})


def table_at(
    paired: pd.DataFrame, at: list[str], metrics: tuple[str, ...] = HEADLINE_METRICS
) -> pd.DataFrame:
    """Differences at the dates ``at``: medians over replicates and the 5-95% interval."""
    x = paired[paired["date"].isin(at) & paired["metric"].isin(metrics)]
    x = x.assign(up=(x["diff"] > 0).astype(float), down=(x["diff"] < 0).astype(float))
    keys = ["scenario", "metric", "state", "partner", "date"]
    g = x.groupby(keys, sort=False, observed=True)
    out = g.agg(
        base=("base", "median"),
        whatif=("value", "median"),
        diff=("diff", "median"),
        share_up=("up", "mean"),
        share_down=("down", "mean"),
    )
    # pandas-stubs: quantile takes a list of quantiles too (pandas documents array-like)
    q = g["diff"].quantile([0.05, 0.95]).unstack()  # type: ignore[arg-type]
    out.insert(3, "q05", q[0.05])
    out.insert(4, "q95", q[0.95])
    out = out.reset_index()
    return out.astype({k: str for k in keys})


def compare(
    baseline: Any,
    whatifs: list[Any],
    *,
    replicates: int | None = None,
    seed: int | None = None,
    at: str | list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    focus: list[str] | list[Focus] | None = None,
    ensemble: Any = None,
) -> Comparison:
    """Run a baseline and what-ifs on common random numbers and pair their outputs.

    Args:
        baseline: the baseline (YAML path, plain data or :class:`Scenario`).
        whatifs: one or more what-if scenarios (same states and time axis as the baseline).
        replicates: replicates per scenario (default: the baseline's ``replicates`` or
            :data:`DEFAULT_REPLICATES`, whichever is larger).
        seed: master seed (default: the baseline's ``seed``).
        at: dates of the differences table (comma-separated text or a list; default: the end of
            the middle year and the last period).
        progress: called as ``progress(done, total)`` after each replicate of each scenario.
        focus: series to lead the summary, figures and report with: ``"arms_share:KAZ:RUS"``
            texts or :class:`sim.focus.Focus` objects.
        ensemble: a parameter ensemble (:class:`sim.validate.ensemble.Ensemble` or its file):
            every scenario's replicate ``r`` runs the same drawn parameter set, so the
            intervals of the paired differences cover parameter uncertainty too.

    Returns:
        The :class:`Comparison`.

    Raises:
        UserError: invalid scenarios, scenarios that cannot be paired, bad ``at`` dates, an
            unknown focus metric, state or partner.
    """
    import time

    import pandas as pd

    from sim.focus import Focus, parse_focus
    from sim.runner import run
    from sim.validate.ensemble import read_ensemble

    if not whatifs:
        raise UserError("compare needs a baseline and at least one what-if scenario")
    t0 = time.perf_counter()
    scs, files = load_all([baseline, *whatifs])
    check_comparable(scs, files)
    at_labels = parse_at(",".join(at) if isinstance(at, list) else at, scs[0])
    texts = [str(f) if isinstance(f, Focus) else f for f in focus or []]
    focused = parse_focus(texts, scs[0])
    n = replicates or max(scs[0].replicates, DEFAULT_REPLICATES)
    if n < 1:
        raise UserError(f"replicates must be at least 1, got {n}")
    master = scs[0].seed if seed is None else int(seed)
    ens = read_ensemble(ensemble) if isinstance(ensemble, (str, Path)) else ensemble
    total, done = n * len(scs), 0

    def tick(d: int, t: int) -> None:
        if progress:
            progress(done + d, total)

    results = []
    for sc in scs:
        results.append(run(sc, seed=master, replicates=n, progress=tick, ensemble=ens))
        done += n
    t1 = time.perf_counter()
    names = display_names(scs)
    base_ts = results[0].timeseries
    parts = []
    for nm, r in zip(names[1:], results[1:]):
        parts.append(pair(base_ts, r.timeseries, nm))
        r._ts = None  # the per-replicate frames stay; drop the concatenated copy
    paired = pd.concat(parts, ignore_index=True)
    paired = paired.astype({c: "category" for c in ("scenario", *TEXT_KEYS)})
    del parts
    metrics = HEADLINE_METRICS + tuple(
        f.metric for f in focused if f.metric not in HEADLINE_METRICS
    )
    table = table_at(paired, at_labels, metrics)
    t2 = time.perf_counter()
    return Comparison(
        names,
        scs,
        files,
        master,
        list(results[0].seeds),
        at_labels,
        results,
        paired,
        table,
        {"run_s": t1 - t0, "pair_s": t2 - t1},
        focused,
    )
