"""Hindcast fit to SIPRI data, and calibration recovering parameters from model-made data."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.validate.calibrate import FitSpec, calibrate
from sim.validate.hindcast import hindcast, prepare, simulate
from sim.validate.observed import Period
from tests.conftest import ROOT

DATA = ROOT / "data"
OBS = DATA / "sipri_tiv_central_asia_1995_2019.csv"
BLOCS = DATA / "supplier_blocs.csv"
H2015 = ROOT / "scenarios" / "hindcast_2015.yaml"


def test_hindcast_2015_beats_persistence_in_sample():
    """Regression guard on the model's fit: 2015-2019 from the 2010-2014 picture (default
    parameters) must beat carrying 2010-2014 forward, unweighted and volume-weighted, and get
    most large share changes' direction right."""
    h = hindcast(H2015, OBS, BLOCS, "2015-2019", replicates=5)
    s = h.score
    assert s.skill > 0, (s.mae_pp, s.persistence_mae_pp)
    assert s.weighted_skill > 0, (s.weighted_mae_pp, s.persistence_weighted_mae_pp)
    assert s.signs["changes"] >= 5
    assert s.signs["share"] > 0.5, s.signs["cases"]
    # Kazakhstan, the largest importer, stays overwhelmingly Russian-supplied, as observed (91%)
    assert s.predicted.loc["Kazakhstan", "Russia"] > 0.75


def test_shipped_fitted_overlay_beats_persistence_out_of_sample():
    """The issue's goal: parameters fitted on 2010-2014 (scenarios/calibration/
    hindcast_2015_fitted.yaml) beat persistence on 2015-2019, unweighted and weighted, and get
    the direction of large changes mostly right. If a model change breaks this, refit the overlay
    with the command in its header and update docs/validation.md before relaxing anything."""
    fitted = ROOT / "scenarios" / "calibration" / "hindcast_2015_fitted.yaml"
    h = hindcast(fitted, OBS, BLOCS, "2015-2019", replicates=5)
    s = h.score
    assert s.skill > 0 and s.weighted_skill > 0, (s.skill, s.weighted_skill)
    assert s.signs["share"] > 0.5, s.signs["cases"]


def _synthetic_observed(tmp_path, truth: dict[str, float]):
    """A SIPRI-format file made by the model itself (per year, blocs as suppliers)."""
    blocs = tmp_path / "blocs.csv"
    pd.DataFrame(
        {
            "supplier": ["Russia", "China", "Turkiye", "West", "Other"],
            "bloc": ["Russia", "China", "Turkiye", "West", "Other"],
        }
    ).to_csv(blocs, index=False)
    ov = {f"parameters.{k}": v for k, v in truth.items()}
    rows = []
    for year in range(2015, 2020):
        setup = prepare(H2015, OBS, BLOCS, Period(year, year), persistence=False)
        vol = simulate(setup, replicates=2, overrides=ov)["arms"]
        for rec, r in vol.iterrows():
            for bloc, v in r.items():
                if v > 0:
                    rows.append((rec, bloc, year, v))
    obs = tmp_path / "synthetic.csv"
    pd.DataFrame(rows, columns=["recipient", "supplier", "year", "tiv_musd"]).to_csv(
        obs, index=False
    )
    return obs, blocs


@pytest.mark.slow
def test_calibration_recovers_known_parameters(tmp_path):
    truth = {"weight_path": 1.5, "choice_precision": 7.0}
    obs, blocs = _synthetic_observed(tmp_path, truth)
    setup = prepare(H2015, obs, blocs, "2015-2019", option="--fit-period", persistence=False)
    spec = FitSpec(
        {"weight_path": (0.5, 5.0), "choice_precision": (2.0, 12.0)},
        design=12,
        max_evaluations=60,
        loss="mean",
        replicates=2,
    )
    fit = calibrate(setup, spec)
    assert fit.loss < 0.5 < fit.default_loss  # pp: the defaults (3.0, 4.0) do not fit this data
    assert fit.parameters["weight_path"] == pytest.approx(1.5, abs=0.25)
    assert fit.parameters["choice_precision"] == pytest.approx(7.0, abs=1.0)
    stages = {e["stage"] for e in fit.evaluations}
    assert stages == {"default", "design", "optimizer"}
