"""The progress bar of a command: one tqdm bar on stderr that counts what the command runs."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Progress = Callable[[int, int], None]
"""``progress(done, total)``, as :func:`sim.runner.run` and :func:`sim.compare` call it."""


@contextmanager
def progress_bar(total: int, desc: str, unit: str, show: bool = True) -> Iterator[Progress | None]:
    """A bar of ``total`` ``unit``\\ s from the start, moved to each ``progress(done, total)``
    (None when not ``show``: quiet, or nothing worth a bar); closed when the block ends."""
    if not show:
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr)

    def tick(done: int, of: int) -> None:
        bar.total = of
        bar.n = done
        bar.refresh()

    try:
        yield tick
    finally:
        bar.close()
