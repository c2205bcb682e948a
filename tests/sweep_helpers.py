"""Helpers shared by the sweep tests (small sweeps on the corpus' small scenario)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "tests" / "corpus" / "sweeps" / "scenario" / "small.yaml"


def write_sweep(path: Path, **changes) -> Path:
    """A small LHS sweep of the small scenario (2 params, scalar and series outcomes)."""
    spec = {
        "name": "t",
        "scenario": str(SMALL),
        "parameters": [
            {"path": "states.KAZ.diversification", "name": "div", "range": [0.1, 0.9]},
            {
                "path": "parameters.weight_path",
                "name": "wpath",
                "distribution": {"type": "triangular", "low": 1.0, "mode": 3.0, "high": 5.0},
            },
            {
                "path": "states.KAZ.strategy",
                "name": "strategy",
                "values": ["multi_vector", "bandwagon"],
            },
        ],
        "design": {"method": "lhs", "n": 10},
        "replicates": 3,
        "seed": 11,
        "outcomes": [
            {"name": "kaz_rus_end", "metric": "arms_share", "state": "KAZ", "partner": "RUS"},
            {"name": "kaz_hhi_mean", "metric": "arms_hhi", "state": "KAZ", "stat": "mean"},
        ],
        "series": [{"name": "kaz_tur", "metric": "arms_share", "state": "KAZ", "partner": "TUR"}],
        "batch": 4,
    }
    spec.update(changes)
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def stored(store: Path):
    """(design, scalars, series) DataFrames of a store, sorted."""
    import pandas as pd

    from sim.sweep import store as st

    return (
        pd.read_parquet(store / "design.parquet"),
        st.read_scalars(store),
        st.read_series(store),
    )


def assert_same_store(a: Path, b: Path) -> None:
    """Two stores hold exactly the same design and outcomes."""
    import pandas.testing as pdt

    for x, y in zip(stored(a), stored(b)):
        pdt.assert_frame_equal(x, y, check_exact=True)
