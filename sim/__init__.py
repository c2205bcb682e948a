"""multivector: an agent-based scenario simulator of multi-vector diplomacy.

Notebook API::

    from sim import compare, load_scenario, run, sweep
    res = run("scenarios/baseline.yaml", seed=1, replicates=5)
    res.timeseries          # tidy pandas DataFrame
    res.save("results/my-run")
    res.plot("arms_share")  # a matplotlib Figure

    comp = compare("scenarios/baseline.yaml", ["scenarios/border_war.yaml"], replicates=10)
    sw = sweep("scenarios/baseline.yaml", design={"states.KAZ.diversification": (0.2, 0.9)},
               outcomes={"kaz_rus": {"metric": "arms_share", "state": "KAZ", "partner": "RUS"}},
               method="lhs", n=16)   # the store, loaded for analysis (docs/sweeps.md)

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
    "compare",
    "load_scenario",
    "run",
    "sweep",
]
__version__ = "0.1.0"

_LAZY: dict[str, tuple[str, str | None]] = {
    "load_scenario": ("sim.scenario.loader", "load_scenario"),
    "compare": ("sim.report.compare", "compare"),
    "sweep": ("sim.sweep", None),  # the package, callable as sim.sweep.api.sweep
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
        module = importlib.import_module(mod)
        return module if attr is None else getattr(module, attr)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
