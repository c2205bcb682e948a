"""Turning pydantic validation errors into one readable line per problem.

Each problem names the file, the field path, the line, what was wrong and what is allowed; an
unknown key or choice gets the closest valid one as a suggestion. Pydantic's internals (union
tags in paths, ``[key]`` markers, "instance of" wording, URLs) are stripped.

Works for any root model (scenarios, sweep files, calibration parameters ...).
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from sim.errors import Problem, excerpt
from sim.scenario.yamlsafe import PathT, YamlDoc, format_path

MAX_LISTED = 20
"""Allowed keys are listed in full up to this many; beyond, the closest few are named."""

PATTERN_HELP: dict[str, str] = {
    r"^[A-Z][A-Z0-9_]{1,9}$": "an id of 2-10 capital letters, digits or _, starting with a letter "
    "(ISO 3166 alpha-3 such as KAZ, or a bloc such as WEST)",
    r"^[A-Za-z0-9_.-]+$": "letters, digits, '_', '.' or '-' only (no spaces)",
}
"""Plain-language meaning of the regex patterns used in the schemas."""

_RANGE = {
    "greater_than": "gt",
    "greater_than_equal": "ge",
    "less_than": "lt",
    "less_than_equal": "le",
}
_NUMBER_TYPES = {
    "float_parsing",
    "float_type",
    "int_parsing",
    "int_type",
    "decimal_parsing",
    "decimal_type",
    "int_parsing_size",
}


def _unwrap(tp: Any) -> list[Any]:
    """Candidate inner types of an annotation (through Optional, Annotated, unions)."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for a in typing.get_args(tp):
            out += _unwrap(a)
        return [t for t in out if t is not type(None)]
    return [tp]


def _models(tp: Any) -> list[type[BaseModel]]:
    return [t for t in _unwrap(tp) if isinstance(t, type) and issubclass(t, BaseModel)]


def _tag_of(model: type[BaseModel]) -> tuple[str, tuple[Any, ...]] | None:
    """(field name, literal values) of a model's discriminator-like Literal field."""
    for name, f in model.model_fields.items():
        if typing.get_origin(f.annotation) is typing.Literal and f.is_required():
            return name, typing.get_args(f.annotation)
    return None


@dataclass
class _Where:
    """Where a pydantic ``loc`` points: the user's path and the schema there."""

    path: PathT
    annotation: Any  # annotation of the value at path (None if unknown)
    owner: type[BaseModel] | None  # model whose field the last path part is
    field: FieldInfo | None
    is_key: bool = False  # the error is about a mapping key, not its value


def locate(root: type[BaseModel], loc: PathT) -> _Where:
    """Follow a pydantic error ``loc`` through the schema of ``root``."""
    path: list[str | int] = []
    current: Any = root
    owner: type[BaseModel] | None = None
    field: FieldInfo | None = None
    is_key = False
    for part in loc:
        if part == "[key]":
            is_key = True
            continue
        models = _models(current) if current is not None else []
        if len(models) > 1 and isinstance(part, str):  # a discriminated union: loc names the tag
            chosen = [m for m in models if (t := _tag_of(m)) and part in t[1]]
            if chosen:
                current = chosen[0]
                continue
        path.append(part)
        if current is None:
            continue
        if len(models) == 1:
            m = models[0]
            if isinstance(part, str) and part in m.model_fields:
                owner, field = m, m.model_fields[part]
                current = field.annotation
            else:
                owner, field, current = m, None, None
            continue
        args = [a for t in _unwrap(current) for a in typing.get_args(t)]
        origins = [typing.get_origin(t) for t in _unwrap(current) if typing.get_origin(t)]
        origin = origins[0] if origins else None
        owner, field = None, None
        if origin is dict and len(args) == 2:
            current = args[1]
        elif origin is tuple and args and args[-1] is not Ellipsis and isinstance(part, int):
            current = args[part] if part < len(args) else None
        elif args:
            current = args[0]
        else:
            current = None
    return _Where(tuple(path), current, owner, field, is_key)


def model_at(root: type[BaseModel], loc: PathT) -> type[BaseModel] | None:
    """The pydantic model of the value at ``loc`` (None if it is not a single model)."""
    ms = _models(locate(root, loc).annotation)
    return ms[0] if len(ms) == 1 else None


def allowed_keys(root: type[BaseModel], parent: PathT) -> list[str]:
    """Field names allowed at ``parent``."""
    m = model_at(root, parent)
    return list(m.model_fields) if m else []


def _num(v: float) -> str:
    if v == 2**63 - 1:
        return "2^63 - 1"
    return f"{v:g}" if isinstance(v, float) else str(v)


def bounds_text(field: FieldInfo | None) -> str:
    """``allowed: 0 to 1, unit: years`` from a field's constraints and unit ("" if none)."""
    if field is None:
        return ""
    c: dict[str, Any] = {}
    for m in field.metadata:
        for attr in ("ge", "gt", "le", "lt"):
            v = getattr(m, attr, None)
            if v is not None:
                c[attr] = v
    lo = ("ge", c["ge"]) if "ge" in c else ("gt", c["gt"]) if "gt" in c else None
    hi = ("le", c["le"]) if "le" in c else ("lt", c["lt"]) if "lt" in c else None
    if lo and hi and lo[0] == "ge" and hi[0] == "le":
        rng = f"{_num(lo[1])} to {_num(hi[1])}"
    else:
        sym = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
        rng = " and ".join(f"{sym[k]} {_num(v)}" for k, v in (x for x in (lo, hi) if x))
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    unit = extra.get("unit")
    bits = [f"allowed: {rng}"] if rng else []
    if unit:
        bits.append(f"unit: {unit}")
    return ", ".join(bits)


def show(value: Any) -> str:
    """A value as the user wrote it in YAML."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return ".nan"
        if value in (float("inf"), float("-inf")):
            return ".inf" if value > 0 else "-.inf"
        return _num(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return excerpt(value)
    if isinstance(value, (_dt.date, _dt.datetime)):
        return f"the date {value.isoformat()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)}"
    return type(value).__name__


def _choices(text: str) -> list[str]:
    """``"'a', 'b' or 'c'"`` -> ``['a', 'b', 'c']``."""
    return re.findall(r"'([^']*)'", text)


def _suggest(word: Any, choices: list[str]) -> str:
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.5)
    return f"; did you mean {close[0]!r}?" if close else ""


def _list_allowed(allowed: list[str], where: str) -> str:
    """The allowed keys, or where to find them when there are too many for one line."""
    if len(allowed) <= MAX_LISTED:
        return f" (allowed: {', '.join(allowed)})"
    return f" ({len(allowed)} keys are allowed here; see docs/scenario-reference.md{where})"


def _message(e: ErrorDetails, w: _Where, root: type[BaseModel], loc: PathT) -> str:
    """What is wrong and what is allowed, for one pydantic error (by its ``type``)."""
    typ, msg = e["type"], e["msg"]
    ctx = e.get("ctx") or {}
    inp = e.get("input")
    hint = bounds_text(w.field)
    if typ == "extra_forbidden":
        key = str(w.path[-1])
        allowed = allowed_keys(root, tuple(loc[:-1]))
        anchor = f"#{w.path[0]}" if w.path and w.path[0] == "parameters" else ""
        return f"unknown key {excerpt(key)}{_suggest(key, allowed)}" + _list_allowed(
            allowed, anchor
        )
    if typ == "missing":
        if w.path and isinstance(w.path[-1], int):
            ann = locate(root, tuple(loc[:-1])).annotation
            args = [a for t in _unwrap(ann) for a in typing.get_args(t)]
            got = f", got {len(inp)}" if isinstance(inp, (list, tuple)) else ""
            if args and Ellipsis not in args:
                return f"needs exactly {len(args)} items{got}"
            return f"too few items{got}"
        name = w.path[-1] if w.path else "value"
        desc = (w.field.description or "").rstrip(".") if w.field else ""
        return f"required field {excerpt(name)} is missing" + (f" ({desc})" if desc else "")
    if typ in ("union_tag_invalid", "union_tag_not_found"):
        disc = str(ctx.get("discriminator", "type")).strip("'")
        allowed = _choices(str(ctx.get("expected_tags", ""))) or [
            str(v) for m in _models(w.annotation) if (t := _tag_of(m)) for v in t[1]
        ]
        if typ == "union_tag_not_found":
            return f"missing {excerpt(disc)} (allowed: {', '.join(allowed)})"
        tag = ctx.get("tag")
        return (
            f"unknown {disc} {excerpt(tag)}{_suggest(tag, allowed)} (allowed: {', '.join(allowed)})"
        )
    if typ == "literal_error":
        allowed = _choices(str(ctx.get("expected", "")))
        return f"{show(inp)} is not allowed{_suggest(inp, allowed)} (allowed: {', '.join(allowed)})"
    if typ == "finite_number":
        return f"must be a finite number, not {show(inp)}" + (f"; {hint}" if hint else "")
    if typ in _RANGE:
        return f"{show(inp)} is out of range; " + (hint or msg.lower())
    if inp is None and typ.endswith("_type"):
        optional = w.field is not None and not w.field.is_required()
        return "is empty (null); give it a value" + (" or delete the key" if optional else "")
    if typ in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping (key: value lines), got {show(inp)}"
    if typ in ("list_type", "tuple_type", "set_type"):
        return f"expected a list, got {show(inp)}"
    if typ in ("string_type", "str_type"):
        return f"expected text, got {show(inp)}"
    if typ in _NUMBER_TYPES:
        whole = typ.startswith("int")
        return f"expected {'a whole number' if whole else 'a number'}, got {show(inp)}" + (
            f"; {hint}" if hint else ""
        )
    if typ == "int_from_float":
        return f"expected a whole number, got {show(inp)}" + (f"; {hint}" if hint else "")
    if typ in ("bool_parsing", "bool_type"):
        return f"expected true or false, got {show(inp)}"
    if typ == "string_pattern_mismatch":
        pat = str(ctx.get("pattern", ""))
        what = "key" if w.is_key else "value"
        return f"{what} {show(inp)} must be {PATTERN_HELP.get(pat, f'text matching {pat}')}"
    if typ in ("too_short", "too_long") and "actual_length" in ctx:
        n = ctx.get("min_length" if typ == "too_short" else "max_length")
        what = "entr" if str(ctx.get("field_type", "")).lower() == "dictionary" else "item"
        what = (what + ("y" if n == 1 else "ies")) if what == "entr" else (what + "s" * (n != 1))
        return (
            f"needs at {'least' if typ == 'too_short' else 'most'} {n} {what}, "
            f"got {ctx['actual_length']}"
        )
    if typ.startswith("value_error") or typ == "assertion_error":
        return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if inp is not None and not isinstance(inp, (dict, list, tuple)) and "got" not in msg:
        msg += f" (got {show(inp)})"
    if hint and "allowed" not in msg:
        msg += f"; {hint}"
    return msg


def problems_from_validation(
    err: ValidationError, root: type[BaseModel], file: str, doc: YamlDoc | None, prefix: PathT = ()
) -> list[Problem]:
    """One :class:`Problem` per pydantic error (duplicates and knock-on errors dropped).

    Args:
        err: the pydantic error.
        root: the model that was validated.
        file: the file name to report.
        doc: the parsed YAML (for line numbers), if any.
        prefix: path of the validated data inside the file.
    """
    errors = err.errors(include_url=False)
    located = [(e, locate(root, tuple(e["loc"]))) for e in errors]
    paths = [w.path for _, w in located]
    out: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for e, w in located:
        # a container reported too short only because an item inside it failed
        if e["type"] == "too_short" and any(
            p != w.path and p[: len(w.path)] == w.path for p in paths
        ):
            continue
        loc = tuple(e["loc"])
        msg = _message(e, w, root, loc)
        path = prefix + w.path
        if e["type"] in ("union_tag_invalid", "union_tag_not_found"):
            path += (str((e.get("ctx") or {}).get("discriminator", "type")).strip("'"),)
        if e["type"] == "missing" and w.path and isinstance(w.path[-1], int):
            path = path[:-1]
        line = None
        if doc is not None:
            look = path[:-1] if e["type"] == "missing" else path
            line = doc.line_of(look) if look else None
        key = (format_path(path), msg)
        if key in seen:
            continue
        seen.add(key)
        out.append(Problem(file, format_path(path), msg, line))
    return out


def bool_problems(
    data: Any, root: type[BaseModel], file: str, doc: YamlDoc | None, prefix: PathT = ()
) -> list[Problem]:
    """``true``/``false`` where a number is expected (pydantic would read them as 1 and 0).

    Args:
        data: plain data about to be validated against ``root``.
        root: the model.
        file: the file name to report.
        doc: the parsed YAML (for line numbers), if any.
        prefix: path of ``data`` inside the file.
    """
    out: list[Problem] = []

    def walk(value: Any, ann: Any, field: FieldInfo | None, path: PathT) -> None:
        cands = _unwrap(ann)
        if isinstance(value, bool):
            if bool not in cands and any(c in (int, float) for c in cands):
                hint = bounds_text(field)
                p = prefix + path
                out.append(
                    Problem(
                        file,
                        format_path(p),
                        f"expected a number, got {show(value)}" + (f"; {hint}" if hint else ""),
                        doc.line_of(p) if doc else None,
                    )
                )
            return
        models = _models(ann)
        if isinstance(value, dict) and models:
            m = models[0]
            if len(models) > 1:
                tagged = [x for x in models if (t := _tag_of(x)) and value.get(t[0]) in t[1]]
                if not tagged:
                    return
                m = tagged[0]
            for k, v in value.items():
                if k in m.model_fields:
                    f = m.model_fields[k]
                    walk(v, f.annotation, f, path + (k,))
            return
        for c in cands:
            origin, args = typing.get_origin(c), typing.get_args(c)
            if origin is dict and isinstance(value, dict) and len(args) == 2:
                for k, v in value.items():
                    walk(v, args[1], field, path + (k,))
            elif origin in (tuple, list) and isinstance(value, list) and args:
                for i, v in enumerate(value):
                    if args[-1] is Ellipsis or origin is list:
                        walk(v, args[0], field, path + (i,))
                    elif i < len(args):
                        walk(v, args[i], field, path + (i,))

    walk(data, root, None, ())
    return out
