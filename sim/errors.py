"""User-facing errors: problems in input files, reported one line each, never as tracebacks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAX_SHOWN = 60
"""Longest value (characters) a message echoes in full; a longer one is cut to an excerpt."""
MAX_PATH_SHOWN = 200
"""Longest field path (characters) printed in full."""
MAX_MESSAGE = 2_000
"""Longest message (characters) printed in full: a last guard against echoing huge input."""


def clip(text: str, limit: int) -> str:
    """``text``, or for a longer one its first ``limit`` characters and its length."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


def excerpt(value: object, limit: int = MAX_SHOWN) -> str:
    """A user's value as a message shows it: its ``repr``, or for a long value the first
    ``limit`` characters and the length (``'xxxx'... (200,000 characters)``)."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}... ({len(value):,} characters)"
    r = repr(value)
    return r if len(r) <= limit + 2 else clip(r, limit)


@dataclass(frozen=True)
class Problem:
    """One problem in an input file.

    Attributes:
        file: the file (as the user named it).
        path: dotted field path, e.g. ``states.KAZ.gdp`` or ``events[3].date`` ("" for the file).
        message: what is wrong and what is allowed.
        line: 1-based line in the file where known.
    """

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        field = f" {clip(self.path, MAX_PATH_SHOWN)}:" if self.path else ""
        return f"{where}:{field} {clip(self.message, MAX_MESSAGE)}"


class UserError(Exception):
    """Bad input from the user: the CLI prints it and exits with code 2."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])

    def lines(self) -> list[str]:
        """One line per problem (or the message alone)."""
        return [str(p) for p in self.problems] or [clip(str(self), MAX_MESSAGE)]


class ScenarioError(UserError):
    """A scenario (or sweep, parameters ...) file is invalid."""

    def __init__(self, file: str | Path, problems: list[Problem]) -> None:
        self.file = str(file)
        n = len(problems)
        shown = "".join(f"\n  {p}" for p in problems[:5])  # what a notebook's traceback shows
        more = f"\n  ... and {n - 5} more" if n > 5 else ""
        super().__init__(f"{file}: {n} problem{'s' if n != 1 else ''}{shown}{more}", problems)

    def first(self) -> str:
        """The first problem as ``field: message`` (for one-line reports)."""
        p = self.problems[0] if self.problems else None
        return f"{p.path}: {p.message}" if p else str(self)
