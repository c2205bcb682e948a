"""Overlays: extends, deep merge, list edits, chains, cycles, missing parents, line numbers."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import ScenarioError
from sim.scenario.loader import load_scenario
from sim.scenario.overlay import MergedDoc, load_with_origins, resolve_extends


def write(folder: Path, name: str, text: str) -> Path:
    p = folder / name
    p.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return p


@pytest.fixture()
def lib(tmp_path, baseline_path) -> Path:
    """A folder with a copy of the baseline (so overlays can name it relatively)."""
    (tmp_path / "baseline.yaml").write_text(
        baseline_path.read_text(encoding="utf-8"), encoding="utf-8"
    )
    return tmp_path


def test_values_merge_deeply_and_scalars_replace(lib, baseline):
    f = write(
        lib,
        "o.yaml",
        """
        extends: baseline.yaml
        metadata: {name: o, description: what if}
        states:
          KAZ: {diversification: 0.9}
        parameters: {pressure_strength: 5.0}
        """,
    )
    sc = load_scenario(f)
    assert sc.states["KAZ"].diversification == 0.9
    # the rest of KAZ and every other state are inherited unchanged
    assert sc.states["KAZ"].gdp == baseline.states["KAZ"].gdp
    assert sc.states["RUS"] == baseline.states["RUS"]
    assert sc.parameters.pressure_strength == 5.0
    assert sc.events == baseline.events and sc.sanctions == baseline.sanctions
    assert sc.name == "o" and sc.metadata.description == "what if"


def test_metadata_is_not_inherited_and_name_defaults_to_stem(lib, baseline):
    f = write(lib, "my-whatif.yaml", "extends: baseline.yaml\nstates: {KAZ: {gdp: 200}}\n")
    sc = load_scenario(f)
    assert sc.name == "my-whatif"
    assert sc.metadata.title == "" and sc.metadata.description == ""


def test_list_append_remove_edit(lib, baseline):
    f = write(
        lib,
        "o.yaml",
        """
        extends: baseline.yaml
        events-:
          - {type: conflict, date: 2021-Q2}
        events~:
          - match: {type: sanction_imposed, id: west_2022}
            set: {secondary: 0.7}
        events+:
          - {date: 2024-Q1, type: threat_shock, states: [KAZ], magnitude: 0.5, duration: 1, label: s1}
        relations:
          links~:
            - match: {between: [RUS, KAZ]}     # either order
              set: {affinity: 0.1}
        sanctions+:
          - {id: extra, senders: [EU], target: RUS, intensity: 0.1}
        """,
    )
    sc = load_scenario(f)
    base_types = [(e.type, e.date) for e in baseline.events]
    types = [(e.type, e.date) for e in sc.events]
    assert ("conflict", "2021-Q2") in base_types and ("conflict", "2021-Q2") not in types
    assert len(sc.events) == len(baseline.events)  # one removed, one appended
    assert sc.events[-1].type == "threat_shock" and sc.events[-1].label == "s1"
    imposed = [e for e in sc.events if e.type == "sanction_imposed" and e.id == "west_2022"]
    base_imposed = [
        e for e in baseline.events if e.type == "sanction_imposed" and e.id == "west_2022"
    ]
    assert imposed[0].secondary == 0.7 and base_imposed[0].secondary != 0.7
    assert imposed[0].intensity == base_imposed[0].intensity  # fields not in `set` are kept
    link = next(lk for lk in sc.relations.links if set(lk.between) == {"KAZ", "RUS"})
    base_link = next(lk for lk in baseline.relations.links if set(lk.between) == {"KAZ", "RUS"})
    assert link.affinity == 0.1 and link.trade == base_link.trade
    assert [s.id for s in sc.sanctions] == [s.id for s in baseline.sanctions] + ["extra"]


def test_plain_list_key_replaces_whole_list(lib):
    f = write(
        lib,
        "o.yaml",
        """
        extends: baseline.yaml
        events:
          - {date: 2024-Q1, type: threat_shock, states: [KAZ], magnitude: 0.5, duration: 1}
        """,
    )
    assert len(load_scenario(f).events) == 1


def test_remove_by_label_and_mapping_keys(lib):
    write(
        lib,
        "a.yaml",
        """
        extends: baseline.yaml
        events+:
          - {date: 2024-Q1, type: threat_shock, states: [KAZ], magnitude: 0.5, duration: 1, label: s1}
        """,
    )
    f = write(
        lib,
        "b.yaml",
        """
        extends: a.yaml
        events-: [s1]
        parameters: {pressure_max: 2.0}
        """,
    )
    sc = load_scenario(f)
    assert all(e.label != "s1" for e in sc.events)


def test_chain_resolves_in_order_and_records_chain(lib):
    write(
        lib, "a.yaml", "extends: baseline.yaml\nstates: {KAZ: {diversification: 0.8, gdp: 210}}\n"
    )
    (lib / "sub").mkdir()
    f = write(lib, "sub/b.yaml", "extends: ../a.yaml\nstates: {KAZ: {diversification: 0.2}}\n")
    doc = resolve_extends(f)
    assert isinstance(doc, MergedDoc)
    assert [Path(c).name for c in doc.chain] == ["b.yaml", "a.yaml", "baseline.yaml"]
    sc = load_scenario(f)
    assert sc.states["KAZ"].diversification == 0.2 and sc.states["KAZ"].gdp == 210
    assert doc.parent_data["states"]["KAZ"]["diversification"] == 0.8


def _problems(path) -> list[str]:
    with pytest.raises(ScenarioError) as ei:
        load_with_origins(path)
    return ei.value.lines()


def test_cycle_is_an_error_naming_the_chain(lib):
    write(lib, "a.yaml", "extends: b.yaml\n")
    write(lib, "b.yaml", "extends: a.yaml\n")
    (msg,) = _problems(lib / "a.yaml")
    assert "cycle" in msg and "a.yaml -> " in msg and "b.yaml" in msg and ":1:" in msg


def test_self_extension_is_a_cycle(lib):
    write(lib, "a.yaml", "extends: a.yaml\n")
    assert "cycle" in _problems(lib / "a.yaml")[0]


def test_missing_parent_names_file_and_line(lib):
    f = write(lib, "o.yaml", "# comment\nextends: nope.yaml\n")
    (msg,) = _problems(f)
    assert "o.yaml:2" in msg and "nope.yaml" in msg and "not found" in msg


def test_missing_parent_deep_in_chain_names_the_chain(lib):
    write(lib, "a.yaml", "extends: gone.yaml\n")
    f = write(lib, "b.yaml", "extends: a.yaml\n")
    (msg,) = _problems(f)
    assert "a.yaml" in msg and "gone.yaml" in msg and "b.yaml -> " in msg


@pytest.mark.parametrize(
    "body, expect, line",
    [
        ("events-:\n  - {type: conflict, date: 2029-Q1}\n", "matches no item of events", 3),
        ("events-: [no_such_label]\n", "matches no item", 2),
        ("events*:\n  - {date: 2024-Q1}\n", "unknown list operator '*'", 2),
        ("events: []\nevents+: []\n", "not both", 3),
        ("events+: {date: 2024-Q1}\n", "takes a list", 2),
        ("events~:\n  - {match: {type: conflict}}\n", "exactly the keys 'match'", 3),
        ("events-:\n  - 3\n", "is an id (string) or a mapping", 3),
        ("time+: [x]\n", "cannot append", 2),
        ("alliances-: [NOPE]\n", "no key 'NOPE'", 2),
        ("seed: 1\nstates-:\n  - ZZZ\n", "no key 'ZZZ'", 4),
    ],
)
def test_bad_list_edits_are_clear_errors_with_line(lib, body, expect, line):
    f = write(lib, "o.yaml", "extends: baseline.yaml\n" + body)
    msgs = _problems(f)
    hit = [m for m in msgs if expect in m]
    assert hit, msgs
    assert any(f"o.yaml:{line}" in m for m in hit) or expect == "not both", hit


def test_operator_without_extends_is_explained(tmp_path):
    f = write(tmp_path, "o.yaml", "metadata: {name: x}\nevents+: []\n")
    (msg,) = _problems(f)
    assert "o.yaml:2" in msg and "extends" in msg


def test_errors_point_at_the_file_and_line_that_wrote_the_value(lib):
    write(lib, "a.yaml", "extends: baseline.yaml\nstates:\n  KAZ:\n    gdp: -5\n")
    f = write(lib, "b.yaml", "extends: a.yaml\nstates: {KAZ: {diversification: 2}}\n")
    msgs = _problems(f)
    gdp = [m for m in msgs if "states.KAZ.gdp" in m]
    div = [m for m in msgs if "states.KAZ.diversification" in m]
    assert gdp and "a.yaml:4" in gdp[0] and "inherited by" in gdp[0]
    assert div and "b.yaml:2" in div[0]
    # the plain loader (no relocation) still names the overlay and its lines
    with pytest.raises(ScenarioError) as ei:
        load_scenario(f)
    assert any("b.yaml:2" in m for m in ei.value.lines())


def test_lines_point_into_the_overlay_for_overlay_values(lib):
    f = write(
        lib,
        "o.yaml",
        """
        extends: baseline.yaml
        states:
          KAZ:
            diversification: 0.9
        events+:
          - {date: 2024-Q1, type: threat_shock, states: [KAZ], magnitude: 0.5, duration: 1}
        """,
    )
    doc = resolve_extends(f)
    assert doc.lines[("states", "KAZ", "diversification")] == 4
    n = len(doc.data["events"]) - 1
    assert doc.origin(("events", n, "magnitude")) == (str(f), 6)
    assert doc.origin(("states", "KAZ", "gdp"))[0].endswith("baseline.yaml")
    # inherited values point at the extends line within the overlay file
    assert doc.lines[("states", "KAZ", "gdp")] == 1


def test_describe_prints_resolved_scenario_and_changes(lib, capsys):
    f = write(
        lib,
        "o.yaml",
        """
        extends: baseline.yaml
        states: {KAZ: {diversification: 0.9}}
        events-:
          - {type: conflict, date: 2021-Q2}
        events+:
          - {date: 2024-Q1, type: threat_shock, states: [KAZ], magnitude: 0.5, duration: 1}
        """,
    )
    assert main(["describe", str(f)]) == 0
    out = capsys.readouterr().out
    assert "metadata:" in out and "states:" in out  # the resolved scenario
    assert "changed  states.KAZ.diversification: 0.29 -> 0.9" in out
    assert "removed  events: 2021-Q2 conflict" in out
    assert "added    events: 2024-Q1 threat_shock" in out
    assert "o.yaml:2" in out  # where the change is written


def test_cli_exit_2_for_broken_overlay(lib, capsys):
    f = write(lib, "o.yaml", "extends: missing.yaml\n")
    for cmd in (
        ["validate", str(f)],
        ["describe", str(f)],
        ["run", str(f), "--out", str(lib / "out")],
    ):
        assert main(cmd) == 2
        assert "missing.yaml" in capsys.readouterr().err
    assert not (lib / "out").exists()


SHADOW = "root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nsecret:s3cr3t-hash:19000::::::\n"


def _not_a_scenario(lib: Path, target: str, line: int = 2) -> str:
    """The one message for an overlay (with extends on ``line``) of ``target``."""
    f = write(lib, "o.yaml", "# what if\n" * (line - 1) + f"extends: {target}\nseed: 3\n")
    (msg,) = _problems(f)
    assert msg.startswith(f"{f}:{line}: extends: '{target}' is not a scenario file ("), msg
    return msg


@pytest.mark.parametrize(
    "name, content, why",
    [
        ("shadow", SHADOW, "none of its keys is a scenario section"),
        ("shadow.yaml", SHADOW, "none of its keys is a scenario section"),
        ("notes.txt", "just a line: of text\n  - and: [an unclosed list\n", "it is not YAML"),
        ("blob.bin", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4, "binary data"),
        ("latin1.txt", "caf\xe9: cr\xe8me\n".encode("latin-1"), "not UTF-8 text"),
        ("list.yaml", "- root\n- daemon\n", "not a YAML mapping of scenario sections"),
        ("empty.yaml", "", "it is empty"),
        (
            "bomb.yaml",
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"b{i}: &b{i} [{', '.join([f'*{p}'] * 10)}]\n"
                for i, p in enumerate(["a"] + [f"b{k}" for k in range(7)])
            ),
            "none of its keys is a scenario section",
        ),
    ],
)
def test_extends_of_a_file_that_is_not_a_scenario(lib, name, content, why):
    """Named in the overlay at its extends line; the target's content is never echoed."""
    p = lib / name
    p.write_bytes(content if isinstance(content, bytes) else content.encode())
    msg = _not_a_scenario(lib, name)
    assert why in msg
    for secret in ("root:", "daemon", "s3cr3t", "ELF", "caf", "unclosed"):
        assert secret not in msg


def test_extends_of_a_directory_a_device_and_a_symlink_loop(lib):
    (lib / "folder").mkdir()
    assert "it is a directory" in _not_a_scenario(lib, "folder")
    assert "not a regular file" in _not_a_scenario(lib, "/dev/null")
    (lib / "loop_a").symlink_to(lib / "loop_b")
    (lib / "loop_b").symlink_to(lib / "loop_a")
    assert "symlink loop" in _not_a_scenario(lib, "loop_a", line=3)


def test_extends_of_an_unreadable_file(lib, monkeypatch):
    p = lib / "locked.yaml"
    p.write_text(SHADOW)
    real_open = Path.open

    def no_read(self, *args, **kwargs):  # as for a file without read permission (even for root)
        if self.name == "locked.yaml":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", no_read)
    msg = _not_a_scenario(lib, "locked.yaml")
    assert "it cannot be read: Permission denied" in msg and "root:" not in msg


def test_not_a_scenario_deep_in_a_chain_names_the_file_that_extends_it(lib):
    (lib / "shadow").write_text(SHADOW)
    write(lib, "a.yaml", "seed: 1\nextends: shadow\n")
    f = write(lib, "b.yaml", "extends: a.yaml\n")
    (msg,) = _problems(f)
    assert msg.startswith(f"{lib / 'a.yaml'}:2: extends: 'shadow' is not a scenario file (")
    assert "chain: " in msg and "b.yaml" in msg and "root:" not in msg


def test_a_broken_scenario_parent_keeps_its_own_messages(lib):
    """A parent that is a scenario with mistakes is reported in its own lines, as before."""
    write(lib, "p.yaml", "seed: 1\nstates:\n  KAZ: {gdp: 1\n")  # a YAML error in a .yaml file
    f = write(lib, "o.yaml", "extends: p.yaml\n")
    (msg,) = _problems(f)
    assert "p.yaml:4: YAML syntax error" in msg
    write(lib, "q.yaml", "extends: baseline.yaml\nseeed: 1\n")  # a scenario with a typo
    f = write(lib, "o2.yaml", "extends: q.yaml\n")
    assert any("q.yaml:2" in m and "unknown key 'seeed'" in m for m in _problems(f))


def test_errors_in_appended_items_name_the_overlays_own_path(lib, capsys):
    """An appended event's problem is named as the overlay wrote it (events+[1]), not by its
    index in the merged list (events[13] of the parent's events plus the new ones)."""
    f = write(
        lib,
        "o.yaml",
        """
        extends: baseline.yaml
        events+:
          - {date: 2024-Q1, type: threat_shock, states: [KAZ], magnitude: 0.5, duration: 1}
          - {date: 2024-Q2, type: threat_shock, states: [KAZ], magnitude: 0.5, duration: -3}
        """,
    )
    with pytest.raises(ScenarioError) as e:
        load_scenario(f)
    (p,) = e.value.problems
    assert p.path == "events+[1].duration" and p.line == 4
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert "events+[1].duration" in err and "events[" not in err
