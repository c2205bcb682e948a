"""Designs: sizes, reproducibility, value mapping and seeds (no model runs)."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from sim.seeds import derive_seed
from sim.sweep.design import build, n_points, run_table
from sim.sweep.spec import Sweep

PARAMS = [
    {"path": "a", "range": [0.0, 10.0]},
    {"path": "b", "values": ["x", "y", "z"]},
    {"path": "c", "distribution": {"type": "normal", "mean": 1.0, "sd": 0.5, "low": 0.0}},
]


def sweep(method: str, **design) -> Sweep:
    return Sweep.model_validate(
        {
            "model": "ishigami",
            "parameters": PARAMS,
            "seed": 5,
            "replicates": 2,
            "design": {"method": method, **design},
        }
    )


@pytest.mark.parametrize(
    "method, design, points",
    [
        ("grid", {"levels": 3}, 3 * 3 * 3),
        ("lhs", {"n": 17}, 17),
        ("sobol", {"n": 16}, 16 * (2 * 3 + 2)),
        ("sobol", {"n": 16, "second_order": False}, 16 * (3 + 2)),
        ("morris", {"n": 5, "levels": 4}, 5 * (3 + 1)),
    ],
)
def test_sizes_and_ranges(method, design, points):
    sw = sweep(method, **design)
    d = build(sw)
    assert d.n_points == n_points(sw) == points
    assert ((d.unit >= 0) & (d.unit <= 1)).all()
    assert ((d.values["a"] >= 0) & (d.values["a"] <= 10)).all()
    assert set(d.values["b"]) <= {"x", "y", "z"}
    assert (d.values["c"] >= 0).all()  # truncated at low = 0
    runs = run_table(sw, d)
    assert len(runs) == 2 * points and list(runs["run"]) == list(range(2 * points))


def test_grid_is_the_full_product():
    d = build(sweep("grid", levels=3))
    combos = {(a, b) for a, b in zip(d.values["a"], d.values["b"])}
    assert combos == {(a, b) for a in (0.0, 5.0, 10.0) for b in "xyz"}


@pytest.mark.parametrize(
    "method, design", [("lhs", {"n": 20}), ("sobol", {"n": 8}), ("morris", {"n": 4})]
)
def test_sampling_is_reproducible_and_seeded(method, design):
    a, b = build(sweep(method, **design)), build(sweep(method, **design))
    np.testing.assert_array_equal(a.unit, b.unit)
    other = Sweep.model_validate({**sweep(method, **design).model_dump(), "seed": 6})
    assert not np.array_equal(build(other).unit, a.unit)


def test_lhs_is_latin():
    d = build(sweep("lhs", n=50))
    for k in range(3):  # one point in each of the 50 equal slices of every axis
        assert sorted(np.floor(d.unit[:, k] * 50).astype(int)) == list(range(50))


def test_seeds_derive_from_master():
    sw = sweep("lhs", n=4)
    runs = run_table(sw, build(sw))
    assert [int(s) for s in runs["seed"]] == [
        derive_seed(5, p, r) for p in range(4) for r in range(2)
    ]
    common = Sweep.model_validate({**sw.model_dump(), "seeds": "common"})
    runs_c = run_table(common, build(common))
    assert [int(s) for s in runs_c["seed"]] == [
        derive_seed(5, r) for _ in range(4) for r in range(2)
    ]


@pytest.mark.parametrize(
    "design, message",
    [
        ({"method": "sobol", "n": 12}, "power of 2"),
        ({"method": "sobol"}, "needs a size n"),
        ({"method": "grid", "n": 3}, "remove n"),
        ({"method": "lhs", "n": 1}, "n >= 2"),
        ({"method": "morris", "n": 4, "levels": 3}, "even number of levels"),
    ],
)
def test_design_size_errors(design, message):
    with pytest.raises(ValidationError, match=message):
        Sweep.model_validate(
            {"model": "ishigami", "parameters": PARAMS, "seed": 1, "design": design}
        )
