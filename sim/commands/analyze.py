"""``analyze STORE``: Sobol / Morris indices or PRIM scenario discovery on a sweep store."""

from __future__ import annotations

import argparse

from sim.commands.argtypes import Subparsers, add_quiet


def register(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "analyze",
        help="sensitivity (sobol, morris) or scenario discovery (prim) on a sweep store",
        description="Analyse a sweep store; CSV tables and plots go to STORE/analysis/. "
        "Sobol needs a sobol design, Morris a morris design; PRIM works on any design.",
    )
    p.add_argument("store", help="sweep store folder (e.g. results/sweeps/kaz_sensitivity)")
    p.add_argument(
        "--method",
        choices=("sobol", "morris", "prim"),
        default=None,
        help="default: the store's design (sobol or morris), else prim",
    )
    p.add_argument(
        "--outcome", default=None, help="outcome name (default: all scalar and series outcomes)"
    )
    p.add_argument(
        "--threshold",
        default=None,
        metavar="EXPR",
        help='PRIM condition, e.g. "kaz_rus_share_2030 < 0.5" (or "< 0.5" with '
        "--outcome); operators < <= > >=",
    )
    p.add_argument("--boxes", type=int, default=3, help="PRIM: at most this many boxes (default 3)")
    add_quiet(p, "print only where the files are")
    return p


def execute(args: argparse.Namespace) -> int:
    from sim.sweep.report import analyze_store

    written, text = analyze_store(
        args.store,
        method=args.method,
        outcome=args.outcome,
        threshold=args.threshold,
        max_boxes=args.boxes,
    )
    if not args.quiet:
        print(text)
    for f in written:
        print(f"wrote {f}")
    return 0
