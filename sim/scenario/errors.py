"""Turning pydantic validation errors into one readable line per problem.

Each problem names the file, the field path, the line, what was wrong and what is allowed; an
unknown key gets the closest valid key as a suggestion.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.errors import Problem
from sim.scenario.yamlsafe import PathT, YamlDoc, format_path


def _unwrap(tp: Any) -> list[Any]:
    """Candidate inner types of an annotation (through Optional, Annotated, containers)."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for a in typing.get_args(tp):
            out += _unwrap(a)
        return out
    return [tp]


def model_at(root: type[BaseModel], loc: PathT) -> type[BaseModel] | None:
    """The pydantic model that owns the last element of ``loc`` (None if not a model)."""
    current: Any = root
    for part in loc:
        models = [t for t in _unwrap(current) if isinstance(t, type) and issubclass(t, BaseModel)]
        if models:
            # a discriminated union: the loc names the tag
            chosen = None
            for m in models:
                tf = m.model_fields.get("type")
                if tf is not None and typing.get_args(tf.annotation) == (part,):
                    chosen = m
            if chosen is not None and len(models) > 1:
                current = chosen
                continue
            model = models[0]
            if isinstance(part, str) and part in model.model_fields:
                current = model.model_fields[part].annotation
                continue
            return None
        # a container: dict[str, X] / tuple[X, ...] / list[X]
        args = [a for t in _unwrap(current) for a in typing.get_args(t)]
        if not args:
            return None
        current = args[-1] if args[-1] is not Ellipsis else args[0]
    models = [t for t in _unwrap(current) if isinstance(t, type) and issubclass(t, BaseModel)]
    return models[0] if len(models) == 1 else None


def allowed_keys(root: type[BaseModel], parent: PathT) -> list[str]:
    """Field names allowed at ``parent``."""
    m = model_at(root, parent)
    return list(m.model_fields) if m else []


def _describe_allowed(root: type[BaseModel], loc: PathT) -> str:
    """Range / choice hint for a field from its schema."""
    parent = model_at(root, loc[:-1]) if loc else None
    if not parent or not isinstance(loc[-1], str) or loc[-1] not in parent.model_fields:
        return ""
    f = parent.model_fields[loc[-1]]
    bits = []
    for m in f.metadata:
        for attr, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            v = getattr(m, attr, None)
            if v is not None:
                bits.append(f"{sym} {v}")
    extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
    unit = extra.get("unit")
    hint = ""
    if bits:
        hint = "allowed: " + " and ".join(bits)
    if unit:
        hint += (", " if hint else "") + f"unit: {unit}"
    return hint


def problems_from_validation(
    err: ValidationError, root: type[BaseModel], file: str, doc: YamlDoc | None, prefix: PathT = ()
) -> list[Problem]:
    """One :class:`Problem` per pydantic error."""
    out: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for e in err.errors(include_url=False):
        loc: PathT = tuple(e["loc"])
        # discriminated-union tags appear in loc; drop them from the user-facing path
        user_loc = tuple(p for i, p in enumerate(loc) if not _is_tag(root, loc[:i], p))
        path = prefix + user_loc
        line = doc.line_of(path) if doc else None
        typ = e["type"]
        msg = e["msg"]
        if typ == "extra_forbidden":
            key = str(loc[-1])
            allowed = allowed_keys(root, tuple(loc[:-1]))
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
            msg = f"unknown key {key!r}"
            if close:
                msg += f"; did you mean {close[0]!r}?"
            if allowed:
                msg += f" (allowed: {', '.join(allowed)})"
        elif typ == "missing":
            msg = "required field is missing"
        elif typ == "union_tag_invalid":
            msg = f"{msg}"
        elif typ in ("finite_number",):
            msg = "must be a finite number (not NaN or infinity)"
        else:
            if typ.startswith("value_error"):
                msg = msg.removeprefix("Value error, ")
            if "input" in e and typ not in ("model_type", "dict_type"):
                inp = e["input"]
                if not isinstance(inp, dict | list):
                    msg += f" (got {inp!r})"
            hint = _describe_allowed(root, loc)
            if hint and "allowed" not in msg:
                msg += f"; {hint}"
        key = (format_path(path), msg)
        if key in seen:
            continue
        seen.add(key)
        out.append(Problem(file, format_path(path), msg, line))
    return out


def _is_tag(root: type[BaseModel], parent: PathT, part: Any) -> bool:
    """Whether ``part`` in a loc is a discriminated-union tag, not a real key."""
    if not isinstance(part, str):
        return False
    current: Any = root
    m = model_at(root, parent)
    if m is not None and part in m.model_fields:
        return False
    # parent's annotation is a union of models with Literal 'type' fields
    del current
    try:
        from sim.scenario.schema import EVENT_TYPES
    except ImportError:  # pragma: no cover
        return False
    return part in EVENT_TYPES and len(parent) >= 2 and parent[0] == "events"
