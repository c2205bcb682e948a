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

from sim.errors import Problem, ScenarioError, excerpt

MAX_BYTES = 5_000_000
"""Largest input file, bytes (a 200-state scenario with every link written out is ~1 MB)."""
MAX_ALIAS_NODES = 100_000
"""Most extra nodes that aliases (``*name``) may add beyond those written in the file."""
MAX_EXPANDED_BYTES = 2 * MAX_BYTES
"""Most text (bytes of keys and values) a document may hold once its aliases are expanded:
twice the largest file, so only aliases can reach it (a long text anchored once and named
thousands of times is refused before it is built, and before every message repeats it)."""
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
                self.fail(path, node, f"invalid value {excerpt(node.value)}: {e}")
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
                    f"duplicate key {excerpt(key)} (first given on line {first}); keep only one",
                )
                continue
            self.lines[path + (key,)] = knode.start_mark.line + 1
            out[key] = self.build(vnode, path + (key,))
        return out


def _values(n: Node) -> list[Node]:
    """The items of a list, the values of a mapping (not its keys), nothing for a scalar."""
    if isinstance(n, SequenceNode):
        return list(n.value)
    if isinstance(n, MappingNode):
        return [v for _, v in n.value]
    return []


def _text_bytes(n: Node) -> int:
    return len(n.value.encode("utf-8", "replace")) if isinstance(n, ScalarNode) else 0


def _expansion(file: str, root: Node, distinct: int) -> ScenarioError | None:
    """Refuse a document whose aliases expand it too far, measured on the node graph (each
    distinct node once, so an alias bomb costs no more than the file): more than
    :data:`MAX_ALIAS_NODES` extra values or :data:`MAX_EXPANDED_BYTES` of text. Names the
    anchored value that adds the most (its line and path) and how often it is repeated."""
    # post-order over the graph; edges into a node still open are recursive aliases (skipped
    # here, reported by the builder)
    size: dict[int, tuple[int, int]] = {}  # id -> (values, bytes) once expanded
    where: dict[int, PathT] = {}  # path where each node first appears (its anchor)
    order: list[Node] = []
    openset: set[int] = set()
    stack: list[tuple[Node, PathT, bool]] = [(root, (), False)]
    while stack:
        n, path, finish = stack.pop()
        i = id(n)
        if finish:
            openset.discard(i)
            values, text = 1, _text_bytes(n)
            if isinstance(n, MappingNode):
                text += sum(_text_bytes(k) for k, _ in n.value)
            for c in _values(n):
                if id(c) in size:
                    values += size[id(c)][0]
                    text += size[id(c)][1]
            size[i] = (values, text)
            order.append(n)
            continue
        if i in size or i in openset:
            continue
        openset.add(i)
        where[i] = path
        stack.append((n, path, True))
        if isinstance(n, MappingNode):
            for k, v in reversed(n.value):
                key = str(k.value) if isinstance(k, ScalarNode) else "?"
                stack.append((v, path + (key,), False))
        elif isinstance(n, SequenceNode):
            for j in range(len(n.value) - 1, -1, -1):
                stack.append((n.value[j], path + (j,), False))
    values, text = size[id(root)]
    budget = distinct + MAX_ALIAS_NODES
    if values <= budget and text <= MAX_EXPANDED_BYTES:
        return None
    # how often each node appears once expanded (parents come before children in `order`
    # reversed; an edge to an earlier node is a recursive alias)
    pos = {id(n): k for k, n in enumerate(reversed(order))}
    times: dict[int, int] = {id(root): 1}
    for n in reversed(order):
        t = times.get(id(n), 0)
        for c in _values(n):
            if pos[id(c)] > pos[id(n)]:
                times[id(c)] = times.get(id(c), 0) + t
    k = 0 if values > budget else 1
    worst = max(order, key=lambda n: (times.get(id(n), 0) - 1) * size[id(n)][k])
    repeated = times.get(id(worst), 1)
    if values > budget:
        msg = (
            f"aliases expand the document beyond {budget:,} values (an alias bomb?): the value "
            f"anchored here is repeated {repeated:,} times; write the values out or use fewer "
            "nested aliases"
        )
    else:
        msg = (
            f"aliases expand the document to about {text:,} bytes of text, more than the "
            f"{MAX_EXPANDED_BYTES:,} allowed (an alias bomb?): the value anchored here "
            f"({size[id(worst)][1]:,} bytes) is repeated {repeated:,} times; write the values "
            "out or use fewer aliases"
        )
    return _fail(file, msg, worst.start_mark.line + 1, format_path(where[id(worst)]))


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


def compose_text(text: str) -> yaml.Node | None:
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
        node = compose_text(text)
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
    distinct = _count_nodes(node)
    too_big = _expansion(file, node, distinct)
    if too_big is not None:
        raise too_big
    b = _Builder(file, distinct)
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
