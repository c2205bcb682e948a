"""Safe YAML reading with line numbers: plain data only, with every hostile case a clear Problem.

Builds plain Python data from PyYAML's node graph (``yaml.compose``) instead of constructing
objects, so that:

* tags that would construct objects (``!!python/object``...) and unknown local tags are refused;
* duplicate mapping keys are refused (PyYAML silently keeps the last one);
* mapping keys stay the text that was written (``NO:``/``on:`` are ids, not booleans);
* alias expansion is bounded (the "billion laughs" alias bomb), recursive aliases and very deep
  nesting are refused;
* missing paths, directories, devices, unreadable, oversized and non-UTF-8 files are refused;
* every mapping value and list item gets the line it was written on, keyed by its path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.errors import Problem, ScenarioError

MAX_BYTES = 5_000_000
"""Largest input file, bytes (a 200-state scenario with every link written out is ~1 MB)."""
MAX_ALIAS_NODES = 100_000
"""Most extra nodes that aliases (``*name``) may add beyond those written in the file."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists."""
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


def short_tag(tag: str) -> str:
    """``tag:yaml.org,2002:python/object`` -> ``!!python/object`` (as the user wrote it)."""
    return "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag


class _TooBig(Exception):
    """Aborts building: the document is an alias bomb, recursive or too deep."""


class _Builder:
    def __init__(self, file: str, distinct_nodes: int) -> None:
        self.file = file
        self.lines: dict[PathT, int] = {}
        self.problems: list[Problem] = []
        self.budget = distinct_nodes + MAX_ALIAS_NODES
        self.count = 0
        self.active: set[int] = set()
        self.ctor = SafeConstructor()

    def fail(self, path: PathT, node: Node, msg: str) -> None:
        self.problems.append(Problem(self.file, format_path(path), msg, node.start_mark.line + 1))

    def build(self, node: Node, path: PathT) -> Any:
        self.count += 1
        if self.count > self.budget:
            raise _TooBig(
                f"aliases expand the document beyond {self.budget:,} values (an alias "
                "bomb?); write the values out or use fewer nested aliases"
            )
        if len(path) > MAX_DEPTH:
            raise _TooBig(f"values nested more than {MAX_DEPTH} levels deep")
        if node.tag not in _SAFE_TAGS:
            self.fail(
                path,
                node,
                f"YAML tag {short_tag(node.tag)!r} is not allowed; use plain "
                "values only (numbers, text, true/false, lists and mappings)",
            )
            return None
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, ScalarNode):
            try:
                return self.ctor.construct_object(node, deep=True)
            except (yaml.YAMLError, ValueError, TypeError, OverflowError) as e:
                self.fail(path, node, f"invalid value {node.value!r}: {e}")
                return None
        if id(node) in self.active:
            self.fail(path, node, "a recursive alias (a value that contains itself) is not allowed")
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
            assert isinstance(node, MappingNode)
            return self._mapping(node, path)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: MappingNode, path: PathT) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            if knode.tag == _STD + "merge":
                self.fail(path, knode, "YAML merge keys (<<) are not supported; write the keys out")
                continue
            if not isinstance(knode, ScalarNode) or knode.tag not in _SCALAR_TAGS:
                self.fail(
                    path, knode, "mapping keys must be plain text (not lists, mappings or tags)"
                )
                continue
            key = str(knode.value)  # as written: ids such as NO or ON stay text
            if key in out:
                first = self.lines.get(path + (key,))
                self.fail(
                    path + (key,),
                    knode,
                    f"duplicate key {key!r} (first given on line {first}); keep only one",
                )
                continue
            self.lines[path + (key,)] = knode.start_mark.line + 1
            out[key] = self.build(vnode, path + (key,))
        return out


def _count_nodes(root: Node) -> int:
    """Distinct nodes in the composed graph (what the file actually writes out)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, SequenceNode):
            stack.extend(n.value)
        elif isinstance(n, MappingNode):
            for k, v in n.value:
                stack.extend((k, v))
    return len(seen)


def _fail(file: str, message: str, line: int | None = None, path: str = "") -> ScenarioError:
    return ScenarioError(file, [Problem(file, path, message, line)])


def _read_text(p: Path, file: str, kind: str) -> str:
    """The file's text, after the checks on what the path is."""
    what = f"a {kind} YAML file"
    if not p.exists():
        hint = ""
        if p.parent.is_dir() and p.suffix not in (".yaml", ".yml"):
            alt = [c for c in (p.with_suffix(".yaml"), p.with_suffix(".yml")) if c.is_file()]
            hint = f"; did you mean {str(alt[0])!r}?" if alt else ""
        raise _fail(file, f"no such file (expected {what}){hint}")
    if p.is_dir():
        raise _fail(file, f"is a directory; expected {what}")
    if not p.is_file():
        raise _fail(file, f"is not a regular file; expected {what}")
    try:
        with p.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as e:
        raise _fail(file, f"cannot be read: {e.strerror or e}") from None
    if len(raw) > MAX_BYTES:
        size = max(p.stat().st_size, len(raw))
        raise _fail(file, f"file is {size:,} bytes; {what} may be at most {MAX_BYTES:,} bytes")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise _fail(
            file,
            f"not UTF-8 text (byte 0x{raw[e.start]:02x} at offset {e.start}); "
            "save the file as UTF-8",
            line,
        ) from None


def _syntax_hint(problem: str) -> str:
    """A likely fix for common YAML syntax errors."""
    if "'\\t'" in problem:
        return "; indent with spaces, not tabs"
    if "<block end>" in problem or "mapping values are not allowed" in problem:
        return "; check the indentation and that each key is followed by ': '"
    if "another document" in problem:
        return "; a file holds one document (remove the '---' line)"
    return ""


def _compose(text: str) -> yaml.Node | None:
    """The node graph of ``text``: libyaml's parser when available (fast), and PyYAML's own
    whenever that fails, so syntax errors read the same with or without libyaml."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def read_yaml(path: str | Path, *, kind: str = "scenario") -> YamlDoc:
    """Read a YAML mapping file safely.

    Args:
        path: the file.
        kind: what the file is (for messages): "scenario", "sweep", ...

    Returns:
        The parsed document.

    Raises:
        ScenarioError: for a missing path, a directory or device, an unreadable, oversized or
            non-UTF-8 file, YAML syntax errors, unsafe tags, duplicate keys, alias bombs,
            recursive aliases, too deep nesting, or a document that is not a mapping.
    """
    p = Path(path)
    file = str(path)
    text = _read_text(p, file, kind)
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        if e.context_mark and "end of stream" in str(e.problem):
            mark = e.context_mark  # an unclosed quote or bracket: point at where it opened
        line = mark.line + 1 if mark else None
        col = f" (column {mark.column + 1})" if mark else ""
        ctx = e.context or ""
        if (
            ctx.startswith("while ")
            and e.context_mark
            and e.problem_mark
            and e.context_mark.line != e.problem_mark.line
        ):
            ctx += f" started on line {e.context_mark.line + 1}"
        what = (": " if ctx.startswith("while ") else " ").join(x for x in (ctx, e.problem) if x)
        raise _fail(
            file, f"YAML syntax error: {what}{col}{_syntax_hint(str(e.problem))}", line
        ) from None
    except yaml.YAMLError as e:
        raise _fail(file, f"YAML error: {e}") from None
    except RecursionError:
        raise _fail(file, f"values nested too deeply (at most {MAX_DEPTH} levels)") from None
    if node is None:
        raise _fail(
            file,
            f"file is empty; {('a ' + kind)} file is a YAML mapping of sections (key: value lines)",
        )
    b = _Builder(file, _count_nodes(node))
    try:
        data = b.build(node, ())
    except (_TooBig, RecursionError) as e:
        msg = str(e) if isinstance(e, _TooBig) else "values nested too deeply"
        raise _fail(file, msg) from None
    if b.problems:
        raise ScenarioError(file, b.problems)
    if not isinstance(data, dict):
        got = {list: "a list", type(None): "empty (null)", str: "a single text value"}.get(
            type(data), f"a single {type(data).__name__} value"
        )
        raise _fail(
            file,
            f"top level is {got}; a {kind} file is a YAML mapping of sections (key: value lines)",
            node.start_mark.line + 1,
        )
    return YamlDoc(file, data, b.lines)
