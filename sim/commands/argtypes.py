"""Argument types shared by the commands (argparse turns their errors into exit 2)."""

from __future__ import annotations

import argparse
from pathlib import Path


def positive_int(text: str) -> int:
    """A whole number >= 1 (replicates, workers)."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {v}")
    return v


def seed(text: str) -> int:
    """A master seed: a whole number from 0 to 2**63 - 1."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}") from None
    if not 0 <= v < 2**63:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0 (below 2**63), got {v}")
    return v


def add_seed(p: argparse.ArgumentParser, default: str = "the scenario's") -> None:
    """``--seed``: the master seed every replicate seed derives from."""
    p.add_argument("--seed", type=seed, default=None,
                   help=f"master seed, a whole number >= 0 (default: {default})")


def add_observed(p: argparse.ArgumentParser) -> None:
    """``--observed`` and ``--blocs``: observed SIPRI-format deliveries and the bloc map."""
    p.add_argument("--observed", required=True, type=Path,
                   help="observed deliveries CSV: recipient,supplier,year,tiv_musd (SIPRI format)")
    p.add_argument("--blocs", required=True, type=Path, help="supplier-to-bloc CSV: supplier,bloc")
