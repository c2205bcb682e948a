"""Bad scenario files: `validate` and `run` stop with exit 2, one clear line per problem,
nothing written.

The corpus lives in tests/corpus/scenarios/ (one broken file per case, mostly a minimal edit of
valid_small.yaml); expected.yaml there lists the problems each must produce.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from sim.cli import main
from sim.scenario.yamlsafe import MAX_BYTES, read_yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "scenarios"
EXPECTED: dict = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))["cases"]
NOT_CASES = {"valid_small.yaml", "expected.yaml"}


def _problems(spec) -> list[dict]:
    return spec["problems"] if isinstance(spec, dict) else spec


def _make(name: str, spec, tmp_path: Path) -> Path:
    """The case's file: from the corpus, or generated for cases too big or odd to commit."""
    kind = spec.get("generate") if isinstance(spec, dict) else None
    if kind is None:
        return CORPUS / name
    path = tmp_path / "input" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "directory":
        path.mkdir()
    elif kind == "oversized":
        line = b"# padding: a scenario file this large is refused before it is parsed\n"
        path.write_bytes(line * (MAX_BYTES // len(line) + 1))
    elif kind == "string_bomb":
        path.write_text(string_bomb(), encoding="utf-8")
    elif kind != "missing":
        raise ValueError(f"unknown generator {kind!r} in expected.yaml")
    return path


def string_bomb(size: int = 200_000, times: int = 3_000) -> str:
    """valid_small.yaml with a state's name ``size`` characters long, anchored once and named
    ``times`` times by an alias in its memberships: a small file (few nodes) that expands to
    ``size * times`` bytes of text."""
    text = (CORPUS / "valid_small.yaml").read_text(encoding="utf-8")
    text = text.replace("    name: Kazakhstan\n", f"    name: &big {'x' * size}\n", 1)
    aliases = ", ".join(["*big"] * times)
    return text.replace("    memberships: [CSTO]\n", f"    memberships: [CSTO, {aliases}]\n", 1)


def _check_output(err: str, out: str, file: str, problems: list[dict]) -> None:
    assert "Traceback" not in err + out
    lines = err.strip().splitlines()
    assert len(lines) == len(problems), f"expected one line per problem, got:\n{err}"
    for text, p in zip(lines, problems):
        assert text.startswith(f"error: {file}"), text
        rest = text[len(f"error: {file}") :]
        if "line" in p:
            assert rest.startswith(f":{p['line']}: "), f"line {p['line']} not named: {text}"
            rest = rest[len(f":{p['line']}") :]
        else:
            assert not re.match(r"^:\d+", rest), f"no line expected: {text}"
        if "path" in p:
            assert rest.startswith(f": {p['path']}: "), f"path {p['path']} not named: {text}"
        assert p["fragment"] in text, f"{p['fragment']!r} not in: {text}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_reports_each_problem_on_its_own_line(name, tmp_path, capsys):
    spec = EXPECTED[name]
    path = _make(name, spec, tmp_path)
    assert main(["validate", str(path)]) == 2
    cap = capsys.readouterr()
    assert cap.out == ""
    _check_output(cap.err, cap.out, str(path), _problems(spec))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_run_refuses_before_writing_anything(name, tmp_path, capsys, monkeypatch):
    spec = EXPECTED[name]
    path = _make(name, spec, tmp_path)
    out = tmp_path / "bundle"
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)  # so the default results/ folder would appear here
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 2
    cap = capsys.readouterr()
    _check_output(cap.err, cap.out, str(path), _problems(spec))
    assert main(["run", str(path), "--quiet"]) == 2
    capsys.readouterr()
    assert not out.exists()
    assert list(work.iterdir()) == []


def test_string_bomb_is_refused_quickly_in_one_short_line(tmp_path, capsys):
    """A 200 KB text named 3,000 times: refused from the node graph before it is expanded
    (it took 41 s and printed 600 MB of errors, each repeating the text)."""
    import time

    path = tmp_path / "bomb.yaml"
    path.write_text(string_bomb(), encoding="utf-8")
    t0 = time.perf_counter()
    assert main(["validate", str(path)]) == 2
    assert time.perf_counter() - t0 < 5
    cap = capsys.readouterr()
    assert cap.out == "" and len(cap.err) < 2_000 and cap.err.count("\n") == 1
    assert f"{path}:17: states.KAZ.name: aliases expand the document" in cap.err
    assert "x" * 61 not in cap.err


def test_aliases_within_the_limits_still_work(tmp_path, capsys):
    """A short text named many times, and a long one named a few times, are fine."""
    for size, times in ((10, 3_000), (100_000, 20)):
        path = tmp_path / f"ok_{size}.yaml"
        path.write_text(
            string_bomb(size, times).replace("memberships: [CSTO, ", "clients: ["), "utf-8"
        )
        doc = read_yaml(path)
        assert len(doc.data["states"]["KAZ"]["clients"]) == times


def test_long_values_are_shown_as_excerpts(tmp_path, capsys):
    """However long a bad key or value is, a message shows 60 characters of it and its length
    (and a field path at most 200)."""
    text = (CORPUS / "valid_small.yaml").read_text(encoding="utf-8")
    path = tmp_path / "long.yaml"
    key = "k" * 4_000_000
    path.write_text(
        text.replace("seed: 7", f"seed: {'7' * 100_000}x\n? {key}\n: 1"), encoding="utf-8"
    )
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 2 and len(err) < 1_500, err[:3000]
    assert f"seed: expected a whole number, got {'7' * 60!r}... (100,001 characters)" in lines[0]
    assert f"{'k' * 200}... (4,000,000 characters): unknown key {'k' * 60!r}..." in lines[1]


def test_every_corpus_file_has_expectations():
    files = {p.name for p in CORPUS.iterdir()} - NOT_CASES
    committed = {n for n, s in EXPECTED.items() if not (isinstance(s, dict) and "generate" in s)}
    assert files == committed


def test_corpus_files_are_what_they_claim():
    """The hostile files really are hostile (so the cases above cannot pass vacuously)."""
    raw = (CORPUS / "non_utf8.yaml").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert (CORPUS / "empty.yaml").read_bytes() == b""
    # the alias bomb would expand to 9**9 values if aliases were followed without a limit
    bomb = yaml.compose((CORPUS / "alias_bomb.yaml").read_text())
    assert len(bomb.value) == 10 and len(bomb.value[-1][1].value) == 9
    # the shell-command tag is what PyYAML's unsafe loader would execute
    assert "!!python/object/apply:os.system" in (CORPUS / "python_object_tag.yaml").read_text()


def test_valid_small_passes(capsys):
    assert main(["validate", str(CORPUS / "valid_small.yaml")]) == 0
    assert "ok:" in capsys.readouterr().out


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_scenarios_validate(path, capsys):
    assert main(["validate", str(path)]) == 0, capsys.readouterr().err
    assert capsys.readouterr().err == ""


def test_validate_reports_every_file(tmp_path, capsys):
    good, bad = CORPUS / "valid_small.yaml", CORPUS / "unknown_key_top.yaml"
    assert main(["validate", str(good), str(bad)]) == 2
    cap = capsys.readouterr()
    assert f"ok: {good}" in cap.out
    assert f"error: {bad}:9: seeed:" in cap.err


def test_entry_point_exits_2_without_running_the_tag(tmp_path):
    """Through the real entry point: exit 2, one line, and the os.system payload never runs."""
    from tests.conftest import run_sim

    payload = tmp_path / "pwned"
    bad = tmp_path / "tag.yaml"
    bad.write_text(
        (CORPUS / "python_object_tag.yaml").read_text().replace("echo pwned", f"touch {payload}")
    )
    r = run_sim("validate", bad, cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "is not allowed" in r.stderr
    assert not payload.exists()
