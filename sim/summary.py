"""Summary tables from the tidy time series (median over replicates)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from sim.focus import Focus
    from sim.results import Results
    from sim.scenario.schema import Scenario


def importers(scenario: Scenario) -> list[str]:
    """States that do not export arms (the importers whose dependence the model tracks)."""
    return [sid for sid, s in scenario.states.items() if not s.exports_arms]


def median_pairs(ts: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Median over replicates of a pair metric: index (step, date, state), columns partner."""
    x = ts[ts["metric"] == metric]
    return (
        x.groupby(["step", "date", "state", "partner"], sort=True)["value"]
        .median()
        .unstack("partner")
        .fillna(0.0)
    )


def median_states(ts: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Median over replicates of a state metric: index (step, date), columns state."""
    x = ts[ts["metric"] == metric]
    return x.groupby(["step", "date", "state"], sort=True)["value"].median().unstack("state")


def summarize_frame(ts: pd.DataFrame, states: list[str]) -> pd.DataFrame:
    """Per state: leading arms supplier and share at start and end, concentration change.

    Columns: state, start, end, lead_start, share_start, lead_end, share_end, arms_hhi_start,
    arms_hhi_end, arms_hhi_change, trade_hhi_start, trade_hhi_end, top_dependence,
    dependence_end.
    """
    import pandas as pd

    shares = median_pairs(ts, "arms_share")
    dep = median_pairs(ts, "dependence")
    ahhi = median_states(ts, "arms_hhi")
    thhi = median_states(ts, "trade_hhi")
    steps = sorted(ts["step"].unique())
    s0, s1 = steps[0], steps[-1]
    d0 = ts.loc[ts["step"] == s0, "date"].iloc[0]
    d1 = ts.loc[ts["step"] == s1, "date"].iloc[0]
    rows = []
    empty = pd.Series(dtype=float)

    def row(frame: pd.DataFrame, key: tuple[Any, ...]) -> pd.Series:
        return frame.loc[key] if key in frame.index else empty

    def lead(r: pd.Series) -> tuple[str, float]:
        return (str(r.idxmax()), float(r.max())) if len(r) and r.max() > 0 else ("", 0.0)

    for st in states:
        r0 = row(shares, (s0, d0, st))
        r1 = row(shares, (s1, d1, st))
        dp = row(dep, (s1, d1, st))
        (l0, v0), (l1, v1), (ld, vd) = lead(r0), lead(r1), lead(dp)
        rows.append(
            {
                "state": st,
                "start": d0,
                "end": d1,
                "lead_start": l0,
                "share_start": v0,
                "lead_end": l1,
                "share_end": v1,
                "arms_hhi_start": float(ahhi.loc[(s0, d0), st]),
                "arms_hhi_end": float(ahhi.loc[(s1, d1), st]),
                "arms_hhi_change": float(ahhi.loc[(s1, d1), st] - ahhi.loc[(s0, d0), st]),
                "trade_hhi_start": float(thhi.loc[(s0, d0), st]),
                "trade_hhi_end": float(thhi.loc[(s1, d1), st]),
                "top_dependence": ld,
                "dependence_end": vd,
            }
        )
    return pd.DataFrame(rows)


def summarize(results: Results) -> pd.DataFrame:
    """Summary of a run's importers (see :func:`summarize_frame`)."""
    return summarize_frame(results.timeseries, importers(results.scenario))


def format_table(df: pd.DataFrame, replicates: int = 1) -> str:
    """The terminal table: importer, leading supplier start -> end, concentration change (a
    first line says that the values are medians when there are several replicates)."""
    head = f"{'state':<6} {'leading supplier (start)':<25} {'leading supplier (end)':<25} {'arms HHI':>19}"
    lines = [f"medians over {replicates} replicates:"] if replicates > 1 else []
    lines += [head, "-" * len(head)]
    for r in df.itertuples():
        a = f"{r.lead_start} {r.share_start:6.1%}"
        b = f"{r.lead_end} {r.share_end:6.1%}"
        h = f"{r.arms_hhi_start:.3f} -> {r.arms_hhi_end:.3f} ({r.arms_hhi_change:+.3f})"
        lines.append(f"{r.state:<6} {a:<25} {b:<25} {h:>19}")
    return "\n".join(lines)


def focus_lines(results: Results, focus: Sequence[Focus]) -> list[str]:
    """One line per focus series: its value at the start and at the end of the run (medians
    over replicates, with the 5-95% range at the end), in plain numbers."""
    from sim.focus import value_text
    from sim.plots import band

    ts = results.timeseries
    n = len(results.seeds)
    out = []
    for f in focus:
        b = band(ts, f.metric, f.state, f.partner)
        if b.empty:
            out.append(f"{f.title(results.scenario)}: not recorded in this run (always zero)")
            continue
        first, last = b.iloc[0], b.iloc[-1]
        spread = (
            f" (5-95%: {value_text(f.metric, last['q05'], unit=False)} to "
            f"{value_text(f.metric, last['q95'])})"
            if n > 1
            else ""
        )
        out.append(
            f"{f.title(results.scenario)}: {value_text(f.metric, first['median'])} in "
            f"{first['date']} -> {value_text(f.metric, last['median'])} in {last['date']}{spread}"
        )
    if n > 1 and out:
        out.insert(0, f"medians over {n} replicates:")
    return out
