"""multivector: an agent-based scenario simulator of multi-vector diplomacy.

Notebook API::

    from sim import load_scenario, run
    res = run("scenarios/baseline.yaml", seed=1, replicates=5)
    res.timeseries          # tidy pandas DataFrame
    res.save("results/my-run")

Strategies (docs/strategies.md)::

    from sim import Policy, Strategy

    class PreferTurkiye(Strategy):
        name = "prefer_turkiye"
        def decide(self, me, world) -> Policy:
            return Policy(prefer={"TUR": 2.0})

Imports are lazy: importing :mod:`sim` loads nothing heavy.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "MultivectorModel",
    "Policy",
    "Results",
    "Rules",
    "Scenario",
    "Strategy",
    "load_scenario",
    "run",
]
__version__ = "0.1.0"

_LAZY = {
    "load_scenario": ("sim.scenario.loader", "load_scenario"),
    "Scenario": ("sim.scenario.schema", "Scenario"),
    "run": ("sim.runner", "run"),
    "Results": ("sim.results", "Results"),
    "MultivectorModel": ("sim.model", "MultivectorModel"),
    "Strategy": ("sim.strategies", "Strategy"),
    "Policy": ("sim.strategies", "Policy"),
    "Rules": ("sim.strategies", "Rules"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        mod, attr = _LAZY[name]
        return getattr(importlib.import_module(mod), attr)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
