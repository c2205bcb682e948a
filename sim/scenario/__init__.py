"""Scenario files: schema, safe loading with clear errors, overlays and dotted paths."""

from sim.scenario.loader import dump_yaml, load_scenario, scenario_hash, validate_data
from sim.scenario.parameters import PARAMETER_NAMES, Parameters
from sim.scenario.schema import Scenario
from sim.scenario.timeaxis import TimeAxis

__all__ = [
    "PARAMETER_NAMES",
    "Parameters",
    "Scenario",
    "TimeAxis",
    "dump_yaml",
    "load_scenario",
    "scenario_hash",
    "validate_data",
]
