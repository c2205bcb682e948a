"""``compare BASELINE WHATIF...``: what-ifs against a baseline on common random numbers, as a
report."""

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
        "compare",
        help="compare what-if scenarios with a baseline; write an HTML/Markdown report",
        description="Run a baseline and what-if scenarios on common random numbers (the same "
        "seed per replicate), pair their outputs by replicate, and write a report: overlay and "
        "difference figures with 5-95% bands, a table of differences at chosen dates and a "
        "plain-language summary of the largest effects.",
    )
    p.add_argument("baseline", help="baseline scenario YAML (e.g. scenarios/baseline.yaml)")
    p.add_argument("whatifs", nargs="+", metavar="WHATIF", help="what-if scenario YAML file(s)")
    p.add_argument(
        "--replicates",
        type=replicates,
        default=None,
        help="replicates per scenario (default: the baseline's, at least 20)",
    )
    add_seed(p, "the baseline's seed")
    p.add_argument(
        "--at",
        default=None,
        metavar="DATES",
        help="comma-separated dates of the differences table, e.g. 2025-Q4,2030-Q4 "
        "(default: the end of the middle year and the last period)",
    )
    add_focus(p, "the printed summary, the figures and the report")
    add_ensemble(p)
    add_output(p, "report folder", "results/compare/<names>-vs-<baseline>-<time>")
    add_quiet(p)
    return p


def execute(args: argparse.Namespace) -> int:
    from sim import output, resources
    from sim.commands.progress import progress_bar
    from sim.focus import parse_focus
    from sim.report.compare import (
        DEFAULT_REPLICATES,
        check_comparable,
        compare,
        display_names,
        load_all,
        parse_at,
    )
    from sim.report.effects import terminal_text
    from sim.report.writer import default_dir_for, write_report
    from sim.validate.ensemble import check_ensemble, read_ensemble

    # validate everything before running or writing anything
    scs, files = load_all([args.baseline, *args.whatifs])
    check_comparable(scs, files)
    parse_at(args.at, scs[0])
    parse_focus(args.focus, scs[0])
    ens = read_ensemble(args.ensemble) if args.ensemble else None
    out = args.out or default_dir_for(display_names(scs))
    n = args.replicates or max(scs[0].replicates, DEFAULT_REPLICATES)
    if ens is not None:
        check_ensemble(scs, [str(f) for f in files], ens, n)
    # before anything runs: the output location, its lock, what it would replace, the size
    with output.claimed(out, output.COMPARE, force=args.force):
        resources.check(resources.run_need(scs[0], n, copies=len(scs)))
        runs = n * len(scs)  # every replicate of every scenario
        with progress_bar(runs, "compare", "run", show=not args.quiet) as tick:
            comp = compare(
                scs[0],
                scs[1:],
                replicates=n,
                seed=args.seed,
                at=args.at,
                progress=tick,
                focus=args.focus,
                ensemble=ens,
            )
        comp.files = files
        text = terminal_text(comp)
        write_report(comp, out, force=args.force, command=text_command(), terminal_text=text)
    print(text, end="")
    print(f"\nreport: {out / 'report.html'} (and report.md, figures/, differences.csv)")
    return 0


def text_command() -> str:
    """The command line as typed (for the manifest and the report's method section)."""
    return " ".join(["run_sim.py"] + sys.argv[1:])
