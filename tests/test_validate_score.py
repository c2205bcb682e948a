"""Scoring on hand-made tables with answers worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.validate.observed import Period, parse_period
from sim.validate.score import mae_pp, mean_error, score, shares, sign_agreement, skill

BLOCS = ["Russia", "China", "West"]


def table(rows: dict[str, list[float]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=BLOCS, dtype=float)


def test_shares_rows_sum_to_one_and_empty_rows_are_zero():
    s = shares(table({"A": [3, 1, 0], "B": [0, 0, 0]}))
    assert s.loc["A"].tolist() == [0.75, 0.25, 0.0]
    assert s.loc["B"].tolist() == [0.0, 0.0, 0.0]


def test_mae_in_percentage_points():
    pred = table({"A": [0.5, 0.5, 0.0]})
    obs = table({"A": [0.8, 0.2, 0.0]})
    # |0.5-0.8| + |0.5-0.2| + 0 = 0.6 over 3 blocs = 0.2 -> 20 pp
    assert mae_pp(pred, obs)["A"] == pytest.approx(20.0)


def test_weighted_mean_and_skill():
    err = pd.Series({"A": 10.0, "B": 30.0})
    assert mean_error(err) == 20.0
    assert mean_error(err, pd.Series({"A": 3.0, "B": 1.0})) == pytest.approx(15.0)
    assert skill(5.0, 20.0) == pytest.approx(0.75)
    assert skill(30.0, 20.0) == pytest.approx(-0.5)
    assert math.isnan(skill(1.0, 0.0))


def test_score_against_persistence_by_hand():
    # A: previous all Russia; now 60/0/40; model 70/0/30.  B: previous 50/50/0; now 50/50/0.
    prev = table({"A": [10, 0, 0], "B": [5, 5, 0]})
    obs = table({"A": [60, 0, 40], "B": [1, 1, 0]})
    pred = table({"A": [7, 0, 3], "B": [2, 1, 1]})
    s = score(pred, obs, prev)
    # model: A (10+0+10)/3 = 6.667 pp; B: pred .5/.25/.25 vs .5/.5/0 -> (0+25+25)/3 = 16.667 pp
    assert s.mae["A"] == pytest.approx(20 / 3)
    assert s.mae["B"] == pytest.approx(50 / 3)
    # persistence: A 1/0/0 vs .6/0/.4 -> 80/3 pp; B exact -> 0
    assert s.persistence_mae["A"] == pytest.approx(80 / 3)
    assert s.persistence_mae["B"] == pytest.approx(0.0)
    assert s.mae_pp == pytest.approx((20 / 3 + 50 / 3) / 2)
    assert s.persistence_mae_pp == pytest.approx(40 / 3)
    # weights are observed volumes 100 and 2
    assert s.weighted_mae_pp == pytest.approx((100 * 20 / 3 + 2 * 50 / 3) / 102)
    assert s.persistence_weighted_mae_pp == pytest.approx(100 * 80 / 3 / 102)
    assert s.skill == pytest.approx(1 - (70 / 6) / (40 / 3))
    assert s.skill == pytest.approx(0.125)
    assert s.weighted_skill == pytest.approx(1 - 2100 / 8000)


def test_persistence_is_the_previous_period_not_the_current():
    prev = table({"A": [0, 10, 0]})
    obs = table({"A": [10, 0, 0]})
    s = score(obs, obs, prev)  # a perfect model
    assert s.mae_pp == 0.0
    assert s.persistence.loc["A"].tolist() == [0.0, 1.0, 0.0]
    assert s.persistence_mae_pp == pytest.approx(200 / 3)
    assert s.skill == 1.0


def test_recipient_without_previous_deliveries_is_reported_not_scored():
    prev = table({"A": [1, 0, 0]})
    obs = table({"A": [1, 0, 0], "C": [0, 0, 5]})
    pred = table({"A": [1, 0, 0], "C": [5, 0, 0]})
    s = score(pred, obs, prev)
    assert s.scored == ["A"] and "C" in s.unscored
    assert s.mae["C"] == pytest.approx(200 / 3)  # reported ...
    assert s.mae_pp == 0.0  # ... but not in the mean


def test_no_model_deliveries_counts_as_all_zero_shares():
    s = score(table({"A": [0, 0, 0]}), table({"A": [1, 0, 0]}), table({"A": [1, 0, 0]}))
    assert s.mae["A"] == pytest.approx(100 / 3)


def test_sign_agreement_of_large_changes():
    prev = table({"A": [1.0, 0.0, 0.0]})
    obs = table({"A": [0.6, 0.35, 0.05]})  # Russia -40 pp, China +35 pp, West +5 (small)
    pred = table({"A": [0.9, 0.0, 0.1]})  # Russia down (right), China flat (wrong)
    sg = sign_agreement(pred, obs, prev, threshold=0.10)
    assert sg["changes"] == 2 and sg["agree"] == 1 and sg["share"] == 0.5
    assert {c["bloc"] for c in sg["cases"]} == {"Russia", "China"}


def test_periods():
    p = parse_period("2015-2019")
    assert p == Period(2015, 2019) and p.years == 5 and p.previous() == Period(2010, 2014)
    assert str(Period(2020, 2024).previous()) == "2015-2019"


def test_model_suppliers_map_to_blocs_and_self_supply_is_left_out():
    import numpy as np

    from sim.validate.hindcast import bloc_volumes, supplier_bloc

    blocs = {"Russia": "Russia", "Belarus": "Russia", "Kazakhstan": "Other"}
    bl = ["Russia", "West", "Other"]
    assert supplier_bloc("Russia", blocs, bl) == "Russia"
    assert supplier_bloc("West", blocs, bl) == "West"  # a state named like a bloc
    assert supplier_bloc("Kazakhstan", blocs, bl) == "Other"  # by the map
    assert supplier_bloc("Narnia", blocs, bl) == "Other"  # not found
    # states: 0 KAZ (Other), 1 RUS (Russia), 2 WEST (West); two steps, only the second scored
    d = np.zeros((2, 3, 3))
    d[:, 0, 0] = 5.0  # KAZ self-supply: left out
    d[:, 0, 1] = 1.0  # KAZ from RUS
    d[1, 0, 2] = 0.5  # KAZ from WEST, second step only
    out = bloc_volumes(d, np.array([False, True]), [0], ["Other", "Russia", "West"], bl)
    assert out.tolist() == [[1000.0, 500.0, 0.0]]  # US$ bn -> TIV millions


def test_observed_file_lines_survive_blank_lines(tmp_path):
    from sim.errors import UserError
    from sim.validate.observed import read_observed

    f = tmp_path / "o.csv"
    f.write_text(
        "recipient,supplier,year,tiv_musd\nKazakhstan,Russia,2015,1\n\nKazakhstan,Mars,2016,2\n"
    )
    with pytest.raises(UserError) as e:
        read_observed(f, {"Russia": "Russia"})
    assert e.value.lines() == [
        f"{f}:4: supplier: supplier 'Mars' is not in the bloc map; add it there with its bloc"
    ]
