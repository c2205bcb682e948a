"""Sweep analysis through the real store path: Sobol on Ishigami, Morris, PRIM, analyze CLI."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.cli import main
from sim.errors import UserError
from sim.sweep import analyze as sa
from sim.sweep.discovery import prim
from sim.sweep.run import run_sweep
from tests.sweep_helpers import write_sweep

# Analytic Ishigami indices for a = 7, b = 0.1 (Ishigami & Homma 1990; Saltelli et al. 2008)
S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def _ishigami_sweep(path: Path, method: str, n: int, **design) -> Path:
    spec = {
        "name": f"ishigami_{method}",
        "model": "ishigami",
        "parameters": [{"path": x, "range": [-math.pi, math.pi]} for x in ("x1", "x2", "x3")],
        "design": {"method": method, "n": n, **design},
        "seed": 3,
    }
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sobol_store(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("ish")
    f = _ishigami_sweep(d / "s.yaml", "sobol", 1024, second_order=False)
    return run_sweep(f, workers=1, out=d / "store", progress=False)


def test_sobol_recovers_ishigami_indices(sobol_store):
    res = sa.load(sobol_store)
    assert len(res.design) == 1024 * 5
    df = sa.sobol(res, "y")
    sc = df[df["kind"] == "scalar"].set_index("parameter")
    for x in ("x1", "x2", "x3"):
        assert sc.loc[x, "S1"] == pytest.approx(S1[x], abs=0.05), x
        assert sc.loc[x, "ST"] == pytest.approx(ST[x], abs=0.05), x
        assert 0 < sc.loc[x, "ST_conf"] < 0.15


def test_sobol_over_time(sobol_store):
    """Series y_t = y * t / 3: no variance at t = 0 (NaN), the scalar's indices afterwards."""
    df = sa.sobol(sa.load(sobol_store))
    ser = df[df["kind"] == "series"]
    assert sorted(ser["step"].unique()) == [0, 1, 2, 3]
    assert ser[ser["step"] == 0]["ST"].isna().all()
    scal = df[df["kind"] == "scalar"].set_index("parameter")
    for t in (1, 2, 3):
        at = ser[ser["step"] == t].set_index("parameter")
        np.testing.assert_allclose(at["ST"], scal.loc[at.index, "ST"], atol=1e-6)


def test_morris_on_ishigami(tmp_path):
    f = _ishigami_sweep(tmp_path / "m.yaml", "morris", 60, levels=4)
    res = sa.load(run_sweep(f, workers=1, out=tmp_path / "store", progress=False))
    df = sa.morris(res, "y").set_index("parameter")
    assert (df["mu_star"] > 0).all()
    # sin^2(x2) is symmetric: its effects cancel in mu but not in mu*
    assert abs(df.loc["x2", "mu"]) < 0.3 * df.loc["x2", "mu_star"]
    # x3 acts only through its interaction with x1: sigma is comparable to mu*
    assert df.loc["x3", "sigma"] > 0.5 * df.loc["x3", "mu_star"]


def test_method_must_match_design(sobol_store, tmp_path):
    with pytest.raises(UserError, match=r"morris indices need a morris design.*sobol design"):
        sa.morris(sa.load(sobol_store))
    f = write_sweep(tmp_path / "l.yaml", design={"method": "lhs", "n": 4}, replicates=1)
    lhs = run_sweep(f, workers=1, out=tmp_path / "lhs", progress=False)
    with pytest.raises(UserError, match=r"sobol indices need a sobol design.*lhs design"):
        sa.sobol(sa.load(lhs))


def _planted_store(tmp_path: Path) -> Path:
    """An LHS store whose outcome is 1 inside a planted box and 0 outside (via the store API)."""
    from sim.sweep import store as st
    from sim.sweep.design import build, points_table, run_table
    from sim.sweep.execute import BatchResult
    from sim.sweep.loader import load_sweep
    from sim.sweep.run import _manifest

    f = _ishigami_sweep(tmp_path / "p.yaml", "lhs", 1500)
    plan = load_sweep(f)
    design = build(plan.sweep)
    runs = run_table(plan.sweep, design)
    out = tmp_path / "planted"
    st.create(out, _manifest(plan, design, "test", "test"), runs, points_table(design))
    x1, x2 = runs["x1"].to_numpy(), runs["x2"].to_numpy()
    y = ((x1 > -1.0) & (x1 < 1.0) & (x2 > 0.5)).astype(float)
    for lo in range(0, len(runs), 500):
        ids = np.arange(lo, min(lo + 500, len(runs)))
        st.commit(
            out,
            BatchResult(ids, y[ids, None], np.zeros((len(ids), 1, 4))),
            runs,
            ["y"],
            ["y"],
            plan.labels,
        )
    return out


def test_prim_finds_the_planted_box(tmp_path):
    res = sa.load(_planted_store(tmp_path))
    r = prim(res, "y > 0.5", max_boxes=1)
    assert r.n == 1500 and 0.1 < r.base_rate < 0.25
    box = r.stats.iloc[0]
    assert box["coverage"] > 0.85 and box["density"] > 0.85
    lim = r.limits[r.limits["box"] == 1].set_index("parameter")
    assert set(lim.index) == {"x1", "x2"}  # x3 is not restricted
    assert lim.loc["x1", "min"] == pytest.approx(-1.0, abs=0.25)
    assert lim.loc["x1", "max"] == pytest.approx(1.0, abs=0.25)
    assert lim.loc["x2", "min"] == pytest.approx(0.5, abs=0.25)
    assert lim.loc["x2", "max"] == pytest.approx(math.pi, abs=0.1)


def test_threshold_parsing():
    outs = ["kaz_rus_share_2030", "y"]
    c = sa.parse_condition("kaz_rus_share_2030 <= 0.5", outs)
    assert (c.outcome, c.op, c.value) == ("kaz_rus_share_2030", "<=", 0.5)
    assert sa.parse_condition(">-1e-3", outs, default="y").value == -0.001
    for bad in ("y < 0.5; import os", "__import__('os').system('x') < 1", "y == 1", "y < abc", ""):
        with pytest.raises(UserError, match="expected 'OUTCOME OP NUMBER'"):
            sa.parse_condition(bad, outs)
    with pytest.raises(UserError, match="did you mean 'kaz_rus_share_2030'"):
        sa.parse_condition("kaz_rus_shar < 0.5", outs)


def test_analyze_cli(sobol_store, tmp_path, capsys):
    assert main(["analyze", str(sobol_store)]) == 0
    out = capsys.readouterr().out
    assert "sobol indices" in out
    files = {p.name for p in (sobol_store / "analysis").iterdir()}
    assert {"sobol.csv", "sobol-y.png", "sobol-y-over-time.png"} <= files
    assert not any(n.startswith(".") for n in files)  # no temporary files left

    assert main(["analyze", str(sobol_store), "--method", "prim", "--threshold", "y > 10"]) == 0
    assert {"prim-y-boxes.csv", "prim-y-tradeoff.png"} <= {
        p.name for p in (sobol_store / "analysis").iterdir()
    }


@pytest.mark.parametrize(
    "args, message",
    [
        (["--method", "morris"], "morris indices need a morris design"),
        (["--outcome", "yy"], "unknown outcome 'yy'; did you mean 'y'?"),
        (["--method", "prim"], "--method prim needs --threshold"),
        (["--threshold", "y ~ 3"], "expected 'OUTCOME OP NUMBER'"),
        (["--threshold", "z < 3"], "unknown scalar outcome 'z'"),
    ],
)
def test_analyze_cli_errors(sobol_store, tmp_path, capsys, args, message):
    analysis = sobol_store / "analysis"
    before = sorted(analysis.glob("*")) if analysis.exists() else []
    assert main(["analyze", str(sobol_store), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    after = sorted(analysis.glob("*")) if analysis.exists() else []
    assert before == after


def test_analyze_not_a_store_and_incomplete(tmp_path, capsys):
    assert main(["analyze", str(tmp_path)]) == 2
    assert "not a sweep store" in capsys.readouterr().err
    f = _ishigami_sweep(tmp_path / "s.yaml", "sobol", 8)
    store = run_sweep(f, workers=1, out=tmp_path / "store", progress=False)
    victim = sorted((store / "scalars").glob("part-*.parquet"))[0]
    victim.unlink()
    assert main(["analyze", str(store)]) == 2
    assert "incomplete" in capsys.readouterr().err


def test_prim_refuses_an_incomplete_store(tmp_path, capsys):
    """`analyze --threshold` on an interrupted sweep exited 0 on the runs it happened to have;
    like Sobol and Morris it now says the store is incomplete, exits 2 and writes nothing."""
    f = _ishigami_sweep(tmp_path / "l.yaml", "lhs", 40)
    spec = yaml.safe_load(f.read_text())
    f.write_text(yaml.safe_dump({**spec, "batch": 10}), encoding="utf-8")
    store = run_sweep(f, workers=1, out=tmp_path / "store", progress=False)
    assert main(["analyze", str(store), "--threshold", "y > 0", "--quiet"]) == 0
    capsys.readouterr()
    parts = sorted((store / "scalars").glob("part-*.parquet"))
    assert len(parts) == 4
    parts[1].unlink()  # as if the sweep had stopped: 30 of 40 runs stored
    before = sorted((store / "analysis").iterdir())
    for args in (
        ["--threshold", "y > 0"],
        ["--method", "prim", "--outcome", "y", "--threshold", "> 1"],
    ):
        assert main(["analyze", str(store), *args]) == 2
        err = capsys.readouterr().err
        assert "the sweep is incomplete (30 of 40 runs)" in err and "--resume" in err
        assert "Traceback" not in err and err.count("\n") == 1
    assert sorted((store / "analysis").iterdir()) == before
    # a bad threshold is still reported as such first
    assert main(["analyze", str(store), "--threshold", "y == 1"]) == 2
    assert "expected 'OUTCOME OP NUMBER'" in capsys.readouterr().err


def test_sobol_warns_when_intervals_are_wider_than_indices(sobol_store, tmp_path, capsys):
    """N = 8 gives intervals wider than the indices: a warning suggesting a larger power of 2,
    in Python and in `analyze`'s summary; N = 1024 gives none."""
    import re
    import warnings

    small = run_sweep(
        _ishigami_sweep(tmp_path / "s.yaml", "sobol", 8, second_order=False),
        workers=1,
        out=tmp_path / "small",
        progress=False,
    )
    with pytest.warns(sa.WeakAnalysisWarning, match=r"Sobol indices of y: \d+ of") as got:
        sa.sobol(sa.load(small), "y")
    suggested = int(re.search(r"n: (\d+) or more \(now 8", str(got[0].message)).group(1))
    assert suggested > 8 and suggested & (suggested - 1) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", sa.WeakAnalysisWarning)
        sa.sobol(sa.load(sobol_store), "y")  # precise: no warning
    assert main(["analyze", str(small), "--outcome", "y"]) == 0
    captured = capsys.readouterr()
    assert "warning: Sobol indices of y" in captured.out and "Warning" not in captured.err


def test_prim_warns_about_boxes_of_few_runs(tmp_path, capsys):
    """A box of a 40-run sweep holds fewer than MIN_BOX_CASES runs: said in Python and by
    `analyze`; the planted box of 1,500 runs is not."""
    import warnings

    from sim.sweep.discovery import MIN_BOX_CASES

    store = run_sweep(
        _ishigami_sweep(tmp_path / "l.yaml", "lhs", 40),
        workers=1,
        out=tmp_path / "s",
        progress=False,
    )
    with pytest.warns(sa.WeakAnalysisWarning, match="PRIM box 1 holds only"):
        r = prim(sa.load(store), "y > 8", max_boxes=1)
    assert r.stats["n_in_box"].iloc[0] < MIN_BOX_CASES and len(r.weak) == 1
    assert main(["analyze", str(store), "--threshold", "y > 8", "--boxes", "1"]) == 0
    assert "warning: PRIM box 1 holds only" in capsys.readouterr().out
    with warnings.catch_warnings():
        warnings.simplefilter("error", sa.WeakAnalysisWarning)
        assert prim(sa.load(_planted_store(tmp_path)), "y > 0.5", max_boxes=1).weak == []


def test_morris_figure_is_the_mu_star_sigma_plot_keeping_the_sign():
    """sigma against mu*, one marker per parameter; a parameter whose effects all lower the
    outcome is a down triangle coloured -1, one with effects of both signs is coloured 0."""
    import pandas as pd

    from sim.sweep.figures import morris_scatter

    df = pd.DataFrame(
        {
            "outcome": "y",
            "kind": "scalar",
            "step": -1,
            "date": "",
            "parameter": ["up", "down", "both"],
            "mu": [2.0, -1.0, 0.0],
            "mu_star": [2.0, 1.0, 1.5],
            "mu_star_conf": 0.1,
            "sigma": [0.2, 0.1, 1.4],
        }
    )
    fig = morris_scatter(df, "y")
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("mu*") and ax.get_ylabel().startswith("sigma")
    pts = {}
    for coll, label in zip(ax.collections, ("raises", "lowers")):
        for (x, y), c in zip(coll.get_offsets(), coll.get_array()):
            pts[(float(x), float(y))] = (label, float(c))
    assert pts[(2.0, 0.2)] == ("raises", 1.0)
    assert pts[(1.0, 0.1)] == ("lowers", -1.0)
    assert pts[(1.5, 1.4)] == ("raises", 0.0)  # mu = 0: both signs, colour 0
    assert {t.get_text() for t in ax.texts} >= {"up", "down", "both", "sigma/mu* = 1"}
