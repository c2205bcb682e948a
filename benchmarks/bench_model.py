"""Time the model in-process and compare it with a bare mesa peer measured in the same run.

Usage::

    python benchmarks/bench_model.py               # default: 7 repeats (fewer for big worlds)
    python benchmarks/bench_model.py --repeats 15 --json bench.json
    python benchmarks/bench_model.py --check       # exit 1 if a target is missed
    python benchmarks/bench_model.py --profile 25  # where a default run spends its time
    python benchmarks/bench_model.py --profile 25 --profile-states 200   # ... a 200-state world

What is timed (median over repeats, after one warm-up run of each case):

* ``default``: one replicate of ``scenarios/baseline.yaml`` through :func:`sim.runner.run_model`
  (model construction, every mechanism, the project's recorder; no mesa DataCollector), as the
  first run of a scenario in a fresh process: the initial world and the event schedule are
  built from the scenario (:func:`forget_scenarios` before each run). Loading and validating
  the YAML is not included (it happens once per scenario, not per run).
* ``default-replicate``: the same as a further replicate of the same scenario object, which
  copies the initial world built for the first one (what ``run --replicates``, ``compare`` and
  the web page do).
* ``public-run``: :func:`sim.run` on the loaded baseline scenario, as a notebook user calls it
  (``run(scenario, seed=...)``: the model and the :class:`Results` holding its recorded arrays),
  cold as ``default``; ``public-run+table`` also builds the tidy table (``.timeseries``), which
  :class:`Results` does the first time it is asked for.
* ``all-adaptive``: ``default`` with every agent asked for its policy in Python every step
  (``MultivectorModel(..., decide_every_step=True)``), as when every state plays an adaptive
  user strategy.
* ``generated-N``: the same for a world of N states from
  :func:`sim.scenario.generate.generate_scenario` (10 years of quarters: 40 steps).
* the peer (columns ``toy``), timed in turn with each case within every repeat: a bare mesa
  model with N agents, a 10x10 numpy state and a mesa DataCollector, for as many steps as the
  case it is compared with.

Targets (issues 2 and 12, "Performance" and "Speed stays"), as ratios measured in this same run:

* the default run (``default``, the cold case) within 2x of the mesa toy with the same agents
  and steps;
* the public ``run()`` (``public-run``) within 2x of the mesa toy (it has a DataCollector);
* a run in which every agent decides in Python every step (``all-adaptive``) within 3x;
* the compiled kernels load from numba's disk cache in a second process: a fresh process runs
  the default scenario in under 10 s (compiling takes about a minute);
* a 200-state generated world: 40 steps in under 0.5 s;
* cost growing no worse than quadratically in the number of states: the exponent ``b`` of a
  least-squares fit ``time ~ a * n**b`` over 25, 50, 100 and 200 states is at most 2.

Timings are noisy on a shared machine: compare ratios, not absolute values, and re-run before
you conclude anything. Nothing here is asserted in the test suite.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SCALING_SIZES = (25, 50, 100, 200)
YEARS = 10  # generated worlds: 10 years of quarters = 40 steps
TOY_STATE_SHAPE = (10, 10)
TARGET_TOY_RATIO = 2.0
TARGET_PUBLIC_RATIO = 2.0
TARGET_ADAPTIVE_RATIO = 3.0
TARGET_FRESH_PROCESS_SECONDS = 10.0
TARGET_200_SECONDS = 0.5
TARGET_EXPONENT = 2.0


# --------------------------------------------------------------------------- the mesa peer
def make_toy_model(n_agents: int, seed: int = 0):
    """A bare mesa model: ``n_agents`` agents, a 10x10 numpy state, a DataCollector.

    Each step every agent (in random order) nudges its wealth, the model updates its numpy
    state, and the DataCollector records one model and one agent reporter.
    """
    import mesa

    class ToyAgent(mesa.Agent):
        def __init__(self, model: mesa.Model) -> None:
            super().__init__(model)
            self.wealth = 1.0

        def step(self) -> None:
            self.wealth += self.model.rng.normal(0.0, 0.1)

    class ToyModel(mesa.Model):
        def __init__(self, n: int, seed: int) -> None:
            super().__init__(seed=seed)
            self.state = self.rng.random(TOY_STATE_SHAPE)
            ToyAgent.create_agents(self, n)
            self.datacollector = mesa.DataCollector(
                model_reporters={"total": lambda m: float(m.state.sum())},
                agent_reporters={"wealth": "wealth"},
            )

        def step(self) -> None:
            self.agents.shuffle_do("step")
            self.state = 0.9 * self.state + 0.1 * self.rng.random(TOY_STATE_SHAPE)
            self.datacollector.collect(self)

    return ToyModel(n_agents, seed)


def run_toy(n_agents: int, steps: int) -> None:
    """Build and run the peer for ``steps`` steps (releasing mesa's model registry entry)."""
    import mesa

    m = make_toy_model(n_agents)
    for _ in range(steps):
        m.step()
    mesa.Agent._ids.pop(m, None)  # the peer is plain mesa: release 3.3.1's registry entry


# --------------------------------------------------------------------------- timing helpers
def time_median(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """(median, min) wall time of ``fn()`` in seconds over ``repeats`` calls after one warm-up."""
    ((med, mn),) = time_interleaved([fn], repeats)
    return med, mn


def time_interleaved(fns: list[Callable[[], object]], repeats: int) -> list[tuple[float, float]]:
    """(median, min) seconds of each function, timed in turn within each repeat.

    Interleaving puts a case and its peer under the same machine load, so their ratio is less
    sensitive to other processes than timing one after the other.
    """
    for fn in fns:
        fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for k, fn in enumerate(fns):
            gc.collect()
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    return [(statistics.median(t), min(t)) for t in times]


def forget_scenarios() -> None:
    """Empty the per-scenario caches (initial worlds, event schedules), as in a fresh process."""
    from sim.events import schedule
    from sim.world import _build

    _build.cache.clear()
    schedule.cache.clear()


def fresh_process_seconds() -> float:
    """Wall time of a new Python process that imports the model and runs the default scenario
    once (the kernels must come from numba's disk cache, which this process has filled)."""
    import subprocess

    code = f"from sim.runner import run; run({str(BASELINE)!r})"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t0


def fit_exponent(sizes: list[int], seconds: list[float]) -> float:
    """Least-squares slope of log(seconds) on log(size): ``time ~ a * n**b`` -> ``b``."""
    import numpy as np

    b, _ = np.polyfit(np.log(sizes), np.log(seconds), 1)
    return float(b)


def measure(repeats: int) -> dict:
    """Run every case; returns the table rows and the target checks."""
    from sim.model import MultivectorModel
    from sim.runner import run, run_model
    from sim.scenario.generate import generate_scenario
    from sim.scenario.loader import load_scenario

    rows = []

    def case(name: str, sc, n_states: int, reps: int, cold: bool = False, how=None) -> dict:
        steps = sc.time.axis.n
        go = how or (lambda: run_model(sc, sc.seed))

        def one_run() -> None:
            if cold:  # forget what was derived from the scenario: build its world from scratch
                forget_scenarios()
            go()

        (med, mn), (toy_med, toy_mn) = time_interleaved(
            [one_run, lambda: run_toy(n_states, steps)], reps
        )
        row = {
            "case": name,
            "states": n_states,
            "steps": steps,
            "repeats": reps,
            "run_s": med,
            "run_min_s": mn,
            "per_step_s": med / steps,
            "toy_s": toy_med,
            "toy_min_s": toy_mn,
            "ratio_to_toy": med / toy_med,
        }
        rows.append(row)
        print(f"  {name:<16} done ({med * 1e3:.1f} ms)", file=sys.stderr)
        return row

    baseline = load_scenario(BASELINE)
    default = case("default", baseline, len(baseline.states), repeats, cold=True)
    case("default-replicate", baseline, len(baseline.states), repeats)
    public = case(
        "public-run",
        baseline,
        len(baseline.states),
        repeats,
        cold=True,
        how=lambda: run(baseline, seed=baseline.seed),
    )
    case(
        "public-run+table",
        baseline,
        len(baseline.states),
        repeats,
        cold=True,
        how=lambda: run(baseline, seed=baseline.seed).timeseries,
    )
    adaptive = case(
        "all-adaptive",
        baseline,
        len(baseline.states),
        repeats,
        cold=True,
        how=lambda: MultivectorModel(
            baseline, baseline.seed, mesa_datacollector=False, decide_every_step=True
        ).run(),
    )
    fresh = fresh_process_seconds()
    scaling = {}
    for n in SCALING_SIZES:
        sc = load_scenario(generate_scenario(n, seed=0, years=YEARS))
        reps = repeats if n <= 100 else max(3, repeats // 2)
        scaling[n] = case(f"generated-{n}", sc, n, reps)
    # the peer at the reference size: 10 agents x 40 steps
    ref_med, _ = time_median(lambda: run_toy(10, 40), repeats)
    exponent = fit_exponent(list(scaling), [scaling[n]["run_s"] for n in scaling])
    checks = [
        {
            "target": f"default run within {TARGET_TOY_RATIO:g}x of the mesa toy (same agents, steps)",
            "value": default["ratio_to_toy"],
            "limit": TARGET_TOY_RATIO,
            "ok": default["ratio_to_toy"] <= TARGET_TOY_RATIO,
            "unit": "x",
        },
        {
            "target": f"public run() within {TARGET_PUBLIC_RATIO:g}x of the mesa toy",
            "value": public["ratio_to_toy"],
            "limit": TARGET_PUBLIC_RATIO,
            "ok": public["ratio_to_toy"] <= TARGET_PUBLIC_RATIO,
            "unit": "x",
        },
        {
            "target": f"every agent deciding every step within {TARGET_ADAPTIVE_RATIO:g}x "
            "of the mesa toy",
            "value": adaptive["ratio_to_toy"],
            "limit": TARGET_ADAPTIVE_RATIO,
            "ok": adaptive["ratio_to_toy"] <= TARGET_ADAPTIVE_RATIO,
            "unit": "x",
        },
        {
            "target": "a fresh process runs the default scenario from numba's cache in under "
            f"{TARGET_FRESH_PROCESS_SECONDS:g} s",
            "value": fresh,
            "limit": TARGET_FRESH_PROCESS_SECONDS,
            "ok": fresh < TARGET_FRESH_PROCESS_SECONDS,
            "unit": "s",
        },
        {
            "target": f"200-state world, 40 steps under {TARGET_200_SECONDS:g} s",
            "value": scaling[200]["run_s"],
            "limit": TARGET_200_SECONDS,
            "ok": scaling[200]["run_s"] < TARGET_200_SECONDS,
            "unit": "s",
        },
        {
            "target": f"growth exponent in n (fit over {', '.join(map(str, SCALING_SIZES))}) "
            f"at most {TARGET_EXPONENT:g}",
            "value": exponent,
            "limit": TARGET_EXPONENT,
            "ok": exponent <= TARGET_EXPONENT,
            "unit": "",
        },
    ]
    return {"rows": rows, "toy_10x40_s": ref_med, "exponent": exponent, "checks": checks}


def profile_runs(top: int, n_states: int = 0, runs: int = 10) -> str:
    """cProfile of ``runs`` runs (after a warm-up), top functions by own time.

    Args:
        top: number of functions to list.
        n_states: 0 for the default scenario, else a generated world of that many states.
        runs: runs profiled.
    """
    import cProfile
    import io
    import pstats

    from sim.runner import run_model
    from sim.scenario.generate import generate_scenario
    from sim.scenario.loader import load_scenario

    sc = load_scenario(generate_scenario(n_states, seed=0, years=YEARS) if n_states else BASELINE)
    run_model(sc, sc.seed)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(runs):
        run_model(sc, sc.seed)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    what = f"generated-{n_states}" if n_states else "default"
    return f"{runs} {what} runs, by own time\n" + out.getvalue()


def format_report(res: dict) -> str:
    """The table and the target checks as text."""
    head = (
        f"{'case':<16} {'states':>6} {'steps':>5} {'reps':>4} {'run ms':>9} {'min ms':>9} "
        f"{'per step us':>11} {'toy ms':>8} {'x toy':>7}"
    )
    lines = [head, "-" * len(head)]
    for r in res["rows"]:
        lines.append(
            f"{r['case']:<16} {r['states']:>6} {r['steps']:>5} {r['repeats']:>4} "
            f"{r['run_s'] * 1e3:>9.2f} {r['run_min_s'] * 1e3:>9.2f} {r['per_step_s'] * 1e6:>11.0f} "
            f"{r['toy_s'] * 1e3:>8.2f} {r['ratio_to_toy']:>7.2f}"
        )
    lines.append(
        f"\nmesa toy, 10 agents x 40 steps (the issue's reference, ~2.6 ms): "
        f"{res['toy_10x40_s'] * 1e3:.2f} ms"
    )
    lines.append("\ntargets")
    for c in res["checks"]:
        mark = "ok  " if c["ok"] else "MISS"
        lines.append(
            f"  [{mark}] {c['target']}: {c['value']:.3g}{c['unit']} "
            f"(limit {c['limit']:g}{c['unit']}; "
            f"ratio to limit {c['value'] / c['limit']:.2f})"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, measure, print; returns the exit code."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=7, help="timed repeats per case (median)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    ap.add_argument("--check", action="store_true", help="exit 1 if any target is missed")
    ap.add_argument(
        "--profile",
        type=int,
        metavar="N",
        default=0,
        help="instead of timing, profile runs and print the top N functions",
    )
    ap.add_argument(
        "--profile-states",
        type=int,
        metavar="N",
        default=0,
        help="with --profile: a generated world of N states (default: the baseline)",
    )
    args = ap.parse_args(argv)
    if args.repeats < 1:
        ap.error("--repeats must be at least 1")
    if args.profile:
        print(
            profile_runs(
                args.profile, args.profile_states, runs=10 if args.profile_states <= 50 else 3
            )
        )
        return 0
    res = measure(args.repeats)
    print(format_report(res))
    if args.json:
        import platform

        import mesa
        import numpy as np

        res["machine"] = {
            "python": platform.python_version(),
            "mesa": mesa.__version__,
            "numpy": np.__version__,
            "processor": platform.processor(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        args.json.write_text(json.dumps(res, indent=2) + "\n")
    return 1 if args.check and not all(c["ok"] for c in res["checks"]) else 0


if __name__ == "__main__":
    sys.exit(main())
