"""What an overlay changes: a readable diff of two scenarios' plain data, by dotted path.

Mappings are compared key by key; lists of items (events, sanctions, links) are paired by an
identity (``label``, a sanction ``id``, a link's pair, or an event's date, type and subject), so
an edited event shows as changed fields and an added or removed one as a single line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.scenario.yamlsafe import PathT

_SUBJECT = (
    "id",
    "buyer",
    "supplier",
    "licensor",
    "producer",
    "alliance",
    "action",
    "recipient",
    "provider",
    "target",
    "states",
    "between",
)


@dataclass(frozen=True)
class Change:
    """One difference: ``kind`` is changed, added or removed; ``path`` is dotted."""

    kind: str
    path: str
    old: Any = None
    new: Any = None
    loc: PathT = ()  # path in the new data (in the old data for a removal)

    def __str__(self) -> str:
        if self.kind == "changed":
            return f"changed  {self.path}: {_fmt(self.old)} -> {_fmt(self.new)}"
        val = self.new if self.kind == "added" else self.old
        return f"{self.kind:<8} {self.path}: {_fmt(val)}"


def _fmt(v: Any) -> str:
    if isinstance(v, dict):
        return item_summary(v)
    if isinstance(v, list):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    return repr(v) if isinstance(v, str) and (not v or " " in v) else str(v)


def item_summary(item: dict[str, Any]) -> str:
    """One line for a list item: ``2023-Q1 threat_shock: states=[KAZ], magnitude=0.5``."""
    head = " ".join(str(item[k]) for k in ("date", "type") if k in item)
    rest = ", ".join(
        f"{k}={_fmt(v)}"
        for k, v in item.items()
        if k not in ("date", "type", "narration") and v is not None
    )
    return f"{head}: {rest}" if head else "{" + rest + "}"


def identity(item: Any) -> Any:
    """The key that pairs a list item across two versions of a scenario."""
    if not isinstance(item, dict):
        return ("value", repr(item))
    if item.get("label"):
        return ("label", item["label"])
    if "type" in item:
        subj = tuple(
            (
                k,
                tuple(sorted(map(str, item[k])))
                if k == "between" and isinstance(item[k], list)
                else repr(item[k]),
            )
            for k in _SUBJECT
            if k in item
        )
        return ("event", item.get("date"), item["type"], subj)
    if "id" in item:
        return ("id", item["id"])
    if isinstance(item.get("between"), list):
        return ("between", tuple(sorted(map(str, item["between"]))))
    return ("item", repr(sorted(item.items(), key=str)))


def _label(key: Any) -> str:
    if key[0] in ("label", "id"):
        return str(key[1])
    if key[0] == "between":
        return "-".join(key[1])
    if key[0] == "event":
        bits = [str(key[1]), key[2]] + [
            v if isinstance(v, str) else "-".join(v) for _, v in key[3][:2]
        ]
        return " ".join(b.strip("'") for b in bits)
    return str(key[1])


def diff(old: Any, new: Any, path: str = "", loc: PathT = ()) -> list[Change]:
    """Differences from ``old`` to ``new`` (plain scenario data)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[Change] = []
        for k in list(old) + [k for k in new if k not in old]:
            p = f"{path}.{k}" if path else str(k)
            if k not in new:
                out.append(Change("removed", p, old=old[k], loc=loc + (k,)))
            elif k not in old:
                out.append(Change("added", p, new=new[k], loc=loc + (k,)))
            else:
                out += diff(old[k], new[k], p, loc + (k,))
        return out
    if (
        isinstance(old, list)
        and isinstance(new, list)
        and (any(isinstance(x, dict) for x in old + new))
    ):
        return _diff_items(old, new, path, loc)
    if old != new:
        return [Change("changed", path, old, new, loc)]
    return []


def _diff_items(old: list[Any], new: list[Any], path: str, loc: PathT) -> list[Change]:
    out: list[Change] = []
    pool: dict[Any, list[tuple[int, Any]]] = {}
    for i, it in enumerate(old):
        pool.setdefault(identity(it), []).append((i, it))
    unmatched_new = []
    for j, it in enumerate(new):
        k = identity(it)
        if pool.get(k):
            _, before = pool[k].pop(0)
            out += diff(before, it, f"{path}[{_label(k)}]", loc + (j,))
        else:
            unmatched_new.append((j, it))
    for items in pool.values():
        out += [Change("removed", path, old=it, loc=loc + (i,)) for i, it in items]
    out += [Change("added", path, new=it, loc=loc + (j,)) for j, it in unmatched_new]
    return out
