"""The shipped 2020-2024 hindcast: the known events of 2020-2024 (as the baseline encodes them),
the Anka line's real timing, and Kazakhstan's and Uzbekistan's diversification from the data.
Its skill is scored later on held-out SIPRI 2020-2024 data, so nothing here asserts it."""

from __future__ import annotations

import numpy as np
import pytest

from sim.runner import run_model
from sim.scenario.loader import load_scenario
from sim.validate.observed import read_blocs, read_observed
from sim.validate.rolling import diversity
from tests.conftest import ROOT

H2020 = ROOT / "scenarios" / "hindcast_2020.yaml"
BASELINE = ROOT / "scenarios" / "baseline.yaml"
DATA = ROOT / "data"


@pytest.fixture(scope="module")
def h2020():
    return load_scenario(H2020)


def _events(sc) -> dict[str, dict]:
    return {e["label"]: e for e in sc.to_dict()["events"]}


def test_has_the_baselines_events_of_2020_2024(h2020):
    """Every baseline event dated inside the run is here, the same in every field, except the
    Anka line, which moves to 2024; the 2025 designations are not (after the window)."""
    base, mine = _events(load_scenario(BASELINE)), _events(h2020)
    end = h2020.time.axis.label(h2020.time.axis.n - 1)
    inside = {k: e for k, e in base.items() if e["date"] <= end}
    assert "kgz_designations_2025" in base and "kgz_designations_2025" not in mine
    anka_before = inside.pop("anka_line_2022")
    assert {k: mine[k] for k in inside} == inside
    assert set(mine) - set(inside) == {"anka_line_2024"}
    anka = mine["anka_line_2024"]
    assert anka["date"] == "2024-Q1"
    assert {k: v for k, v in anka.items() if k not in ("date", "label", "narration")} == {
        k: v for k, v in anka_before.items() if k not in ("date", "label", "narration")
    }
    # the war and the 2022 sanctions, as the baseline has them
    kinds = {(e["type"], e["date"]) for e in mine.values()}
    assert {("sanction_imposed", "2022-Q1"), ("war", "2022-Q1")} <= kinds
    assert [s.id for s in h2020.sanctions] == ["west_2014"]
    # the baseline's sanctions stances and conduit settings
    assert h2020.states["TUR"].stances == load_scenario(BASELINE).states["TUR"].stances


def test_kazakh_and_uzbek_diversification_come_from_the_data(h2020):
    obs = read_observed(
        DATA / "sipri_tiv_central_asia_1995_2019.csv", read_blocs(DATA / "supplier_blocs.csv")
    )
    for sid in ("KAZ", "UZB"):
        st = h2020.states[sid]
        assert st.diversification == pytest.approx(diversity(obs, st.name, 2020), abs=0.005)
    # the data say Kazakhstan buys far less widely than Uzbekistan
    assert h2020.states["KAZ"].diversification < h2020.states["UZB"].diversification


def test_anka_line_delivers_nothing_before_2024(h2020):
    """With and without the production deal, Kazakhstan's deliveries from Turkiye are the same up
    to 2023-Q4 and differ in 2024: the line delivers from 2024 and not before."""
    data = h2020.to_dict()
    data["events"] = [e for e in data["events"] if e["type"] != "production_deal"]
    without = load_scenario(data)
    axis = h2020.time.axis
    ids = list(h2020.state_ids)
    kaz, tur = ids.index("KAZ"), ids.index("TUR")
    start_2024 = axis.index((2024, 1))
    with_line = run_model(h2020, 7).recorder.pairs["deliveries"][:, kaz, tur]
    no_line = run_model(without, 7).recorder.pairs["deliveries"][:, kaz, tur]
    np.testing.assert_array_equal(with_line[:start_2024], no_line[:start_2024])
    assert with_line[start_2024:].sum() > no_line[start_2024:].sum()
