"""``hindcast SCENARIO --observed CSV --blocs CSV --period YYYY-YYYY``: score a past period."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sim.commands.argtypes import (
    Subparsers,
    add_observed,
    add_output,
    add_quiet,
    add_seed,
    fraction,
    replicates,
)


def register(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "hindcast",
        help="score a scenario's arms deliveries against observed (SIPRI) data",
        description="Run a scenario (median over replicates), sum modelled arms deliveries per "
        "recipient and supplier bloc over a period and compare the shares with observed ones and "
        "with the persistence forecast (the previous period of equal length carried forward).",
    )
    p.add_argument("scenario", help="scenario YAML file (e.g. scenarios/hindcast_2015.yaml)")
    add_observed(p)
    p.add_argument("--period", required=True, help="scored years, YYYY-YYYY (e.g. 2015-2019)")
    p.add_argument(
        "--trade",
        type=Path,
        default=None,
        help="optional observed trade CSV (ITPD-E format) to score trade shares too",
    )
    p.add_argument(
        "--fitted",
        type=Path,
        default=None,
        help="apply the parameters: section of a calibration overlay to the scenario",
    )
    p.add_argument(
        "--replicates",
        type=replicates,
        default=None,
        help="number of replicates (default: the scenario's)",
    )
    add_seed(p)
    p.add_argument(
        "--large-change",
        type=fraction,
        default=0.10,
        help="share change counted as large for the direction check (fraction, default 0.10)",
    )
    p.add_argument(
        "--json", action="store_true", help="print one JSON object on stdout and write nothing"
    )
    add_output(p, "bundle folder", "results/hindcast/<scenario>-<period>")
    add_quiet(p)
    return p


def execute(args: argparse.Namespace) -> int:
    from sim.bundle import refuse_existing
    from sim.commands.progress import progress_bar
    from sim.output import HINDCAST
    from sim.validate.calibrate import read_fitted
    from sim.validate.hindcast import prepare, run_hindcast
    from sim.validate.report import hindcast_table, write_hindcast_bundle

    overrides = read_fitted(args.fitted) if args.fitted else None
    setup = prepare(
        args.scenario, args.observed, args.blocs, args.period, overrides=overrides, trade=args.trade
    )
    out = args.out or Path("results") / "hindcast" / f"{setup.scenario.name}-{setup.period}"
    if not args.json:
        refuse_existing(out, args.force, HINDCAST)
    n = args.replicates or setup.scenario.replicates
    desc = f"hindcast {setup.scenario.name}"
    with progress_bar(n, desc, "replicate", show=not args.quiet and n > 1) as tick:
        h = run_hindcast(
            setup, replicates=n, seed=args.seed, threshold=args.large_change, progress=tick
        )
    if args.json:
        print(json.dumps(h.to_json()))
        return 0
    write_hindcast_bundle(h, out, force=args.force, command=" ".join(["run_sim.py"] + sys.argv[1:]))
    print(hindcast_table(h))
    print(f"\nresults: {out}")
    return 0
