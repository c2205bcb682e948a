"""Bad sweep files (tests/corpus/sweeps): exit 2, the expected message and line, nothing written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.cli import main

CORPUS = Path(__file__).resolve().parent / "corpus" / "sweeps"
BAD = sorted(p for p in CORPUS.glob("*.yaml") if p.name != "valid.yaml")


def _expectations(path: Path) -> tuple[list[str], list[int]]:
    text = path.read_text(encoding="utf-8")
    frags = re.findall(r"^# expect: (.+)$", text, flags=re.M)
    lines = []
    for needle in re.findall(r"^# expect-line: (.+)$", text, flags=re.M):
        body = text.splitlines()
        lines.append(
            next(i + 1 for i, ln in enumerate(body) if needle in ln and not ln.startswith("#"))
        )
    return frags, lines


def test_corpus_is_not_empty():
    assert len(BAD) >= 20
    for p in BAD:
        assert _expectations(p)[0], f"{p.name} has no '# expect:' line"


def test_valid_template_runs(tmp_path, capsys):
    out = tmp_path / "store"
    assert (
        main(["sweep", str(CORPUS / "valid.yaml"), "--out", str(out), "--workers", "1", "--quiet"])
        == 0
    )
    assert (out / "manifest.json").is_file()


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_sweep_file(path, tmp_path, capsys):
    out = tmp_path / "store"
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    frags, lines = _expectations(path)
    for frag in frags:
        assert frag in err, f"{path.name}: expected {frag!r} in:\n{err}"
    for ln in lines:
        assert f"{path}:{ln}:" in err, f"{path.name}: expected line {ln} in:\n{err}"
    assert all(line.startswith("error: ") for line in err.strip().splitlines())
    assert not out.exists()
    assert not list(tmp_path.iterdir())


def test_bad_arguments(tmp_path, capsys):
    f = str(CORPUS / "valid.yaml")
    assert main(["sweep", f, "--workers", "0"]) == 2
    assert main(["sweep", f, "--resume", "--force"]) == 2
    assert main(["sweep", str(tmp_path / "missing.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["kaz_sensitivity.yaml", "sanctions_grid.yaml"])
def test_shipped_sweeps_validate(name):
    from sim.sweep.design import n_points
    from sim.sweep.loader import load_sweep

    plan = load_sweep(CORPUS.parent.parent.parent / "sweeps" / name)
    assert n_points(plan.sweep) * plan.sweep.replicates >= 200


def test_design_points_are_checked_the_same_in_process_and_on_workers():
    """Each value alone is valid; one combination is not (bad_design_point.yaml)."""
    from sim.errors import ScenarioError
    from sim.sweep.execute import open_backend
    from sim.sweep.loader import check_design_points, load_sweep

    path = CORPUS / "bad_design_point.yaml"
    with pytest.raises(ScenarioError) as inline:
        load_sweep(path)
    plan = load_sweep(path, check_points=False)
    with open_backend(workers=2) as backend, pytest.raises(ScenarioError) as pooled:
        check_design_points(plan, backend=backend)
    assert [p.message for p in inline.value.problems] == [p.message for p in pooled.value.problems]
    assert "design point 3" in inline.value.problems[0].message
    assert len(inline.value.problems) == 1


def test_validate_checks_sweep_and_tournament_files_without_running_them(tmp_path, capsys):
    """validate reads a sweep as a sweep (it used to print eight unrelated scenario errors)."""
    from sim.cli import main

    root = Path(__file__).resolve().parent.parent
    good = [root / "sweeps" / "kaz_sensitivity.yaml", root / "tournaments" / "kaz_balancing.yaml"]
    assert main(["validate", *map(str, good)]) == 0
    out = capsys.readouterr().out
    assert "ok: " in out and "sweep kaz_sensitivity: 5 parameters, sobol design" in out
    assert "tournament kaz_balancing: 6 contestants, 200 futures" in out
    bad = root / "sweeps" / "sanctions_grid.yaml"
    f = tmp_path / "bad.yaml"
    f.write_text(
        bad.read_text()
        .replace("parameters.sanction_capacity_effect", "parameters.sanction_capacity_efect")
        .replace("../scenarios/baseline.yaml", str(root / "scenarios" / "baseline.yaml"))
    )
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "parameters[0].path" in err and "sanction_capacity" in err
    assert not any(tmp_path.glob("*/"))  # nothing written
