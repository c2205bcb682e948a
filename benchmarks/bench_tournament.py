"""Tournament throughput against a plain sweep of the same number of runs (issue 14).

Usage::

    python benchmarks/bench_tournament.py            # 6 contestants x 100 futures, 2 workers
    python benchmarks/bench_tournament.py --futures 200 --workers 1

The tournament is ``tournaments/kaz_balancing.yaml`` with ``--futures`` futures; the peer is a
sweep of the same base scenario, the same uncertainties plus Kazakhstan's strategy (the
contestants, whose example parameters are their classes' defaults) as a categorical input, and
contestants x futures LHS points (one scalar outcome), on the same backend, timed in turn (best
of two, after a warm-up of each). The tournament's time includes its leaderboard, figures and
report; the ratio is also given for the runs alone.
Target: tournament time per run within 1.3x of the sweep's. Nothing here is asserted in tests.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TOURNAMENT = ROOT / "tournaments" / "kaz_balancing.yaml"
TARGET = 1.3


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--futures", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)

    from sim.sweep.run import run_sweep
    from sim.tournament.engine import run_tournament

    spec = yaml.safe_load(TOURNAMENT.read_text())
    spec["futures"]["n"] = args.futures
    spec["scenario"] = str(ROOT / "scenarios" / "baseline.yaml")
    for c in spec["contestants"]:
        if ".py:" in c["strategy"]:
            c["strategy"] = str((TOURNAMENT.parent / c["strategy"]).resolve())
    runs = len(spec["contestants"]) * args.futures
    sweep = {
        "name": "bench_peer",
        "scenario": spec["scenario"],
        "parameters": spec["futures"]["uncertainties"]
        + [
            {
                "path": "states.KAZ.strategy",
                "name": "strategy",
                "values": [c["strategy"] for c in spec["contestants"]],
            }
        ],
        "design": {"method": "lhs", "n": runs},
        "seed": 1,
        "outcomes": [{"name": "kaz_rus", "metric": "arms_share", "state": "KAZ", "partner": "RUS"}],
    }
    with tempfile.TemporaryDirectory() as d:
        tf, sf = Path(d) / "t.yaml", Path(d) / "s.yaml"
        tf.write_text(yaml.safe_dump(spec))
        sf.write_text(yaml.safe_dump(sweep))
        quiet = {"progress": False, "log": lambda m: None}
        import sim.tournament.board as board

        write_outputs = board.write_outputs

        def runs_only(*a: object, **k: object) -> list[Path]:
            return []

        def tournament(o: Path, outputs: bool) -> None:
            board.write_outputs = write_outputs if outputs else runs_only  # type: ignore[assignment]
            try:
                run_tournament(tf, workers=args.workers, out=o, force=True, **quiet)
            finally:
                board.write_outputs = write_outputs

        cases = {
            "tournament": lambda o: tournament(o, True),
            "tournament runs": lambda o: tournament(o, False),
            "sweep": lambda o: run_sweep(sf, workers=args.workers, out=o, force=True, **quiet),
        }
        best = dict.fromkeys(cases, float("inf"))
        for k in range(3):  # a warm-up round, then two timed rounds
            for name, go in cases.items():
                t0 = time.perf_counter()
                go(Path(d) / name.replace(" ", "_"))
                if k:
                    best[name] = min(best[name], time.perf_counter() - t0)
    ratio = best["tournament runs"] / best["sweep"]
    print(
        f"{runs} runs on {args.workers} worker(s): tournament {best['tournament']:.2f} s with "
        f"its leaderboard, figures and report, {best['tournament runs']:.2f} s for the runs; "
        f"sweep {best['sweep']:.2f} s; runs ratio {ratio:.2f} (target <= {TARGET})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
