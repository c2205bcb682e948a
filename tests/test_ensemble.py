"""Parameter ensembles (issue "after 2022", honest uncertainty): ABC-SMC with pyabc, files,
and runs whose bands cover parameters as well as seeds."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.errors import ScenarioError
from sim.runner import run, run_model
from sim.validate.ensemble import Ensemble, covers, ensemble_text, read_ensemble
from tests.conftest import ROOT, run_sim

SHIPPED = ROOT / "scenarios" / "calibration" / "ensemble_2010_2014.yaml"
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def small(weights=(0.5, 0.5, 0.0)) -> Ensemble:
    sets = np.array([[1.0, 2.0], [5.0, 0.5], [7.0, 7.0]])
    w = np.array(weights, dtype=float)
    return Ensemble(("weight_path", "hedge_weight"), sets, w / w.sum(), "test")


def test_the_shipped_ensemble_loads_and_says_how_it_was_made():
    ens = read_ensemble(SHIPPED)
    assert len(ens) >= 50 and ens.weights.sum() == pytest.approx(1.0)
    assert set(ens.names) == {"weight_path", "hedge_weight", "choice_precision"}
    head = SHIPPED.read_text().splitlines()[:8]
    assert any("calibrate" in h and "--method abc" in h for h in head)
    # the sets disagree: that is the parameter uncertainty the bands must show
    assert np.ptp(ens.sets, axis=0).min() > 0.5


def test_sets_are_drawn_by_weight_from_the_master_seed_alone():
    ens = small()
    a, b = ens.draw(7, 200), ens.draw(7, 200)
    assert a == b and ens.draw(8, 200) != a
    assert 2 not in a  # weight 0: never drawn
    assert 60 < a.count(0) < 140


def test_a_replicate_runs_the_set_drawn_for_it(baseline):
    ens = small()
    res = run(baseline, seed=3, replicates=3, ensemble=ens)
    assert res.sets == ens.draw(3, 3)
    for r, k in enumerate(res.sets):
        alone = run_model(baseline.with_changes(ens.overrides(k)), res.seeds[r])
        np.testing.assert_array_equal(
            res.recorders[r].pairs["arms_share"], alone.recorder.pairs["arms_share"]
        )
    assert "parameters" in res.covers and "seeds only" in covers(None)


def test_compare_with_an_ensemble_widens_the_what_if_interval(baseline):
    """The issue: `compare` with `--ensemble` reports what-if intervals that include parameter
    uncertainty (seeds alone gave intervals such as +0.136 to +0.144)."""
    from sim.report.compare import compare

    whatif = ROOT / "scenarios" / "russian_pressure.yaml"
    plain = compare(baseline, [whatif], replicates=12, at="2030-Q4")
    wide = compare(baseline, [whatif], replicates=12, at="2030-Q4", ensemble=SHIPPED)

    def width(comp) -> float:
        t = comp.table
        row = t[(t.metric == "arms_share") & (t.state == "KAZ") & (t.partner == "RUS")]
        return float(row.q95.iloc[0] - row.q05.iloc[0])

    assert width(wide) > 3 * width(plain)
    assert "seeds and parameters" in wide.covers and "seeds only" in plain.covers


def test_cli_compare_says_what_the_intervals_cover(tmp_path):
    r = run_sim(
        "compare",
        BASELINE,
        ROOT / "scenarios" / "russian_pressure.yaml",
        "--replicates",
        "10",
        "--quiet",
        "--ensemble",
        SHIPPED,
        "--out",
        tmp_path / "c",
    )
    assert r.returncode == 0, r.stderr
    assert "intervals cover seeds and parameters" in r.stdout
    report = (tmp_path / "c" / "report.md").read_text()
    assert "ensemble_2010_2014.yaml" in report


@pytest.mark.parametrize(
    "text, words",
    [
        ("parameters: [weight_pth]\nsets:\n  - [1.0]\n", "did you mean 'weight_path'"),
        ("parameters: [weight_path]\nsets:\n  - [1.0, 2.0]\n", "a row of 1 numbers"),
        ("parameters: [weight_path]\nsets:\n  - [-4.0]\n", "outside its bounds"),
        (
            "parameters: [weight_path]\nsets:\n  - [1.0]\nweights: [-1]\n",
            "weights must be finite numbers",
        ),
        ("parameters: [weight_path]\nsets:\n  - [1.0]\nextra: 1\n", "unknown field"),
        ("parameters: [weight_path, weight_path]\nsets:\n  - [1.0, 2.0]\n", "named twice"),
        ("parameters: [weight_path]\nsets:\n  - [.nan]\n", "must be a finite number"),
    ],
)
def test_a_bad_ensemble_file_is_refused_naming_file_line_and_field(tmp_path, text, words):
    f = tmp_path / "ens.yaml"
    f.write_text(text)
    with pytest.raises(ScenarioError) as e:
        read_ensemble(f)
    line = e.value.lines()[0]
    assert str(f) in line and words in line


def test_cli_run_with_a_bad_ensemble_exits_2_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("parameters: [weight_path]\nsets:\n  - [99.0]\n")
    out = tmp_path / "out"
    r = run_sim("run", BASELINE, "--ensemble", bad, "--out", out, "--quiet")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "bad.yaml" in r.stderr and "sets" in r.stderr
    assert not out.exists()


def test_a_run_bundle_records_the_parameter_sets(baseline, tmp_path):
    res = run(baseline, seed=1, replicates=2, ensemble=small())
    out = res.save(tmp_path / "b", plots=False)
    m = json.loads((out / "manifest.json").read_text())
    assert m["parameter_sets"]["set_per_replicate"] == res.sets
    assert "parameters" in m["bands_cover"]


def test_abc_fits_an_ensemble_inside_the_ranges_and_repeats_for_a_seed(tmp_path):
    """A small ABC-SMC on the 2010-14 window: weights sum to 1, sets lie inside the priors,
    epsilon falls, and the same seed gives the same ensemble (pyabc's single-core sampler)."""
    from sim.validate.calibrate import FitSpec
    from sim.validate.ensemble import abc_fit
    from sim.validate.hindcast import prepare

    setup = prepare(
        ROOT / "scenarios" / "hindcast_2010.yaml",
        ROOT / "data" / "sipri_tiv_central_asia_1995_2019.csv",
        ROOT / "data" / "supplier_blocs.csv",
        "2010-2014",
        persistence=False,
    )
    spec = FitSpec({"weight_path": (0.5, 8.0), "hedge_weight": (0.0, 6.0)}, 0, 0, "mean", 1)
    state = np.random.get_state()
    one = abc_fit(setup, spec, population=12, generations=3, seed=5)
    assert np.array_equal(np.random.get_state()[1], state[1])  # numpy's global RNG untouched
    two = abc_fit(setup, spec, population=12, generations=3, seed=5)
    ens = one.ensemble
    assert ens.weights.sum() == pytest.approx(1.0)
    assert np.all((ens.sets[:, 0] >= 0.5) & (ens.sets[:, 0] <= 8.0))
    assert one.epsilons == sorted(one.epsilons, reverse=True)
    np.testing.assert_array_equal(ens.sets, two.ensemble.sets)
    f = tmp_path / "e.yaml"
    f.write_text(ensemble_text(ens, ["test"]))
    back = read_ensemble(f)
    np.testing.assert_allclose(back.sets, ens.sets, rtol=1e-5)


def test_an_ensemble_never_silently_replaces_a_scenarios_own_parameter(tmp_path, baseline):
    """A what-if that sets a parameter the ensemble varies would change nothing with
    --ensemble: refused, naming the file and the parameter, before anything is written."""
    f = tmp_path / "hedge_hi.yaml"
    f.write_text(f"extends: {BASELINE}\nparameters: {{hedge_weight: 5.0}}\n")
    out = tmp_path / "c"
    r = run_sim("compare", BASELINE, f, "--ensemble", SHIPPED, "--replicates", "10", "--out", out)
    assert r.returncode == 2 and "hedge_hi.yaml sets parameters.hedge_weight" in r.stderr
    assert not out.exists()
    from sim.errors import UserError

    with pytest.raises(UserError, match="hedge_weight"):
        run(baseline.with_changes({"parameters.hedge_weight": 5.0}), replicates=2, ensemble=SHIPPED)


def test_too_few_replicates_for_an_ensemble_are_refused(tmp_path):
    r = run_sim("run", BASELINE, "--ensemble", SHIPPED, "--out", tmp_path / "o", "--quiet")
    assert r.returncode == 2 and "--replicates 10 or more" in r.stderr
    assert not (tmp_path / "o").exists()


def test_validate_reads_an_ensemble_file():
    r = run_sim("validate", SHIPPED)
    assert r.returncode == 0 and "parameter ensemble: 100 sets" in r.stdout
