"""The notebook face of a run: periods in the tables, events as a DataFrame, ``Results.plot``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.errors import UserError
from sim.runner import run
from tests.sweep_helpers import SMALL


@pytest.fixture(scope="module")
def res():
    return run(SMALL, seed=3, replicates=3)


def test_timeseries_dates_are_pandas_periods(res):
    ts = res.timeseries
    assert (
        isinstance(ts["period"].dtype, pd.PeriodDtype)
        and str(ts["period"].dtype) == "period[Q-DEC]"
    )
    pairs = ts[["date", "period"]].drop_duplicates()
    assert len(pairs) == ts["step"].nunique()  # one period per date label
    for label, period in pairs.itertuples(index=False):
        year, quarter = label.split("-Q")
        assert (period.year, period.quarter) == (int(year), int(quarter))
    # a notebook's pivot gets a date axis in order
    wide = res.metric("arms_hhi", state="KAZ").pivot_table(
        index="period", columns="replicate", values="value"
    )
    assert isinstance(wide.index, pd.PeriodIndex) and wide.index.is_monotonic_increasing


def test_events_are_a_dataframe_with_periods(res):
    ev = res.events
    assert isinstance(ev, pd.DataFrame) and len(ev) == len(res.fired) > 0
    assert list(ev.columns) == [
        "step",
        "date",
        "period",
        "type",
        "summary",
        "narration",
        "blocked",
    ]
    assert list(ev["type"]) == [e.type for e in res.fired]
    assert ev["blocked"].dtype == bool and isinstance(ev["period"].dtype, pd.PeriodDtype)
    labels = res.scenario.time.axis.labels()
    assert [labels[s] for s in ev["step"]] == list(ev["date"])


def test_saved_files_keep_their_columns(res, tmp_path):
    """The bundle's files say the date once (its label): no period column in them."""
    out = res.save(tmp_path / "b", plots=False)
    assert "period" not in pd.read_parquet(out / "timeseries.parquet").columns
    assert "period" not in pd.read_csv(out / "timeseries.csv", nrows=1).columns
    assert list(pd.read_csv(out / "events.csv").columns) == [
        "step",
        "date",
        "type",
        "summary",
        "narration",
        "blocked",
    ]


def test_plot_stacked_shares_per_importer(res):
    fig = res.plot("arms_share")
    titled = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in titled] == ["Kazakhstan"]  # the importer, not exporters
    assert titled[0].collections  # the stacked areas
    assert "arms" in fig._suptitle.get_text()


def test_plot_lines_are_medians_over_replicates(res):
    fig = res.plot("arms_hhi", states=["KAZ", "RUS"])
    from sim.plots import color

    ax = fig.axes[0]
    names = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert {"Kazakhstan", "Russia"} <= set(names)
    lines = {ln.get_color(): ln for ln in ax.get_lines()}  # one fixed colour per state
    want = res.metric("arms_hhi", state="KAZ").groupby("step")["value"].median().to_numpy()
    np.testing.assert_allclose(lines[color("KAZ")].get_ydata(), want)
    fig = res.plot("dependence", partner="RUS", states="KAZ")
    assert "RUS" in fig.axes[0].get_title()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"metric": "arms_shar"}, "unknown metric 'arms_shar'; did you mean 'arms_share'?"),
        ({"metric": "arms_hhi", "states": ["KZA"]}, "unknown state 'KZA'; did you mean 'KAZ'?"),
        ({"metric": "dependence"}, "dependence is per partner: give partner="),
        ({"metric": "arms_hhi", "partner": "RUS"}, "arms_hhi is per state, not per partner"),
    ],
)
def test_plot_refuses_what_it_cannot_draw(res, kwargs, message):
    with pytest.raises(UserError, match=message.replace("?", r"\?")):
        res.plot(**kwargs)
