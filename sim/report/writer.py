"""Write a compare report bundle atomically: HTML, Markdown + PNG, tables and a manifest.

Layout of the folder (default ``results/compare/<names>-<timestamp>``)::

    report.html          self-contained (figures embedded as base64 PNG)
    report.md            the same content; figures linked from figures/
    figures/*.png        overlay and difference figures per what-if
    differences.csv      the differences table at the chosen dates (all metrics and series)
    summary.txt          the plain-language summary and terminal table
    scenarios/*.yaml     the resolved scenarios that were run
    manifest.json        seeds, dates, scenario hashes, versions, git commit, command
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.report.compare import Comparison


def default_dir(comp: Comparison, root: Path = Path("results") / "compare") -> Path:
    """``results/compare/<whatif names>-vs-<baseline>-<YYYYmmdd-HHMMSS>``."""
    return default_dir_for(comp.names, root)


def _part(name: str) -> str:
    """A scenario name as part of a folder name: no separators, no leading dot."""
    safe = "".join(c if c.isalnum() or c in "_.-" else "_" for c in name.replace("#", "_"))
    return "_" + safe[1:] if safe.startswith(".") else safe


def default_dir_for(names: list[str], root: Path = Path("results") / "compare") -> Path:
    """The default report folder for display ``names`` (baseline first), stamped now: one
    plain folder name whatever the scenario names are (see :func:`default_dir`)."""
    whatifs = "+".join(_part(n) for n in names[1:])
    if len(whatifs) > 80:
        whatifs = whatifs[:80] + f"+{len(names) - 1}"
    base = _part(names[0])[:80]
    return root / f"{whatifs}-vs-{base}-{time.strftime('%Y%m%d-%H%M%S')}"


def write_report(
    comp: Comparison,
    target: Path,
    *,
    force: bool = False,
    command: str = "",
    terminal_text: str = "",
) -> Path:
    """Write the report bundle of ``comp`` into ``target`` (atomically; see module docstring)."""
    from sim import output
    from sim.bundle import git_commit, versions
    from sim.report import html, markdown
    from sim.report.content import build
    from sim.report.figures import write_figures
    from sim.scenario.loader import dump_yaml, scenario_hash

    with output.atomic_dir(Path(target), force, output.COMPARE) as tmp:
        figs = write_figures(comp, tmp / "figures")
        title, sections = build(comp, figs, command)
        (tmp / "report.md").write_text(markdown.render(title, sections, tmp), encoding="utf-8")
        (tmp / "report.html").write_text(html.render(title, sections), encoding="utf-8")
        comp.table.to_csv(tmp / "differences.csv", index=False, float_format="%.6g")
        (tmp / "summary.txt").write_text(terminal_text, encoding="utf-8")
        (tmp / "scenarios").mkdir()
        for name, sc in zip(comp.names, comp.scenarios):
            (tmp / "scenarios" / f"{name.replace('#', '_')}.yaml").write_text(
                dump_yaml(sc), encoding="utf-8"
            )
        man = {
            "kind": output.COMPARE,
            "baseline": comp.baseline,
            "whatifs": comp.whatifs,
            "files": comp.files,
            "scenario_sha256": {n: scenario_hash(s) for n, s in zip(comp.names, comp.scenarios)},
            "master_seed": comp.master_seed,
            "replicate_seeds": comp.seeds,
            "replicates": len(comp.seeds),
            "at": comp.at,
            "versions": versions(),
            "git_commit": git_commit(),
            "command": command,
            "timings_s": {k: round(v, 3) for k, v in comp.timings.items()},
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        (tmp / "manifest.json").write_text(json.dumps(man, indent=2) + "\n", encoding="utf-8")
    return Path(target)
