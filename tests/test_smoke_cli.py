"""The CLI runs the default scenario end to end and refuses to overwrite a bundle."""

from __future__ import annotations

import json

import pandas as pd

from sim.cli import main


def test_run_writes_bundle_and_refuses_overwrite(tmp_path, baseline_path, capsys):
    out = tmp_path / "b"
    assert main(["run", str(baseline_path), "--out", str(out), "--no-plots"]) == 0
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert {"replicate", "step", "date", "state", "partner", "metric", "value"} <= set(ts.columns)
    man = json.loads((out / "manifest.json").read_text())
    assert man["scenario"] == "baseline" and len(man["scenario_sha256"]) == 64
    printed = capsys.readouterr().out
    assert "KAZ" in printed and "leading supplier" in printed
    before = (out / "manifest.json").read_text()
    assert main(["run", str(baseline_path), "--out", str(out)]) == 2
    assert (out / "manifest.json").read_text() == before
