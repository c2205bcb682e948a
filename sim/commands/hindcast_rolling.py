"""``hindcast-rolling --observed CSV --blocs CSV``: rolling-origin hindcasts against baselines."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Never

from sim.commands.argtypes import Subparsers, add_observed, add_quiet, add_seed, bounded, replicates

years = bounded(int, lambda v: 1 <= v <= 50, "a number of years", "give 1 to 50")


def origins(text: str) -> list[int]:
    """A comma-separated list of years, e.g. ``2000,2005,2010,2015``."""
    out = []
    for part in text.split(","):
        try:
            y = int(part.strip())
            if not 1900 <= y <= 2200:
                raise ValueError
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected years separated by commas such as 2000,2005,2010, got {part.strip()!r}"
            ) from None
        out.append(y)
    if len(set(out)) != len(out):
        raise argparse.ArgumentTypeError(f"an origin is given twice in {text!r}")
    return sorted(out)


def register(sub: Subparsers) -> argparse.ArgumentParser:
    from sim.validate.rolling import FROZEN, HORIZON, ORIGINS

    p = sub.add_parser(
        "hindcast-rolling",
        help="rolling-origin hindcasts over several past windows, against simple baselines",
        description="For each origin, run scenarios/hindcast_<origin>.yaml with its arms stocks "
        "rebuilt from the observed deliveries before the origin, and score its bloc shares over "
        "the window against 5-, 10- and 15-year persistence and 'all from the historical "
        "patron' (Russia), unweighted and weighted by observed TIV. One table, one row per "
        f"window and baseline; the frozen window ({FROZEN}) is marked.",
    )
    add_observed(p)
    p.add_argument(
        "--origins",
        type=origins,
        default=list(ORIGINS),
        help=f"first years of the windows (default: {','.join(map(str, ORIGINS))})",
    )
    p.add_argument(
        "--horizon", type=years, default=HORIZON, help=f"years per window (default {HORIZON})"
    )
    p.add_argument(
        "--scenarios",
        type=Path,
        default=None,
        help="folder holding hindcast_<origin>.yaml for each origin (default: the shipped "
        "scenarios/)",
    )
    p.add_argument(
        "--replicates",
        type=replicates,
        default=None,
        help="replicates per window (default: each scenario's)",
    )
    add_seed(p, "each scenario's")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.add_argument(
        "--csv", type=Path, default=None, help="also write the table to this CSV file (new file)"
    )
    add_quiet(p)
    return p


def execute(args: argparse.Namespace) -> int:
    from sim.errors import UserError
    from sim.validate.rolling import SCENARIO_DIR, rolling, rolling_text

    if args.csv is not None and args.csv.exists():
        raise UserError(f"--csv {args.csv}: the file exists; choose a new file name")
    from tqdm import tqdm

    show = not args.quiet and not args.json
    bars: list[tqdm[Never]] = []

    def tick(done: int, total: int) -> None:  # the bar starts once the inputs are checked
        if not bars:
            bars.append(tqdm(total=total, desc="windows", unit="window", file=sys.stderr))
        bars[0].update(1)

    r = rolling(
        args.observed,
        args.blocs,
        origins=args.origins,
        horizon=args.horizon,
        scenarios=args.scenarios or SCENARIO_DIR,
        replicates=args.replicates,
        seed=args.seed,
        progress=tick if show else None,
    )
    for b in bars:
        b.close()
    if args.csv is not None:
        from sim.bundle import atomic_write_text

        atomic_write_text(args.csv, r.table.to_csv(index=False, float_format="%.6g"))
    if args.json:
        print(json.dumps(r.to_json()))
    else:
        print(rolling_text(r))
    return 0
