"""Strategy tournaments: which balancing strategy holds up across many futures.

Notebook API::

    from sim.tournament import tournament
    folder = tournament("tournaments/kaz_balancing.yaml", workers=2)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def tournament(file: str | Path, **options: Any) -> Path:
    """Run a tournament file (options as :func:`sim.tournament.engine.run_tournament`);
    returns the output folder (leaderboard.csv, leaderboard.md, figures/, report.html)."""
    from sim.tournament.engine import run_tournament

    return run_tournament(file, **options)


__all__ = ["tournament"]
