"""Generated documentation stays in sync with the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_odd_parameter_tables_are_in_sync_with_the_parameters():
    r = subprocess.run([sys.executable, "docs/_gen_params.py", "--check"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, (r.stdout + r.stderr + "\nrun: python docs/_gen_params.py")
