"""The sweep store on disk: manifest, design and outcomes as a Parquet dataset, crash-safe.

Layout of ``results/sweeps/<name>/``::

    manifest.json        sweep file text, resolved base scenario, seeds, versions, status
    design.parquet       one row per run: run, point, replicate, seed, parameter values
    points.parquet       one row per design point: its unit coordinates (for Sobol / Morris)
    scalars/part-*.parquet   scalar outcomes, one row per run (run, point, replicate, <outcomes>)
    series/part-*.parquet    time-series outcomes, tidy: run, point, replicate, step, date,
                             outcome, value
    analysis/            written by ``analyze``

Commit protocol: each completed batch writes ``series/part-X.parquet`` then
``scalars/part-X.parquet``, each to a hidden temporary file renamed into place (``os.replace``).
A run is stored if and only if a ``scalars`` part holds it; a ``series`` part counts only with
its ``scalars`` twin. A SIGKILL at any moment therefore leaves whole batches or nothing, and a
resume re-runs exactly the runs not yet committed.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.errors import UserError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from sim.sweep.execute import BatchResult

MANIFEST = "manifest.json"
SCALARS, SERIES = "scalars", "series"


def _atomic_parquet(table: pa.Table, path: Path) -> None:
    """Write a pyarrow ``table`` to ``path`` via a hidden temporary file, fsync, and
    ``os.replace``."""
    import pyarrow.parquet as pq

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_manifest(store: Path, manifest: dict[str, Any]) -> None:
    """Atomically (re)write the store's manifest."""
    from sim.output import atomic_write_text

    atomic_write_text(store / MANIFEST, json.dumps(manifest, indent=2, default=str) + "\n")


def read_manifest(store: Path) -> dict[str, Any]:
    """The store's manifest.

    Raises:
        UserError: if ``store`` is not a sweep store.
    """
    p = Path(store) / MANIFEST
    if not p.is_file():
        raise UserError(
            f"{store}: not a sweep store (no {MANIFEST}); run `run_sim.py sweep SWEEPFILE` first"
        )
    try:
        manifest: dict[str, Any] = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise UserError(f"{p}: unreadable manifest ({e})") from None
    return manifest


def create(
    store: Path,
    manifest: dict[str, Any],
    design: pd.DataFrame,
    points: pd.DataFrame,
    force: bool = False,
) -> None:
    """Create the store atomically (replacing an existing one only if ``force`` and it is a
    store of the same ``manifest["kind"]``, see :mod:`sim.output`)."""
    from sim import output

    with output.atomic_dir(store, force, str(manifest.get("kind") or output.SWEEP)) as tmp:
        design.to_parquet(tmp / "design.parquet", index=False)
        points.to_parquet(tmp / "points.parquet", index=False)
        (tmp / SCALARS).mkdir()
        (tmp / SERIES).mkdir()
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str) + "\n")


def _parts(store: Path, kind: str) -> list[Path]:
    d = Path(store) / kind
    return sorted(p for p in d.glob("part-*.parquet")) if d.is_dir() else []


def committed_parts(store: Path) -> list[str]:
    """Names of the committed parts (those with a ``scalars`` file)."""
    return [p.name for p in _parts(store, SCALARS)]


def committed_runs(store: Path) -> np.ndarray:
    """Sorted unique ids of the runs stored."""
    import pyarrow.parquet as pq

    ids = [
        pq.read_table(p, columns=["run"]).column("run").to_numpy() for p in _parts(store, SCALARS)
    ]
    return np.unique(np.concatenate(ids)) if ids else np.zeros(0, dtype=np.int64)


def clean(store: Path) -> int:
    """Remove leftovers of an interrupted write (temporary files, orphan series parts).

    Returns:
        The number of files removed.
    """
    names = set(committed_parts(store))
    removed = 0
    for kind in (SCALARS, SERIES):
        d = Path(store) / kind
        if not d.is_dir():
            continue
        for p in d.glob(".*.tmp"):
            p.unlink(missing_ok=True)
            removed += 1
    for p in _parts(store, SERIES):
        if p.name not in names:
            p.unlink(missing_ok=True)
            removed += 1
    return removed


def commit(
    store: Path,
    res: BatchResult,
    design: pd.DataFrame,
    scalar_names: list[str],
    series_names: list[str],
    labels: list[str],
) -> str:
    """Write one batch's outcomes as a new part (series first, then scalars); returns its name.

    Args:
        store: the store folder.
        res: a :class:`sim.sweep.execute.BatchResult` without error.
        design: the run table (indexed by run id) for point and replicate columns.
        scalar_names, series_names: outcome names, in the result arrays' order.
        labels: period labels (for the ``date`` column of series).
    """
    import pyarrow as pa

    runs = np.asarray(res.runs, dtype=np.int64)
    name = f"part-{int(runs.min()):09d}-{secrets.token_hex(4)}.parquet"
    point = design["point"].to_numpy()[runs]
    rep = design["replicate"].to_numpy()[runs].astype(np.int64)
    if series_names:
        n, m, T = res.series.shape
        ser = pa.table(
            {
                "run": np.repeat(runs, m * T),
                "point": np.repeat(point, m * T),
                "replicate": np.repeat(rep, m * T),
                "step": np.tile(np.arange(T, dtype=np.int32), n * m),
                "date": pa.DictionaryArray.from_arrays(
                    np.tile(np.arange(T, dtype=np.int32), n * m), pa.array(list(labels[:T]))
                ),
                "outcome": pa.DictionaryArray.from_arrays(
                    np.tile(np.repeat(np.arange(m, dtype=np.int32), T), n), pa.array(series_names)
                ),
                "value": res.series.reshape(-1),
            }
        )
        _atomic_parquet(ser, Path(store) / SERIES / name)
    cols = {"run": runs, "point": point, "replicate": rep}
    cols.update({nm: res.scalars[:, k] for k, nm in enumerate(scalar_names)})
    _atomic_parquet(pa.table(cols), Path(store) / SCALARS / name)
    return name


def read_scalars(store: Path) -> pd.DataFrame:
    """Scalar outcomes, one row per stored run, sorted by run (duplicates dropped defensively)."""
    import pandas as pd

    parts = _parts(store, SCALARS)
    if not parts:
        return pd.DataFrame(columns=["run", "point", "replicate"])
    df = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    return df.drop_duplicates("run").sort_values("run").reset_index(drop=True)


def read_series(store: Path, outcomes: list[str] | None = None) -> pd.DataFrame:
    """Time-series outcomes in tidy long format, sorted by run, outcome and step."""
    import pandas as pd

    names = set(committed_parts(store))
    parts = [p for p in _parts(store, SERIES) if p.name in names]
    cols = ["run", "point", "replicate", "step", "date", "outcome", "value"]
    if not parts:
        return pd.DataFrame(columns=cols)
    filt = [("outcome", "in", list(outcomes))] if outcomes else None
    df = pd.concat([pd.read_parquet(p, filters=filt) for p in parts], ignore_index=True)
    for c in ("date", "outcome"):
        df[c] = df[c].astype(str)
    df = df.drop_duplicates(["run", "outcome", "step"])
    return df.sort_values(["run", "outcome", "step"]).reset_index(drop=True)[cols]
