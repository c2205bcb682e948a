"""Scenario overlays: ``extends: parent.yaml`` plus only what differs (resolved before validation).

An overlay names its parent (a path relative to the overlay's own file) and gives only what
changes. The merge rules (documented for users in ``docs/overlays.md``):

* **mappings** merge key by key, recursively (``states: {KAZ: {diversification: 0.8}}`` changes
  one field and keeps the rest);
* **scalars** replace the parent's value;
* **lists** are replaced whole by a plain key (``events: [...]``), or edited with a suffix on
  the key:

  - ``KEY+: [items]`` appends items;
  - ``KEY-: [matches]`` removes every item matching one of the matches (each must match at
    least one item);
  - ``KEY~: [{match: M, set: {...}}]`` deep-merges ``set`` into every item matching ``M``.

  A match is a string (the item's ``id`` or ``label``) or a mapping of field values the item
  must all have (``between`` pairs match in either order). On a *mapping*, ``KEY-: [names]``
  removes keys (e.g. ``alliances-: [OTS]``). Edits apply in the order remove, edit, append.
* ``metadata`` is never inherited: it describes the file it is written in (the name defaults
  to the file's stem).

Chains (an overlay of an overlay) resolve recursively; cycles and missing parents are errors
naming the chain. The merged document remembers where each value was written: its ``lines``
point into the overlay for the overlay's own values (inherited values point at the ``extends``
line), and :meth:`MergedDoc.origin` gives the true file and line of any value.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.nodes import MappingNode, ScalarNode

from sim.errors import Problem, ScenarioError, excerpt
from sim.scenario.yamlsafe import MAX_BYTES, PathT, YamlDoc, compose_text, format_path, read_yaml

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

OPERATORS = {"+": "append", "-": "remove", "~": "edit"}
_SUFFIX = re.compile(r"^(.*[A-Za-z0-9_)\]])\s*([^A-Za-z0-9_\s\])])$")
MAX_DEPTH = 32
OPERATOR_HELP = "KEY+ (append), KEY- (remove matching), KEY~ (edit matching)"


@dataclass
class Node:
    """A value with where it was written: plain scalar, or ``dict[str, Node]`` / ``list[Node]``."""

    value: Any
    file: str
    line: int | None
    at: PathT | None = None
    """Its path in the file it was written in (``events+[0]``), when that file has it."""


@dataclass
class MergedDoc(YamlDoc):
    """A resolved overlay: merged ``data`` and ``lines`` plus each value's origin.

    Attributes:
        file: the overlay file (the top of the chain).
        data: the merged plain data (``extends`` removed).
        lines: path -> line in ``file`` (inherited values: the line of ``extends``).
        origins: path -> (file, line) where each value was actually written.
        written: path -> the value's path in the file it was written in (an appended event
            ``events[13]`` of the merged list is ``events+[0]`` of the overlay).
        chain: the files of the chain, overlay first, root last.
        parent_data: the parent's fully resolved data (what this overlay changed).
    """

    file: str
    data: Any
    lines: dict[PathT, int]
    origins: dict[PathT, tuple[str, int | None]] = field(default_factory=dict)
    written: dict[PathT, PathT] = field(default_factory=dict)
    chain: list[str] = field(default_factory=list)
    parent_data: dict[str, Any] = field(default_factory=dict)

    def origin(self, path: PathT) -> tuple[str, int | None]:
        """(file, line) where the value at ``path`` (or its deepest known prefix) was written."""
        p = tuple(path)
        while p:
            if p in self.origins:
                return self.origins[p]
            p = p[:-1]
        return self.origins.get((), (self.file, None))

    def own_path(self, path: PathT) -> PathT:
        """``path`` of the merged document as written in the file the value comes from: the
        path of its deepest prefix there, plus the rest (``events[13].date`` ->
        ``events+[0].date``)."""
        p = tuple(path)
        for k in range(len(p), 0, -1):
            at = self.written.get(p[:k])
            if at is not None:
                return at + p[k:]
        return p

    def relocate(self, problems: list[Problem]) -> list[Problem]:
        """Problems re-pointed at the file and line where the offending value was written."""
        from sim.scenario.paths import PathError, split_path

        out = []
        for pr in problems:
            try:
                path = tuple(split_path(pr.path)) if pr.path else ()
            except PathError:
                out.append(pr)
                continue
            f, line = self.origin(path)
            own = format_path(self.own_path(path)) if path else pr.path
            msg = (
                pr.message
                if f == self.file or "(inherited by " in pr.message
                else (f"{pr.message} (inherited by {self.file})")
            )
            out.append(Problem(f, own, msg, line if line is not None else pr.line))
        return out


def _wrap(data: Any, doc: YamlDoc, path: PathT = ()) -> Node:
    line = doc.lines.get(path)
    if isinstance(data, dict):
        return Node({k: _wrap(v, doc, path + (k,)) for k, v in data.items()}, doc.file, line, path)
    if isinstance(data, list):
        return Node([_wrap(v, doc, path + (i,)) for i, v in enumerate(data)], doc.file, line, path)
    return Node(data, doc.file, line, path)


def _unwrap(
    node: Node,
    path: PathT,
    origins: dict[PathT, tuple[str, int | None]],
    written: dict[PathT, PathT] | None = None,
) -> Any:
    origins[path] = (node.file, node.line)
    if written is not None and node.at is not None:
        written[path] = node.at
    if isinstance(node.value, dict):
        return {k: _unwrap(v, path + (k,), origins, written) for k, v in node.value.items()}
    if isinstance(node.value, list):
        return [_unwrap(v, path + (i,), origins, written) for i, v in enumerate(node.value)]
    return node.value


def _plain(node: Node) -> Any:
    return _unwrap(node, (), {})


class _Merger:
    """Applies one overlay onto its resolved parent, collecting problems."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def fail(self, path: PathT, node: Node, msg: str) -> None:
        self.problems.append(Problem(self.file, format_path(path), msg, node.line))

    def merge(self, base: Node | None, over: Node, path: PathT) -> Node:
        """``over`` onto ``base`` (``base`` None: nothing inherited at this path)."""
        if not isinstance(over.value, dict):
            return over
        if base is None or not isinstance(base.value, dict):
            base = Node({}, over.file, over.line)
        out: dict[str, Node | None] = dict(base.value)  # None: a failed edit (reported)
        plain_keys = {k for k in over.value if _split_op(k)[1] is None}
        ops: list[tuple[str, str, Node]] = []
        for key, val in over.value.items():
            name, op = _split_op(key)
            if op is None:
                out[key] = self.merge(out.get(key), val, path + (key,))
                continue
            if op not in OPERATORS:
                self.fail(
                    path + (key,),
                    val,
                    f"unknown list operator {excerpt(op)} in key {excerpt(key)}; "
                    f"allowed: {OPERATOR_HELP}",
                )
                continue
            if name in plain_keys:
                self.fail(
                    path + (key,),
                    val,
                    f"give either {excerpt(name)} (replaces it whole) or "
                    f"{name}+/{name}-/{name}~ (edits it), not both",
                )
                continue
            ops.append((name, op, val))
        order = {"-": 0, "~": 1, "+": 2}
        for name, op, val in sorted(ops, key=lambda x: order[x[1]]):
            p = path + (name + op,)
            if not isinstance(val.value, list):
                self.fail(p, val, f"{name}{op} takes a list, got {_kind(val.value)}")
                continue
            cur = out.get(name)
            if op == "+":
                out[name] = self.append(cur, val, name, p)
            elif op == "-":
                out[name] = self.remove(cur, val, name, p)
            else:
                out[name] = self.edit(cur, val, name, p, path + (name,))
        return Node(out, base.file, base.line)

    def append(self, cur: Node | None, val: Node, name: str, p: PathT) -> Node:
        if cur is None:
            return Node(list(val.value), val.file, val.line)
        if not isinstance(cur.value, list):
            self.fail(
                p,
                val,
                f"cannot append to {excerpt(name)}: the parent's {name} is "
                f"{_kind(cur.value)}, not a list",
            )
            return cur
        return Node(list(cur.value) + list(val.value), val.file, val.line)

    def remove(self, cur: Node | None, val: Node, name: str, p: PathT) -> Node | None:
        if cur is None:
            self.fail(p, val, f"nothing to remove: the parent has no {excerpt(name)}")
            return cur
        if isinstance(cur.value, dict):
            keep = dict(cur.value)
            for k, m in enumerate(val.value):
                if not isinstance(m.value, str) or m.value not in keep:
                    self.fail(
                        p + (k,),
                        m,
                        f"{name} has no key {excerpt(m.value)} to remove "
                        f"(keys: {', '.join(map(str, keep)) or 'none'})",
                    )
                    continue
                del keep[m.value]
            return Node(keep, val.file, val.line)
        if not isinstance(cur.value, list):
            self.fail(p, val, f"cannot remove from {excerpt(name)}: it is {_kind(cur.value)}")
            return cur
        items = list(cur.value)
        hit = [False] * len(items)
        for k, m in enumerate(val.value):
            found = self.matches(items, m, p + (k,), name)
            if found is None:
                continue
            if not found:
                self.fail(
                    p + (k,),
                    m,
                    f"{_show(m)} matches no item of {name} ({len(items)} item(s) in the parent)",
                )
            for i in found:
                hit[i] = True
        return Node([it for i, it in enumerate(items) if not hit[i]], val.file, val.line)

    def edit(self, cur: Node | None, val: Node, name: str, p: PathT, target: PathT) -> Node | None:
        if cur is None or not isinstance(cur.value, list):
            self.fail(
                p,
                val,
                f"nothing to edit: the parent's {excerpt(name)} is "
                f"{'missing' if cur is None else _kind(cur.value)}, not a list",
            )
            return cur
        items = list(cur.value)
        for k, e in enumerate(val.value):
            if not isinstance(e.value, dict) or set(e.value) != {"match", "set"}:
                self.fail(
                    p + (k,),
                    e,
                    f"each {name}~ item is a mapping with exactly the keys "
                    "'match' (which items) and 'set' (the fields to change)",
                )
                continue
            found = self.matches(items, e.value["match"], p + (k, "match"), name)
            if found is None:
                continue
            if not found:
                self.fail(
                    p + (k, "match"),
                    e.value["match"],
                    f"{_show(e.value['match'])} matches no item of {name}",
                )
            if not isinstance(e.value["set"].value, dict):
                self.fail(p + (k, "set"), e.value["set"], "'set' must be a mapping of fields")
                continue
            for i in found:
                items[i] = self.merge(items[i], e.value["set"], target + (i,))
        return Node(items, cur.file, cur.line)

    def matches(self, items: list[Node], m: Node, p: PathT, name: str) -> list[int] | None:
        """Indices of ``items`` matched by ``m`` (None: ``m`` is malformed, reported)."""
        if isinstance(m.value, str):
            found = [
                i
                for i, it in enumerate(items)
                if isinstance(it.value, dict)
                and any(f in it.value and it.value[f].value == m.value for f in ("id", "label"))
            ]
            return found
        if isinstance(m.value, dict) and m.value:
            crit = {k: _plain(v) for k, v in m.value.items()}
        else:
            self.fail(
                p,
                m,
                f"a match in {name} is an id (string) or a mapping of field values, "
                f"got {_kind(m.value)}",
            )
            return None
        out = []
        for i, it in enumerate(items):
            d = _plain(it)
            if isinstance(d, dict) and all(
                _same(k, d.get(k, _MISSING), v) for k, v in crit.items()
            ):
                out.append(i)
        return out


_MISSING = object()


def _same(key: str, have: Any, want: Any) -> bool:
    """Whether an item's field value ``have`` matches the wanted ``want``."""
    if key == "between" and isinstance(have, list) and isinstance(want, list):
        return sorted(map(str, have)) == sorted(map(str, want))
    return have is not _MISSING and have == want


def _split_op(key: str) -> tuple[str, str | None]:
    """``'events+'`` -> ``('events', '+')``; plain keys -> ``(key, None)``."""
    m = _SUFFIX.match(key)
    if not m:
        return key, None
    return m.group(1).rstrip(), m.group(2)


_KINDS: dict[type[Any], str] = {dict: "a mapping", list: "a list"}


def _kind(v: Any) -> str:
    return _KINDS.get(type(v), f"a {type(v).__name__} ({excerpt(v)})")


def _show(m: Node) -> str:
    if isinstance(m.value, str):
        return f"id {excerpt(m.value)}"
    return "match {" + ", ".join(f"{k}: {excerpt(_plain(v))}" for k, v in m.value.items()) + "}"


def _operator_keys(node: Node, path: PathT = ()) -> list[tuple[PathT, Node]]:
    out = []
    if isinstance(node.value, dict):
        for k, v in node.value.items():
            if _split_op(k)[1] is not None:
                out.append((path + (k,), v))
            out += _operator_keys(v, path + (k,))
    elif isinstance(node.value, list):
        for i, v in enumerate(node.value):
            out += _operator_keys(v, path + (i,))
    return out


def _sections() -> set[str]:
    """Top-level keys of which a scenario file has at least one."""
    from sim.scenario.schema import Scenario

    return set(Scenario.model_fields) | {"extends"}


def _why_not_scenario(path: Path) -> str:
    """Why the file at ``path``, which :func:`read_yaml` refused, is not a scenario file at all
    ("" if it may be one with a mistake in it: a ``.yaml`` file with a YAML error, or a mapping
    with scenario sections). Says what kind of file it is, never what it holds."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as e:
        return f"it cannot be read: {e.strerror or type(e).__name__}"
    if len(raw) > MAX_BYTES:
        return f"it is larger than the {MAX_BYTES:,} bytes a scenario file may have"
    if b"\0" in raw:
        return "it holds binary data, not text"
    yaml_name = path.suffix.lower() in (".yaml", ".yml")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "" if yaml_name else "it is not UTF-8 text"
    try:
        node = compose_text(text)
    except (yaml.YAMLError, RecursionError):
        return "" if yaml_name else "it is not YAML"
    if node is None:
        return "it is empty"
    if not isinstance(node, MappingNode):
        return "it is not a YAML mapping of scenario sections"
    keys = {str(k.value) for k, _ in node.value if isinstance(k, ScalarNode)}
    return "" if keys & _sections() else "none of its keys is a scenario section"


def _read_parent(path: Path, shown: str) -> tuple[YamlDoc | None, str]:
    """The parent scenario's document, or (None, why) if the file is not a scenario file."""
    try:
        doc = read_yaml(shown, kind="scenario")
    except ScenarioError:
        why = _why_not_scenario(path)
        if why:
            return None, why
        raise  # a scenario file with a mistake: its own messages, in its own lines
    if not set(doc.data) & _sections():
        return None, "none of its keys is a scenario section"
    return doc, ""


def _resolve(
    path: Path, shown: str, chain: list[tuple[str, Path]], doc: YamlDoc | None = None
) -> tuple[Node, list[str], Node | None, int | None]:
    """(merged node, chain of files, parent's merged node or None, line of extends) of a file
    (``doc``: the file's document, when already read)."""
    doc = doc or read_yaml(shown, kind="scenario")
    root = _wrap(doc.data, doc)
    ext = root.value.get("extends")
    if ext is None:
        bad = _operator_keys(root)
        if bad:
            raise ScenarioError(
                shown,
                [
                    Problem(
                        shown,
                        format_path(p),
                        f"list operator key {p[-1]!r} needs a parent: add 'extends: PARENT.yaml'",
                        n.line,
                    )
                    for p, n in bad
                ],
            )
        return root, [shown], None, None
    if not isinstance(ext.value, str) or not ext.value.strip():
        raise ScenarioError(
            shown,
            [
                Problem(
                    shown,
                    "extends",
                    "extends names the parent scenario "
                    "file (a path relative to this file), got "
                    f"{_kind(ext.value)}",
                    ext.line,
                )
            ],
        )
    names = [s for s, _ in chain] + [shown]

    def not_scenario(why: str) -> ScenarioError:
        via = f"; chain: {' -> '.join(names)}" if chain else ""
        return ScenarioError(
            shown,
            [
                Problem(
                    shown,
                    "extends",
                    f"{excerpt(ext.value)} is not a scenario file ({why}{via})",
                    ext.line,
                )
            ],
        )

    try:
        parent_path = (path.parent / ext.value).resolve()
        parent_shown = _display(path.parent / ext.value)
    except (OSError, RuntimeError, ValueError) as e:  # a symlink loop, a NUL in the name
        loop = isinstance(e, RuntimeError) or getattr(e, "errno", None) == errno.ELOOP
        raise not_scenario("it is a symlink loop" if loop else "it is not a usable path") from None
    if any(p == parent_path for _, p in chain + [(shown, path.resolve())]):
        cycle = " -> ".join(names + [parent_shown])
        raise ScenarioError(shown, [Problem(shown, "extends", f"overlay cycle: {cycle}", ext.line)])
    if len(chain) >= MAX_DEPTH:
        raise ScenarioError(
            shown,
            [
                Problem(
                    shown,
                    "extends",
                    f"overlay chain deeper than {MAX_DEPTH} files: {' -> '.join(names)}",
                    ext.line,
                )
            ],
        )
    if parent_path.is_dir():
        raise not_scenario("it is a directory")
    if parent_path.exists() and not parent_path.is_file():
        raise not_scenario("it is not a regular file")
    if not parent_path.is_file():
        via = f" (chain: {' -> '.join(names + [parent_shown])})" if chain else ""
        raise ScenarioError(
            shown,
            [
                Problem(
                    shown,
                    "extends",
                    f"parent scenario {excerpt(ext.value)} not found: no file {parent_shown}{via}",
                    ext.line,
                )
            ],
        )
    parent_doc, why = _read_parent(parent_path, parent_shown)
    if parent_doc is None:
        raise not_scenario(why)
    parent, parent_chain, _, _ = _resolve(
        parent_path, parent_shown, chain + [(shown, path.resolve())], parent_doc
    )
    own = {k: v for k, v in root.value.items() if k != "extends"}
    base = dict(parent.value)
    base.pop("metadata", None)  # metadata describes the file it is written in
    meta = own.get("metadata")
    if meta is None or not isinstance(meta.value, dict):
        meta = Node({}, shown, ext.line) if meta is None else meta
    if isinstance(meta.value, dict) and "name" not in meta.value:
        meta.value["name"] = Node(_stem_name(path), shown, ext.line)
    own["metadata"] = meta
    m = _Merger(shown)
    merged = m.merge(Node(base, parent.file, parent.line), Node(own, shown, root.line), ())
    if m.problems:
        raise ScenarioError(shown, m.problems)
    return merged, [shown] + parent_chain, parent, ext.line


def _stem_name(path: Path) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", path.stem) or "overlay"


def _display(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(p)


def resolve_extends(path: str | Path) -> YamlDoc:
    """Read ``path``; a file with ``extends`` is merged onto its (recursively resolved) parent.

    Args:
        path: a scenario YAML file.

    Returns:
        A plain :class:`YamlDoc` for a file without ``extends``; a :class:`MergedDoc` (with
        origins, chain and the parent's data) for an overlay.

    Raises:
        ScenarioError: unreadable files, a missing parent, a cycle, a malformed list edit or a
            removal that matches nothing (file and line of the offending key).
    """
    shown = str(path)
    node, chain, parent, ext_line = _resolve(Path(path), shown, [])
    if parent is None:
        return read_yaml(path, kind="scenario")
    origins: dict[PathT, tuple[str, int | None]] = {}
    written: dict[PathT, PathT] = {}
    data = _unwrap(node, (), origins, written)
    own = {p: (ln if f == shown else ext_line) for p, (f, ln) in origins.items()}
    lines = {p: ln for p, ln in own.items() if ln is not None}
    return MergedDoc(shown, data, lines, origins, written, chain, _plain(parent))


def load_with_origins(
    path: str | Path, overrides: dict[str, Any] | None = None
) -> tuple[Scenario, YamlDoc]:
    """Load a scenario file like :func:`sim.scenario.load_scenario`, and return its document too.

    Problems in an overlay's merged scenario are reported at the file and line where the bad
    value was written (the loader calls :meth:`MergedDoc.relocate`).

    Returns:
        (scenario, doc): the validated scenario and its (merged) document.
    """
    from sim.scenario.loader import load_scenario

    doc = resolve_extends(path)
    return load_scenario(path, overrides), doc
