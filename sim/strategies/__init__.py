"""Strategies: how a state decides (see :mod:`sim.strategies.base`).

One registry serves every place that names strategies (the scenario schema, the web page's
picker, the scenario generator, ``run_sim.py list strategies`` and the docs):
:func:`builtin_names` and :func:`describe`. A scenario names a built-in by its name, or a user
strategy by file and class, ``my_strategies.py:PreferTurkiye`` (relative to the scenario file).
"""

from __future__ import annotations

from sim.strategies.autarky import Autarky
from sim.strategies.balance import Balance
from sim.strategies.bandwagon import Bandwagon
from sim.strategies.base import (
    BUILTIN,
    LOADED,
    RULES,
    Policy,
    PolicyError,
    Rules,
    Strategy,
)
from sim.strategies.hedging import MultiVector

__all__ = [
    "BUILTIN",
    "LOADED",
    "RULES",
    "Autarky",
    "Balance",
    "Bandwagon",
    "MultiVector",
    "Policy",
    "PolicyError",
    "Rules",
    "Strategy",
    "builtin_names",
    "is_file_spec",
]

DEFAULT_STRATEGY = "multi_vector"


_ORDER = ("multi_vector", "bandwagon", "balance", "autarky")


def builtin_names() -> tuple[str, ...]:
    """Names of the built-in strategies: the four classic ones first (the order the docs and
    the scenario generator use), then any other built-in by name."""
    return tuple(sorted(BUILTIN, key=lambda k: (_ORDER.index(k) if k in _ORDER else 99, k)))


def is_file_spec(value: str) -> bool:
    """Whether a strategy value names a user file and class (``path.py:Class``)."""
    file, sep, cls = value.rpartition(":")
    return bool(sep) and file.endswith(".py") and cls.isidentifier()
