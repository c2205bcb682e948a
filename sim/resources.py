"""How much memory and disk a run or a sweep will need, estimated before it starts.

A command refuses work that cannot fit (exit code 2), with the estimate and the limit in the
message, instead of running out of memory or disk after hours. The estimates are deliberately
on the safe side but measured, not guessed (default scenario: 9 states, 40 quarters):

* **run**: each replicate keeps its recorded arrays (``steps x states^2`` per pair output and
  ``steps x states`` per state output, 8 bytes each) and its world, about twice the arrays
  (measured: 0.32 MB per replicate, estimated 0.40 MB). The tidy table has at most
  ``steps x (pair outputs x states^2 + state outputs x states)`` rows per replicate (13,960 of
  at most 25,200 kept in the default scenario); building it and writing the Parquet and CSV
  files peaked at 160-225 bytes per row (measured at 100-1,000 replicates): 180 bytes per
  upper-bound row are counted. The default scenario with 1,000 replicates peaked at 2.8 GB
  resident; the estimate is 4.9 GB. On disk the CSV takes 51 bytes per row and the Parquet 8
  (60 counted per upper-bound row: 1.4 GB estimated for 1,000 replicates, 0.82 GB measured).
* **sweep**: runs stream to disk, so memory holds the design and run tables (counted at 32
  bytes per value) and the batches in flight; disk holds, per run, the scalar outcomes and
  ``steps`` values per series outcome (counted uncompressed, as Parquet stores them at worst),
  and each stored part (a batch of runs) its files' metadata, about 4 kB (8 kB counted). A
  120-run test sweep took 340 bytes per run in batches of 16 (estimated 900) and 4 kB per run in
  batches of 1 (estimated 8.6 kB).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import UserError

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

MB = 1024**2
GB = 1024**3

FIXED_MEMORY = 300 * MB
"""Libraries, figures and the interpreter beyond what is measured per replicate or row."""
TABLE_BYTES_PER_ROW = 180
"""Peak memory per tidy-table row while it is built and written (measured 160-225)."""
DISK_BYTES_PER_ROW = 60
"""Disk per tidy-table row: timeseries.csv (51 measured) and timeseries.parquet (8)."""
FIXED_DISK = 20 * MB
"""Plots, summary, events, scenario and manifest of a bundle (about 2 MB measured)."""
SERIES_BYTES_PER_VALUE = 44
"""A stored series value: run, point, replicate (8 each), step, date, outcome (4 each), value."""
PART_OVERHEAD = 8 * 1024
"""Disk per stored part beyond its values: metadata of its scalars and series files (about
4 kB measured)."""


@dataclass(frozen=True)
class Need:
    """What a piece of work needs.

    Attributes:
        what: the work, for messages ("1,000 replicates of baseline").
        memory: bytes of memory at the peak.
        disk: bytes written.
        per_unit_memory, per_unit_disk: the share of one unit (a replicate, a run), to say how
            many units would fit.
        unit: the unit's name ("replicates", "runs").
        hint: what to do instead when it does not fit.
    """

    what: str
    memory: int
    disk: int
    per_unit_memory: float = 0.0
    per_unit_disk: float = 0.0
    unit: str = ""
    hint: str = ""


def human(n: float) -> str:
    """Bytes as ``1.2 GB`` / ``340 MB``."""
    if n >= GB:
        return f"{n / GB:.1f} GB"
    if n >= MB:
        return f"{n / MB:.0f} MB"
    return f"{n / 1024:.0f} kB"


def run_need(sc: Scenario, replicates: int, *, table: bool = True, copies: int = 1) -> Need:
    """The memory (and, with ``table``, the disk) of ``replicates`` replicates of ``sc``: the
    recorded arrays, and with ``table`` the tidy table and the bundle's files. ``copies``:
    scenarios of this size run side by side (``compare``)."""
    from sim.outcomes import OUTPUTS, PAIR_RAW, STATE_RAW

    T, n = sc.time.axis.n, len(sc.state_ids)
    recorded = 8 * T * (len(PAIR_RAW) * n * n + len(STATE_RAW) * n)
    per_rep = 2 * recorded + 64 * 1024
    pair_out = sum(o.pair for o in OUTPUTS)
    rows = T * (pair_out * n * n + (len(OUTPUTS) - pair_out) * n)
    if table:
        per_rep += TABLE_BYTES_PER_ROW * rows
    per_rep *= copies
    per_disk = DISK_BYTES_PER_ROW * rows if table else 0
    return Need(
        f"{replicates:,} replicate(s) of {sc.name}"
        + (f" (x{copies} scenarios)" if copies > 1 else ""),
        int(FIXED_MEMORY + replicates * per_rep),
        int((FIXED_DISK + replicates * per_disk) if table else 0),
        per_rep,
        per_disk,
        "replicates",
        "use fewer replicates, or a sweep, which streams runs to disk",
    )


def sweep_need(
    runs: int,
    params: int,
    scalars: int,
    series: int,
    steps: int,
    todo: int | None = None,
    batch: int = 1,
) -> Need:
    """What a sweep of ``runs`` runs needs: memory for its design and run tables, disk for
    the outcomes of the ``todo`` runs still to do (default: all), stored ``batch`` runs per
    part (each part's two Parquet files carry about 4 kB of metadata: 8 kB counted)."""
    todo = runs if todo is None else todo
    per_run_mem = 32 * (params + 6)
    per_run_disk = (
        8 * (3 + scalars) + SERIES_BYTES_PER_VALUE * series * steps + PART_OVERHEAD / max(batch, 1)
    )
    return Need(
        f"a sweep of {runs:,} runs",
        int(FIXED_MEMORY + runs * per_run_mem),
        int(FIXED_DISK + todo * per_run_disk),
        per_run_mem,
        per_run_disk,
        "runs",
        "use a smaller design, fewer replicates or fewer series outcomes",
    )


def _cgroup_room() -> int | None:
    """Memory left under this process's cgroup (v2 or v1) limit, if there is one."""
    pairs = (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        (
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes",
        ),
    )
    for lim, cur in pairs:
        try:
            raw = Path(lim).read_text().strip()
            if raw == "max":
                return None
            limit, used = int(raw), int(Path(cur).read_text().strip())
        except (OSError, ValueError):
            continue
        if limit >= 2**60:  # "no limit" in cgroup v1
            return None
        return max(limit - used, 0)
    return None


def available_memory() -> int:
    """Memory available to new allocations: the system's available memory (psutil), or what
    is left under a container's memory limit if that is less."""
    import psutil  # type: ignore[import-untyped]  # no stubs installed

    avail = int(psutil.virtual_memory().available)
    room = _cgroup_room()
    return min(avail, room) if room is not None else avail


def free_disk(location: Path | str) -> tuple[int, Path]:
    """Free bytes on the file system that will hold ``location`` (its nearest existing
    folder), and that folder."""
    p = Path(os.path.abspath(location))
    while not p.exists() and p.parent != p:
        p = p.parent
    return int(shutil.disk_usage(p).free), p


def _fits(need: float, per_unit: float, fixed: int, limit: int) -> str:
    if per_unit <= 0 or limit <= fixed:
        return ""
    return f"; about {max(int((limit - fixed) // per_unit), 0):,} would fit"


def check(need: Need, location: Path | str | None = None) -> None:
    """Refuse ``need`` if it does not fit in the available memory, or (with ``location``) on
    the free disk there.

    Raises:
        UserError: with the estimate and the limit.
    """
    mem = available_memory()
    if need.memory > mem:
        fits = _fits(need.memory, need.per_unit_memory, FIXED_MEMORY, mem)
        raise UserError(
            f"{need.what} would need about {human(need.memory)} of memory (estimate), but "
            f"{human(mem)} are available{fits and fits + ' ' + need.unit}; {need.hint}"
        )
    if location is not None and need.disk:
        free, where = free_disk(location)
        if need.disk > free:
            fits = _fits(need.disk, need.per_unit_disk, FIXED_DISK, free)
            raise UserError(
                f"{need.what} would write about {human(need.disk)} (estimate), but {where} has "
                f"{human(free)} free{fits and fits + ' ' + need.unit}; free some space, choose "
                f"another --out, or {need.hint}"
            )
