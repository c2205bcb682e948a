"""Loading strategies named in scenarios: built-ins by name, user classes by ``file.py:Class``.

A user file is imported once per content (its path and a hash of its bytes), under a private
module name, and never on import of :mod:`sim`. Everything that can go wrong (a missing file, a
syntax error, an exception at import, no such class, a class that is not a strategy, bad
``strategy_params``) raises :class:`StrategyLoadError` with one line naming the file and what is
allowed; callers turn it into a scenario problem (exit code 2, nothing written).
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import threading
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

from sim.strategies import builtin_names, is_file_spec
from sim.strategies.base import BUILTIN, LOADED, Strategy

_LOCK = threading.Lock()
_MODULES: dict[tuple[str, str], ModuleType] = {}


class StrategyLoadError(ValueError):
    """A strategy cannot be loaded or built (one line, names the file and what is allowed)."""


def allowed_text() -> str:
    """What a ``strategy`` value may be, for messages."""
    return f"one of {', '.join(builtin_names())}, or FILE.py:ClassName of a user strategy"


def _import(path: Path) -> ModuleType:
    source = path.read_bytes()
    key = (str(path), hashlib.sha1(source).hexdigest())
    with _LOCK:
        if key in _MODULES:
            return _MODULES[key]
        digest = hashlib.sha1(str(key).encode()).hexdigest()[:12]
        name = f"multivector_user_strategies_{path.stem}_{digest}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise StrategyLoadError(f"{path}: cannot be read as a Python file")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except SyntaxError as e:
            sys.modules.pop(name, None)
            raise StrategyLoadError(
                f"{path}:{e.lineno}: syntax error in the strategy file: {e.msg}"
            ) from None
        except BaseException as e:  # the user's module raised while importing
            sys.modules.pop(name, None)
            if isinstance(e, KeyboardInterrupt):
                raise
            line = _user_line(e, path)
            raise StrategyLoadError(
                f"{path}{line}: importing the strategy file raised {type(e).__name__}: {e}"
            ) from None
        _MODULES[key] = module
        return module


def _user_line(e: BaseException, path: Path) -> str:
    """``:LINE`` of the deepest frame of ``e`` in ``path`` ("" if none)."""
    line = ""
    for fr in traceback.extract_tb(e.__traceback__):
        if Path(fr.filename) == path:
            line = f":{fr.lineno}"
    return line


def load_strategy(spec: str) -> type[Strategy]:
    """The strategy class a scenario names: a built-in name or ``path.py:Class`` (an absolute
    path, or relative to the current folder; scenario loading makes paths absolute)."""
    if spec in BUILTIN:
        return BUILTIN[spec]
    if not is_file_spec(spec):
        raise StrategyLoadError(f"unknown strategy {spec!r} (allowed: {allowed_text()})")
    file, _, cls_name = spec.rpartition(":")
    path = Path(file)
    try:
        if not path.is_file():
            what = "is not a file" if path.exists() else "not found"
            raise StrategyLoadError(f"strategy file {file} {what}")
        module = _import(path.resolve())
    except OSError as e:
        raise StrategyLoadError(f"strategy file {file} cannot be read: {e.strerror}") from None
    obj = getattr(module, cls_name, None)
    if obj is None:
        found = sorted(
            k
            for k, v in vars(module).items()
            if isinstance(v, type)
            and issubclass(v, Strategy)
            and v is not Strategy
            and v.__module__ == module.__name__
        )
        have = f"strategy classes in it: {', '.join(found)}" if found else "it defines none"
        raise StrategyLoadError(f"{file} defines no class {cls_name} ({have})")
    if not (isinstance(obj, type) and issubclass(obj, Strategy)):
        raise StrategyLoadError(
            f"{file}: {cls_name} is not a strategy class (subclass "
            "sim.Strategy and override decide(self, me, world))"
        )
    LOADED[spec] = obj
    return obj


def make_strategy(spec: str, params: dict[str, Any] | None = None) -> Strategy:
    """An instance of the strategy ``spec`` with ``strategy_params`` ``params``."""
    cls = load_strategy(spec)
    try:
        return cls(**dict(params or {}))
    except TypeError as e:
        raise StrategyLoadError(f"{_label(spec)}: bad strategy_params: {e}") from None
    except Exception as e:  # noqa: BLE001 - a user's __init__ may raise anything
        raise StrategyLoadError(
            f"{_label(spec)}: creating the strategy raised {type(e).__name__}: {e}"
        ) from None


def _label(spec: str) -> str:
    if spec in BUILTIN:
        return spec
    file, _, cls_name = spec.rpartition(":")
    return f"{file}, class {cls_name}"
