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


def test_negative_seed_is_a_usage_error(tmp_path, baseline_path, capsys):
    out = tmp_path / "b"
    assert main(["run", str(baseline_path), "--seed", "-1", "--out", str(out)]) == 2
    assert "whole number >= 0" in capsys.readouterr().err
    assert not out.exists()


def test_an_importer_without_arms_or_suppliers_still_gets_a_summary(tmp_path):
    from sim.runner import run

    data = {
        "metadata": {"name": "lonely"},
        "time": {"start": "2021-Q1", "end": "2021-Q4"},
        "states": {
            "AAA": {"name": "A", "gdp": 10, "military_budget_share": 0.01},
            "BBB": {"name": "B", "gdp": 10, "military_budget_share": 0.01, "exports_arms": True},
        },
    }
    res = run(data)
    row = res.summary.set_index("state").loc["AAA"]
    assert row["lead_start"] == "" and row["share_start"] == 0.0
    assert res.save(tmp_path / "b").exists()


def test_every_command_help_shows_percent_signs_once(capsys):
    """argparse formats ``help=`` strings with %, not descriptions: no '%%' may reach a user."""
    from sim.cli import COMMANDS, main

    for name in COMMANDS:
        assert main([name, "--help"]) == 0
        out = capsys.readouterr().out
        assert "%%" not in out, name
    main(["compare", "--help"])
    assert "5-95% bands" in capsys.readouterr().out
