"""Which effects of a what-if are the largest, and how to say them in plain language.

Effects come from the differences table of a :class:`~sim.report.compare.Comparison` (paired
medians and 5-95% intervals at the report's dates). An effect is *clear* when its 5-95%
interval excludes zero. Shares and indices (0-1) are ranked by their change in percentage points;
levels (threat, budgets, capacity, pressure) by their change relative to the baseline, so that
one list can hold both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.focus import in_points, phrase, plain, value_text
from sim.report.compare import SHARE_METRICS

if TYPE_CHECKING:
    import pandas as pd

    from sim.report.compare import Comparison

LEVEL_WEIGHT = 0.25
"""Rank of a level metric's relative change against share points: +100% ranks like +25 points."""
MIN_EFFECT = 0.005
"""Effects smaller than this score (half a percentage point; 2% for levels) are not reported."""


def score(metric: str, base: float, diff: float) -> float:
    """Size of an effect for ranking (see the module docstring)."""
    if metric in SHARE_METRICS:
        return abs(diff)
    return LEVEL_WEIGHT * min(4.0, abs(diff) / max(abs(base), 1e-9))


def ranked(comp: Comparison, scenario: str, importers_only: bool = False) -> pd.DataFrame:
    """Clear effects of one what-if, largest first; one row per series (at its largest date).

    Adds columns ``score`` and ``clear`` to the table's rows.
    """
    t = comp.table[comp.table["scenario"] == scenario].copy()
    if importers_only:
        imp = importers_of(comp)
        t = t[t["state"].isin(imp)]
    if t.empty:
        return t.assign(score=[], clear=[])
    t["score"] = [score(m, b, d) for m, b, d in zip(t["metric"], t["base"], t["diff"])]
    t["clear"] = (t["q05"] > 0) | (t["q95"] < 0)
    t = t[t["clear"] & (t["score"] >= MIN_EFFECT)]
    # exporters' own production of their own arms: not an effect of interest
    t = t[
        ~(
            (t["metric"] == "arms_share")
            & (t["state"] == t["partner"])
            & ~t["state"].isin(importers_of(comp))
        )
    ]
    t = t.sort_values("score", ascending=False).drop_duplicates(["metric", "state", "partner"])
    return t.reset_index(drop=True)


def importers_of(comp: Comparison) -> list[str]:
    """Importers (non-exporters) of the baseline."""
    from sim.summary import importers

    return importers(comp.scenarios[0])


def _name(comp: Comparison, sid: str) -> str:
    sc = comp.scenarios[0]
    return sc.states[sid].name if sid in sc.states else sid


def _value(metric: str, v: float) -> str:
    return value_text(metric, v, unit=False)


def signed(metric: str, d: float) -> str:
    """A change: shares in percentage points, indices to three decimals, levels plainly."""
    if in_points(metric):
        return f"{d * 100:+.1f}"
    if metric in SHARE_METRICS:
        return f"{d:+.3f}"
    return ("+" if d > 0 else "") + plain(d)


def _unit(metric: str) -> str:
    return " points" if in_points(metric) else ""


def _change(metric: str, base: float, d: float) -> str:
    rel = f", {d / base:+.0%}" if metric not in SHARE_METRICS and abs(base) > 1e-9 else ""
    return f"{signed(metric, d)}{_unit(metric)}{rel}"


def _interval(metric: str, lo: float, hi: float) -> str:
    return f"{signed(metric, lo)} to {signed(metric, hi)}{_unit(metric)}"


def describe(comp: Comparison, row: Any) -> str:
    """One plain-language sentence for one effect row (a row of :func:`ranked`'s itertuples)."""
    what = phrase(
        row.metric, _name(comp, row.state), _name(comp, row.partner) if row.partner else ""
    )
    n = len(comp.seeds)
    agree = round(max(row.share_up, row.share_down) * n)
    direction = "higher" if row.diff > 0 else "lower"
    return (
        f"{what[0].upper() + what[1:]}: {_value(row.metric, row.base)} -> "
        f"{_value(row.metric, row.whatif)} at {row.date} "
        f"({_change(row.metric, row.base, row.diff)}; "
        f"90% interval {_interval(row.metric, row.q05, row.q95)}; "
        f"{direction} in {agree} of {n} paired replicates)."
    )


def summary_lines(comp: Comparison, scenario: str, top: int = 5) -> list[str]:
    """The plain-language summary of one what-if: its largest clear effects, or why there are
    none."""
    p = comp.paired
    mine = p[p["scenario"] == scenario]["diff"]
    if len(mine) and float(mine.abs().max()) == 0.0:
        return [
            f"{scenario} and {comp.baseline} give identical results in every replicate: "
            "the what-if changes nothing the model measures (for example an event that was "
            "blocked, or a change that is already the baseline's)."
        ]
    r = ranked(comp, scenario)
    if r.empty:
        return [
            f"No clear effect: at {', '.join(comp.at)} every paired difference's 5-95% "
            "interval includes zero or is smaller than half a percentage point."
        ]
    return [describe(comp, row) for row in r.head(top).itertuples()]


def key_series(comp: Comparison, scenario: str, k: int = 6) -> list[tuple[str, str, str]]:
    """The series of the figures: the focus first, then those with the largest clear effects
    (at least ``k`` in all)."""
    r = ranked(comp, scenario)
    out = [f.key for f in comp.focus]
    for key in zip(r["metric"], r["state"], r["partner"]):
        if len(out) >= max(k, len(comp.focus)):
            break
        if key not in out:
            out.append(key)
    if not out:  # nothing moved: show the importers' main arms supplier as a reference
        imp = importers_of(comp)[:1]
        out = [("arms_hhi", s, "") for s in imp]
    return out


def focus_rows(comp: Comparison, scenario: str) -> pd.DataFrame:
    """The table's rows of the focus series at the last date, in the focus order (a focus the
    run never recorded has no row)."""
    import pandas as pd

    t = comp.table
    t = t[(t["scenario"] == scenario) & (t["date"] == comp.at[-1])]
    rows = [
        t[(t["metric"] == f.metric) & (t["state"] == f.state) & (t["partner"] == f.partner)]
        for f in comp.focus
    ]
    out = pd.concat(rows, ignore_index=True) if rows else t.iloc[:0]
    return out.assign(clear=(out["q05"] > 0) | (out["q95"] < 0))


def focus_lines(comp: Comparison, scenario: str) -> list[str]:
    """The focus series of one what-if in plain language, clear effects or not."""
    rows = focus_rows(comp, scenario)
    out = []
    for f in comp.focus:
        hit = rows[
            (rows["metric"] == f.metric)
            & (rows["state"] == f.state)
            & (rows["partner"] == f.partner)
        ]
        if hit.empty:
            out.append(f"{f.title(comp.scenarios[0])}: zero in both scenarios (never recorded).")
            continue
        row = next(hit.itertuples())
        note = "" if row.clear else " Not a clear effect: the 5-95% interval includes zero."
        out.append(describe(comp, row) + note)
    return out


def series_title(comp: Comparison, metric: str, state: str, partner: str) -> str:
    """Panel title of a series, with full state names."""
    text = phrase(metric, _name(comp, state), _name(comp, partner) if partner else "")
    return text[0].upper() + text[1:]


def terminal_text(comp: Comparison, rows: int = 10) -> str:
    """The summary printed to the terminal: per what-if, the focus series first, then the
    summary and the table of the largest effects (focus rows first)."""
    import pandas as pd

    out = [
        f"{len(comp.whatifs)} what-if(s) vs {comp.baseline}: {len(comp.seeds)} paired "
        f"replicates, master seed {comp.master_seed}, dates {', '.join(comp.at)}",
        f"5-95% intervals cover {comp.covers}",
    ]
    head = (
        f"  {'metric':<12} {'state':<5} {'partner':<7} {'date':<8} {'baseline':>10} "
        f"{'what-if':>10} {'difference':>13}  {'5-95% interval':<23}"
    )
    for name in comp.whatifs:
        out += ["", f"== {name}"]
        if comp.focus:
            out += ["  focus:"] + [f"  {s}" for s in focus_lines(comp, name)]
            out += ["  largest clear effects:"]
        out += [f"  {s}" for s in summary_lines(comp, name)]
        r = focus_rows(comp, name)
        r = pd.concat([r, ranked(comp, name).head(rows)], ignore_index=True).drop_duplicates(
            ["metric", "state", "partner"]
        )
        if r.empty:
            continue
        note = "  medians over the paired replicates (shares in %, their differences in points)"
        out += ["", note, head, "  " + "-" * (len(head) - 2)]
        x: Any  # a row of itertuples: pandas-stubs types its fields as any scalar, bytes too
        for x in r.itertuples():
            m = x.metric
            diff = signed(m, x.diff) + (" pt" if in_points(m) else "")
            out.append(
                f"  {m:<12} {x.state:<5} {x.partner or '-':<7} {x.date:<8} "
                f"{_value(m, x.base):>10} {_value(m, x.whatif):>10} {diff:>13}  "
                f"[{signed(m, x.q05)}, {signed(m, x.q95)}]"
            )
    return "\n".join(out) + "\n"
