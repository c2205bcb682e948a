"""Argument types shared by the commands (argparse turns their errors into exit 2)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

T = TypeVar("T")

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""What a command's ``register`` receives: ``ArgumentParser.add_subparsers()``."""


def bounded(
    convert: Callable[[str], T], ok: Callable[[T], bool], expected: str, allowed: str
) -> Callable[[str], T]:
    """An argparse type: ``convert(text)`` that must satisfy ``ok``.

    Args:
        convert: ``int`` or ``float``.
        ok: the range check.
        expected: what the text should be ("a whole number"), for unreadable text.
        allowed: what is allowed ("must be at least 1"), for values out of range.
    """

    def parse(text: str) -> T:
        try:
            v = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if not ok(v):
            raise argparse.ArgumentTypeError(f"{allowed}, got {v}")
        return v

    return parse


positive_int = bounded(int, lambda v: v >= 1, "a whole number", "must be at least 1")
"""A whole number >= 1 (workers)."""
MAX_REPLICATES = 1_000
"""Most replicates of one run (= ``sim.scenario.schema.MAX_REPLICATES``, kept here so that
building the parser does not import the schema; a test checks they agree)."""
replicates = bounded(
    int,
    lambda v: 1 <= v <= MAX_REPLICATES,
    "a whole number",
    f"must be from 1 to {MAX_REPLICATES:,}",
)
"""A number of replicates: 1 to :data:`MAX_REPLICATES`."""
seed = bounded(
    int,
    lambda v: 0 <= v < 2**63,
    "a whole number >= 0",
    "expected a whole number >= 0 (below 2**63)",
)
"""A master seed: a whole number from 0 to 2**63 - 1."""
fraction = bounded(float, lambda v: 0 < v <= 1, "a number between 0 and 1", "must be in (0, 1]")
"""A fraction in (0, 1]."""
port = bounded(int, lambda v: 0 <= v <= 65535, "a port number", "a port is 0-65535")
"""A TCP port, 0 (pick a free one) to 65535."""


def add_seed(p: argparse.ArgumentParser, default: str = "the scenario's") -> None:
    """``--seed``: the master seed every replicate seed derives from."""
    p.add_argument(
        "--seed",
        type=seed,
        default=None,
        help=f"master seed, a whole number >= 0 (default: {default})",
    )


def add_observed(p: argparse.ArgumentParser) -> None:
    """``--observed`` and ``--blocs``: observed SIPRI-format deliveries and the bloc map."""
    p.add_argument(
        "--observed",
        required=True,
        type=Path,
        help="observed deliveries CSV: recipient,supplier,year,tiv_musd (SIPRI format)",
    )
    p.add_argument("--blocs", required=True, type=Path, help="supplier-to-bloc CSV: supplier,bloc")


def add_output(
    p: argparse.ArgumentParser,
    what: str,
    default: str,
    force_to: argparse._ActionsContainer | None = None,
) -> None:
    """``--out`` (where ``what`` goes; default described by ``default``) and ``--force``
    (replace an existing one; added to ``force_to``, e.g. a mutually exclusive group)."""
    p.add_argument("--out", type=Path, default=None, help=f"{what} (default: {default})")
    (force_to or p).add_argument("--force", action="store_true", help=f"replace an existing {what}")


def add_focus(p: argparse.ArgumentParser, what: str) -> None:
    """``--focus METRIC:STATE[:PARTNER]`` (repeatable): the series ``what`` leads with."""
    p.add_argument(
        "--focus",
        action="append",
        default=None,
        metavar="METRIC:STATE[:PARTNER]",
        help=f"a series to lead {what} with, e.g. arms_share:KAZ:RUS (Kazakhstan's arms from "
        "Russia) or threat:KAZ; repeatable",
    )


def add_ensemble(p: argparse.ArgumentParser) -> None:
    """``--ensemble FILE``: replicates draw their parameters from an ensemble."""
    p.add_argument(
        "--ensemble",
        type=Path,
        default=None,
        metavar="FILE",
        help="parameter ensemble (from `calibrate --method abc`, e.g. "
        "scenarios/calibration/ensemble_2010_2014.yaml): each replicate runs a parameter set "
        "drawn from it, so the 5-95%% bands cover parameter uncertainty as well as seeds",
    )


def add_quiet(p: argparse.ArgumentParser, what: str = "no progress bar") -> None:
    """``--quiet``."""
    p.add_argument("--quiet", action="store_true", help=what)


def add_engine(p: argparse.ArgumentParser, what: str, default: str, quiet: str) -> None:
    """The options of commands that run on the sweep engine (sweep, tournament): ``--workers``,
    ``--scheduler``, ``--connect-timeout``, ``--resume`` or ``--force``, ``--out``,
    ``--quiet``; ``what`` names the store (``default``: where it goes by default)."""
    p.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        help="worker processes (default: all cores; with local-dask: its workers)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS|local-dask",
        help="run on a dask.distributed scheduler (tcp://HOST:PORT) or start a "
        "LocalCluster (local-dask); default: local processes",
    )
    p.add_argument(
        "--connect-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="how long to try to reach a dask scheduler (default 10)",
    )
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--resume",
        action="store_true",
        help=f"finish an existing {what}: skip the runs already stored",
    )
    add_output(p, what, default, force_to=g)
    add_quiet(p, quiet)


def engine_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword options of :func:`~sim.sweep.run.run_sweep` and
    :func:`~sim.tournament.engine.run_tournament` from :func:`add_engine`'s arguments."""
    import sys

    return {
        "workers": args.workers,
        "scheduler": args.scheduler,
        "out": args.out,
        "resume": args.resume,
        "force": args.force,
        "progress": not args.quiet,
        "command": " ".join(["run_sim.py"] + sys.argv[1:]),
        "log": (lambda m: None) if args.quiet else None,
        "connect_timeout": args.connect_timeout,
    }
