"""Shared fixtures."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


def run_sim(*args: str | Path, cwd: Path = ROOT, timeout: float = 300):  # type: ignore[no-untyped-def]
    """``python run_sim.py ARGS...`` in a fresh process, as a user types it: the completed
    process (``returncode``, ``stdout``, ``stderr`` as text)."""
    import subprocess
    import sys

    cmd = [sys.executable, str(ROOT / "run_sim.py"), *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=timeout)


@pytest.fixture(scope="session")
def baseline_path() -> Path:
    return SCENARIOS / "baseline.yaml"


@pytest.fixture(scope="session")
def baseline(baseline_path):
    from sim.scenario.loader import load_scenario

    return load_scenario(baseline_path)


# ----------------------------------------------------------------------------- small worlds
SMALL_WORLD: dict[str, Any] = {
    # A four-state world for strategy and mechanism tests: importer IMP holds a legacy stock from
    # its patron PAT; ALT is a cheap drone seller; BIG a strong but distant Western-like power,
    # hostile to PAT and sanctioning it. Numbers are illustrative, not calibrated.
    "metadata": {"name": "small_world"},
    "time": {"start": "2021-Q1", "end": "2026-Q4", "step": "quarter"},
    "seed": 7,
    "alliances": {"PACT": {"leader": "PAT", "security_guarantee": 0.3}},
    "states": {
        "IMP": {
            "name": "Importer",
            "gdp": 100.0,
            "military_budget_share": 0.02,
            "procurement_share": 0.2,
            "strategy": "multi_vector",
            "diversification": 0.5,
            "production_capacity": 0.02,
            "capability": 0.4,
            "cost_effectiveness": 0.6,
            "reliability": 0.8,
            "lead_time": 0.5,
            "base_threat": 0.3,
            "other_trade": 20.0,
            "memberships": ["PACT"],
        },
        "PAT": {
            "name": "Patron",
            "gdp": 1500.0,
            "military_budget_share": 0.04,
            "procurement_share": 0.3,
            "exports_arms": True,
            "production_capacity": 40.0,
            "capability": 0.65,
            "cost_effectiveness": 0.6,
            "reliability": 0.9,
            "lead_time": 1.0,
            "other_trade": 300.0,
            "clients": ["IMP"],
            "memberships": ["PACT"],
            "input_sources": {"BIG": 0.3, "IMP": 0.1},
        },
        "ALT": {
            "name": "Drone seller",
            "gdp": 800.0,
            "military_budget_share": 0.02,
            "procurement_share": 0.3,
            "exports_arms": True,
            "production_capacity": 8.0,
            "capability": 0.6,
            "cost_effectiveness": 0.9,
            "reliability": 0.9,
            "lead_time": 0.75,
            "other_trade": 200.0,
        },
        "BIG": {
            "name": "Big power",
            "gdp": 20000.0,
            "military_budget_share": 0.02,
            "procurement_share": 0.25,
            "exports_arms": True,
            "production_capacity": 150.0,
            "capability": 0.85,
            "cost_effectiveness": 0.4,
            "reliability": 0.9,
            "lead_time": 1.5,
            "other_trade": 5000.0,
        },
    },
    "relations": {
        "links": [
            {"between": ["IMP", "PAT"], "affinity": 0.6, "trade": 20.0, "rivalry": 0.2},
            {"between": ["IMP", "ALT"], "affinity": 0.5, "trade": 5.0},
            {"between": ["IMP", "BIG"], "affinity": 0.05, "trade": 15.0},
            {"between": ["PAT", "BIG"], "affinity": -0.6, "trade": 100.0, "rivalry": 0.3},
            {"between": ["PAT", "ALT"], "affinity": 0.2, "trade": 20.0},
            {"between": ["ALT", "BIG"], "affinity": 0.3, "trade": 100.0},
        ],
        "arms_stocks": {
            "IMP": {"total": 3.0, "shares": {"PAT": 0.9, "BIG": 0.05, "IMP": 0.05}},
            "PAT": {"total": 100.0, "shares": {"PAT": 1.0}},
            "ALT": {"total": 20.0, "shares": {"ALT": 0.6, "BIG": 0.4}},
            "BIG": {"total": 500.0, "shares": {"BIG": 1.0}},
        },
    },
    "sanctions": [
        {
            "id": "big_on_pat",
            "senders": ["BIG"],
            "target": "PAT",
            "intensity": 0.6,
            "scope": ["arms", "technology", "finance", "trade"],
        }
    ],
    "events": [],
    "parameters": {},
}


@pytest.fixture
def small_world() -> Callable[..., dict]:
    """Factory: a fresh copy of :data:`SMALL_WORLD`, with IMP's ``strategy`` if given."""

    def make(strategy: str | None = None) -> dict:
        d = copy.deepcopy(SMALL_WORLD)
        if strategy is not None:
            d["states"]["IMP"]["strategy"] = strategy
        return d

    return make


@dataclass
class Sim:
    """One finished run's arrays, addressed by state id."""

    model: Any
    pairs: dict[str, np.ndarray]  # name -> (T, n, n)
    states: dict[str, np.ndarray]  # name -> (T, n)

    def ix(self, sid: str) -> int:
        return self.model.world.idx(sid)

    def pair(self, metric: str, state: str, partner: str) -> np.ndarray:
        """(T,) series of a pair metric (``pressure``: state = client, partner = patron)."""
        return self.pairs[metric][:, self.ix(state), self.ix(partner)]

    def state(self, metric: str, state: str) -> np.ndarray:
        """(T,) series of a state metric."""
        return self.states[metric][:, self.ix(state)]

    def step_of(self, label: str) -> int:
        """Step index of a period label such as ``2027-Q4``."""
        return self.model.world.axis.labels().index(label)


@pytest.fixture(scope="session")
def simulate() -> Callable[..., Sim]:
    """Run one replicate: ``simulate(scenario, seed=1, overrides=None) -> Sim``."""
    from sim.runner import run_model
    from sim.scenario.loader import load_scenario

    def go(scenario, seed: int = 1, overrides: dict | None = None) -> Sim:
        model = run_model(load_scenario(scenario, overrides), seed)
        pairs, states = model.recorder.arrays()
        return Sim(model, pairs, states)

    return go
