"""Time ``run`` of the default scenario against ``python -c "import sim.runner"``, in turn.

Usage::

    python benchmarks/bench_run.py               # 5 repeats: table and target
    python benchmarks/bench_run.py --repeats 9   # steadier medians
    python benchmarks/bench_run.py --check       # exit 1 if the target is missed

Each repeat times, one after the other (so that they share the machine's load), fresh
processes of:

* ``import``: ``python -c "import sim.runner"`` (the floor: Python, numpy, pandas, mesa, numba);
* ``run``: ``python run_sim.py run scenarios/baseline.yaml --quiet --out TMP`` (load, one
  replicate, the results bundle with its PNG figures);
* ``run --no-plots`` and ``run --svg``: the same without figures, and with SVG copies too.

Target (issue 15, "Writing results is slow"): ``run`` takes at most 2x ``import``, as the ratio
of the medians measured in this same run. Nothing here is asserted in the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 2.0


def timed(cmd: list[str]) -> float:
    """Wall time of a fresh process running ``cmd`` from the repository root."""
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def cases(out: Path, k: int) -> dict[str, list[str]]:
    run = [sys.executable, "run_sim.py", "run", "scenarios/baseline.yaml", "--quiet"]
    return {
        "import": [sys.executable, "-c", "import sim.runner"],
        "run": [*run, "--out", str(out / f"run{k}")],
        "run --no-plots": [*run, "--no-plots", "--out", str(out / f"noplots{k}")],
        "run --svg": [*run, "--svg", "--out", str(out / f"svg{k}")],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    args = ap.parse_args()
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        timed(cases(Path(tmp), -1)["run"])  # warm-up: numba's cache, the file system
        for k in range(args.repeats):
            for name, cmd in cases(Path(tmp), k).items():
                times.setdefault(name, []).append(timed(cmd))
    base = statistics.median(times["import"])
    print(f"{'case':<16} {'median s':>9} {'min s':>7} {'/ import':>9}")
    for name, t in times.items():
        med = statistics.median(t)
        print(f"{name:<16} {med:>9.2f} {min(t):>7.2f} {med / base:>8.2f}x")
    ratio = statistics.median(times["run"]) / base
    ok = ratio <= TARGET_RATIO
    print(f"\nrun / import = {ratio:.2f}x (target <= {TARGET_RATIO}x): {'met' if ok else 'MISSED'}")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
