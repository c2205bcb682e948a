"""Rolling-origin hindcasts: the table, its baselines, no data from after an origin, the frozen
window. No test here asserts the model's skill on any window (the frozen one least of all): the
regression guard on the model's fit is tests/test_validate_hindcast.py."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from sim.cli import main
from sim.validate.observed import read_blocs, read_observed
from sim.validate.rolling import (
    BASELINES,
    FROZEN,
    LEGACY_BN,
    ORIGINS,
    PATRON_BLOC,
    PERSISTENCE_YEARS,
    STOCK_YEARS,
    baseline_volumes,
    origin_scenario,
    origin_stocks,
    persistence_name,
    rolling,
    windows,
)
from tests.conftest import ROOT

DATA = ROOT / "data"
OBS = DATA / "sipri_tiv_central_asia_1995_2019.csv"
BLOCS = DATA / "supplier_blocs.csv"


@pytest.fixture(scope="module")
def observed():
    return read_observed(OBS, read_blocs(BLOCS), str(BLOCS))


@pytest.fixture(scope="module")
def table():
    return rolling(OBS, BLOCS, replicates=1)


def test_table_has_every_window_baseline_and_both_weightings(table, observed):
    t = table.table
    assert list(t.columns[:4]) == ["origin", "period", "frozen", "baseline"]
    assert {"skill", "weighted_skill", "model_mae_pp", "baseline_weighted_mae_pp"} <= set(t.columns)
    assert sorted(set(t["origin"])) == list(ORIGINS)
    for origin, rows in t.groupby("origin"):
        assert list(rows["baseline"]) == list(BASELINES)
        assert rows["model_mae_pp"].nunique() == 1  # one model error per window
        for n in PERSISTENCE_YEARS:
            row = rows[rows["baseline"] == persistence_name(n)].iloc[0]
            reaches = origin - n >= observed.first_year
            # available exactly when the data reach back n years, unweighted and weighted
            assert math.isfinite(row["skill"]) == reaches, (origin, n)
            assert math.isfinite(row["weighted_skill"]) == reaches, (origin, n)
        patron = rows[rows["baseline"] == "patron"].iloc[0]
        assert math.isfinite(patron["skill"]) and math.isfinite(patron["weighted_skill"])
    # the weighting matters somewhere (windows with recipients of different sizes)
    multi = t[t["recipients"] > 1].dropna(subset=["skill"])
    assert (multi["skill"] - multi["weighted_skill"]).abs().max() > 1e-3


def test_baseline_errors_match_a_direct_computation(table, observed):
    """The patron and 10-year persistence errors, recomputed here from the raw rows."""
    raw = observed.table
    blocs = ["Russia", "China", "Turkiye", "West", "Other"]
    for origin in (2010, 2015):
        errs = table.errors[table.errors["origin"] == origin]
        inside = raw[(raw["year"] >= origin) & (raw["year"] < origin + 5)]
        before = raw[(raw["year"] >= origin - 10) & (raw["year"] < origin)]
        for rec in set(errs["recipient"]):
            o = inside[inside["recipient"] == rec].groupby("bloc")["tiv_musd"].sum()
            o = o.reindex(blocs, fill_value=0.0) / o.sum()
            b = before[before["recipient"] == rec].groupby("bloc")["tiv_musd"].sum()
            b = b.reindex(blocs, fill_value=0.0) / b.sum()
            patron = pd.Series([1.0 if x == PATRON_BLOC else 0.0 for x in blocs], index=blocs)
            got = errs[errs["recipient"] == rec].set_index("forecaster")["mae_pp"]
            assert got["patron"] == pytest.approx(100 * (patron - o).abs().mean())
            assert got["persistence_10y"] == pytest.approx(100 * (b - o).abs().mean())
            assert errs[errs["recipient"] == rec]["observed_tiv"].iloc[0] == pytest.approx(
                inside[inside["recipient"] == rec]["tiv_musd"].sum()
            )
    # the summary's weighted mean is the TIV-weighted mean of those errors
    e = table.errors[(table.errors["origin"] == 2015) & (table.errors["forecaster"] == "patron")]
    row = table.table[(table.table["origin"] == 2015) & (table.table["baseline"] == "patron")]
    w = (e["mae_pp"] * e["observed_tiv"]).sum() / e["observed_tiv"].sum()
    assert row["baseline_weighted_mae_pp"].iloc[0] == pytest.approx(w)
    assert row["baseline_mae_pp"].iloc[0] == pytest.approx(e["mae_pp"].mean())


def test_frozen_window_is_computed_and_marked(table):
    """Only that it is there: its skill is not asserted (no test tunes on it)."""
    t = table.table
    frozen = t[t["frozen"]]
    assert set(frozen["period"]) == {str(FROZEN)}
    assert frozen["model_mae_pp"].notna().all() and (frozen["recipients"] > 0).all()
    assert not t[t["origin"] != FROZEN.first]["frozen"].any()


def _perturbed(tmp_path, observed, origin: int, before: bool):
    """The observed file with deliveries from ``origin`` on (or, with ``before``, the year just
    before it) changed beyond recognition."""
    df = observed.table[["recipient", "supplier", "year", "tiv_musd"]].copy()
    sel = (df["year"] == origin - 1) if before else (df["year"] >= origin)
    df.loc[sel, "tiv_musd"] *= 7.0
    year = origin - 1 if before else origin
    extra = [
        (rec, sup, year, 500.0)
        for rec in ("Kazakhstan", "Tajikistan", "Uzbekistan")
        for sup in ("China", "Turkiye")
    ]
    df = pd.concat([df, pd.DataFrame(extra, columns=df.columns)])
    path = tmp_path / f"obs_{origin}_{before}.csv"
    df.to_csv(path, index=False)
    return read_observed(path, read_blocs(BLOCS), str(BLOCS))


@pytest.mark.parametrize("origin", ORIGINS)
def test_a_window_uses_no_data_from_its_origin_on(tmp_path, observed, origin):
    """Changing every delivery from the origin on changes neither the window's scenario (its
    rebuilt stocks) nor any baseline; changing the year before the origin changes both (so the
    check can fail)."""
    (w,) = windows([origin])
    blocs = ["Russia", "China", "Turkiye", "West", "Other"]
    recs = sorted(set(observed.table["recipient"]))
    sc = origin_scenario(w, observed).to_dict()
    base = baseline_volumes(observed, origin, blocs, recs)
    later = _perturbed(tmp_path, observed, origin, before=False)
    assert origin_scenario(w, later).to_dict() == sc
    for name, vol in baseline_volumes(later, origin, blocs, recs).items():
        if vol is None:
            assert base[name] is None
        else:
            pd.testing.assert_frame_equal(vol, base[name])
    earlier = _perturbed(tmp_path, observed, origin, before=True)
    assert origin_scenario(w, earlier).to_dict() != sc
    changed = baseline_volumes(earlier, origin, blocs, recs)[persistence_name(5)]
    assert changed is not None and not changed.equals(base[persistence_name(5)])


def test_stocks_count_legacy_and_the_ten_years_before(observed):
    """Kazakhstan 2015: legacy + SIPRI 2005-2014, by hand."""
    (w,) = windows([2015])
    sc = origin_scenario(w, observed)
    raw = observed.table
    kaz = raw[(raw["recipient"] == "Kazakhstan") & raw["year"].between(2015 - STOCK_YEARS, 2014)]
    total = LEGACY_BN["Kazakhstan"] + kaz["tiv_musd"].sum() / 1000
    stock = sc.relations.arms_stocks["KAZ"]
    assert stock.total == pytest.approx(total)
    russian = LEGACY_BN["Kazakhstan"] + kaz[kaz["bloc"] == "Russia"]["tiv_musd"].sum() / 1000
    assert stock.shares["RUS"] == pytest.approx(russian / total)
    other = kaz[kaz["bloc"] == "Other"]["tiv_musd"].sum() / 1000
    assert stock.shares["KAZ"] == pytest.approx(other / total)  # "Other" counted as own


@pytest.mark.parametrize("origin", (*ORIGINS, 2020))
def test_shipped_hindcast_stocks_are_those_of_the_data(observed, origin):
    """Each shipped hindcast_<origin>.yaml states the stocks the data give (to its rounding)."""
    from sim.scenario.loader import load_scenario

    sc = load_scenario(ROOT / "scenarios" / f"hindcast_{origin}.yaml")
    for sid, want in origin_stocks(observed, sc, origin, blocs=read_blocs(BLOCS)).items():
        got = sc.relations.arms_stocks[sid]
        assert got.total == pytest.approx(want["total"], abs=0.006), sid
        for k in set(got.shares) | set(want["shares"]):
            assert got.shares.get(k, 0.0) == pytest.approx(
                want["shares"].get(k, 0.0), abs=0.0016
            ), (sid, k)


# --- the command ---


def _cmd(*extra: str) -> list[str]:
    return ["hindcast-rolling", "--observed", str(OBS), "--blocs", str(BLOCS), "--quiet", *extra]


def test_command_json_and_csv(tmp_path, capsys):
    out = tmp_path / "table.csv"
    args = _cmd("--origins", "2015,2010", "--replicates", "1", "--json", "--csv", str(out))
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["frozen"] == str(FROZEN) and doc["baselines"] == list(BASELINES)
    assert [r["origin"] for r in doc["table"]] == [2010] * 4 + [2015] * 4
    assert pd.read_csv(out)["baseline"].tolist() == list(BASELINES) * 2
    # a second run does not overwrite the CSV
    assert main(args) == 2
    assert "exists" in capsys.readouterr().err


def test_command_text_names_every_baseline(capsys):
    assert main(_cmd("--origins", "2015", "--replicates", "1")) == 0
    text = capsys.readouterr().out
    for b in BASELINES:
        assert f"model beats {b}:" in text


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--origins", "2010,20x5"), "--origins: expected years"),
        (("--origins", "1990"), "hindcast_1990.yaml: no such file"),
        (("--horizon", "0"), "--horizon"),
        (("--origins", "2015", "--horizon", "10"), "outside the observed data"),
    ],
)
def test_command_bad_input(capsys, extra, message):
    assert main(_cmd(*extra)) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_calibrate_refuses_the_frozen_window(tmp_path, capsys):
    args = [
        "calibrate",
        str(ROOT / "scenarios" / "hindcast_2005.yaml"),
        "--observed",
        str(OBS),
        "--blocs",
        str(BLOCS),
        "--fit-period",
        "2006-2008",
        "--parameters",
        str(ROOT / "scenarios" / "calibration" / "parameters.yaml"),
        "--out",
        str(tmp_path / "fit.yaml"),
        "--quiet",
    ]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "frozen validation window 2005-2009" in err
    assert not (tmp_path / "fit.yaml").exists()


def test_a_split_west_takes_its_stocks_by_supplier(observed):
    """hindcast_2020 has the EU and the USA, no "West": US deliveries build the USA's stock,
    every other Western supplier's the EU's (the bloc map's "European Union"), none is lost to
    the recipient's own; without the bloc map the West has no state and counts as own."""
    from sim.scenario.loader import load_scenario

    sc = load_scenario(ROOT / "scenarios" / "hindcast_2020.yaml")
    t = observed.table
    uzb = t[(t["recipient"] == "Uzbekistan") & t["year"].between(2010, 2019)]
    west = uzb[uzb["bloc"] == "West"]
    us = west[west["supplier"] == "United States"]["tiv_musd"].sum()
    assert 0 < us < west["tiv_musd"].sum()
    split = origin_stocks(observed, sc, 2020, blocs=read_blocs(BLOCS))["UZB"]
    total = split["total"] * 1000  # TIV millions
    assert split["shares"]["USA"] * total == pytest.approx(us)
    assert split["shares"]["EU"] * total == pytest.approx(west["tiv_musd"].sum() - us)
    assert "UZB" not in split["shares"]  # no "Other" deliveries to Uzbekistan 2010-19
    unsplit = origin_stocks(observed, sc, 2020)["UZB"]
    assert "EU" not in unsplit["shares"] and unsplit["shares"]["UZB"] > 0


def test_the_eu_and_the_usa_are_both_the_west_for_sipri():
    from sim.scenario.loader import load_scenario
    from sim.validate.hindcast import supplier_bloc
    from sim.validate.observed import bloc_names

    bmap = read_blocs(BLOCS)
    sc = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    got = {sid: supplier_bloc(s.name, bmap, bloc_names(bmap)) for sid, s in sc.states.items()}
    assert got["EU"] == got["USA"] == "West"
    assert got["RUS"] == "Russia" and got["KAZ"] == "Other"


def test_a_scenarios_path_that_is_not_a_folder_is_named(tmp_path):
    from sim.errors import UserError
    from sim.validate.rolling import windows

    f = tmp_path / "one.yaml"
    f.write_text("x: 1\n")
    with pytest.raises(UserError, match="not a folder"):
        windows([2010], 5, f)
