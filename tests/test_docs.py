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
