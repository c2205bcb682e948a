"""Sweeps end to end: determinism across backends, refusal, resume after SIGKILL / Ctrl-C."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from sim.errors import UserError
from sim.sweep import store as st
from sim.sweep.run import run_sweep
from tests.sweep_helpers import ROOT, assert_same_store, stored, write_sweep


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, Path]:
    """The sweep file and its store, run in this process (one worker)."""
    d = tmp_path_factory.mktemp("ref")
    f = write_sweep(d / "t.yaml")
    return f, run_sweep(f, workers=1, out=d / "store", progress=False)


def test_store_contents(reference):
    _, store = reference
    design, scal, ser = stored(store)
    assert len(design) == 30 and list(design["run"]) == list(range(30))
    assert (design.groupby("point")["replicate"].count() == 3).all()
    assert len(set(design["seed"])) == 30  # one seed per (point, replicate)
    assert set(design["strategy"]) == {"multi_vector", "bandwagon"}
    assert design["div"].between(0.1, 0.9).all() and design["wpath"].between(1, 5).all()
    assert list(scal["run"]) == list(range(30))
    assert scal["kaz_rus_end"].between(0, 1).all() and scal["kaz_rus_end"].nunique() > 10
    assert set(ser["outcome"]) == {"kaz_tur"}
    assert len(ser) == 30 * 8  # 8 quarters
    man = st.read_manifest(store)
    assert man["complete"] and man["runs"] == 30 and man["master_seed"] == 11


def test_outcome_matches_a_direct_run(reference):
    """A stored outcome equals the same run done by hand through the runner."""
    from sim.runner import run_model
    from sim.scenario.loader import load_scenario
    from tests.sweep_helpers import SMALL

    _, store = reference
    design, scal, ser = stored(store)
    row = design.iloc[7]
    sc = load_scenario(
        SMALL,
        {
            "states.KAZ.diversification": float(row["div"]),
            "parameters.weight_path": float(row["wpath"]),
            "states.KAZ.strategy": row["strategy"],
        },
    )
    model = run_model(sc, int(row["seed"]))
    ts = model.recorder.frame()
    got = ts[(ts.metric == "arms_share") & (ts.state == "KAZ") & (ts.partner == "RUS")]
    assert scal.loc[7, "kaz_rus_end"] == got["value"].iloc[-1]
    hhi = ts[(ts.metric == "arms_hhi") & (ts.state == "KAZ")]["value"].mean()
    assert scal.loc[7, "kaz_hhi_mean"] == pytest.approx(hhi, rel=1e-12)
    tur = ts[(ts.metric == "arms_share") & (ts.state == "KAZ") & (ts.partner == "TUR")]
    np.testing.assert_array_equal(ser[ser.run == 7]["value"].to_numpy(), tur["value"].to_numpy())


def test_two_workers_same_data(reference, tmp_path):
    f, store = reference
    out = run_sweep(f, workers=2, out=tmp_path / "s2", progress=False)
    assert_same_store(store, out)


@pytest.mark.slow
def test_dask_local_cluster_same_data(reference, tmp_path):
    f, store = reference
    out = run_sweep(f, workers=2, scheduler="local-dask", out=tmp_path / "sd", progress=False)
    assert_same_store(store, out)


def test_existing_store_refused_then_force(reference, tmp_path):
    f, _ = reference
    out = run_sweep(f, workers=1, out=tmp_path / "s", progress=False)
    before = (out / "manifest.json").read_text()
    with pytest.raises(UserError, match=r"already exists; use --resume .* or --force"):
        run_sweep(f, workers=1, out=out, progress=False)
    assert (out / "manifest.json").read_text() == before
    run_sweep(f, workers=1, out=out, force=True, progress=False)
    assert st.read_manifest(out)["complete"]


def test_force_never_replaces_a_folder_that_is_not_a_store(reference, tmp_path):
    f, _ = reference
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("keep me")
    with pytest.raises(UserError, match="is not a sweep store; refusing"):
        run_sweep(f, workers=1, out=precious, force=True, progress=False)
    with pytest.raises(UserError, match="not a sweep store"):
        run_sweep(f, workers=1, out=precious, resume=True, progress=False)
    assert (precious / "chapter1.tex").read_text() == "keep me"


def test_resume_refuses_a_changed_sweep(reference, tmp_path):
    f, _ = reference
    out = run_sweep(f, workers=1, out=tmp_path / "s", progress=False)
    g = write_sweep(tmp_path / "changed.yaml", seed=12)
    with pytest.raises(
        UserError, match="made from a different file, base scenario or strategy code"
    ):
        run_sweep(g, workers=1, out=out, resume=True, progress=False)


def test_unreachable_scheduler_writes_nothing(reference, tmp_path):
    from sim.cli import main

    f, _ = reference
    t0 = time.perf_counter()
    with pytest.raises(UserError, match="cannot reach the dask scheduler"):
        run_sweep(
            f, scheduler="tcp://127.0.0.1:9", out=tmp_path / "s", progress=False, connect_timeout=2
        )
    assert time.perf_counter() - t0 < 20
    assert not (tmp_path / "s").exists()
    assert main(["sweep", str(f), "--scheduler", "no-such-host", "--out", str(tmp_path / "s")]) == 2
    assert not (tmp_path / "s").exists()


_CHILD = """
import signal
import sys
from sim.sweep.run import run_sweep
if __name__ == "__main__":
    # as at a terminal: a shell running CI in the background starts us with SIGINT ignored
    signal.signal(signal.SIGINT, signal.default_int_handler)
    run_sweep(sys.argv[1], workers=2, out=sys.argv[2], resume=True, progress=False,
              log=lambda m: None)
"""


@pytest.mark.parametrize(
    "sig", [signal.SIGKILL, pytest.param(signal.SIGINT, marks=pytest.mark.slow)]
)
def test_killed_sweep_resumes_to_the_same_dataset(reference, tmp_path, sig):
    """Kill the sweep process (and its workers) at a random moment; resume; compare."""
    _f, _ref_store = reference
    big = write_sweep(tmp_path / "big.yaml", design={"method": "lhs", "n": 60}, batch=3)
    ref = run_sweep(big, workers=1, out=tmp_path / "ref", progress=False)
    out = tmp_path / "killed"
    script = tmp_path / "child.py"
    script.write_text(_CHILD)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, str(script), str(big), str(out)],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stderr=subprocess.DEVNULL,
    )
    # kill after a random number of the 60 parts are stored (not after a random time: on a
    # quick machine the whole sweep can finish within a fraction of a second)
    parts = random.randint(1, 20)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((out / "scalars").glob("part-*.parquet"))) < parts:
        time.sleep(0.002)
    os.killpg(proc.pid, sig)
    proc.wait(timeout=60)
    n_before = len(st.committed_runs(out))
    assert 0 < n_before < 180, "the kill should land mid-sweep"
    assert not st.read_manifest(out)["complete"]
    run_sweep(big, workers=1, out=out, resume=True, progress=False)
    assert_same_store(ref, out)
    assert not list(out.rglob(".*.tmp"))


def test_a_sweep_may_name_an_event_by_label_as_overlays_do(tmp_path):
    """``events[label].field`` gives the same store as ``events[index].field``."""
    from sim.scenario.loader import load_scenario

    base = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    k = next(i for i, e in enumerate(base.events) if e.label == "west_2022_imposed")
    common = {
        "scenario": str(ROOT / "scenarios" / "baseline.yaml"),
        "design": {"method": "lhs", "n": 4},
        "replicates": 1,
        "series": [],
        "seed": 3,
        "outcomes": [{"name": "kaz_rus", "metric": "arms_share", "state": "KAZ", "partner": "RUS"}],
    }
    stores = []
    for path in (f"events[{k}].intensity", "events[west_2022_imposed].intensity"):
        f = write_sweep(
            tmp_path / f"s{len(stores)}.yaml",
            parameters=[{"path": path, "name": "intensity", "range": [0.2, 1.0]}],
            **common,
        )
        stores.append(run_sweep(f, workers=1, out=tmp_path / f"o{len(stores)}", progress=False))
    a, b = (stored(s)[1] for s in stores)
    assert a["kaz_rus"].tolist() == b["kaz_rus"].tolist()
    assert a["kaz_rus"].nunique() == 4


def test_a_label_that_names_no_event_is_an_error_with_a_suggestion():
    from sim.scenario.loader import load_scenario
    from sim.scenario.paths import PathError, resolve

    data = load_scenario(ROOT / "scenarios" / "baseline.yaml").to_dict()
    with pytest.raises(
        PathError,
        match=r"no item of events has label or id 'west_2033'.*did you mean",
    ):
        resolve(data, "events[west_2033].intensity")
    with pytest.raises(PathError, match="states is not a list"):
        resolve(data, "states[KAZ].gdp")


def _frozen(_ctx: object, _batch: object) -> int:
    import gc

    return gc.get_freeze_count()


def test_forked_workers_keep_the_driver_objects_out_of_their_collections():
    """A full collection in a forked worker writes to every object it inherited and copies
    the driver's pages one by one: a long sweep's memory grows. Workers freeze what they
    inherit (gc.freeze), so their collections leave those pages shared."""
    import multiprocessing as mp

    from sim.sweep.execute import open_backend

    if "fork" not in mp.get_all_start_methods():
        pytest.skip("workers are not forked here")
    with open_backend(workers=2) as backend:
        counts = list(backend.map(None, [1, 2, 3, 4], fn=_frozen))  # type: ignore[arg-type]
    assert len(counts) == 4 and min(counts) > 10_000  # the driver's modules, at least
