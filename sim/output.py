"""Where the tool writes: checked before any work, locked while written, replaced only if ours.

Every command that writes a folder (``run``, ``compare``, ``hindcast``, ``sweep``, ``analyze``)
goes through this module:

* :func:`check_location` checks the output location before anything runs: the parent folder
  exists or can be created, is a writable folder (not a file, not on a read-only file system,
  not under ``/proc`` or ``/sys``), every new name fits the file system's limit, and there is no
  symbolic-link loop on the way.
* :func:`lock` takes an exclusive lock on the target: a file ``.<name>.lock`` beside it, created
  with ``O_CREAT | O_EXCL`` and holding the owner's pid, host, start time and command, and kept
  ``flock``-ed while the owner lives. A second writer is refused (:class:`UserError`, exit 2)
  with a message naming the lock and its owner. The file is removed on exit (also on Ctrl-C or
  an exception); a lock left by a killed process (no ``flock`` held, or, where the file system
  has no ``flock``, a pid not alive on this host) is stale and taken over.
* :func:`refuse_existing` lets ``--force`` replace only what the tool wrote: an empty folder, or
  a folder of the same kind (results bundle, compare report, hindcast bundle, sweep store)
  recognised by its ``manifest.json`` and holding no file the tool does not write there.
* :func:`atomic_dir` writes into a hidden temporary folder and renames it into place; the rename
  never replaces a folder that appeared meanwhile (``renameat2(RENAME_NOREPLACE)`` where the
  system has it).
* :func:`write_errors` turns an ``OSError`` while writing (full disk, read-only file system,
  permissions, a name too long...) into one line: what, where, why (:class:`OutputError`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import secrets
import shutil
import socket
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sim.errors import UserError

RUN = "multivector-run"
COMPARE = "multivector-compare"
HINDCAST = "multivector-hindcast"
SWEEP = "multivector-sweep"
TOURNAMENT = "multivector-tournament"

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Kind:
    """A kind of output folder the tool writes.

    Attributes:
        what: how messages name it ("results bundle").
        files: the names the tool writes at the folder's top level.
        legacy_keys: manifest keys that identify a folder written before manifests had a
            ``kind`` (empty: only ``kind`` identifies it).
    """

    what: str
    files: frozenset[str]
    legacy_keys: frozenset[str] = frozenset()


KINDS: dict[str, Kind] = {
    RUN: Kind(
        "results bundle",
        frozenset(
            {
                "timeseries.parquet",
                "timeseries.csv",
                "summary.csv",
                "events.csv",
                "scenario.yaml",
                MANIFEST,
                "plots",
            }
        ),
        frozenset({"scenario_sha256", "replicate_seeds", "master_seed", "timings_s"}),
    ),
    COMPARE: Kind(
        "compare report",
        frozenset(
            {
                "report.html",
                "report.md",
                "figures",
                "differences.csv",
                "summary.txt",
                "scenarios",
                MANIFEST,
            }
        ),
        frozenset({"baseline", "whatifs", "scenario_sha256"}),
    ),
    HINDCAST: Kind(
        "hindcast bundle",
        frozenset(
            {"report.txt", "hindcast.json", "shares.csv", "scenario.yaml", "plots", MANIFEST}
        ),
        frozenset({"period", "observed", "scenario_sha256"}),
    ),
    SWEEP: Kind(
        "sweep store",
        frozenset({MANIFEST, "design.parquet", "points.parquet", "scalars", "series", "analysis"}),
    ),
    TOURNAMENT: Kind(
        "tournament folder",
        frozenset(
            {
                MANIFEST,
                "design.parquet",
                "points.parquet",
                "scalars",
                "series",
                "leaderboard.csv",
                "leaderboard.parquet",
                "leaderboard.md",
                "scores.parquet",
                "discovery.csv",
                "evolution.parquet",
                "evolution.csv",
                "figures",
                "report.html",
            }
        ),
    ),
}


def what(kind: str | None) -> str:
    """How messages name a folder of ``kind``."""
    if kind in KINDS:
        return KINDS[kind].what
    if kind:
        return kind.removeprefix("multivector-") + " folder"
    return "output folder"


class OutputError(UserError):
    """An operating-system error while writing output (full disk, read-only file system, ...).

    Attributes:
        exit_code: 2 when the user can fix it (space, permissions, names, paths), 1 for a
            fault of the machine (an I/O error).
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


MACHINE_FAULTS = frozenset({errno.EIO, errno.EFAULT, errno.EBADF, errno.ENOMEM})
"""errnos that are a fault of the machine, not of the user's choices (exit code 1)."""


def _short(text: str, limit: int = 60) -> str:
    """``text`` quoted, or its start and length for a long one."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text)} characters)"


def reason(e: OSError) -> str:
    """Why an ``OSError`` happened, in words (``strerror``, or the message of libraries such as
    pyarrow that raise ``OSError`` without an errno)."""
    text = e.strerror or str(e) or type(e).__name__
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:200] + "..."


def oserror_message(e: OSError, doing: str, where: Path | str) -> str:
    """One line: ``WHERE: cannot DOING: WHY (FILE)``."""
    fn = e.filename if isinstance(e.filename, str) else None
    file = f" ({Path(fn).name})" if fn and Path(fn).name and str(fn) != str(where) else ""
    return f"{where}: cannot {doing}: {reason(e)}{file}"


@contextmanager
def write_errors(
    doing: str, where: Path | str, then: str = "nothing was written"
) -> Iterator[None]:
    """Turn an ``OSError`` raised inside the block into an :class:`OutputError`:
    ``WHERE: cannot DOING: WHY (FILE); THEN``."""
    try:
        yield
    except OSError as e:
        code = 1 if e.errno in MACHINE_FAULTS else 2
        msg = oserror_message(e, doing, where) + (f"; {then}" if then else "")
        raise OutputError(msg, code) from None


# ----------------------------------------------------------------------------- names and places
def safe_component(name: str, field: str, hint: str = "choose another name or pass --out") -> str:
    """``name`` if it can name a folder on its own (a single, visible path component).

    Raises:
        UserError: for "", ".", "..", names with a path separator, control characters or a
            leading dot, and names longer than 255 bytes.
    """
    bad = None
    if not name:
        bad = "is empty"
    elif name in (".", ".."):
        bad = "would point outside the results folder"
    elif any(c in name for c in "/\\\0"):
        bad = "contains a path separator"
    elif any(ord(c) < 32 or ord(c) == 127 for c in name):
        bad = "contains control characters"
    elif name.startswith("."):
        bad = "would be a hidden folder"
    elif len(os.fsencode(name)) > 255:
        bad = f"is {len(os.fsencode(name))} bytes long (at most 255)"
    if bad:
        raise UserError(f"{field} {_short(name)} cannot name a folder: it {bad}; {hint}")
    return name


def shown(path: Path | str, limit: int = 160) -> str:
    """A path as messages show it: whole, or for a very long one its start and end."""
    text = str(path)
    if len(text) <= limit:
        return text
    return f"{text[: limit // 2]}...{text[-limit // 4 :]} ({len(text)} characters)"


def _virtual_roots() -> list[tuple[str, int]]:
    out = []
    for root in ("/proc", "/sys"):
        with contextlib.suppress(OSError):
            out.append((root, os.stat(root).st_dev))
    return out


def _name_max(folder: Path) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):  # pragma: no cover - not POSIX
        return 255


def _absolute(target: Path | str) -> Path:
    return Path(os.path.abspath(os.fspath(target)))


def check_location(target: Path | str, kind: str | None = None) -> None:
    """Check that a folder can be written at ``target`` before any work is done.

    Raises:
        UserError: the location cannot hold it: a path component is a file, a symbolic-link
            loop, a name longer than the file system allows, a read-only or virtual file system
            (``/proc``, ``/sys``), or no permission to write there.
    """
    where = shown(target)
    t = _absolute(target)
    w = what(kind)
    if not t.name:
        raise UserError(f"{where}: cannot write the {w} to the root folder; choose another --out")
    # walk up to the first folder that exists; what lies below it will be created
    missing: list[str] = [t.name]
    anc = t.parent
    while True:
        try:
            st = os.stat(anc)
        except FileNotFoundError:
            missing.append(anc.name)
            if anc.parent == anc:  # pragma: no cover - "/" always exists
                break
            anc = anc.parent
            continue
        except NotADirectoryError:
            # a component above is a file: find it for the message
            p = anc
            while p.parent != p and not p.parent.is_dir():
                p = p.parent
            raise UserError(
                f"{where}: {p} is a file, not a folder; cannot write the {w} under it"
            ) from None
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise UserError(
                    f"{where}: a symbolic-link loop on the way ({anc}); choose another --out"
                ) from None
            raise UserError(oserror_message(e, f"write the {w} there", where)) from None
        break
    if not stat.S_ISDIR(st.st_mode):
        raise UserError(f"{where}: {anc} is a file, not a folder; cannot write the {w} under it")
    for root, dev in _virtual_roots():
        if st.st_dev == dev:
            raise UserError(
                f"{where}: {root} is a virtual file system of the kernel, not a place for "
                "files; choose another --out"
            )
    limit = _name_max(anc)
    for name in missing:
        n = len(os.fsencode(name))
        if n > limit:
            raise UserError(
                f"{where}: the name {_short(name, 40)} is {n} bytes long; this file system "
                f"allows at most {limit}"
            )
    if len(os.fsencode(str(t))) >= 4096:
        raise UserError(f"{where}: the path is longer than the system allows (4095 bytes)")
    try:
        ro = bool(os.statvfs(anc).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # pragma: no cover - not POSIX
        ro = False
    if ro:
        raise UserError(f"{where}: {anc} is on a read-only file system; choose another --out")
    if not os.access(anc, os.W_OK | os.X_OK):
        raise UserError(f"{where}: no permission to write in {anc}; choose another --out")


def _make_parents(t: Path) -> list[Path]:
    """Create the missing parents of ``t``; returns those created (outermost first)."""
    todo = []
    p = t.parent
    while not p.exists() and p.parent != p:
        todo.append(p)
        p = p.parent
    created = []
    for d in reversed(todo):
        try:
            d.mkdir()
            created.append(d)
        except FileExistsError:
            pass
    return created


def _remove_if_empty(dirs: list[Path]) -> None:
    for d in reversed(dirs):
        try:
            d.rmdir()
        except OSError:  # not empty (another writer or our result), or gone
            return


# ----------------------------------------------------------------------------- recognising ours
def read_kind(path: Path) -> str | None:
    """The kind of output folder at ``path`` from its manifest (None if not recognisable)."""
    try:
        man = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(man, dict):
        return None
    k = man.get("kind")
    if isinstance(k, str) and k.startswith("multivector-"):
        return k
    keys = set(man)
    for kind, spec in KINDS.items():
        if spec.legacy_keys and spec.legacy_keys <= keys:
            if kind == RUN and "baseline" in keys:
                continue
            return kind
    return None


def _ours_hidden(name: str) -> bool:
    """Hidden temporary files the tool leaves only when killed (removed on resume)."""
    return name.startswith(".") and name.endswith((".tmp", ".lock"))


def foreign(path: Path, kind: str) -> list[str]:
    """Names at the top of folder ``path`` that the tool does not write in a ``kind`` folder
    (nothing is checked for kinds this module does not list)."""
    spec = KINDS.get(kind)
    if spec is None:
        return []
    return sorted(
        p.name for p in path.iterdir() if p.name not in spec.files and not _ours_hidden(p.name)
    )


def replaceable(path: Path, kind: str | None) -> str | None:
    """Why ``--force`` must not replace the existing ``path`` (None: it may)."""
    w = what(kind)
    if os.path.islink(path):
        return f"is a symbolic link, not a {w}"
    if not path.is_dir():
        return f"is a file, not a {w}"
    try:
        if not any(path.iterdir()):
            return None  # an empty folder: nothing is lost
    except OSError as e:
        return f"cannot be read ({reason(e)})"
    found = read_kind(path)
    if found is None:
        return f"is not a {w}"
    if kind is not None and found != kind:
        return f"is a {what(found)}, not a {w}"
    extra = foreign(path, found)
    if extra:
        listed = ", ".join(extra[:5]) + (f" and {len(extra) - 5} more" if len(extra) > 5 else "")
        return f"holds files multivector did not write ({listed}); move them out of the {w} first"
    return None


def refuse_existing(target: Path | str, force: bool, kind: str | None = None) -> None:
    """Raise a :class:`UserError` if ``target`` exists, unless ``force`` and it is a folder
    of ``kind`` that the tool wrote (or an empty folder)."""
    t = Path(target)
    if not os.path.lexists(t):
        return
    if not force:
        raise UserError(
            f"{shown(t)}: already exists; refusing to overwrite (use --force to replace it)"
        )
    why = replaceable(t, kind)
    if why:
        raise UserError(
            f"{shown(t)}: {why}; refusing to replace it (--force replaces only a {what(kind)} "
            "multivector wrote; choose another --out)"
        )


# ----------------------------------------------------------------------------- locks
@dataclass
class _Held:
    fd: int
    count: int = 1


_HELD: dict[str, _Held] = {}


def _forget_locks_in_child() -> None:
    """A forked child (a worker) must not keep its parent's locks alive: close its copies."""
    for h in _HELD.values():
        with contextlib.suppress(OSError):
            os.close(h.fd)
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_locks_in_child)


def lock_path(target: Path | str) -> Path:
    """The lock file of ``target``: ``.<name>.lock`` beside it (shortened with a hash for names
    near the file-name limit)."""
    t = _absolute(target)
    name = f".{t.name}.lock"
    if len(os.fsencode(name)) > 200:
        raw = os.fsencode(t.name)
        head = raw[:120].decode("utf-8", "ignore")
        name = f".{head}.{hashlib.sha256(raw).hexdigest()[:16]}.lock"
    return t.parent / name


@dataclass
class Owner:
    """Who holds a lock (as written in the lock file)."""

    pid: int = 0
    host: str = ""
    started: str = ""
    command: str = ""

    def describe(self) -> str:
        if not self.pid:
            return "a process that is just starting"
        cmd = f": {self.command}" if self.command else ""
        since = f", since {self.started}" if self.started else ""
        return f"pid {self.pid} on {self.host or 'an unknown host'}{since}{cmd}"


def _me() -> Owner:
    cmd = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else ""
    return Owner(
        os.getpid(),
        socket.gethostname(),
        time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        cmd if len(cmd) <= 300 else cmd[:300] + "...",
    )


def _read_owner(fd: int) -> Owner:
    try:
        raw = os.pread(fd, 4096, 0)
        d = json.loads(raw.decode("utf-8", "replace") or "{}")
        if not isinstance(d, dict):
            return Owner()
        return Owner(
            int(d.get("pid") or 0),
            str(d.get("host") or ""),
            str(d.get("started") or ""),
            str(d.get("command") or ""),
        )
    except (OSError, ValueError, TypeError):
        return Owner()


def _write_owner(fd: int, me: Owner) -> None:
    data = json.dumps(
        {"pid": me.pid, "host": me.host, "started": me.started, "command": me.command}
    ).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, data + b"\n", 0)


def _try_flock(fd: int) -> bool | None:
    """True: locked; False: another process holds it; None: no flock on this system/file."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    except OSError as e:
        if e.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
            return None
        raise


def _same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this host."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:  # pragma: no cover - not POSIX
        return True
    return True


def _busy(label: str, path: Path, owner: Owner, kind: str | None, note: str = "") -> UserError:
    return UserError(
        f"{label}: another process is writing this {what(kind)} ({owner.describe()}); "
        f"lock file {path}. Wait for it to finish or choose another --out{note}"
    )


def _acquire(t: Path, label: str, kind: str | None) -> tuple[Path, int]:
    path = lock_path(t)
    me = _me()
    flags = os.O_RDWR | getattr(os, "O_CLOEXEC", 0)
    for _ in range(50):
        created = False
        try:
            fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o644)
            created = True
        except FileExistsError:
            try:
                fd = os.open(path, flags)
            except FileNotFoundError:
                continue  # released meanwhile: try again
        try:
            held = _try_flock(fd)
            if held is False:
                raise _busy(label, path, _read_owner(fd), kind)
            if not _same_file(fd, path):  # released (and perhaps retaken) meanwhile
                os.close(fd)
                continue
            if not created:
                owner = _read_owner(fd)
                if owner.pid and owner.host and owner.host != me.host:
                    raise _busy(
                        label,
                        path,
                        owner,
                        kind,
                        "; this machine cannot tell whether that process still runs: if it "
                        "does not, delete the lock file",
                    )
                if held is None:  # no flock here: judge by the pid
                    if owner.pid and owner.pid != me.pid and pid_alive(owner.pid):
                        raise _busy(
                            label,
                            path,
                            owner,
                            kind,
                            "; if that process is not multivector, delete the lock file",
                        )
                    os.close(fd)
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(path)  # stale: its owner is gone
                    continue
            # a new lock, or a stale one (its owner died: no flock held): ours now
            _write_owner(fd, me)
            return path, fd
        except BaseException:
            with contextlib.suppress(OSError):
                os.close(fd)
            raise
    raise UserError(f"{label}: could not take the lock {path}: it keeps changing; try again")


def _release(path: Path, fd: int) -> None:
    try:
        if _same_file(fd, path):
            os.unlink(path)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)


@contextmanager
def lock(target: Path | str, kind: str | None = None) -> Iterator[Path]:
    """Hold the exclusive lock of ``target`` (re-entrant within a process); yields the lock
    file. The folder that holds ``target`` must exist.

    Raises:
        UserError: another live process holds the lock (its pid, host and command are named).
        OutputError: the lock file cannot be created (read-only file system, ...).
    """
    t = _absolute(target)
    key = str(lock_path(t))
    held = _HELD.get(key)
    if held is not None:
        held.count += 1
        try:
            yield Path(key)
        finally:
            held.count -= 1
        return
    with write_errors(f"lock the {what(kind)}", str(target)):
        path, fd = _acquire(t, shown(target), kind)
    _HELD[key] = _Held(fd)
    try:
        yield path
    finally:
        h = _HELD.get(key)
        if h is not None and h.fd == fd:
            h.count -= 1
            if h.count <= 0:
                del _HELD[key]
                _release(path, fd)


@contextmanager
def claimed(
    target: Path | str, kind: str | None, *, force: bool = False, existing: bool = False
) -> Iterator[Path]:
    """Make ``target`` ours for the block, before any work is done: check the location,
    create the missing parents, take the lock and (unless ``existing``: the caller decides)
    refuse an existing target that ``force`` may not replace. On leaving, the lock is released
    and parents created here are removed again if they stayed empty (nothing is left behind
    by a run that fails or is interrupted).

    Yields:
        ``target`` as a :class:`Path`.
    """
    t = Path(target)
    check_location(t, kind)
    with write_errors(f"create the folder of the {what(kind)}", str(t)):
        created = _make_parents(_absolute(t))
    try:
        with lock(t, kind):
            if not existing:
                refuse_existing(t, force, kind)
            yield t
    finally:
        _remove_if_empty(created)


# ----------------------------------------------------------------------------- atomic writes
def _renameat2() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return getattr(libc, "renameat2", None)
    except (OSError, AttributeError):  # pragma: no cover - no libc
        return None


_RENAMEAT2 = _renameat2()


def rename_noreplace(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst`` unless ``dst`` exists (then :class:`FileExistsError`), in one
    atomic step where the system allows (``renameat2(RENAME_NOREPLACE)`` on Linux)."""
    fn = _RENAMEAT2
    if fn is not None:
        import ctypes

        at_fdcwd, noreplace = -100, 1
        rc = fn(at_fdcwd, os.fsencode(src), at_fdcwd, os.fsencode(dst), noreplace)
        if rc == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise OSError(err, os.strerror(err), str(dst))
    if os.path.lexists(dst):  # no renameat2 here: check, then rename (a tiny window remains)
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dst))
    os.rename(src, dst)


def _hidden_prefix(name: str) -> str:
    raw = os.fsencode(name)
    return "." + raw[:60].decode("utf-8", "ignore") + "."


@contextmanager
def atomic_dir(target: Path | str, force: bool = False, kind: str | None = None) -> Iterator[Path]:
    """Yield a temporary folder that becomes ``target`` only if the block succeeds.

    The target is claimed first (:func:`claimed`: location checked, lock held, an existing
    target refused unless ``force`` may replace it). Any ``OSError`` while writing becomes an
    :class:`OutputError` and nothing is left behind. The final rename never replaces a folder
    another process created meanwhile.
    """
    t = Path(target)
    w = what(kind)
    with claimed(t, kind, force=force):
        a = _absolute(t)
        with write_errors(f"write the {w}", str(t)):
            tmp = Path(tempfile.mkdtemp(prefix=_hidden_prefix(a.name), suffix=".tmp", dir=a.parent))
        try:
            with write_errors(f"write the {w}", str(t)):
                yield tmp
                _install(tmp, a, t, force, kind)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def _install(tmp: Path, a: Path, target: Path, force: bool, kind: str | None) -> None:
    """Move the finished ``tmp`` to ``a`` (replacing an existing folder only with ``force``)."""
    if os.path.lexists(a):
        if not force:  # it did not exist when the work started: another writer made it
            raise _appeared(target)
        refuse_existing(target, force, kind)  # it may have changed meanwhile: check again
        trash = a.with_name(f"{_hidden_prefix(a.name)}old-{secrets.token_hex(4)}.tmp")
        rename_noreplace(a, trash)
        try:
            rename_noreplace(tmp, a)
        except BaseException:
            with contextlib.suppress(OSError):
                rename_noreplace(trash, a)
            raise
        shutil.rmtree(trash, ignore_errors=True)
        return
    try:
        rename_noreplace(tmp, a)
    except FileExistsError:
        raise _appeared(target) from None


def _appeared(target: Path) -> UserError:
    return UserError(
        f"{shown(target)}: another process created it while this one was writing; it was left "
        "untouched and this result was not kept (choose another --out)"
    )


def atomic_write_text(path: Path | str, text: str) -> None:
    """Write a file via a temporary file and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=_hidden_prefix(path.name), suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as open() would make it (mkstemp's is private)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def staged_files(folder: Path | str, doing: str) -> Iterator[Path]:
    """Yield a hidden staging folder inside ``folder``; when the block succeeds, every file
    written there is moved into ``folder`` (replacing files of the same name), else none is
    (and ``folder`` is removed again if this created it and it stayed empty). The location is
    checked first (:func:`check_location`); an ``OSError`` becomes an :class:`OutputError`
    (``WHERE: cannot DOING: WHY``)."""
    out = Path(folder)
    check_location(out)
    with write_errors(doing, str(out)):
        created = _make_parents(_absolute(out))
        try:
            out.mkdir()
            created.append(out)
        except FileExistsError:
            pass
        stage = Path(tempfile.mkdtemp(prefix=".stage-", suffix=".tmp", dir=out))
    try:
        with write_errors(doing, str(out)):
            yield stage
            for p in sorted(stage.iterdir()):
                os.replace(p, out / p.name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        _remove_if_empty(created)
