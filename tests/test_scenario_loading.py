"""Scenario loading details and the exported schema (scenarios/schema.json,
docs/scenario-reference.md)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field

from sim.cli import main
from sim.errors import ScenarioError
from sim.scenario.errors import bool_problems, problems_from_validation
from sim.scenario.loader import load_scenario
from sim.scenario.reference import REFERENCE_PATH, SCHEMA_PATH, json_schema, stale_files
from sim.scenario.yamlsafe import read_yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "scenarios"
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))


# --- safe YAML details ---


def test_keys_stay_text_as_written(tmp_path):
    """YAML 1.1 reads NO/on/1 as booleans or numbers; ids must stay the text written."""
    p = tmp_path / "k.yaml"
    p.write_text("NO: 1\non: 2\n1: 3\nnull: 4\n")
    assert list(read_yaml(p).data) == ["NO", "on", "1", "null"]


def test_bom_and_crlf_are_accepted(tmp_path):
    p = tmp_path / "w.yaml"
    text = (CORPUS / "valid_small.yaml").read_text()
    p.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert load_scenario(p).name == "small"


def test_line_numbers_of_values(tmp_path):
    doc = read_yaml(CORPUS / "valid_small.yaml")
    assert doc.line_of(("states", "KAZ", "gdp")) == 18
    assert doc.line_of(("events", 1, "target")) == 62
    # an unknown path falls back to its deepest known prefix
    assert doc.line_of(("states", "KAZ", "nothing")) == 16


def test_device_is_refused(capsys):
    if not Path("/dev/null").exists():
        pytest.skip("no /dev/null")
    assert main(["validate", "/dev/null"]) == 2
    assert "is not a regular file" in capsys.readouterr().err


def test_library_error_lists_problems():
    """Notebook users get the same problems as the CLI, as data."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(CORPUS / "multiple_problems.yaml")
    probs = info.value.problems
    assert [p.path for p in probs] == ["seed", "states.TUR.gdp", "parameters.choice_noise"]
    assert [p.line for p in probs] == [9, 33, 65]


def test_override_errors_name_the_path():
    with pytest.raises(ScenarioError) as info:
        load_scenario(CORPUS / "valid_small.yaml", overrides={"states.KAZ.diversificaton": 0.8})
    assert "did you mean 'diversification'" in str(info.value.problems[0])
    with pytest.raises(ScenarioError) as info:
        load_scenario(CORPUS / "valid_small.yaml", overrides={"states.KAZ.diversification": 2})
    assert info.value.problems[0].path == "states.KAZ.diversification"
    assert "allowed: 0 to 1" in info.value.problems[0].message


def test_error_translation_works_for_any_model():
    """Sweep and calibration files reuse the same translation with their own root model."""

    class Inner(BaseModel):
        model_config = ConfigDict(extra="forbid")
        rate: float = Field(1.0, ge=0, le=2, json_schema_extra={"unit": "1/yr"})

    class Root(BaseModel):
        model_config = ConfigDict(extra="forbid")
        inner: Inner
        mode: str = Field("a", pattern=r"^[a-z]+$")

    data = {"inner": {"rate": 3, "rat": 1}, "mode": "A"}
    try:
        Root.model_validate(data)
    except Exception as e:  # noqa: BLE001 - pydantic.ValidationError
        probs = problems_from_validation(e, Root, "sweep.yaml", None, prefix=("sweep",))
    msgs = {p.path: p.message for p in probs}
    assert msgs["sweep.inner.rate"] == "3 is out of range; allowed: 0 to 2, unit: 1/yr"
    assert "did you mean 'rate'?" in msgs["sweep.inner.rat"]
    assert "text matching" in msgs["sweep.mode"]
    assert bool_problems({"inner": {"rate": True}}, Root, "f", None)[0].path == "inner.rate"


# --- the exported schema ---


def test_committed_schema_files_are_up_to_date():
    stale = stale_files(ROOT)
    assert not stale, (
        f"{', '.join(map(str, stale))} out of date with the pydantic models: "
        "run `python run_sim.py schema` and commit the result"
    )


def test_schema_check_command_reports_stale_files(tmp_path, capsys):
    assert main(["schema", "--check", "--root", str(tmp_path)]) == 1
    assert "run `python run_sim.py schema`" in capsys.readouterr().out
    assert main(["schema", "--root", str(tmp_path)]) == 0
    assert (tmp_path / SCHEMA_PATH).is_file() and (tmp_path / REFERENCE_PATH).is_file()
    assert main(["schema", "--check", "--root", str(tmp_path)]) == 0


@functools.lru_cache(maxsize=1)
def _compiled():
    import jsonschema

    schema = json.loads((ROOT / SCHEMA_PATH).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _validator():
    pytest.importorskip("jsonschema")
    return _compiled()


@pytest.mark.parametrize("path", SHIPPED + [CORPUS / "valid_small.yaml"], ids=lambda p: p.name)
def test_shipped_scenarios_and_overlays_pass_the_json_schema(path):
    """What editors check agrees with the loader on valid files (overlays included)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = [e.message for e in _validator().iter_errors(data)]
    assert not errors, errors


@pytest.mark.parametrize(
    "name",
    [
        "unknown_key_top.yaml",
        "unknown_key_state.yaml",
        "unknown_parameter.yaml",
        "negative_number.yaml",
        "parameter_out_of_range.yaml",
        "unknown_strategy.yaml",
        "date_malformed.yaml",
        "date_full_iso.yaml",
        "bad_state_id.yaml",
        "unknown_event_type.yaml",
        "missing_required_field.yaml",
        "missing_section.yaml",
        "wrong_type_text.yaml",
    ],
)
def test_json_schema_rejects_what_the_loader_rejects(name):
    data = yaml.safe_load((CORPUS / name).read_text(encoding="utf-8"))
    assert list(_validator().iter_errors(data)), f"editors would accept {name}"


def test_json_schema_overlay_branch():
    v = _validator()
    assert not list(
        v.iter_errors(
            {
                "extends": "baseline.yaml",
                "states": {"KAZ": {"diversification": 0.8}},
                "events+": [
                    {
                        "type": "conflict",
                        "date": "2024-Q1",
                        "between": ["KGZ", "TJK"],
                        "intensity": 0.5,
                        "duration": 1,
                    }
                ],
                "alliances-": ["OTS"],
            }
        )
    )
    assert list(v.iter_errors({"extends": "baseline.yaml", "states": {"KAZ": {"gdpp": 1}}}))
    # appended events must be complete
    assert list(v.iter_errors({"extends": "b.yaml", "events+": [{"type": "conflict"}]}))


def test_reference_documents_every_field():
    text = (ROOT / REFERENCE_PATH).read_text(encoding="utf-8")
    defs = json_schema()["$defs"]
    for name, d in defs.items():
        if name.endswith("Overlay"):
            continue
        for field in d.get("properties", {}):
            assert f"`{field}`" in text, f"{name}.{field} missing from the reference"
    for group in {p.get("group") for p in defs["Parameters"]["properties"].values()}:
        assert f"### Parameters: {group}" in text


def test_a_frozen_scenario_says_how_to_change_it(baseline):
    with pytest.raises(TypeError, match=r"frozen.*with_changes"):
        baseline.states["KAZ"].diversification = 0.8
    changed = baseline.with_changes({"states.KAZ.diversification": 0.8})
    assert changed.states["KAZ"].diversification == 0.8
    assert baseline.states["KAZ"].diversification != 0.8


def test_a_bare_year_is_a_date_as_the_reference_says(tmp_path, baseline_path):
    """docs/scenario-reference.md says `YYYY` alone means January; the validator agrees, whether
    YAML reads the year as a number (date: 2024) or as text (date: '2024')."""

    ref = (Path(__file__).resolve().parent.parent / REFERENCE_PATH).read_text(encoding="utf-8")
    assert "`YYYY` alone means January" in ref
    data = yaml.safe_load(Path(baseline_path).read_text(encoding="utf-8"))
    dates = []
    for written in ("2024", "'2024'", "2024-01", "2024-Q1"):
        shock = (
            f"{{date: {written}, type: threat_shock, states: [KAZ], magnitude: 0.5, duration: 1}}"
        )
        f = tmp_path / "y.yaml"
        f.write_text(f"extends: {baseline_path}\nevents+:\n  - {shock}\n", encoding="utf-8")
        sc = load_scenario(f)
        ev = sc.events[len(data["events"])]
        dates.append(sc.time.axis.index(ev.date))
    assert len(set(dates)) == 1
