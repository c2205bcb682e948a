"""Sweeps defined in Python (``sim.sweep(...)``): the same checks, engine and store as sweep files."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

import sim
from sim.errors import ScenarioError, UserError
from sim.sweep.loader import load_sweep
from sim.sweep.run import run_sweep
from tests.sweep_helpers import SMALL, assert_same_store, stored, write_sweep

OUTCOMES = {
    "kaz_rus_end": {"metric": "arms_share", "state": "KAZ", "partner": "RUS"},
    "kaz_hhi_mean": {"metric": "arms_hhi", "state": "KAZ", "stat": "mean"},
}
SERIES = {"kaz_tur": {"metric": "arms_share", "state": "KAZ", "partner": "TUR"}}
DESIGN = {  # the parameters of tests.sweep_helpers.write_sweep, as a design mapping
    "states.KAZ.diversification": {"name": "div", "range": (0.1, 0.9)},
    "parameters.weight_path": {
        "name": "wpath",
        "distribution": {"type": "triangular", "low": 1.0, "mode": 3.0, "high": 5.0},
    },
    "states.KAZ.strategy": {"name": "strategy", "values": ["multi_vector", "bandwagon"]},
}


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory):
    """The helper's sweep file run by the command's engine (one worker)."""
    d = tmp_path_factory.mktemp("cli")
    return run_sweep(write_sweep(d / "t.yaml"), workers=1, out=d / "store", progress=False)


def test_python_sweep_gives_the_cli_store(cli_store, tmp_path):
    """The same design and seed given in Python store exactly what the sweep file stores, and
    the call returns the store loaded for analysis."""
    res = sim.sweep(
        SMALL,
        design=DESIGN,
        outcomes=OUTCOMES,
        series=SERIES,
        method="lhs",
        n=10,
        replicates=3,
        seed=11,
        batch=4,
        workers=1,
        out=tmp_path / "py",
        progress=False,
    )
    assert type(res).__name__ == "SweepResults" and res.path == tmp_path / "py"
    assert res.complete and res.outcomes == list(OUTCOMES) and res.series_names == ["kaz_tur"]
    assert_same_store(cli_store, res.path)
    ser = res.series()  # dates as pandas periods too
    assert str(ser["period"].dtype) == "period[Q-DEC]"
    assert (ser["period"].astype(str) == ser["date"].str.replace("-", "")).all()


def test_dataframe_design_runs_exactly_its_points(cli_store, tmp_path):
    """A DataFrame of points (columns: parameter paths) runs those points with the seeds of the
    same points in a sweep file: the outcomes equal the CLI store's, point for point."""
    design, scal, _ = stored(cli_store)
    pts = design.drop_duplicates("point").sort_values("point")
    df = pd.DataFrame(
        {
            "states.KAZ.diversification": pts["div"].to_numpy(),
            "parameters.weight_path": pts["wpath"].to_numpy(),
            "states.KAZ.strategy": list(pts["strategy"]),
        }
    )
    res = sim.sweep(
        SMALL,
        design=df,
        outcomes=OUTCOMES,
        replicates=3,
        seed=11,
        workers=1,
        out=tmp_path / "pts",
        progress=False,
    )
    assert res.method == "points" and len(res.points) == len(df)
    got = res.scalars
    assert list(got["states.KAZ.strategy"]) == list(design["strategy"])
    assert (got["states.KAZ.diversification"].to_numpy() == design["div"].to_numpy()).all()
    for name in OUTCOMES:
        assert (got[name].to_numpy() == scal[name].to_numpy()).all()


def test_bad_paths_are_named_as_the_call_names_them(tmp_path):
    """A wrong parameter path and an unknown metric: one ScenarioError naming the design key and
    the outcome (with the nearest names), and nothing written."""
    with pytest.raises(ScenarioError) as e:
        sim.sweep(
            SMALL,
            design={"states.KAZ.diversificaton": (0.1, 0.9)},
            outcomes={"x": {"metric": "arms_shar", "state": "KAZ"}},
            n=4,
            workers=1,
            out=tmp_path / "never",
        )
    lines = e.value.lines()
    assert len(lines) == 2
    assert "design['states.KAZ.diversificaton'].path" in lines[0]
    assert "did you mean 'diversification'" in lines[0]
    assert "outcomes['x'].metric" in lines[1] and "did you mean 'arms_share'" in lines[1]
    assert not (tmp_path / "never").exists()


def test_invalid_point_and_bad_design_types(tmp_path):
    with pytest.raises(ScenarioError, match=r"design\['states.KAZ.diversification'\].*1.5"):
        sim.sweep(
            SMALL,
            design=pd.DataFrame({"states.KAZ.diversification": [0.2, 1.5]}),
            outcomes=OUTCOMES,
            workers=1,
            out=tmp_path / "never",
        )
    with pytest.raises(ScenarioError, match=r"design\['states.KAZ.diversification'\]: 0.5 is not"):
        sim.sweep(SMALL, design={"states.KAZ.diversification": 0.5}, outcomes=OUTCOMES)
    with pytest.raises(UserError, match="backend 'threads' is not one of"):
        sim.sweep(SMALL, design={"x": (0, 1)}, outcomes=OUTCOMES, backend="threads")
    with pytest.raises(UserError, match="DataFrame design is its points"):
        sim.sweep(SMALL, design=pd.DataFrame({"x": [1]}), outcomes=OUTCOMES, method="sobol")
    assert not (tmp_path / "never").exists()


def test_sim_sweep_stays_callable_after_its_modules_load():
    """Importing a submodule sets ``sim.sweep`` to the package: the package itself is callable."""
    import sim.sweep.analyze

    assert callable(sim.sweep)
    assert sim.sweep.analyze.load is not None


def _points_file(tmp_path, points, **design):
    spec = {
        "name": "p",
        "scenario": str(SMALL),
        "parameters": [
            {"path": "states.KAZ.diversification", "name": "div", "range": [0.1, 0.9]},
            {"path": "states.KAZ.strategy", "name": "s", "values": ["multi_vector", "bandwagon"]},
        ],
        "design": {"method": "points", "points": points, **design},
        "seed": 1,
        "outcomes": [{"name": "hhi", "metric": "arms_hhi", "state": "KAZ"}],
    }
    f = tmp_path / "p.yaml"
    f.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return f


def test_sweep_files_take_design_points(tmp_path):
    """A sweep file may list its points; each must give every parameter, inside its bounds."""
    from sim.sweep.design import build

    ok = load_sweep(
        _points_file(tmp_path, [{"div": 0.5, "s": "bandwagon"}, {"div": 0.1, "s": "multi_vector"}])
    )
    d = build(ok.sweep)
    assert list(d.values["div"]) == [0.5, 0.1] and list(d.values["s"]) == [
        "bandwagon",
        "multi_vector",
    ]
    assert d.unit[:, 0].tolist() == pytest.approx([0.5, 0.0]) and d.unit[:, 1].tolist() == [
        0.75,
        0.25,
    ]
    bad = [
        ([{"div": 1.5, "s": "bandwagon"}], {}, "design point 0: div = 1.5 is outside its range"),
        ([{"div": 0.5, "s": "balance"}], {}, "design point 0: s = 'balance' is not one of"),
        ([{"div": 0.5}], {}, "design point 0 lacks s"),
        ([{"div": 0.5, "s": "bandwagon"}], {"n": 3}, "remove n"),
    ]
    for points, extra, msg in bad:
        with pytest.raises(ScenarioError, match=msg):
            load_sweep(_points_file(tmp_path, points, **extra))


def test_an_existing_store_is_refused_naming_the_calls_keywords(tmp_path):
    """In Python the messages name resume=True / force=True, not the command's flags."""
    kw = dict(design={"states.KAZ.diversification": (0.1, 0.9)}, outcomes=OUTCOMES, n=2)
    sim.sweep(SMALL, **kw, replicates=1, workers=1, out=tmp_path / "s", progress=False)
    with pytest.raises(UserError) as e:
        sim.sweep(SMALL, **kw, replicates=1, workers=1, out=tmp_path / "s", progress=False)
    assert "resume=True" in str(e.value) and "force=True" in str(e.value)
    assert "--resume" not in str(e.value)
    with pytest.raises(UserError, match="resume=True and force=True contradict"):
        sim.sweep(SMALL, **kw, workers=1, out=tmp_path / "s", resume=True, force=True)


def test_an_existing_folder_that_is_not_a_store_is_named_as_such(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    kw = dict(design={"states.KAZ.diversification": (0.1, 0.9)}, outcomes=OUTCOMES, n=2)
    with pytest.raises(UserError) as e:
        sim.sweep(SMALL, **kw, replicates=1, workers=1, out=tmp_path / "mine", progress=False)
    assert "is not a sweep store" in str(e.value) and "already exists" not in str(e.value)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "mine"
