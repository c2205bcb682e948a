"""Safe YAML reading with line numbers: plain data only, with every hostile case a clear Problem.

Builds plain Python data from PyYAML's node graph (``yaml.compose``) instead of constructing
objects, so that:

* tags that would construct objects (``!!python/object``...) and unknown local tags are refused;
* duplicate mapping keys are refused (PyYAML silently keeps the last one);
* alias expansion is bounded (the "billion laughs" alias bomb);
* every mapping value and list item gets the line it was written on, keyed by its path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.errors import Problem, ScenarioError

MAX_BYTES = 1_000_000
MAX_NODES = 200_000
_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_SAFE_TAGS = _SCALAR_TAGS | {_STD + "map", _STD + "seq"}

PathT = tuple[str | int, ...]


class YamlDoc:
    """Parsed YAML: ``data`` (plain dicts, lists, scalars) and ``lines`` (path -> line number)."""

    def __init__(self, file: str, data: Any, lines: dict[PathT, int]) -> None:
        self.file = file
        self.data = data
        self.lines = lines

    def line_of(self, path: PathT) -> int | None:
        """Line of the deepest known prefix of ``path``."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), None)


def format_path(path: PathT) -> str:
    """``('events', 3, 'date')`` -> ``events[3].date``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[PathT, int] = {}
        self.problems: list[Problem] = []
        self.count = 0
        self.ctor = SafeConstructor()

    def fail(self, path: PathT, node: Node, msg: str) -> None:
        self.problems.append(Problem(self.file, format_path(path), msg, node.start_mark.line + 1))

    def build(self, node: Node, path: PathT) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig
        if node.tag not in _SAFE_TAGS:
            self.fail(path, node, f"YAML tag {node.tag!r} is not allowed; use plain values only")
            return None
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, ScalarNode):
            return self.ctor.construct_object(node, deep=True)
        if isinstance(node, SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        out: dict[Any, Any] = {}
        for knode, vnode in node.value:
            if knode.tag == _STD + "merge":
                self.fail(path, knode, "YAML merge keys (<<) are not supported")
                continue
            if not isinstance(knode, ScalarNode) or knode.tag not in _SCALAR_TAGS:
                self.fail(path, knode, "mapping keys must be plain scalars")
                continue
            key = self.ctor.construct_object(knode, deep=True)
            key = key if isinstance(key, str) else str(key)
            if key in out:
                first = self.lines.get(path + (key,))
                self.fail(path + (key,), knode, f"duplicate key {key!r} (first defined on line {first})")
                continue
            self.lines[path + (key,)] = knode.start_mark.line + 1
            out[key] = self.build(vnode, path + (key,))
        return out


class _TooBig(Exception):
    pass


def read_yaml(path: str | Path, *, kind: str = "scenario") -> YamlDoc:
    """Read a YAML mapping file safely.

    Args:
        path: the file.
        kind: what the file is (for messages): "scenario", "sweep", ...

    Returns:
        The parsed document.

    Raises:
        ScenarioError: for a missing path, a directory, an oversized or non-UTF-8 file, YAML
            syntax errors, unsafe tags, duplicate keys, alias bombs, or a non-mapping document.
    """
    p = Path(path)
    file = str(path)
    if not p.exists():
        raise ScenarioError(file, [Problem(file, "", f"no such file (expected a {kind} YAML file)")])
    if p.is_dir():
        raise ScenarioError(file, [Problem(file, "", f"is a directory, not a {kind} YAML file")])
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise ScenarioError(
            file, [Problem(file, "", f"file is {size:,} bytes; a {kind} file may be at most {MAX_BYTES:,}")]
        )
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ScenarioError(file, [Problem(file, "", f"not UTF-8 text ({e.reason} at byte {e.start})")])
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        what = " ".join(x for x in (e.context, e.problem) if x)
        raise ScenarioError(file, [Problem(file, "", f"YAML syntax error: {what}", line)])
    except yaml.YAMLError as e:
        raise ScenarioError(file, [Problem(file, "", f"YAML error: {e}")])
    if node is None:
        raise ScenarioError(file, [Problem(file, "", f"file is empty; a {kind} file is a YAML mapping")])
    b = _Builder(file)
    try:
        data = b.build(node, ())
    except _TooBig:
        raise ScenarioError(
            file,
            [Problem(file, "", f"document expands to more than {MAX_NODES:,} nodes (alias bomb?)")],
        )
    except (yaml.YAMLError, ValueError, TypeError) as e:
        raise ScenarioError(file, [Problem(file, "", f"invalid YAML value: {e}")])
    if b.problems:
        raise ScenarioError(file, b.problems)
    if not isinstance(data, dict):
        raise ScenarioError(
            file,
            [Problem(file, "", f"top level is a {type(data).__name__}; a {kind} file is a YAML mapping", 1)],
        )
    return YamlDoc(file, data, b.lines)
