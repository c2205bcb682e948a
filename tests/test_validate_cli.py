"""The hindcast and calibrate commands: JSON shape, bundle, user-supplied later data, bad input."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from sim.cli import main
from tests.conftest import ROOT

DATA = ROOT / "data"
OBS = DATA / "sipri_tiv_central_asia_1995_2019.csv"
BLOCS = DATA / "supplier_blocs.csv"
TRADE = DATA / "trade_itpde_central_asia_2000_2016.csv"
H2015 = ROOT / "scenarios" / "hindcast_2015.yaml"
H2020 = ROOT / "scenarios" / "hindcast_2020.yaml"
CORPUS = ROOT / "tests" / "corpus" / "validate"
PARAMS = ROOT / "scenarios" / "calibration" / "parameters.yaml"


def _hindcast(*extra: str) -> list[str]:
    return [
        "hindcast",
        str(H2015),
        "--observed",
        str(OBS),
        "--blocs",
        str(BLOCS),
        "--period",
        "2015-2019",
        "--replicates",
        "2",
        "--quiet",
        *extra,
    ]


def test_json_is_one_object_with_the_documented_shape(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(_hindcast("--json", "--trade", str(TRADE))) == 0
    out = capsys.readouterr().out
    doc = json.loads(out)  # exactly one JSON value on stdout, nothing else
    assert doc["period"] == "2015-2019" and doc["persistence_period"] == "2010-2014"
    blocs = set(pd.read_csv(BLOCS)["bloc"])
    names = set(pd.read_csv(OBS)["recipient"])
    assert set(doc["recipients"]) == names
    for r in doc["recipients"].values():
        for key in ("predicted", "observed"):
            assert set(r[key]) == blocs
            assert sum(r[key].values()) == pytest.approx(1.0)
        assert r["mae_pp"] >= 0
    for key in ("mae_pp", "weighted_mae_pp", "skill", "weighted_skill"):
        assert isinstance(doc[key], float)
    assert set(doc["persistence"]) == {"mae_pp", "weighted_mae_pp"}
    assert doc["skill"] == pytest.approx(1 - doc["mae_pp"] / doc["persistence"]["mae_pp"])
    assert doc["recipients"]["Kyrgyzstan"]["scored"] is False  # no deliveries in 2010-2014
    assert 0 <= doc["sign_agreement"]["share"] <= 1
    assert doc["trade"]["period"] == "2015-2016"  # the trade data end in 2016
    assert set(doc["trade"]["recipients"]) == {"KAZ", "KGZ", "TJK", "TKM", "UZB"}
    assert list(tmp_path.iterdir()) == []  # --json writes nothing


def test_bundle_has_table_plot_and_json(tmp_path, capsys):
    out = tmp_path / "h"
    assert main(_hindcast("--out", str(out))) == 0
    printed = capsys.readouterr().out
    assert "persistence" in printed and "Kazakhstan" in printed and "skill" in printed
    for f in (
        "report.txt",
        "hindcast.json",
        "shares.csv",
        "manifest.json",
        "plots/arms_shares.png",
        "plots/arms_shares.svg",
    ):
        assert (out / f).is_file(), f
    shares = pd.read_csv(out / "shares.csv")
    assert set(shares["series"]) == {"model", "observed", "persistence"}
    assert main(_hindcast("--out", str(out))) == 2  # refuses to overwrite


def test_later_years_from_a_user_supplied_file(tmp_path, capsys):
    """A file with more years than the shipped one scores hindcast_2020 on 2020-2024."""
    obs = pd.read_csv(OBS)
    extra = pd.DataFrame(
        {
            "recipient": [
                "Kazakhstan",
                "Kazakhstan",
                "Kyrgyzstan",
                "Turkmenistan",
                "Uzbekistan",
                "Tajikistan",
            ],
            "supplier": ["Russia", "Turkiye", "Turkiye", "China", "Russia", "Turkiye"],
            "year": [2021, 2024, 2021, 2022, 2020, 2022],
            "tiv_musd": [300.0, 30.0, 10.0, 50.0, 40.0, 8.0],
        }
    )
    path = tmp_path / "sipri_1995_2024.csv"
    pd.concat([obs, extra]).to_csv(path, index=False)
    assert (
        main(
            [
                "hindcast",
                str(H2020),
                "--observed",
                str(path),
                "--blocs",
                str(BLOCS),
                "--period",
                "2020-2024",
                "--replicates",
                "1",
                "--json",
                "--quiet",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["period"] == "2020-2024" and doc["persistence_period"] == "2015-2019"
    kaz = doc["recipients"]["Kazakhstan"]
    assert kaz["observed"]["Russia"] == pytest.approx(300 / 330)
    # persistence carries 2015-2019 forward from the real data (Russia ~91% of Kazakhstan's)
    assert kaz["persistence"]["Russia"] == pytest.approx(0.912, abs=0.005)
    assert math.isfinite(doc["skill"])


BAD = [
    (["--observed", str(CORPUS / "missing_column.csv")], "missing column(s) tiv_musd"),
    (
        ["--observed", str(CORPUS / "unknown_recipient.csv")],
        "unknown_recipient.csv:4: recipient: recipient 'Narnia' is not a state name",
    ),
    (
        ["--observed", str(CORPUS / "unknown_supplier.csv")],
        "unknown_supplier.csv:3: supplier: supplier 'Atlantis' is not in the bloc map",
    ),
    (["--observed", str(CORPUS / "bad_values.csv")], "expected a year"),
    (["--blocs", str(CORPUS / "blocs_missing_column.csv")], "missing column(s) bloc"),
    (["--observed", str(CORPUS / "nope.csv")], "no such file"),
    (["--period", "2030-2034"], "outside the observed data"),
    (["--period", "1995-1999"], "persistence forecast needs the previous"),
    (["--period", "2010-2014"], "outside the run"),
    (["--period", "2019-2015"], "ends before it starts"),
    (["--period", "2015"], "YYYY-YYYY"),
    (["--fitted", str(CORPUS / "fitted_unknown.yaml")], "unknown parameter 'wieght_path'"),
    (
        ["--trade", str(CORPUS / "trade_unknown_reporter.csv")],
        "trade_unknown_reporter.csv:3: reporter_iso3: reporter 'AFG' is not a state id",
    ),
]


@pytest.mark.parametrize("extra, message", BAD, ids=[m for _, m in BAD])
def test_bad_hindcast_input_exits_2_and_writes_nothing(tmp_path, capsys, extra, message):
    args = {"--observed": str(OBS), "--blocs": str(BLOCS), "--period": "2015-2019"}
    for k, v in zip(extra[::2], extra[1::2]):
        args[k] = v
    out = tmp_path / "out"
    argv = ["hindcast", str(H2015), "--quiet", "--out", str(out)]
    for k, v in args.items():
        argv += [k, v]
    assert main(argv) == 2
    cap = capsys.readouterr()
    assert message in cap.err and "Traceback" not in cap.err
    assert cap.out == ""
    assert not out.exists()


@pytest.mark.parametrize(
    "params, messages",
    [
        (
            "params_unknown.yaml",
            ["unknown parameter 'weight_pathh'; did you mean 'weight_path'?", "not_a_parameter"],
        ),
        (
            "params_bad_range.yaml",
            ["must be below high", "leaves the parameter's bounds", "expected a range", "loss"],
        ),
    ],
)
def test_bad_calibration_parameters_exit_2(tmp_path, capsys, params, messages):
    out = tmp_path / "fit.yaml"
    argv = [
        "calibrate",
        str(H2015),
        "--observed",
        str(OBS),
        "--blocs",
        str(BLOCS),
        "--fit-period",
        "2015-2019",
        "--parameters",
        str(CORPUS / params),
        "--out",
        str(out),
        "--quiet",
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err
    for m in messages:
        assert m in err
    assert f"{params}:" in err  # names the file (with its line)
    assert not out.exists()


def test_calibrate_writes_an_overlay_the_hindcast_can_apply(tmp_path, capsys):
    spec = tmp_path / "p.yaml"
    spec.write_text(
        "parameters:\n  weight_path: [1.0, 4.0]\ndesign: 3\nmax_evaluations: 4\nreplicates: 1\n"
    )
    out = tmp_path / "fit.yaml"
    argv = [
        "calibrate",
        str(ROOT / "scenarios" / "hindcast_2010.yaml"),
        "--observed",
        str(OBS),
        "--blocs",
        str(BLOCS),
        "--fit-period",
        "2010-2014",
        "--parameters",
        str(spec),
        "--extends",
        str(H2015),
        "--out",
        str(out),
        "--quiet",
        "--json",
    ]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert 1.0 <= doc["parameters"]["weight_path"] <= 4.0
    searched = [e for e in doc["evaluations"] if e["stage"] != "default"]
    assert 3 <= len(searched) <= 3 + 4  # design points + at most max_evaluations
    assert doc["fitted_loss"] == min(e["loss"] for e in searched)
    assert all(1.0 <= e["weight_path"] <= 4.0 for e in searched)
    from sim.scenario.yamlsafe import read_yaml

    data = read_yaml(out).data
    assert (out.parent / data["extends"]).resolve() == H2015.resolve()
    assert data["parameters"]["weight_path"] == pytest.approx(
        doc["parameters"]["weight_path"], abs=1e-5
    )
    assert main(_hindcast("--json", "--fitted", str(out))) == 0
    assert json.loads(capsys.readouterr().out)["period"] == "2015-2019"
    assert main(argv) == 2  # refuses to overwrite the overlay
