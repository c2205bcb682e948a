"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="session")
def baseline_path() -> Path:
    return SCENARIOS / "baseline.yaml"


@pytest.fixture(scope="session")
def baseline(baseline_path):
    from sim.scenario.loader import load_scenario

    return load_scenario(baseline_path)
