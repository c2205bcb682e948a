"""Calendar dates of a run: parsing ``YYYY-MM`` / ``YYYY-Qn`` and mapping them to step indices."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from sim.errors import excerpt

if TYPE_CHECKING:
    import pandas as pd

StepUnit = Literal["month", "quarter", "year"]
STEPS_PER_YEAR: dict[str, int] = {"month": 12, "quarter": 4, "year": 1}
_DATE = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])))?$")
DATE_HELP = "a date as YYYY-MM (e.g. 2022-05), YYYY-Qn (e.g. 2022-Q2) or YYYY (its January)"
FIRST_YEAR, LAST_YEAR = 1900, 2200
"""Years a date may have (as for a trade agreement's ``target_year``): the model describes the
present era, and a year such as 0000 would make a run of thousands of steps."""


def parse_date(text: object) -> tuple[int, int]:
    """Parse a date into (year, month) (strings are parsed once and remembered).

    Args:
        text: ``YYYY-MM``, ``YYYY-Qn`` (the quarter's first month) or ``YYYY`` (January);
            anything else (a YAML integer year) is read as its ``str``.

    Returns:
        (year, month) with month in 1..12.

    Raises:
        ValueError: if the text is not such a date, or its year is not from
            :data:`FIRST_YEAR` to :data:`LAST_YEAR`.
    """
    if isinstance(text, str):
        return _parse_str(text)
    return _parse(text)


def _parse(text: object) -> tuple[int, int]:
    m = _DATE.match(str(text).strip())
    if not m:
        raise ValueError(f"{excerpt(text)} is not {DATE_HELP}")
    year = int(m.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(
            f"{excerpt(text)}: the year {year} is outside {FIRST_YEAR}-{LAST_YEAR}; "
            f"give a year from {FIRST_YEAR} to {LAST_YEAR}"
        )
    if m.group(2):
        return year, int(m.group(2))
    if m.group(3):
        return year, 3 * (int(m.group(3)) - 1) + 1
    return year, 1


_parse_str = lru_cache(maxsize=4096)(_parse)  # strings only (hashable); errors are not cached


@dataclass(frozen=True)
class TimeAxis:
    """The run's periods: ``n`` steps of ``unit`` from ``start`` to ``end`` inclusive."""

    start: tuple[int, int]
    end: tuple[int, int]
    unit: StepUnit

    @classmethod
    def between(cls, start: str, end: str, unit: StepUnit) -> TimeAxis:
        """The axis from date ``start`` to date ``end`` inclusive (see :func:`parse_date`)."""
        return cls(_parse_str(start), _parse_str(end), unit)

    @property
    def steps_per_year(self) -> int:
        """Steps in one year (12, 4 or 1)."""
        return STEPS_PER_YEAR[self.unit]

    @property
    def dt(self) -> float:
        """Length of one step in years."""
        return 1.0 / self.steps_per_year

    def index(self, date: str | tuple[int, int]) -> int:
        """Period index of a date (0 is the first period); may be outside ``range(n)``."""
        y, m = _parse_str(date) if isinstance(date, str) else date
        months = (y - self.start[0]) * 12 + (m - self.start[1])
        per = 12 // self.steps_per_year
        return months // per

    @property
    def n(self) -> int:
        """Number of periods (= steps) in the run."""
        return self.index(self.end) + 1

    def label(self, i: int) -> str:
        """Date label of period ``i``: ``2021-Q1``, ``2021-01`` or ``2021``."""
        per = 12 // self.steps_per_year
        months = self.start[0] * 12 + (self.start[1] - 1) + i * per
        y, m0 = divmod(months, 12)
        if self.unit == "quarter":
            return f"{y}-Q{m0 // 3 + 1}"
        if self.unit == "month":
            return f"{y}-{m0 + 1:02d}"
        return f"{y}"

    def labels(self) -> list[str]:
        """Date labels of all periods."""
        return [self.label(i) for i in range(self.n)]

    def year_of(self, i: int) -> float:
        """Decimal year at the start of period ``i``."""
        return self.start[0] + (self.start[1] - 1) / 12 + i * self.dt


def periods(labels: list[str]) -> pd.PeriodIndex:
    """Period labels (``2022-Q1``, ``2022-05``, ``2022``) as pandas periods (quarterly, monthly
    or yearly, as the labels are)."""
    import pandas as pd

    return pd.PeriodIndex([pd.Period(x) for x in labels])
