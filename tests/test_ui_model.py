"""The classroom page without a browser: controls -> overrides -> model, figures, assets, CLI."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.errors import UserError
from sim.scenario.loader import load_scenario
from sim.ui import assets, controls, library, views
from sim.ui.model import ClassroomModel, neutral

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def lib_dir(tmp_path, baseline_path, monkeypatch) -> Path:
    """A scenario folder: the baseline, a variant without the 2022 sanctions, a broken file."""
    shutil.copy(baseline_path, tmp_path / "baseline.yaml")
    data = yaml.safe_load(baseline_path.read_text())
    data["metadata"].update(
        name="calm", title="Calm: no 2022 sanctions", description="No new sanctions."
    )
    data["events"] = [e for e in data["events"] if e["type"] != "sanction_imposed"]
    data["sanctions"] = []
    (tmp_path / "calm.yaml").write_text(yaml.safe_dump(data))
    (tmp_path / "broken.yaml").write_text("metadata: {name: broken}\nstates: 3\n")
    monkeypatch.setenv("MULTIVECTOR_SCENARIOS", str(tmp_path))
    neutral.cache_clear()
    yield tmp_path
    neutral.cache_clear()


def _sliders(**moved: float) -> dict[str, float]:
    vals = dict(neutral())
    vals.update(moved)
    return vals


# ----------------------------------------------------------------------------- controls
def test_untouched_controls_change_nothing(baseline):
    ov, notes = controls.overrides_for(
        baseline,
        controls.neutral_values(baseline),
        controls.neutral_values(baseline),
        {"KAZ": controls.AS_IN_SCENARIO},
    )
    assert ov == {} and notes == []


EVERY_SLIDER_MOVED = dict(
    kaz_diversification=0.95, pressure_strength=6.0, turkish_capacity=20.0, threat_level=2.0
)


def test_each_slider_reaches_its_scenario_field(baseline):
    start = controls.neutral_values(baseline)
    moved = dict(start, **EVERY_SLIDER_MOVED, sanctions_intensity=0.2)
    ov, notes = controls.overrides_for(baseline, moved, start, {"TJK": "balance"})
    sc = load_scenario(baseline, ov)
    assert sc.states["KAZ"].diversification == pytest.approx(0.95)
    sid, intensity, _ = controls.main_sanction(sc)
    assert intensity == pytest.approx(0.2)
    assert sid == controls.main_sanction(baseline)[0]
    assert sc.parameters.pressure_strength == pytest.approx(6.0)
    assert sc.states["TUR"].production_capacity == pytest.approx(20.0)
    for s, st in sc.states.items():
        expect = baseline.states[s].base_threat * (1 if st.exports_arms else 2.0)
        assert st.base_threat == pytest.approx(expect)
    assert sc.states["TJK"].strategy == "balance"
    assert len(notes) == 6


def test_untouched_slider_keeps_the_chosen_scenarios_own_value(baseline):
    """A library scenario's own setting is not undone by a slider left at its start position."""
    other = load_scenario(baseline, {"states.KAZ.diversification": 0.1})
    start = controls.neutral_values(baseline)
    ov, _ = controls.overrides_for(other, start, start)
    assert load_scenario(other, ov).states["KAZ"].diversification == pytest.approx(0.1)


def test_sliders_that_do_not_apply_say_so(small_world):
    sc = load_scenario(small_world())  # no KAZ, no TUR
    start = controls.neutral_values(load_scenario(ROOT / "scenarios" / "baseline.yaml"))
    moved = dict(start, kaz_diversification=0.9, turkish_capacity=3.0)
    ov, notes = controls.overrides_for(sc, moved, start, {"KAZ": "bandwagon"})
    assert ov == {}
    for label in ("Kazakhstan: diversification", "Turkish production"):
        assert any(f"'{label}' slider does nothing here" in n for n in notes), notes
    assert any("chosen for KAZ does nothing here" in n for n in notes)


def test_your_changes_speak_in_words(baseline):
    start = controls.neutral_values(baseline)
    moved = dict(start, **EVERY_SLIDER_MOVED, sanctions_intensity=0.0)
    _, notes = controls.overrides_for(baseline, moved, start, {"KAZ": "bandwagon"})
    text = "\n".join(notes)
    assert len(notes) == 6
    assert not re.findall(r"\b[A-Z]{3,}\b", text), text  # no state ids (KAZ, USA)
    assert not re.findall(r"\b\w+_\w+\b", text), text  # no snake_case ids (west_2022)
    sid, old, _ = controls.main_sanction(baseline)
    assert sid not in text
    for words in (
        "Kazakhstan",
        "sanctions on Russia by European Union and United States",
        f"0.00 on a 0-1 scale, none (scenario: {old:.2f}, {controls.intensity_words(old)})",
        "Turkiye's arms production: US$20bn a year",
        "bandwagon (follow the strongest patron)",
        "scenario: multi-vector (hedge)",
        "2.0 times as threatened",
    ):
        assert words in text, (words, text)


def _sanction_narrations(m: ClassroomModel) -> list[str]:
    m.run()
    return [e.narration for e in m.events.log if e.type == "sanction_imposed"]


@pytest.mark.parametrize(
    "intensity, says, never",
    [
        (0.0, "no new sanctions on Russia", "sweeping"),
        (0.2, "light sanctions on Russia", "sweeping"),
    ],
)
def test_the_feed_tells_the_sanctions_as_changed(lib_dir, intensity, says, never):
    authored = _sanction_narrations(ClassroomModel(**_sliders()))
    assert any(never in t for t in authored)  # the scenario's own words, untouched
    told = _sanction_narrations(ClassroomModel(**_sliders(sanctions_intensity=intensity)))
    assert told and all(never not in t for t in told), told
    assert any(says in t for t in told), told


@pytest.mark.parametrize(
    "v, word", [(0.0, "no"), (0.01, "light"), (0.3, "light"), (0.5, "heavy"), (0.7, "sweeping")]
)
def test_intensity_words(v, word):
    assert controls.intensity_words(v) == word


@pytest.mark.parametrize(
    "text, expected", [("", None), ("  ", None), ("42", 42), (7, 7), (None, None)]
)
def test_parse_seed(text, expected):
    assert controls.parse_seed(text) == expected


@pytest.mark.parametrize("text", ["abc", "-1", "1.5"])
def test_parse_seed_refuses(text):
    with pytest.raises(ValueError, match="seed"):
        controls.parse_seed(text)


# ----------------------------------------------------------------------------- library
def test_library_lists_valid_scenarios_and_skips_broken(lib_dir):
    lib = library.load_library()
    assert lib.keys == ["baseline", "calm"]
    assert lib.get("calm").title == "Calm: no 2022 sanctions"
    assert len(lib.skipped) == 1 and lib.skipped[0].startswith("broken.yaml: skipped")


def test_shipped_library_validates():
    lib = library.load_library(ROOT / "scenarios")
    assert lib.keys[0] == "baseline"
    assert not lib.skipped, lib.skipped


def test_picker_lists_scenarios_by_title_grouped_without_hindcasts():
    lib = library.load_library(ROOT / "scenarios")
    items = lib.picker_items()
    headers = [i["header"] for i in items if "header" in i]
    assert headers == [library.TEACHING, library.WHAT_IFS]
    shown = [i for i in items if "value" in i]
    for item in shown:  # by title, not by file name
        assert item["text"] == lib.get(item["value"]).title != item["value"]
    keys = [i["value"] for i in shown]
    assert not [k for k in keys if k.startswith("hindcast")]
    assert keys == [e.key for e in lib.classroom]
    groups = dict(lib.grouped())
    assert {e.key for e in groups[library.VALIDATION]} >= {"hindcast_2015", "hindcast_2020"}
    assert all(e.key.startswith("teach_") for e in groups[library.TEACHING])
    assert groups[library.WHAT_IFS][0].key == "baseline"
    # each header comes right before its own group's scenarios
    at = [n for n, i in enumerate(items) if "header" in i]
    assert at[0] == 0 and items[at[1] - 1]["value"] == groups[library.TEACHING][-1].key


def test_library_knows_the_scenario_each_file_extends():
    lib = library.load_library(ROOT / "scenarios")
    assert lib.get("baseline").parent is None
    assert lib.get("teach_kaz_balance").parent == (ROOT / "scenarios" / "baseline.yaml")
    assert lib.get("turkey_assists_kazakhstan").parent.name == "nato_blocks_turkey.yaml"


@pytest.fixture
def lesson(lib_dir) -> str:
    """A lesson in the scenario folder: the baseline with Kazakhstan bandwagoning."""
    (lib_dir / "teach_follow.yaml").write_text(
        "extends: baseline.yaml\n"
        "metadata: {name: teach_follow, title: 'Teaching: follow Russia'}\n"
        "states: {KAZ: {strategy: bandwagon}}\n"
    )
    return "teach_follow"


def test_a_lesson_is_compared_with_the_scenario_it_extends(lesson, lib_dir, simulate):
    m = ClassroomModel(scenario_name=lesson, seed="5")
    ref = m.reference()
    parent = simulate(lib_dir / "baseline.yaml", seed=5)
    np.testing.assert_array_equal(ref.run.pairs["arms_share"], parent.pairs["arms_share"])
    assert ref.label == "the baseline scenario" and "lesson" in ref.about
    m.run()  # the lesson's own change shows as a gap
    assert not np.allclose(m.recorder.arrays()[0]["arms_share"], ref.run.pairs["arms_share"])
    # a what-if is compared with itself, without the page's changes
    calm = ClassroomModel(scenario_name="calm", seed="5")
    assert calm.reference().label == "without your changes"
    np.testing.assert_array_equal(
        calm.reference().run.pairs["arms_share"], calm.ghost().pairs["arms_share"]
    )


def _reference_lines(fig) -> dict[str, object]:
    return {
        ln.get_gid().split(":", 1)[1]: ln
        for ln in fig.axes[0].lines
        if (ln.get_gid() or "").startswith("reference:")
    }


@pytest.mark.parametrize("make", ["supplier_shares", "dependence_lines", "trade_shares"])
def test_reference_lines_stop_at_the_current_quarter(lib_dir, make):
    """Students predict first: before a step no reference path shows, after k steps k points."""
    m = ClassroomModel(**_sliders(kaz_diversification=1.0))
    draw = getattr(views, make)
    before = _reference_lines(draw(views.snapshot(m)))
    assert all(len(ln.get_xdata()) == 0 for ln in before.values())
    for _ in range(6):
        m.step()
    lines = _reference_lines(draw(views.snapshot(m)))
    assert lines
    assert {len(ln.get_xdata()) for ln in lines.values()} == {6}


def test_each_reference_line_is_labelled_with_its_supplier(lib_dir):
    from matplotlib.colors import to_hex

    from sim.plots import color

    m = ClassroomModel(**_sliders(kaz_diversification=1.0))
    for _ in range(8):
        m.step()
    s = views.snapshot(m)
    fig = views.supplier_shares(s)
    lines = _reference_lines(fig)
    assert len(lines) >= 2
    legend = fig.axes[0].get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts[-1] == "dashed: without your changes"
    for sid, ln in lines.items():  # the supplier's colour, and its name in the legend
        assert to_hex(ln.get_color()) == to_hex(color(sid))
        assert s.names[s.ids.index(sid)] in texts


# ----------------------------------------------------------------------------- model
def test_diversification_slider_changes_the_run(lib_dir):
    a = ClassroomModel()
    b = ClassroomModel(**_sliders(kaz_diversification=1.0))
    for _ in range(16):
        a.step()
        b.step()
    k, r = a.world.idx("KAZ"), a.world.idx("RUS")
    sa = a.recorder.arrays()[0]["arms_share"][:, k, r]
    sb = b.recorder.arrays()[0]["arms_share"][:, k, r]
    assert not np.allclose(sa, sb)
    assert b.notes and "values having many arms suppliers: 1.00" in b.notes[0]


def test_ghost_is_the_unchanged_scenario_with_the_same_seed(lib_dir, simulate):
    m = ClassroomModel(seed="11", **_sliders(sanctions_intensity=0.1))
    g = m.ghost()
    ref = simulate(lib_dir / "baseline.yaml", seed=11)
    assert m.run_seed == 11
    np.testing.assert_array_equal(g.pairs["arms_share"], ref.pairs["arms_share"])
    m.run()
    assert not np.allclose(m.recorder.arrays()[0]["dependence"], g.pairs["dependence"])


def test_untouched_model_runs_exactly_its_ghost(lib_dir):
    m = ClassroomModel(scenario_name="calm", **_sliders()).run()
    live = m.recorder.arrays()[0]["arms_share"]
    np.testing.assert_array_equal(live, m.ghost().pairs["arms_share"])
    assert m.title == "Calm: no 2022 sanctions"
    assert "no sanctions" in " ".join(
        ClassroomModel(scenario_name="calm", **_sliders(sanctions_intensity=0.3)).notes
    )


def test_classroom_inputs_fall_back_with_a_note(lib_dir):
    m = ClassroomModel(scenario_name="nope", seed="x", focus="RUS")
    assert m.entry.key == "baseline"
    assert m.run_seed == m.scenario.seed
    text = " ".join(m.notes)
    assert "'nope' not found" in text and "seed must be a whole number" in text
    assert m.focus == "KAZ" and "not an importer" in text
    with pytest.raises(TypeError, match="unknown control"):
        ClassroomModel(sliders=3)


def test_date_and_events_follow_the_steps(lib_dir):
    m = ClassroomModel()
    labels = m.world.axis.labels()
    assert m.date().startswith("before")
    dated = {}
    for ev in m.scenario.events:
        if ev.narration:
            dated.setdefault(ev.date, ev.narration)
    first = min(dated, key=labels.index)
    while m.recorder.n_steps <= labels.index(first):
        m.step()
    assert m.date() == first
    assert dated[first] in [e.narration for e in m.fired]


# ----------------------------------------------------------------------------- figures
def test_figures_draw_before_and_after_running(lib_dir):
    m = ClassroomModel()
    makers = (views.supplier_shares, views.dependence_lines, views.trade_shares, views.arms_network)
    for fig in (f(views.snapshot(m)) for f in makers):
        assert fig.axes
    for _ in range(8):
        m.step()
    s = views.snapshot(m)
    assert s.t == 8 and s.ids[s.patron] == "RUS"
    fig = views.supplier_shares(s)
    assert len(fig.axes[0].collections) >= 2  # stacked areas of at least two suppliers
    net = views.arms_network(s)
    assert net.axes[0].patches  # arrows for the deliveries of the last year


# ----------------------------------------------------------------------------- assets and CLI
def test_assets_complete_cache_needs_no_npm(tmp_path, monkeypatch):
    assert assets.missing(tmp_path) == list(assets.PACKAGES)
    _fake_cache(tmp_path)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert assets.ensure_assets(tmp_path, quiet=True) == tmp_path
    env = assets.server_env(tmp_path)
    assert env["SOLARA_ASSETS_PROXY_CACHE_DIR"] == str(tmp_path)
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"


def test_assets_without_npm_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(assets.AssetError, match="npm"):
        assets.ensure_assets(tmp_path, quiet=True)


def test_ui_command_refuses_bad_arguments(tmp_path, capsys):
    from sim.cli import main

    assert main(["ui", "--port", "http"]) == 2
    assert main(["ui", "--scenarios", str(tmp_path / "none")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert main(["ui", "--scenarios", str(tmp_path)]) == 2
    assert "no valid scenario" in capsys.readouterr().err


def test_ui_command_serves_the_app_on_loopback():
    from sim.commands import ui

    cmd = ui.server_command("127.0.0.1", 8123)
    assert cmd[1:4] == ["-m", "solara", "run"] and Path(cmd[4]).name == "app.py"
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1" and "--production" in cmd


@pytest.mark.slow
def test_every_library_scenario_opens_on_the_page():
    """Whatever the picker lists builds a model, runs a few periods and draws every chart."""
    lib = library.load_library(ROOT / "scenarios")
    makers = (views.supplier_shares, views.dependence_lines, views.trade_shares, views.arms_network)
    for entry in lib.entries:
        m = ClassroomModel(scenario_name=entry.key, **neutral())
        for _ in range(3):
            m.step()
        s = views.snapshot(m)
        for make in makers:
            assert make(s).axes, (entry.key, make.__name__)
        assert m.title and m.date() == m.world.axis.label(2)


def test_header_line_describes_the_run(baseline):
    text = controls.describe_values(load_scenario(baseline, {"parameters.pressure_strength": 4.5}))
    assert "Russian pressure 4.50" in text
    assert f"Kazakhstan's diversification {baseline.states['KAZ'].diversification:.2f}" in text


def _fake_cache(path: Path) -> Path:
    for spec in assets.PACKAGES:
        (path / spec).mkdir(parents=True)
        (path / spec / "package.json").write_text("{}")
    return path


def test_ui_command_hands_over_to_solara_with_offline_env(tmp_path, monkeypatch, capsys):
    """``run_sim.py ui`` prints the address and becomes the Solara server (same PID)."""
    import os

    from sim.cli import main
    from sim.commands import ui

    cache = _fake_cache(tmp_path / "cache")
    monkeypatch.setenv("MULTIVECTOR_ASSETS", str(cache))
    calls = []

    def fake_exec(path, argv, env):
        calls.append((path, argv, env))
        raise SystemExit(0)  # stands in for the server taking over the process

    monkeypatch.setattr(os, "execve", fake_exec)
    port = ui.free_port()
    with pytest.raises(SystemExit):
        main(["ui", "--port", str(port)])
    assert f"open http://127.0.0.1:{port}/" in capsys.readouterr().out
    ((_path, argv, env),) = calls
    assert argv[argv.index("--port") + 1] == str(port)
    assert argv[argv.index("--host") + 1] == "127.0.0.1"
    assert env["SOLARA_ASSETS_PROXY_CACHE_DIR"] == str(cache)
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"


def test_ui_command_refuses_a_busy_port(monkeypatch, capsys):
    import os
    import socket

    from sim.cli import main

    monkeypatch.setattr(os, "execve", lambda *a: pytest.fail("must not start the server"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["ui", "--port", str(port)]) == 2
    assert "cannot listen on 127.0.0.1" in capsys.readouterr().err


def test_page_choices_fit_the_model_and_start_from_the_scenario_as_written():
    """Reset re-creates the model as ``ClassroomModel(**choices)``; untouched, nothing changes."""
    from sim.ui import app

    params = app.default_params()
    assert set(params) >= {"scenario_name", "focus", "seed", *controls.SLIDER_NAMES}
    m = ClassroomModel(**params)
    assert m.ui_overrides == {} and m.notes == []
    assert m.entry.key == "baseline"


def test_sliders_show_their_value_and_unit(baseline):
    own = controls.scenario_values(baseline)
    start = controls.neutral_values(baseline)
    spec = {s.name: s for s in controls.SLIDERS}
    tur = spec["turkish_capacity"]
    moved = controls.slider_text(tur, 20.0, start[tur.name], own[tur.name])
    assert moved == "Turkish production: US$20bn a year"
    kept = controls.slider_text(tur, start[tur.name], start[tur.name], 12.5)
    assert kept == "Turkish production: US$12.5bn a year (as in the scenario)"
    sanc = spec["sanctions_intensity"]
    assert controls.slider_text(sanc, 0.35, 0.7, 0.7) == "Sanctions intensity: 0.35 of 1"
    assert "not in this scenario" in controls.slider_text(sanc, 0.7, 0.7, None)
    for s in controls.SLIDERS:  # every slider has a unit beyond the bare number
        assert s.show(s.max) != f"{s.max:g}"


def test_the_strategy_picker_offers_the_user_strategies_of_the_library(lib_dir):
    """A library scenario that names a user strategy puts it in every state's picker, and a
    state of another scenario can play it."""
    from sim.ui import app

    src = Path(__file__).resolve().parent.parent / "examples" / "strategies"
    shutil.copy(src / "least_exposed.py", lib_dir / "least_exposed.py")
    (lib_dir / "user.yaml").write_text(
        "extends: baseline.yaml\nmetadata: {name: user, title: A user strategy}\n"
        "states:\n  KAZ: {strategy: least_exposed.py:LeastExposed}\n"
    )
    spec = f"{lib_dir / 'least_exposed.py'}:LeastExposed"
    items = app.strategy_items()
    assert spec in [i["value"] for i in items]
    assert [i["value"] for i in items][:5] == [
        "as in scenario",
        "multi_vector",
        "bandwagon",
        "balance",
        "autarky",
    ]
    assert "bandwagon (follow the strongest patron)" in [i["text"] for i in items]
    m = ClassroomModel(strategy_KGZ=spec)
    assert any("your own strategy LeastExposed (from least_exposed.py)" in n for n in m.notes), (
        m.notes
    )
    agent = next(a for a in m.state_agents if a.state_id == "KGZ")
    assert agent.strategy_spec == spec and agent.strategy.adaptive
    for _ in range(4):
        m.step()


# ----------------------------------------------------------------------------- page server exposure
@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
    ],
)
def test_ui_knows_which_hosts_are_loopback(host, loopback):
    from sim.commands import ui

    assert ui.is_loopback(host) is loopback


def _serve_without_server(monkeypatch, tmp_path, args, capsys):
    """``run_sim.py ui ARGS`` up to the hand-over, without binding or starting anything."""
    import os

    from sim.cli import main
    from sim.commands import ui

    monkeypatch.setenv("MULTIVECTOR_ASSETS", str(_fake_cache(tmp_path / "cache")))
    monkeypatch.setattr(ui, "_check_bind", lambda host, port: None)  # no non-loopback socket
    calls = []

    def fake_exec(path, argv, env):
        calls.append(argv)
        raise SystemExit(0)

    monkeypatch.setattr(os, "execve", fake_exec)
    with pytest.raises(SystemExit):
        main(["ui", *args])
    assert len(calls) == 1
    return calls[0], capsys.readouterr()


def test_ui_on_every_interface_prints_that_address_and_warns(tmp_path, monkeypatch, capsys):
    argv, said = _serve_without_server(
        monkeypatch, tmp_path, ["--host", "0.0.0.0", "--port", "8765"], capsys
    )
    assert argv[argv.index("--host") + 1] == "0.0.0.0"
    assert "listening on http://0.0.0.0:8765/" in said.out
    assert "open http://127.0.0.1:8765/ in a web browser" not in said.out
    err = said.err.lower()
    assert "warning" in err and "0.0.0.0 is not a loopback address" in err
    assert "network" in err and "no password or other authentication" in err


def test_ui_on_a_network_address_warns_and_on_loopback_does_not(tmp_path, monkeypatch, capsys):
    _, said = _serve_without_server(
        monkeypatch, tmp_path, ["--host", "192.168.1.5", "--port", "8765"], capsys
    )
    assert "open http://192.168.1.5:8765/" in said.out and "no password" in said.err
    for host in ("127.0.0.1", "::1", "localhost"):
        sub = tmp_path / host.replace(":", "_")
        _, said = _serve_without_server(
            monkeypatch, sub, ["--host", host, "--port", "8765"], capsys
        )
        assert "warning" not in said.err and "8765/ in a web browser" in said.out, host


def test_ui_server_does_not_ask_pypi_for_new_versions():
    from sim.commands import ui

    assert "--no-check-version" in ui.server_command("127.0.0.1", 8123)


def test_complete_cache_gives_solara_a_cdn_it_cannot_fetch_from(tmp_path, monkeypatch):
    """Solara's proxy fetches ``settings.assets.cdn + path`` for any file it lacks: with a
    complete cache that CDN is one no HTTP client can reach (the scheme is refused at once)."""
    import requests

    from sim.commands import ui

    partial = tmp_path / "partial"
    (partial / assets.PACKAGES[0]).mkdir(parents=True)
    (partial / assets.PACKAGES[0] / "package.json").write_text("{}")
    assert "SOLARA_ASSETS_CDN" not in assets.server_env(partial)
    cache = _fake_cache(tmp_path / "cache")
    env = assets.server_env(cache)
    assert env["SOLARA_ASSETS_CDN"] == assets.OFFLINE_CDN
    assert env["SOLARA_ASSETS_PROXY"] == "true"
    with pytest.raises(requests.exceptions.InvalidSchema):
        requests.get(assets.OFFLINE_CDN + "left-pad@1.3.0/index.js", timeout=1)
    # the caller's environment cannot turn the cache off or point it at the internet
    monkeypatch.setenv("MULTIVECTOR_ASSETS", str(cache))
    monkeypatch.setenv("SOLARA_ASSETS_PROXY", "false")
    monkeypatch.setenv("SOLARA_ASSETS_CDN", "https://cdn.jsdelivr.net/npm/")
    env = ui.server_env()
    assert env["SOLARA_ASSETS_CDN"] == assets.OFFLINE_CDN
    assert env["SOLARA_ASSETS_PROXY"] == "true"
    assert env["SOLARA_ASSETS_PROXY_CACHE_DIR"] == str(cache)


def test_cache_only_lookup_serves_cached_files_and_nothing_else(tmp_path):
    cache = _fake_cache(tmp_path / "cache")
    (cache / "requirejs@2.3.6" / "require.js").write_text("cached")
    (cache / "requirejs@2.3.6" / "__main.js").write_text("main")
    (tmp_path / "secret.txt").write_text("not an asset")
    (cache / "requirejs@2.3.6" / "out.js").symlink_to(tmp_path / "secret.txt")
    found = assets.cached_file(cache, "requirejs@2.3.6/require.js")
    assert found is not None and found.read_text() == "cached"
    bare = assets.cached_file(cache, "requirejs@2.3.6")
    assert bare is not None and bare.name == "__main.js"
    for path in (
        "left-pad@1.3.0/index.js",
        "left-pad@1.3.0",
        "requirejs@2.3.6/missing.js",
        "requirejs@2.3.6/",
        "../secret.txt",
        "requirejs@2.3.6/../../secret.txt",
        "requirejs@2.3.6/out.js",
        str(tmp_path / "secret.txt"),
        "",
    ):
        assert assets.cached_file(cache, path) is None, path


def _call_resourcez(guarded, query: str, headers: dict[str, str] | None = None) -> str:
    import asyncio

    from starlette.requests import Request

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/resourcez",
        "query_string": query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
    }
    return asyncio.run(guarded(Request(scope)))


def test_resourcez_verbose_is_not_for_anyone(monkeypatch):
    """Solara's ``/resourcez?verbose`` adds CPU and memory figures; the page server drops
    ``verbose`` unless the caller presents Solara's ``SOLARA_RESOURCEZ_TOKEN``."""
    from sim.ui import app

    async def endpoint(request):
        return request.url.query

    guarded = app.guard_resourcez(endpoint)
    assert app.guard_resourcez(guarded) is guarded
    monkeypatch.setattr(app, "_resourcez_token", lambda: "")
    assert _call_resourcez(guarded, "verbose") == ""
    assert _call_resourcez(guarded, "a=1&verbose=1&b=x%20y") == "a=1&b=x+y"
    assert _call_resourcez(guarded, "verbose", {"Authorization": "Bearer "}) == ""
    monkeypatch.setattr(app, "_resourcez_token", lambda: "s3cret")
    assert _call_resourcez(guarded, "verbose", {"Authorization": "Bearer wrong"}) == ""
    assert _call_resourcez(guarded, "verbose") == ""
    assert _call_resourcez(guarded, "verbose", {"Authorization": "Bearer s3cret"}) == "verbose"


@pytest.mark.slow
def test_page_server_serves_only_cached_assets_and_no_internals(tmp_path):
    """The real server (``run_sim.py ui`` on a free loopback port) with a complete cache: cached
    files are served, an uncached package is a 404 without any request to the CDN (a loopback
    stand-in counts them), and ``/resourcez?verbose`` shows no CPU or memory figures."""
    import http.server
    import json
    import os
    import signal
    import subprocess
    import sys
    import threading
    import time
    import urllib.error
    import urllib.request

    from sim.commands.ui import free_port

    cache = _fake_cache(tmp_path / "cache")
    (cache / "requirejs@2.3.6" / "require.js").write_text("cached require.js")
    before = sorted(p.relative_to(cache) for p in cache.rglob("*"))
    hits: list[str] = []

    class FakeCdn(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"from the cdn")

        def log_message(self, *args: object) -> None:
            pass

    cdn = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeCdn)
    threading.Thread(target=cdn.serve_forever, daemon=True).start()
    port = free_port("127.0.0.1")
    env = dict(
        os.environ,
        MULTIVECTOR_ASSETS=str(cache),
        # what an unfixed server would fetch from: the loopback stand-in, never the internet
        SOLARA_ASSETS_CDN=f"http://127.0.0.1:{cdn.server_address[1]}/",
        SOLARA_RESOURCEZ_TOKEN="s3cret",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    base = f"http://127.0.0.1:{port}"

    def get(path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        req = urllib.request.Request(base + path, headers=headers or {})
        try:
            with opener.open(req, timeout=30) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    log = tmp_path / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "run_sim.py", "ui", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, log.read_text()[-2000:]
            try:
                if get("/readyz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "server not up after 120 s"
            time.sleep(0.5)
        assert get("/_solara/cdn/requirejs@2.3.6/require.js") == (200, b"cached require.js")
        t0 = time.monotonic()
        for path in ("left-pad@1.3.0/index.js", "left-pad@1.3.0", "requirejs@2.3.6/r.js"):
            assert get("/_solara/cdn/" + path)[0] == 404, path
        assert time.monotonic() - t0 < 10  # no fetch attempts, no retries
        assert hits == []
        assert sorted(p.relative_to(cache) for p in cache.rglob("*")) == before
        status, body = get("/resourcez?verbose")
        shown = json.loads(body)
        assert status == 200 and "websockets" in shown
        assert not {"cpu", "memory"} & set(shown)
        status, body = get("/resourcez?verbose", {"Authorization": "Bearer s3cret"})
        assert status == 200 and "cpu" in json.loads(body)
    finally:
        cdn.shutdown()
        cdn.server_close()
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def test_the_classroom_tournament_ranks_the_contestants_and_shows_each_future(lib_dir):
    from sim.ui import tournament as tour

    o = tour.classroom_tournament(
        lib_dir / "baseline.yaml", "KAZ", ["multi_vector", "bandwagon"], futures=4
    )
    assert list(o.board["contestant"]) == ["multi_vector", "bandwagon"]  # bandwagon: more Russian
    assert set(o.scores["point"]) == {0, 1, 2, 3}
    assert set(tour.NAMES) <= set(o.scores.columns)
    assert "<table" in tour.leaderboard_html(o) and "bandwagon" in tour.leaderboard_html(o)
    one = tour.future_html(o, 2)
    assert one.startswith("<p>Future 2: russian pressure") and "multi_vector" in one
    with pytest.raises(UserError, match="at least one contestant"):
        tour.classroom_tournament(lib_dir / "baseline.yaml", "KAZ", [], futures=4)
    assert not any(Path(tempfile.gettempdir()).glob("mv-tournament-*"))  # nothing left behind


def test_a_slider_snapped_to_its_step_keeps_the_scenarios_own_value(baseline):
    """Kazakhstan's diversification is 0.29; the slider's 0.05 grid shows 0.30. Left alone, the
    run must use 0.29, and the label says it is the scenario's value."""
    from sim.ui.controls import SLIDERS, neutral_values, overrides_for, slider_text

    spec = next(s for s in SLIDERS if s.name == "kaz_diversification")
    neutral = neutral_values(baseline)
    snapped = round(neutral["kaz_diversification"] / spec.step) * spec.step
    assert snapped != neutral["kaz_diversification"]  # the case this test is about
    sliders = {**neutral, "kaz_diversification": snapped}
    ov = overrides_for(baseline, sliders, neutral)[0]
    assert "states.KAZ.diversification" not in ov
    assert "(as in the scenario)" in slider_text(spec, snapped, neutral[spec.name], 0.29)
    moved = {**neutral, "kaz_diversification": snapped + spec.step}
    assert (
        overrides_for(baseline, moved, neutral)[0]["states.KAZ.diversification"]
        == moved["kaz_diversification"]
    )


def test_the_page_can_draw_its_parameters_from_the_ensemble():
    """Issue "after 2022": the web page can sample the parameter ensemble. The set comes from
    the seed; the live run and its reference use it; another seed draws another set."""
    from sim.ui.model import ENSEMBLE_PARAMETERS, ClassroomModel, drawn_parameters

    own = ClassroomModel(seed="11")
    m = ClassroomModel(seed="11", parameters=ENSEMBLE_PARAMETERS)
    drawn = dict(drawn_parameters(11))
    assert set(drawn) == {
        "parameters.weight_path",
        "parameters.hedge_weight",
        "parameters.choice_precision",
    }
    for k, v in drawn.items():
        assert getattr(m.scenario.parameters, k.split(".")[1]) == pytest.approx(v)
    assert own.scenario.parameters.weight_path != m.scenario.parameters.weight_path
    assert any("calibrated ensemble" in n for n in m.notes)
    # the reference runs the same parameters (the gap stays the page's change alone)
    while m.running:
        m.step()
    ref = m.reference().run
    np.testing.assert_array_equal(ref.pairs["arms_share"], m.recorder.arrays()[0]["arms_share"])
    assert len({drawn_parameters(s) for s in range(1, 9)}) > 1
