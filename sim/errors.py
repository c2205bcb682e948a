"""User-facing errors: problems in input files, reported one line each, never as tracebacks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"


class UserError(Exception):
    """Bad input from the user: the CLI prints it and exits with code 2."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])

    def lines(self) -> list[str]:
        """One line per problem (or the message alone)."""
        return [str(p) for p in self.problems] or [str(self)]


class ScenarioError(UserError):
    """A scenario (or sweep, parameters ...) file is invalid."""

    def __init__(self, file: str | Path, problems: list[Problem]) -> None:
        self.file = str(file)
        n = len(problems)
        super().__init__(f"{file}: {n} problem{'s' if n != 1 else ''}", problems)

    def first(self) -> str:
        """The first problem as ``field: message`` (for one-line reports)."""
        p = self.problems[0] if self.problems else None
        return f"{p.path}: {p.message}" if p else str(self)
