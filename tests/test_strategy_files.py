"""User strategies named by file and class: loading, errors and where they may be named.

Every bad strategy (a missing file, a missing class, a syntax error, an exception in
``decide``, a return that is not a valid Policy, bad ``strategy_params``) stops the command with
exit code 2 and one line naming the file, the class, the state and (for failures while running)
the date, before anything is written.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"

GOOD = '''
from sim import Policy, Strategy


class PreferTur(Strategy):
    """Prefer Türkiye."""

    name = "prefer_tur"
    params = {"weight": 2.0}

    def decide(self, me, world):
        return Policy(prefer={"TUR": self.weight})
'''


def overlay(folder: Path, strategy: str, extra: str = "") -> Path:
    """An overlay of the baseline in ``folder`` where Kazakhstan plays ``strategy``."""
    f = folder / "kaz.yaml"
    f.write_text(
        textwrap.dedent(f"""\
        extends: {BASELINE}
        metadata: {{name: kaz_user}}
        time: {{start: 2021-Q1, end: 2025-Q1, step: quarter}}
        states:
          KAZ:
            strategy: {strategy}
        """)
        + extra
    )
    return f


def cli(*args: str, capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def run_fails(scenario: Path, tmp_path: Path, capsys) -> str:
    out = tmp_path / "out"
    code, stdout, err = cli("run", scenario, "--out", out, "--quiet", capsys=capsys)
    assert code == 2, err
    assert not out.exists()  # nothing written
    assert "Traceback" not in err + stdout
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_a_strategy_file_relative_to_the_scenario_runs_and_changes_the_answer(tmp_path, capsys):
    (tmp_path / "mine.py").write_text(GOOD)
    sc = overlay(tmp_path, "mine.py:PreferTur", "    strategy_params: {weight: 4.0}\n")
    code, _out, err = cli(
        "run", sc, "--out", tmp_path / "r", "--quiet", "--no-plots", capsys=capsys
    )
    assert code == 0, err
    import pandas as pd

    ts = pd.read_parquet(tmp_path / "r" / "timeseries.parquet")
    got = ts.query("metric == 'arms_share' and state == 'KAZ' and partner == 'TUR'")["value"]
    (tmp_path / "plain").mkdir()
    plain = main(
        [
            "run",
            str(overlay(tmp_path / "plain", "multi_vector")),
            "--out",
            str(tmp_path / "p"),
            "--quiet",
            "--no-plots",
        ]
    )
    capsys.readouterr()
    assert plain == 0
    ref = pd.read_parquet(tmp_path / "p" / "timeseries.parquet").query(
        "metric == 'arms_share' and state == 'KAZ' and partner == 'TUR'"
    )["value"]
    assert got.iloc[-1] > ref.iloc[-1]


def test_an_overlay_names_its_strategy_file_relative_to_itself(tmp_path, capsys):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "mine.py").write_text(GOOD)
    overlay(sub, "mine.py:PreferTur")
    top = tmp_path / "top.yaml"
    top.write_text("extends: sub/kaz.yaml\nmetadata: {name: top}\n")
    code, _out, err = cli("validate", top, capsys=capsys)
    assert code == 0, err


def test_a_missing_file_is_named_with_the_field_and_line(tmp_path, capsys):
    sc = overlay(tmp_path, "nowhere.py:PreferTur")
    code, _out, err = cli("validate", sc, capsys=capsys)
    assert code == 2
    assert f"{sc}:6: states.KAZ.strategy: strategy file {tmp_path / 'nowhere.py'} not found" in err
    assert run_fails(sc, tmp_path, capsys).startswith(f"error: {sc}:6: states.KAZ.strategy")


def test_a_missing_class_names_the_classes_the_file_has(tmp_path, capsys):
    (tmp_path / "mine.py").write_text(GOOD)
    line = run_fails(overlay(tmp_path, "mine.py:PreferTurkey"), tmp_path, capsys)
    assert "defines no class PreferTurkey (strategy classes in it: PreferTur)" in line


def test_a_syntax_error_names_the_file_and_its_line(tmp_path, capsys):
    (tmp_path / "mine.py").write_text("from sim import Strategy\n\nclass X(Strategy:\n    pass\n")
    line = run_fails(overlay(tmp_path, "mine.py:X"), tmp_path, capsys)
    assert f"{tmp_path / 'mine.py'}:3: syntax error in the strategy file" in line


def test_a_class_that_is_not_a_strategy_is_refused(tmp_path, capsys):
    (tmp_path / "mine.py").write_text("class X:\n    pass\n")
    line = run_fails(overlay(tmp_path, "mine.py:X"), tmp_path, capsys)
    assert "X is not a strategy class (subclass sim.Strategy" in line


def test_unknown_strategy_params_are_refused_naming_the_allowed_ones(tmp_path, capsys):
    (tmp_path / "mine.py").write_text(GOOD)
    sc = overlay(tmp_path, "mine.py:PreferTur", "    strategy_params: {wieght: 4.0}\n")
    line = run_fails(sc, tmp_path, capsys)
    assert "states.KAZ.strategy_params" in line
    assert "unknown strategy parameter(s) wieght (allowed: weight)" in line


def test_params_for_a_builtin_are_refused(tmp_path, capsys):
    sc = overlay(tmp_path, "multi_vector", "    strategy_params: {weight: 4.0}\n")
    assert "allowed: none" in run_fails(sc, tmp_path, capsys)


@pytest.mark.parametrize(
    "body, what",
    [
        ("raise RuntimeError('boom')", "decide() raised RuntimeError: boom"),
        ("return {'TUR': 1.0}", "decide() returned dict, not a sim.Policy"),
        ("return Policy(prefer={'TURKEY': 1.0})", "invalid policy: prefer: unknown state 'TURKEY'"),
        ("return Policy(precision=-1)", "decide() raised PolicyError: precision = -1 is outside"),
        (
            "return Policy() if world.date < '2022-Q2' else 1/0",
            "2022-Q2: decide() raised ZeroDivisionError",
        ),
    ],
)
def test_a_strategy_that_fails_while_running_is_named_with_state_and_date(
    tmp_path, capsys, body, what
):
    (tmp_path / "bad.py").write_text(
        'from sim import Policy, Strategy\n\n\nclass Bad(Strategy):\n    """Bad."""\n\n'
        f"    def decide(self, me, world):\n        {body}\n"
    )
    line = run_fails(overlay(tmp_path, "bad.py:Bad"), tmp_path, capsys)
    assert line.startswith(f"error: {tmp_path / 'bad.py'}: strategy class Bad, state KAZ, 20")
    assert what in line


def test_a_failing_strategy_in_a_notebook_raises_a_user_error(tmp_path):
    from sim.agents import StrategyError
    from sim.runner import run

    (tmp_path / "bad.py").write_text(
        "from sim import Strategy\n\nclass Bad(Strategy):\n    def decide(self, me, world):\n"
        "        raise ValueError('no')\n"
    )
    with pytest.raises(StrategyError, match="state KAZ, 2021-Q1: decide"):
        run(overlay(tmp_path, "bad.py:Bad"))


def test_list_strategies_shows_builtins_and_the_classes_of_a_file(tmp_path, capsys):
    (tmp_path / "mine.py").write_text(GOOD)
    code, out, err = cli("list", "strategies", tmp_path / "mine.py", capsys=capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert [ln.split()[0] for ln in lines[:4]] == [
        "multi_vector",
        "bandwagon",
        "balance",
        "autarky",
    ]
    assert lines[4].split()[0].endswith("mine.py:PreferTur") and "adaptive" in lines[4]
    assert "Prefer Türkiye." in lines[4]


def test_list_strategies_by_default_lists_the_shipped_examples(capsys):
    code, out, err = cli("list", "strategies", capsys=capsys)
    assert code == 0, err
    assert "LeastExposed" in out and "PreferTurkiye" in out


def test_the_shipped_example_scenario_with_a_user_strategy_runs(tmp_path, capsys):
    code, out, err = cli(
        "run",
        ROOT / "examples" / "kaz_least_exposed.yaml",
        "--out",
        tmp_path / "r",
        "--quiet",
        "--no-plots",
        capsys=capsys,
    )
    assert code == 0, err
    assert "KAZ" in out


# ----------------------------------------------------------------------------- in sweeps
def strategy_sweep(folder: Path, values: list[str]) -> Path:
    from tests.sweep_helpers import write_sweep

    (folder / "mine.py").write_text(GOOD)
    return write_sweep(
        folder / "s.yaml",
        parameters=[{"path": "states.KAZ.strategy", "name": "strategy", "values": values}],
        design={"method": "grid"},
        replicates=2,
        series=[],
    )


def test_a_sweep_names_user_strategies_relative_to_the_sweep_file_on_two_workers(tmp_path):
    """Workers in other processes load the strategy file themselves; same store as one worker."""
    from sim.sweep.run import run_sweep
    from tests.sweep_helpers import assert_same_store, stored

    f = strategy_sweep(tmp_path, ["multi_vector", "mine.py:PreferTur"])
    one = run_sweep(f, workers=1, out=tmp_path / "one", progress=False)
    two = run_sweep(f, workers=2, out=tmp_path / "two", progress=False)
    assert_same_store(one, two)
    design, scal, _ = stored(one)
    by = scal.merge(design, on="run").groupby("strategy")["kaz_rus_end"].mean()
    assert by[f"{tmp_path / 'mine.py'}:PreferTur"] < by["multi_vector"]


def test_a_sweep_with_a_missing_strategy_file_stops_before_writing(tmp_path, capsys):
    f = strategy_sweep(tmp_path, ["multi_vector", "gone.py:PreferTur"])
    code, _out, err = cli("sweep", f, "--out", tmp_path / "store", "--quiet", capsys=capsys)
    assert code == 2 and not (tmp_path / "store").exists()
    assert "strategy file" in err and "gone.py not found" in err and "Traceback" not in err


def test_an_edited_strategy_file_is_used_at_once_even_with_the_same_size(tmp_path, capsys):
    """Loaded modules are keyed on the file's content, not its size and modification time."""
    from sim.runner import run

    f = tmp_path / "mine.py"
    sc = overlay(tmp_path, "mine.py:W")
    shares = []
    for weight in ("1.0", "9.0"):  # same size, written within the same clock tick
        f.write_text(
            "from sim import Policy, Strategy\n\nclass W(Strategy):\n"
            '    """W."""\n    classifier = {"adaptive": False}\n'
            f"    def decide(self, me, world):\n        return Policy(prefer={{'TUR': {weight}}})\n"
        )
        ts = run(sc).timeseries
        q = ts.query("metric == 'arms_share' and state == 'KAZ' and partner == 'TUR'")
        shares.append(q["value"].iloc[-1])
    assert shares[1] > shares[0]


def test_overrides_and_sweeps_reach_fields_the_file_leaves_at_their_defaults(tmp_path):
    """strategy_params, stances and their keys may be set even where the YAML omits them."""
    from sim.scenario.loader import load_scenario
    from sim.sweep.run import run_sweep
    from tests.sweep_helpers import stored, write_sweep

    (tmp_path / "mine.py").write_text(GOOD)
    sc = load_scenario(
        BASELINE,
        {
            "states.KAZ.strategy": f"{tmp_path / 'mine.py'}:PreferTur",
            "states.KAZ.strategy_params": {"weight": 3.0},
            "states.TUR.stances": {"RUS": "aligned"},
        },
    )
    assert sc.states["KAZ"].strategy_params == {"weight": 3.0}
    assert sc.states["TUR"].stances == {"RUS": "aligned"}
    overlay(tmp_path, "mine.py:PreferTur")
    f = write_sweep(
        tmp_path / "s.yaml",
        scenario=str(tmp_path / "kaz.yaml"),
        parameters=[
            {"path": "states.KAZ.strategy_params.weight", "name": "w", "values": [0.0, 6.0]}
        ],
        fixed={"states.KAZ.capacity_growth": 0.02},
        design={"method": "grid"},
        replicates=1,
        series=[],
    )
    store = run_sweep(f, workers=1, out=tmp_path / "o", progress=False)
    design, scal, _ = stored(store)
    tur = scal.merge(design, on="run").set_index("w")["kaz_rus_end"]
    assert tur[6.0] < tur[0.0]  # a stronger preference for Turkiye: less Russian


def test_a_sweep_resume_refuses_a_changed_strategy_file(tmp_path):
    from sim.errors import UserError
    from sim.sweep.run import run_sweep

    f = strategy_sweep(tmp_path, ["multi_vector", "mine.py:PreferTur"])
    store = run_sweep(f, workers=1, out=tmp_path / "o", progress=False)
    (tmp_path / "mine.py").write_text(GOOD.replace("self.weight}", "2 * self.weight}"))
    with pytest.raises(UserError, match="strategy code"):
        run_sweep(f, workers=1, out=store, resume=True, progress=False)
