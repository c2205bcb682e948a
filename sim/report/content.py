"""The content of a compare report, once, for both renderers (HTML and Markdown).

A report is a list of :class:`Section`; each holds blocks: ``("p", text)``, ``("list", [text])``,
``("table", (header, rows))`` or ``("figure", (path, caption))``. :mod:`sim.report.html` and
:mod:`sim.report.markdown` only render them, so both files say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.focus import in_points, value_text
from sim.report.compare import TABLE_METRICS
from sim.report.effects import focus_lines, importers_of, signed, summary_lines

if TYPE_CHECKING:
    from sim.report.compare import Comparison
    from sim.scenario.schema import Scenario

MAX_CHANGES = 40
"""At most this many scenario changes are listed per what-if (the rest are counted)."""
SECTIONS = (
    "Questions",
    "Summary",
    "What each what-if changes",
    "Figures",
    "Differences at the chosen dates",
    "Method",
)


@dataclass
class Section:
    """A titled part of the report."""

    title: str
    blocks: list[tuple[str, Any]] = field(default_factory=list)


def differences_table(comp: Comparison, scenario: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the differences at the report's dates, per importer and partner.

    Rows: the focus series first, then the table metrics (arms_share, arms_hhi, trade_share,
    dependence) of the baseline's importers; pairs that are below 0.1% in both scenarios are
    left out (they are in ``differences.csv``).
    """
    import pandas as pd

    t = comp.table
    t = t[t["scenario"] == scenario]
    keys = list(zip(t["metric"], t["state"], t["partner"]))
    focus = {f.key: i for i, f in enumerate(comp.focus)}
    is_focus = pd.Series([k in focus for k in keys], index=t.index, dtype=bool)
    usual = (
        t["metric"].isin(TABLE_METRICS)
        & t["state"].isin(importers_of(comp))
        & ((t[["base", "whatif"]].abs().max(axis=1) >= 1e-3) | (t["diff"].abs() >= 1e-3))
    )
    order = {m: len(focus) + i for i, m in enumerate(TABLE_METRICS)}
    rank = [focus.get(k, order.get(k[0], len(focus) + len(order))) for k in keys]
    t = t.assign(_o=rank)[usual | is_focus].sort_values(["_o", "state", "partner", "date"])
    head = [
        "metric",
        "importer",
        "supplier / partner",
        "date",
        f"{comp.baseline} (median)",
        f"{scenario} (median)",
        "difference (median)",
        "5%",
        "95%",
    ]
    return head, [_table_row(r) for r in t.itertuples()]


def _table_row(r: Any) -> list[str]:
    """One row of the differences table; ``r``: a row of the comparison's table (itertuples)."""
    return [
        r.metric,
        r.state,
        r.partner or "-",
        r.date,
        value_text(r.metric, r.base, unit=False),
        value_text(r.metric, r.whatif, unit=False),
        signed(r.metric, r.diff) + (" pt" if in_points(r.metric) else ""),
        signed(r.metric, r.q05),
        signed(r.metric, r.q95),
    ]


def scenario_changes(comp: Comparison, k: int) -> list[str]:
    """What the what-if ``k`` (1-based) changes from the baseline, one line per change."""
    from sim.report.changes import diff

    def strip(sc: Scenario) -> dict[str, Any]:
        return {key: v for key, v in sc.to_dict().items() if key not in ("metadata",)}

    ch = diff(strip(comp.scenarios[0]), strip(comp.scenarios[k]))
    lines = [str(c) for c in ch[:MAX_CHANGES]]
    if len(ch) > MAX_CHANGES:
        lines.append(f"... and {len(ch) - MAX_CHANGES} more")
    return lines or ["nothing: the resolved scenarios are identical (apart from metadata)"]


def build(
    comp: Comparison, figures: dict[str, list[Path]], command: str = ""
) -> tuple[str, list[Section]]:
    """(title, sections) of the report."""
    title = f"What-if comparison: {', '.join(comp.whatifs)} vs {comp.baseline}"
    q = Section("Questions")
    for name, sc, f in zip(comp.names, comp.scenarios, comp.files):
        role = "baseline" if name == comp.baseline else "what-if"
        q.blocks.append(
            (
                "p",
                f"**{name}** ({role}, `{f}`): {sc.metadata.title or sc.name}. "
                f"{sc.metadata.description}".strip(),
            )
        )
    s = Section("Summary")
    s.blocks.append(
        (
            "p",
            (
                "Per what-if, the series asked about (--focus) first, then the largest "
                if comp.focus
                else "Largest "
            )
            + f"clear effects (5-95% interval of the paired difference "
            f"excludes zero) at {', '.join(comp.at)}, over {len(comp.seeds)} replicates "
            f"run on common random numbers. Bands and intervals cover {comp.covers}.",
        )
    )
    for name in comp.whatifs:
        s.blocks.append(("p", f"**{name}**"))
        if comp.focus:
            s.blocks.append(("p", "The series asked about (--focus):"))
            s.blocks.append(("list", focus_lines(comp, name)))
            s.blocks.append(("p", "Largest clear effects:"))
        s.blocks.append(("list", summary_lines(comp, name)))
    c = Section("What each what-if changes")
    for k, name in enumerate(comp.whatifs, start=1):
        c.blocks.append(("p", f"**{name}** compared with {comp.baseline} (resolved scenarios):"))
        c.blocks.append(("list", scenario_changes(comp, k)))
    fg = Section("Figures")
    for name in comp.whatifs:
        paths = figures.get(name, [])
        which = "the focus series, then those" if comp.focus else "the series"
        caps = [
            f"{name} and {comp.baseline}: medians with 5-95% bands of {which} with the "
            "largest effects (dotted lines: event dates, listed under the figure).",
            f"{name} minus {comp.baseline}, paired by replicate: median difference with its "
            "5-95% band.",
        ]
        for p, cap in zip(paths, caps):
            fg.blocks.append(("figure", (p, cap)))
    d = Section("Differences at the chosen dates")
    d.blocks.append(
        (
            "p",
            "Medians over replicates; the difference is the median of the paired "
            "differences (what-if minus baseline, same seed), with its 5-95% interval. Shares "
            "are in %, their differences in percentage points (pt); indices 0-1 and levels "
            "as they are. "
            "Pairs below 0.1% in both scenarios are omitted; `differences.csv` has all "
            "metrics, states and partners.",
        )
    )
    for name in comp.whatifs:
        d.blocks.append(("p", f"**{name}**"))
        d.blocks.append(("table", differences_table(comp, name)))
    m = Section("Method")
    m.blocks.append(
        (
            "list",
            [
                f"Replicates: {len(comp.seeds)} per scenario; master seed {comp.master_seed}; replicate "
                "seeds from `sim.seeds.replicate_seeds` (the same for every scenario: common random "
                "numbers).",
                "Paired differences: for each replicate, what-if minus baseline with the same seed; "
                "bands and intervals are the 5% and 95% quantiles over replicates.",
                "An effect is called clear when its 5-95% interval excludes zero.",
                f"What the bands and intervals cover: {comp.covers}.",
                f"Command: `{command}`" if command else "Run from Python (sim.report.compare).",
            ],
        )
    )
    return title, [q, s, c, fg, d, m]
