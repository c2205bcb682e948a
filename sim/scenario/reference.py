"""The scenario schema for people and editors: ``scenarios/schema.json`` and
``docs/scenario-reference.md``.

Both are generated from the pydantic :class:`~sim.scenario.schema.Scenario` model (field types,
defaults, ranges, units and descriptions live there and nowhere else):

* :func:`json_schema` -- a JSON Schema (draft 2020-12) that editors use to check scenario files
  (``# yaml-language-server: $schema=./schema.json``). A file with ``extends:`` is an overlay
  (see ``docs/overlays.md``): it is checked against a relaxed copy in which nothing is
  required and list edits (``KEY+``, ``KEY-``, ``KEY~``) are allowed.
* :func:`reference_markdown` -- the scenario reference: every section and field with type,
  default, unit, range and description; parameters grouped by their ``group``; each event type
  with its fields.

``python run_sim.py schema`` writes both; ``--check`` reports whether the committed copies are
stale.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, TypeAlias

from sim.scenario.schema import DATE_PATTERN, MAX_STEPS, STRATEGY_FILE_PATTERN, Scenario
from sim.scenario.timeaxis import FIRST_YEAR, LAST_YEAR

Schema: TypeAlias = dict[str, Any]
"""A JSON Schema (or one property's schema) as a plain mapping."""

SCHEMA_PATH = Path("scenarios") / "schema.json"
REFERENCE_PATH = Path("docs") / "scenario-reference.md"
STATE_ID_PATTERN = r"^[A-Z][A-Z0-9_]{1,9}$"
_REF = "#/$defs/"
_OVERLAY = "Overlay"


# --------------------------------------------------------------------------- JSON Schema


def _strip_titles(node: Any) -> Any:
    """Drop pydantic's per-property ``title`` (the field name again) to keep the file readable."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "properties" and isinstance(v, dict):
                out[k] = {
                    name: _strip_titles({kk: vv for kk, vv in ps.items() if kk != "title"})
                    for name, ps in v.items()
                }
            else:
                out[k] = _strip_titles(v)
        return out
    if isinstance(node, list):
        return [_strip_titles(v) for v in node]
    return node


def _relax_refs(node: Any) -> Any:
    """Point ``$ref``s at the overlay copies, except inside list items (new items are whole)."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and v.startswith(_REF):
                out[k] = v + _OVERLAY
            elif k in ("items", "prefixItems"):
                out[k] = v
            else:
                out[k] = _relax_refs(v)
        return out
    if isinstance(node, list):
        return [_relax_refs(v) for v in node]
    return node


def _is_array(ps: Schema) -> bool:
    return ps.get("type") == "array" or any(
        isinstance(a, dict) and a.get("type") == "array" for a in ps.get("anyOf", ())
    )


def _is_mapping(ps: Schema) -> bool:
    return ps.get("type") == "object" and (
        "additionalProperties" in ps or "patternProperties" in ps
    )


def _map_value(ps: Schema) -> Schema | None:
    """The value schema of a mapping (``dict[K, V]``) property, if it is one."""
    if isinstance(ps.get("additionalProperties"), dict):
        value: Schema = ps["additionalProperties"]
        return value
    pats: dict[str, Schema] = ps.get("patternProperties") or {}
    return next(iter(pats.values())) if len(pats) == 1 else None


def _close_maps(node: Any) -> Any:
    """Mappings with constrained keys (``dict[StateId, X]``) refuse other keys in editors too."""
    if isinstance(node, dict):
        out = {k: _close_maps(v) for k, v in node.items()}
        if out.get("type") == "object" and "patternProperties" in out and "properties" not in out:
            out.setdefault("additionalProperties", False)
        return out
    if isinstance(node, list):
        return [_close_maps(v) for v in node]
    return node


_MATCH = {
    "anyOf": [{"type": "string"}, {"type": "object"}],
    "description": "An item's id or label, or field values it must all have.",
}


def _overlay_def(d: Schema) -> Schema:
    """A relaxed copy of one definition: nothing required, list-edit keys allowed."""
    out: Schema = _relax_refs(copy.deepcopy(d))
    out.pop("required", None)
    patterns: dict[str, Any] = {}
    for name, ps in d.get("properties", {}).items():
        if _is_array(ps):
            patterns[f"^{name}\\+$"] = {**ps, "description": f"Append items to {name}."}
            patterns[f"^{name}-$"] = {
                "type": "array",
                "items": _MATCH,
                "description": f"Remove the matching items of {name}.",
            }
            patterns[f"^{name}~$"] = {
                "type": "array",
                "description": f"Edit the matching items of {name}.",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["match", "set"],
                    "properties": {"match": _MATCH, "set": {"type": "object"}},
                },
            }
        elif _is_mapping(ps):
            patterns[f"^{name}-$"] = {
                "type": "array",
                "items": {"type": "string"},
                "description": f"Remove these keys from {name}.",
            }
    if patterns:
        out["patternProperties"] = patterns
    return out


def json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files (and of overlays, files with ``extends``)."""
    raw = _close_maps(_strip_titles(Scenario.model_json_schema()))
    defs: dict[str, Any] = raw.pop("$defs", {})
    defs["Scenario"] = raw
    for name in list(defs):
        defs[name + _OVERLAY] = _overlay_def(defs[name])
    overlay = defs["Scenario" + _OVERLAY]
    overlay["properties"] = {
        "extends": {
            "type": "string",
            "description": "Overlay: the parent scenario file, relative "
            "to this file; this file then gives only what differs (docs/overlays.md).",
        },
        **overlay["properties"],
    }
    overlay["required"] = ["extends"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "multivector scenario",
        "description": "A scenario file for multivector (see docs/scenario-reference.md). "
        "Generated by `python run_sim.py schema`; do not edit.",
        "type": "object",
        "if": {"required": ["extends"]},
        "then": {"$ref": _REF + "Scenario" + _OVERLAY},
        "else": {"$ref": _REF + "Scenario"},
        "$defs": dict(sorted(defs.items())),
    }


def schema_text() -> str:
    """:func:`json_schema` as the text of ``scenarios/schema.json``."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- Markdown


class _Doc:
    """Renders schema definitions as Markdown tables."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.defs: dict[str, Any] = schema["$defs"]

    def deref(self, ps: Schema) -> tuple[str | None, Schema]:
        ref = ps.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF):
            name = ref[len(_REF) :]
            return name, self.defs[name]
        return None, ps

    def type_of(self, ps: Schema) -> str:
        name, target = self.deref(ps)
        if name:
            return f"[{name}](#{_anchor(name)})" if name in _SECTIONS else name
        ps = target
        if "anyOf" in ps:
            parts = [a for a in ps["anyOf"] if a.get("type") != "null"]
            null = len(parts) < len(ps["anyOf"])
            if any(a.get("pattern") == DATE_PATTERN for a in parts):  # a bare year is a date
                parts = [a for a in parts if a.get("type") != "integer"]
            txt = " or ".join(self.type_of(a) for a in parts)
            return txt + (" or null" if null else "")
        if "oneOf" in ps:
            return "[event](#events)"
        if "enum" in ps:
            return "one of " + ", ".join(f"`{v}`" for v in ps["enum"])
        if "const" in ps:
            return f"`{ps['const']}`"
        t = ps.get("type")
        if t == "string":
            pat = ps.get("pattern")
            if pat == DATE_PATTERN:
                return "date"
            if pat == STATE_ID_PATTERN:
                return "state id"
            if pat == STRATEGY_FILE_PATTERN:
                return "`FILE.py:ClassName` (a user strategy)"
            return "text" + (f" matching `{pat}`" if pat else "")
        if t == "array":
            if "prefixItems" in ps:
                items = [self.type_of(i) for i in ps["prefixItems"]]
                if len(set(items)) == 1:
                    return f"{len(items)} {items[0]}s"
                return "[" + ", ".join(items) + "]"
            return "list of " + self.type_of(ps.get("items", {}))
        if t == "object":
            pats = list(ps.get("patternProperties") or ())
            key = "state id" if pats == [STATE_ID_PATTERN] else "name"
            val = _map_value(ps)
            return f"mapping {key} → " + (self.type_of(val) if val is not None else "value")
        return {
            "number": "number",
            "integer": "integer",
            "boolean": "true/false",
            "null": "null",
        }.get(str(t), str(t or "any"))

    def leaf(self, ps: Schema) -> Schema:
        """The schema that carries a field's bounds and unit (through optional/maps/lists)."""
        _, ps = self.deref(ps)
        for a in ps.get("anyOf", ()):
            if a.get("type") != "null":
                return self.leaf(a)
        if ps.get("type") == "object" and (value := _map_value(ps)) is not None:
            return self.leaf(value)
        return ps

    def range_of(self, ps: Schema) -> str:
        lf = self.leaf(ps)
        lo = (
            (">=", lf["minimum"])
            if "minimum" in lf
            else ((">", lf["exclusiveMinimum"]) if "exclusiveMinimum" in lf else None)
        )
        hi = (
            ("<=", lf["maximum"])
            if "maximum" in lf
            else (("<", lf["exclusiveMaximum"]) if "exclusiveMaximum" in lf else None)
        )
        if lo and hi and lo[0] == ">=" and hi[0] == "<=":
            out = f"{_fmt(lo[1])} to {_fmt(hi[1])}"
        else:
            out = ", ".join(f"{s} {_fmt(v)}" for s, v in (x for x in (lo, hi) if x))
        if "minItems" in ps and "prefixItems" not in ps:
            out = (out + "; " if out else "") + f"at least {ps['minItems']} item(s)"
        if "minProperties" in ps:
            out = (out + "; " if out else "") + f"at least {ps['minProperties']} entry"
        return out

    def unit_of(self, ps: Schema) -> str:
        return str(ps.get("unit") or self.leaf(ps).get("unit") or "")

    def table(self, d: Schema, skip: tuple[str, ...] = ()) -> list[str]:
        req = set(d.get("required", ()))
        rows = [
            "| Field | Type | Default | Unit | Range | Description |",
            "|---|---|---|---|---|---|",
        ]
        for name, ps in d.get("properties", {}).items():
            if name in skip:
                continue
            default = "**required**" if name in req else _default(ps)
            rows.append(
                "| "
                + " | ".join(
                    _cell(x)
                    for x in (
                        f"`{name}`",
                        self.type_of(ps),
                        default,
                        self.unit_of(ps),
                        self.range_of(ps),
                        ps.get("description", ""),
                    )
                )
                + " |"
            )
        return rows


_SECTIONS = (
    "Metadata",
    "Time",
    "State",
    "Alliance",
    "Relations",
    "Link",
    "ArmsStock",
    "Sanction",
    "Parameters",
)


def _anchor(name: str) -> str:
    return name.lower()


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:g}"
    if v == 2**63 - 1:
        return "2^63 - 1"
    if v == "":
        return '""'
    return str(v)


def _default(ps: Schema) -> str:
    if "default" not in ps:
        return "empty"
    v = ps["default"]
    if v is None:
        return "null"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{}" if not v else "defaults"
    return _fmt(v)


def _md(text: str) -> str:
    """Docstring RST literals (````x````) as Markdown code."""
    return str(text).replace("``", "`")


def _cell(text: str) -> str:
    return _md(text).replace("|", "\\|").replace("\n", " ")


def _intro() -> list[str]:
    return [
        "# Scenario file reference",
        "",
        "<!-- Generated by `python run_sim.py schema` from sim/scenario/schema.py and "
        "sim/scenario/parameters.py. Do not edit by hand. -->",
        "",
        "A scenario is one YAML file (`scenarios/*.yaml`) with the sections below. Unknown keys "
        "are errors (with the closest valid key suggested); omitted fields take their default. "
        "`python run_sim.py validate FILE` checks a file without running it and prints one line "
        "per problem (file, line, field, what is allowed); `python run_sim.py describe FILE` "
        "prints it with every default filled in.",
        "",
        "- **Dates** are written `YYYY-MM` (e.g. `2022-05`) or `YYYY-Qn` (e.g. `2022-Q2`); "
        "`YYYY` alone means January. Event and sanction dates must lie inside the run.",
        "- **State ids** are ISO 3166 alpha-3 codes (`KAZ`, `RUS`, `TUR`, ...) or bloc ids such "
        "as `WEST`: 2-10 capital letters, digits or `_`, starting with a letter.",
        "- **Money** is US$ bn (per year for flows); arms values are SIPRI-TIV-equivalent US$ bn.",
        "- **Numbers** must be finite (`.nan` and `.inf` are refused) and inside the range shown.",
        "- **Editors**: `scenarios/schema.json` is the JSON Schema of these files; start a file "
        "with `# yaml-language-server: $schema=./schema.json` to get checking and completion.",
        "- **Overlays**: a file with `extends: parent.yaml` gives only what differs from its "
        "parent (see [overlays](overlays.md)).",
        "",
    ]


def reference_markdown() -> str:
    """The scenario reference (``docs/scenario-reference.md``) as Markdown text."""
    schema = json_schema()
    doc = _Doc(schema)
    d = doc.defs
    out = _intro()
    out += ["## Top level", ""] + doc.table(d["Scenario"]) + [""]
    sections = [
        ("Metadata", "`metadata`", ""),
        (
            "Time",
            "`time`",
            "The run has one step per `step` from `start` to `end` inclusive, at most "
            f"{MAX_STEPS:,} steps. Every date in a scenario has a year from {FIRST_YEAR} to "
            f"{LAST_YEAR}.",
        ),
        (
            "State",
            "`states.<ID>`",
            "One agent per state or bloc, keyed by its id; the file's order is the model's order.",
        ),
        (
            "Alliance",
            "`alliances.<NAME>`",
            "Every name used in `memberships` must be declared "
            "here (`{}` for a bloc without rules).",
        ),
        ("Relations", "`relations`", ""),
        ("Link", "`relations.links[]`", "A symmetric bilateral relation; each pair at most once."),
        ("ArmsStock", "`relations.arms_stocks.<ID>`", ""),
        (
            "Sanction",
            "`sanctions[]`",
            "Regimes in force from `start` (or the run's start); "
            "events can impose, change and lift regimes later.",
        ),
    ]
    for name, where, note in sections:
        out += [f"## {name}", "", f"{where}: {d[name].get('description', '')}"]
        if note:
            out += ["", note]
        out += [""] + doc.table(d[name]) + [""]
    out += _events(doc) + _parameters(doc)
    return "\n".join(out).rstrip() + "\n"


def _events(doc: _Doc) -> list[str]:
    items = doc.defs["Scenario"]["properties"]["events"]["items"]
    mapping: dict[str, str] = items["discriminator"]["mapping"]
    out = [
        "## Events",
        "",
        "`events[]`: dated events, each with a `type`. Every event also takes `date` (when it "
        "fires, inside the run), an optional `label` (a name overlays can use) and an optional "
        "`narration` (text shown when it fires).",
        "",
        "| type | what happens |",
        "|---|---|",
    ]
    for tag, ref in mapping.items():
        name = ref[len(_REF) :]
        out.append(f"| [`{tag}`](#{tag}) | {_cell(doc.defs[name].get('description', ''))} |")
    out.append("")
    for tag, ref in mapping.items():
        d = doc.defs[ref[len(_REF) :]]
        out += [f"### {tag}", "", _md(d.get("description", "")), ""]
        out += doc.table(d, skip=("type",)) + [""]
    return out


def _parameters(doc: _Doc) -> list[str]:
    d = doc.defs["Parameters"]
    out = [
        "## Parameters",
        "",
        "`parameters`: " + d.get("description", "") + " A scenario sets only those it "
        "changes; sweeps and overrides address them as `parameters.<name>`. Grouped by the "
        "submodel that uses them.",
        "",
    ]
    groups: dict[str, list[tuple[str, Schema]]] = {}
    for name, ps in d["properties"].items():
        groups.setdefault(str(ps.get("group", "other")), []).append((name, ps))
    for group, fields in groups.items():
        out += [
            f"### Parameters: {group}",
            "",
            "| Parameter | Default | Unit | Range | Description |",
            "|---|---|---|---|---|",
        ]
        for name, ps in fields:
            out.append(
                "| "
                + " | ".join(
                    _cell(x)
                    for x in (
                        f"`{name}`",
                        _default(ps),
                        doc.unit_of(ps),
                        doc.range_of(ps),
                        ps.get("description", ""),
                    )
                )
                + " |"
            )
        out.append("")
    return out


# --------------------------------------------------------------------------- files


def generated_files() -> dict[Path, str]:
    """Relative path -> generated text of every file this module owns."""
    return {SCHEMA_PATH: schema_text(), REFERENCE_PATH: reference_markdown()}


def stale_files(root: Path) -> list[Path]:
    """Generated files under ``root`` that are missing or differ from what would be generated."""
    out = []
    for rel, text in generated_files().items():
        p = root / rel
        if not p.is_file() or p.read_text(encoding="utf-8") != text:
            out.append(rel)
    return out


def write_files(root: Path) -> list[Path]:
    """Write the generated files under ``root`` (atomically); returns those that changed."""
    from sim.bundle import atomic_write_text

    changed = []
    for rel, text in generated_files().items():
        p = root / rel
        if not p.is_file() or p.read_text(encoding="utf-8") != text:
            atomic_write_text(p, text)
            changed.append(rel)
    return changed
