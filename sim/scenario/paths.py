"""Dotted paths into scenario data: ``states.KAZ.diversification``, ``sanctions[0].intensity``,
``events[west_2022_imposed].intensity`` (a list item named by its ``label`` or ``id``, as
overlays name them).

Used by sweeps (parameters to vary), the web page's sliders and overrides from code. Paths are
resolved against plain data (before validation), so the result is validated like any file.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from sim.errors import excerpt
from sim.scenario.parameters import PARAMETER_NAMES

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]|\[([A-Za-z0-9_.-]*[A-Za-z_.-][A-Za-z0-9_.-]*)\]")


class Label(str):
    """A list item named by its ``label`` or ``id`` in a path (``events[west_2022]``)."""


class PathError(KeyError):
    """A dotted path that does not exist in the scenario."""

    def __str__(self) -> str:  # KeyError quotes its message; do not
        return str(self.args[0])


def split_path(path: str) -> list[str | int]:
    """``'sanctions[0].intensity'`` -> ``['sanctions', 0, 'intensity']`` (a bracketed name is
    a :class:`Label`)."""
    parts: list[str | int] = []
    pos = 0
    for m in _TOKEN.finditer(path):
        if m.start() != pos and path[pos : m.start()] not in (".", ""):
            raise PathError(f"malformed path {excerpt(path)}")
        if m.group(1) is not None:
            parts.append(m.group(1))
        elif m.group(2) is not None:
            parts.append(int(m.group(2)))
        else:
            parts.append(Label(m.group(3)))
        pos = m.end()
        if pos < len(path) and path[pos] == ".":
            pos += 1
    if pos != len(path) or not parts:
        raise PathError(f"malformed path {excerpt(path)}")
    return parts


def _children(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [str(k) for k in node]
    if isinstance(node, list):
        return [f"[{i}]" for i in range(len(node))]
    return []


def _labelled(node: Any, label: str, path: str, done: list[str]) -> int:
    """Index of the item of list ``node`` whose ``label`` (or ``id``) is ``label``."""
    where = ".".join(done) or "the top level"
    if not isinstance(node, list):
        raise PathError(f"{excerpt(path)}: {where} is not a list; [{excerpt(label)}] names an item")
    hits = [
        k
        for k, item in enumerate(node)
        if isinstance(item, dict) and label in (item.get("label"), item.get("id"))
    ]
    if len(hits) == 1:
        return hits[0]
    names = sorted(
        str(item.get("label") or item.get("id"))
        for item in node
        if isinstance(item, dict) and (item.get("label") or item.get("id"))
    )
    if not hits:
        close = difflib.get_close_matches(label, names, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise PathError(
            f"{excerpt(path)}: no item of {where} has label or id {excerpt(label)}{hint}"
        )
    raise PathError(
        f"{excerpt(path)}: {len(hits)} items of {where} have label or id "
        f"{excerpt(label)}; use an index"
    )


def canonical(data: dict[str, Any], path: str) -> list[str | int]:
    """``path`` as parts with every :class:`Label` replaced by its item's index in ``data``."""
    parts = split_path(path)
    if not any(isinstance(p, Label) for p in parts):
        return parts
    node: Any = data
    out: list[str | int] = []
    for part in parts:
        if isinstance(part, Label):
            part = _labelled(node, part, path, [str(p) for p in out])
        out.append(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break  # resolve() reports what is missing
    return out


FREE_MAPPINGS = ("strategy_params", "stances", "input_sources")
"""State fields that are mappings with keys of the user's choosing."""


def _state_default(field: str) -> Any:
    """The default of a state's field (a fresh empty mapping for mapping fields)."""
    from sim.scenario.schema import State

    f = State.model_fields[field]
    return f.default_factory() if f.default_factory is not None else f.default  # type: ignore[call-arg]


def may_add(parts: list[str | int], i: int) -> bool:
    """Whether part ``i`` of ``parts`` may be missing from the file and still be addressed: a
    parameter (``parameters.NAME``), a state's field left at its default
    (``states.ID.FIELD``), or a key of a state's free mapping
    (``states.ID.strategy_params.NAME``)."""
    from sim.scenario.schema import State

    if parts[0] == "parameters":
        return True  # the section itself and any parameter in it
    if parts[0] != "states" or len(parts) < 3 or not isinstance(parts[2], str):
        return False
    if i == 2:
        return parts[2] in State.model_fields
    return i == 3 and parts[2] in FREE_MAPPINGS


def resolve(data: dict[str, Any], path: str) -> Any:
    """The value at ``path`` in plain scenario data.

    ``parameters.NAME`` resolves even where the file leaves the parameter at its default, and
    so does a state's field (``states.KAZ.strategy_params``, ``states.KAZ.stances``) or a key
    of its free mappings (``states.KAZ.strategy_params.weight``: None when not set).

    Raises:
        PathError: naming the first missing part and the nearest valid alternative.
    """
    node: Any = data
    done: list[str] = []
    parts = canonical(data, path)
    if parts[0] == "parameters" and isinstance(data, dict) and "parameters" not in data:
        node = {}  # the file leaves every parameter at its default
        done.append("parameters")
        parts_iter = list(enumerate(parts))[1:]
    else:
        parts_iter = list(enumerate(parts))
    for i, part in parts_iter:
        if (
            i == 1
            and parts[0] == "parameters"
            and isinstance(part, str)
            and isinstance(node, dict)
            and part not in node
            and part in PARAMETER_NAMES
        ):
            from sim.scenario.parameters import Parameters

            return Parameters.model_fields[part].default
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                n = len(node) if isinstance(node, list) else 0
                raise PathError(
                    f"{excerpt(path)}: {'.'.join(done) or 'top level'} has {n} item(s); "
                    f"index [{part}] does not exist"
                )
            node = node[part]
        else:
            if (
                isinstance(node, dict)
                and part not in node
                and parts[0] == "states"
                and (may_add(parts, i))
            ):
                if i == len(parts) - 1:
                    return _state_default(part) if i == 2 else None
                node = _state_default(part) if i == 2 else {}
                done.append(str(part))
                continue
            if not isinstance(node, dict) or part not in node:
                opts = _children(node)
                if i == 1 and parts[0] == "parameters":
                    opts = list(PARAMETER_NAMES)
                close = difflib.get_close_matches(part, opts, n=1, cutoff=0.5)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                where = ".".join(str(d) for d in done) or "the top level"
                raise PathError(f"{excerpt(path)}: {where} has no {excerpt(part)}{hint}")
            node = node[part]
        done.append(str(part))
    return node


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` with each dotted path set to its value (paths must exist).

    ``data`` is never modified: the containers along each overridden path are copied and the
    rest is shared with ``data`` (cheap even for a large scenario; treat the result as
    read-only or deep-copy it before changing it in place). ``parameters.NAME`` may be set even
    when the file leaves the parameter at its default.
    """
    out = dict(data)
    copied: set[int] = {id(out)}
    for path, value in overrides.items():
        parts = canonical(out, path)
        resolve(out, path)  # raises PathError with a suggestion if missing
        node: Any = out
        for i, part in enumerate(parts[:-1]):
            if isinstance(node, dict) and part not in node and may_add(parts, i):
                node[part] = {}
            child = node[part]
            if id(child) not in copied:  # copy on the way down, once per container
                child = dict(child) if isinstance(child, dict) else list(child)
                node[part] = child
                copied.add(id(child))
            node = child
        node[parts[-1]] = value
    return out
