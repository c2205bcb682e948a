"""Upper bounds on what a run or a sweep may ask for, refused before anything is built or run
(issue 16): replicates in a scenario, on the command line and in the API; dates and the number
of steps; the runs of a sweep design, counted without building it."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pytest
import yaml

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "tests" / "corpus" / "scenarios" / "valid_small.yaml"


def test_replicates_limit_is_the_same_for_the_schema_and_the_command_line():
    from sim.commands import argtypes
    from sim.scenario import schema

    assert argtypes.MAX_REPLICATES == schema.MAX_REPLICATES == 1_000
    assert argtypes.replicates("1000") == 1000
    for bad in ("0", "1001", "1000000000"):
        with pytest.raises(argparse.ArgumentTypeError, match="must be from 1 to 1,000"):
            argtypes.replicates(bad)


@pytest.mark.parametrize("command", ["run", "compare"])
@pytest.mark.parametrize("n", ["5000", "1000000000"])
def test_too_many_replicates_are_refused_before_running(command, n, tmp_path, capsys):
    """`run --replicates 1000000000` ran out of memory; now exit 2 at once, nothing written
    (5,000 replicates of the small scenario would fit in memory: the bound refuses them)."""
    out = tmp_path / "out"
    args = [command, str(SMALL)] + ([str(SMALL)] if command == "compare" else [])
    t0 = time.perf_counter()
    assert main(args + ["--replicates", n, "--out", str(out), "--quiet"]) == 2
    assert time.perf_counter() - t0 < 30
    err = capsys.readouterr().err
    # one error line (argparse's refusal comes after its usage lines)
    assert "Traceback" not in err and err.count("error:") == 1
    if n == "5000":  # the bound (in the API, or on the command line: argtypes.replicates)
        assert "at most 1,000 replicates" in err or "must be from 1 to 1,000" in err, err
    assert not out.exists()


def test_hindcast_replicates_are_bounded(capsys):
    assert (
        main(["hindcast", str(SMALL), "--observed", "x", "--blocs", "y", "--replicates", "5000"])
        == 2
    )
    assert "must be from 1 to 1,000" in capsys.readouterr().err


def test_the_api_refuses_too_many_replicates():
    from sim.errors import UserError
    from sim.runner import run

    with pytest.raises(UserError, match="at most 1,000 replicates"):
        run(SMALL, replicates=10**9)


@pytest.mark.parametrize(
    "date, ok",
    [
        ("1900-01", True),
        ("2200-Q4", True),
        ("0000-01", False),
        ("1899-12", False),
        ("2201-Q1", False),
        ("9999", False),
    ],
)
def test_dates_have_years_from_1900_to_2200(date, ok):
    from sim.scenario.timeaxis import parse_date

    if ok:
        assert parse_date(date)[0] in (1900, 2200)
    else:
        with pytest.raises(ValueError, match="outside 1900-2200; give a year from 1900 to 2200"):
            parse_date(date)


def test_run_length_is_bounded():
    from sim.errors import ScenarioError
    from sim.scenario.loader import load_scenario

    base = yaml.safe_load(SMALL.read_text())
    base["events"] = []
    base["sanctions"] = []
    longest = {"start": "1901-01", "end": "2100-12", "step": "month"}  # 2,400 months
    assert load_scenario({**base, "time": longest}).time.axis.n == 2_400
    with pytest.raises(ScenarioError) as ei:
        load_scenario({**base, "time": {**longest, "start": "1900-12"}})
    assert "2,401 months; a run may have at most 2,400 steps" in ei.value.first()


def test_sweep_size_is_counted_not_built():
    """The number of points comes from arithmetic (exact, no overflow) before any sampling."""
    from sim.errors import UserError
    from sim.sweep.design import check_size, n_points, sample_unit
    from sim.sweep.spec import Sweep

    params = [{"path": f"x{i}", "range": [0, 1]} for i in range(8)]
    huge = Sweep.model_validate(
        {
            "model": "ishigami",
            "parameters": params,
            "design": {"method": "grid", "levels": 1000},
            "seed": 1,
        }
    )
    assert n_points(huge) == 1000**8  # beyond int64: numpy's product would overflow
    t0 = time.perf_counter()
    for fn in (check_size, sample_unit):
        with pytest.raises(UserError, match=r"= 1,000,000,000,000,000,000,000,000 runs; a sweep"):
            fn(huge)
    assert time.perf_counter() - t0 < 1
    small = huge.model_copy(update={"parameters": huge.parameters[:2]})
    assert sample_unit(small).shape == (1000**2, 2)
