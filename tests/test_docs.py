"""Generated documentation stays in sync with the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_odd_parameter_tables_are_in_sync_with_the_parameters():
    r = subprocess.run(
        [sys.executable, "docs/_gen_params.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout + r.stderr + "\nrun: python docs/_gen_params.py"


def test_the_strategy_guide_shows_the_shipped_example_files_verbatim():
    guide = (ROOT / "docs" / "strategies.md").read_text(encoding="utf-8")
    for name in ("prefer_turkiye.py", "least_exposed.py"):
        code = (ROOT / "examples" / "strategies" / name).read_text(encoding="utf-8").rstrip()
        assert code in guide, f"docs/strategies.md no longer shows examples/strategies/{name}"


def test_the_teaching_guide_names_only_what_the_classroom_page_offers():
    """The demo script and the exercises click things that exist: every bold name in
    docs/teaching.md is a control or chart of the page, or a scenario the picker offers (by
    title), and the 10-minute demo is there, minute by minute."""
    import itertools
    import re

    from sim.ui import controls, library
    from sim.ui.model import WITHOUT_CHANGES

    guide = (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")
    demo = guide.split("## A 10-minute demo", 1)
    assert len(demo) == 2, "docs/teaching.md lost its 10-minute demo"
    steps = re.findall(r"\*\*Minute (\d+)-(\d+):", demo[1].split("\n## ", 1)[0])
    assert steps and steps[0][0] == "0" and steps[-1][1] == "10"
    assert all(a[1] == b[0] for a, b in itertools.pairwise(steps)), steps  # no gap, no overlap
    titles = {e.title for e in library.load_library(ROOT / "scenarios").classroom}
    page = {"Reset", "Step", "▶", "☰", "Scenario", "State to follow", "Your changes", "strategy"}
    page |= {s.label for s in controls.SLIDERS} | {"Tournament", "Run the tournament"}
    page |= {"Header:", "What is happening:", "random seed", "reference", "Predict:"}
    page |= {
        "Sidebar, Run:",
        "Sidebar, Your choices:",
        "Who arms ...?:",
        "Who does ... trade with?:",
    }
    page |= {"How dependent on Russia is each state?:", "Arms deliveries in the last year:"}
    page |= {"Who arms Kazakhstan?", WITHOUT_CHANGES}
    unknown = [
        bold
        for bold in re.findall(r"\*\*([^*]+)\*\*", guide)
        if not (re.match(r"Minute \d", bold) or bold in page or bold in titles)
    ]
    assert not unknown, f"docs/teaching.md names what the page does not offer: {unknown}"
