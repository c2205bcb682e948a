"""``run SCENARIO``: run a scenario and write a results bundle with plots and tables."""

from __future__ import annotations

import argparse
import sys

from sim.commands.argtypes import (
    Subparsers,
    add_ensemble,
    add_focus,
    add_output,
    add_quiet,
    add_seed,
    replicates,
)


def register(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "run",
        help="run a scenario; write time series, summary and plots",
        description="Run a scenario's replicates and write a results bundle.",
    )
    p.add_argument("scenario", help="scenario YAML file (e.g. scenarios/baseline.yaml)")
    add_seed(p)
    p.add_argument(
        "--replicates",
        type=replicates,
        default=None,
        help="number of replicates (default: the scenario's)",
    )
    add_output(p, "bundle folder", "results/<scenario>/<timestamp>-s<seed>")
    p.add_argument("--no-plots", action="store_true", help="skip the figures")
    p.add_argument(
        "--svg", action="store_true", help="write the figures as SVG too (PNG only by default)"
    )
    add_focus(p, "the printed summary and the figures")
    add_ensemble(p)
    add_quiet(p)
    return p


def execute(args: argparse.Namespace) -> int:
    from sim import output, resources
    from sim.bundle import run_dir
    from sim.commands.progress import progress_bar
    from sim.focus import parse_focus
    from sim.plots import FORMATS, figure_pool
    from sim.runner import run
    from sim.scenario.loader import load_scenario
    from sim.summary import focus_lines, format_table
    from sim.validate.ensemble import check_ensemble, read_ensemble

    sc = load_scenario(args.scenario)  # validate before anything is written
    focus = parse_focus(args.focus, sc)
    ens = read_ensemble(args.ensemble) if args.ensemble else None
    n = args.replicates or sc.replicates
    if ens is not None:
        check_ensemble([sc], [args.scenario], ens, n)
    seed = sc.seed if args.seed is None else args.seed
    out = args.out or run_dir(sc.name, seed)
    # before anything runs: the output location, its lock, what it would replace, the size
    with output.claimed(out, output.RUN, force=args.force):
        resources.check(resources.run_need(sc, n), out)
        # the figure workers start now and load matplotlib while the model runs
        with figure_pool(0 if args.no_plots else None) as pool:
            with progress_bar(n, sc.name, "replicate", show=not args.quiet and n > 1) as tick:
                res = run(sc, seed=seed, replicates=n, progress=tick, ensemble=ens)
            res.save(
                out,
                force=args.force,
                plots=not args.no_plots,
                focus=focus,
                formats=(*FORMATS, "svg") if args.svg else FORMATS,
                command=" ".join(["run_sim.py"] + sys.argv[1:]),
                pool=pool,
            )
    print(
        f"{sc.metadata.title or sc.name}: {len(res.seeds)} replicate(s), "
        f"master seed {res.master_seed}"
        + (f"; 5-95% ranges cover {res.covers}" if len(res.seeds) > 1 else "")
    )
    if focus:
        print("\n".join(["", "focus:", *focus_lines(res, focus), ""]))
    print(format_table(res.summary, len(res.seeds)))
    print(f"\nresults: {out}")
    return 0
