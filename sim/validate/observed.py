"""Observed data for validation: SIPRI-format arms deliveries, the supplier-to-bloc map, periods.

Formats (CSV, UTF-8, one header line):

* observed deliveries, as SIPRI's trade-register export summed by year
  (``data/sipri_tiv_central_asia_1995_2019.csv``): ``recipient,supplier,year,tiv_musd`` with
  SIPRI country names, the delivery year and the trend-indicator value (TIV, millions; >= 0);
  extra columns are ignored; a file may hold more years than the shipped one;
* bloc map (``data/supplier_blocs.csv``): ``supplier,bloc``, one row per SIPRI supplier.

The years a file covers are taken to run from its first to its last year (SIPRI lists only
non-zero deliveries, so a missing recipient-year means none). Every problem is reported as a
:class:`~sim.errors.Problem` with file, line and field, and raised together as one
:class:`~sim.errors.UserError` before anything runs or is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import Problem, UserError

if TYPE_CHECKING:
    import pandas as pd

    from sim.scenario.timeaxis import TimeAxis

OBSERVED_COLUMNS = ("recipient", "supplier", "year", "tiv_musd")
BLOC_COLUMNS = ("supplier", "bloc")
MAX_PROBLEMS = 20
_PERIOD = re.compile(r"^\s*(\d{4})\s*-\s*(\d{4})\s*$")


@dataclass(frozen=True)
class Period:
    """A span of whole calendar years, ``first`` to ``last`` inclusive."""

    first: int
    last: int

    @property
    def years(self) -> int:
        """Number of years in the period."""
        return self.last - self.first + 1

    def previous(self) -> Period:
        """The period of equal length just before this one (the persistence forecast's source)."""
        return Period(self.first - self.years, self.first - 1)

    def __str__(self) -> str:
        return f"{self.first}-{self.last}"


@dataclass(frozen=True)
class Observed:
    """A validated observed-deliveries table.

    Attributes:
        file: the file as the user named it.
        table: columns recipient, supplier, year, tiv_musd, bloc (one row per input row).
        first_year: first year in the file.
        last_year: last year in the file.
        lines: 1-based file line of each row (aligned with ``table``).
    """

    file: str
    table: pd.DataFrame
    first_year: int
    last_year: int
    lines: tuple[int, ...]

    def volumes(self, period: Period, blocs: list[str]) -> pd.DataFrame:
        """TIV (millions) summed per recipient (rows) and bloc (columns ``blocs``) over
        ``period``."""
        t = self.table
        x = t[(t["year"] >= period.first) & (t["year"] <= period.last)]
        out = x.pivot_table(
            index="recipient", columns="bloc", values="tiv_musd", aggfunc="sum", fill_value=0.0
        )
        return out.reindex(columns=blocs, fill_value=0.0).astype(float)


def parse_period(text: str, option: str = "--period") -> Period:
    """Parse ``YYYY-YYYY`` (first year not after the last).

    Raises:
        UserError: naming ``option`` and the form expected.
    """
    m = _PERIOD.match(str(text))
    if not m:
        raise UserError(
            f"{option}: expected a period of whole years as YYYY-YYYY "
            f"(e.g. 2015-2019), got {text!r}"
        )
    a, b = int(m.group(1)), int(m.group(2))
    if b < a:
        raise UserError(
            f"{option}: {text!r} ends before it starts; give FIRST-LAST with FIRST <= LAST"
        )
    return Period(a, b)


def read_csv_checked(path: str | Path, what: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read a CSV as strings, checking it exists and has ``columns``."""
    import pandas as pd

    file = str(path)
    p = Path(path)
    if not p.exists():
        raise UserError(file, [Problem(file, "", f"no such file (expected the {what} CSV)")])
    if p.is_dir():
        raise UserError(file, [Problem(file, "", f"is a directory, not the {what} CSV")])
    try:
        df = pd.read_csv(
            p, dtype=str, keep_default_na=False, skipinitialspace=True, skip_blank_lines=False
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise UserError(file, [Problem(file, "", f"cannot read the {what} CSV: {msg}")]) from None
    df.columns = [str(c).strip() for c in df.columns]
    df.index = pd.RangeIndex(2, len(df) + 2)  # the file line of each row (header = line 1)
    df = df[(df != "").any(axis=1)]  # blank lines
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise UserError(
            file,
            [
                Problem(
                    file,
                    "",
                    f"missing column(s) {', '.join(missing)}; the {what} CSV needs the columns "
                    f"{','.join(columns)} (found: {','.join(df.columns) or 'none'})",
                    1,
                )
            ],
        )
    if df.empty:
        raise UserError(file, [Problem(file, "", f"the {what} CSV has a header but no rows", 1)])
    return df


def raise_problems(file: str, problems: list[Problem]) -> None:
    if problems:
        extra = len(problems) - MAX_PROBLEMS
        shown = problems[:MAX_PROBLEMS]
        if extra > 0:
            shown.append(Problem(file, "", f"... and {extra} more problem(s)"))
        raise UserError(f"{file}: {len(problems)} problem(s)", shown)


def read_blocs(path: str | Path) -> dict[str, str]:
    """Read the supplier-to-bloc map (``supplier,bloc``).

    Returns:
        supplier name -> bloc name, in file order.

    Raises:
        UserError: missing file or columns, blank names, a supplier mapped twice differently.
    """
    file = str(path)
    df = read_csv_checked(path, "bloc map", BLOC_COLUMNS)
    out: dict[str, str] = {}
    problems = []
    for line, sup, bloc in zip(df.index, df["supplier"], df["bloc"]):
        sup, bloc = sup.strip(), bloc.strip()
        if not sup or not bloc:
            problems.append(
                Problem(
                    file,
                    "supplier" if not sup else "bloc",
                    "blank value; every row needs a supplier and its bloc",
                    line,
                )
            )
            continue
        if sup in out and out[sup] != bloc:
            problems.append(
                Problem(
                    file,
                    "bloc",
                    f"supplier {sup!r} is mapped to {out[sup]!r} "
                    f"earlier and to {bloc!r} here; give one bloc",
                    line,
                )
            )
            continue
        out[sup] = bloc
    raise_problems(file, problems)
    return out


def bloc_names(blocs: dict[str, str]) -> list[str]:
    """The distinct blocs of a bloc map, in order of first appearance."""
    return list(dict.fromkeys(blocs.values()))


def read_observed(path: str | Path, blocs: dict[str, str], blocs_file: str = "") -> Observed:
    """Read and check an observed-deliveries CSV (see the module docstring for the format).

    Args:
        path: the CSV.
        blocs: the supplier-to-bloc map (every supplier in the file must be in it).
        blocs_file: the bloc map's file name (for messages).

    Raises:
        UserError: one problem per bad row (missing columns, non-numeric year or value, negative
            value, supplier not in the bloc map), with its line.
    """
    import pandas as pd

    file = str(path)
    df = read_csv_checked(path, "observed deliveries", OBSERVED_COLUMNS)
    problems: list[Problem] = []
    years, values = [], []
    for line, *row in df[list(OBSERVED_COLUMNS)].itertuples(index=True):
        rec, sup, yr, tiv = (str(v).strip() for v in row)
        if not rec:
            problems.append(Problem(file, "recipient", "blank recipient name", line))
        if sup not in blocs:
            near = _near(sup, list(blocs))
            problems.append(
                Problem(
                    file,
                    "supplier",
                    f"supplier {sup!r} is not in the bloc map"
                    f"{' ' + blocs_file if blocs_file else ''}{near}; add it there with its bloc",
                    line,
                )
            )
        try:
            y = int(yr)
            if not 1900 <= y <= 2200:
                raise ValueError
        except ValueError:
            problems.append(
                Problem(file, "year", f"expected a year such as 2015, got {yr!r}", line)
            )
            y = 0
        try:
            v = float(tiv)
            if not v >= 0 or v == float("inf"):
                raise ValueError
        except ValueError:
            problems.append(
                Problem(
                    file,
                    "tiv_musd",
                    f"expected a non-negative number (TIV, millions), got {tiv!r}",
                    line,
                )
            )
            v = 0.0
        years.append(y)
        values.append(v)
    raise_problems(file, problems)
    table = pd.DataFrame(
        {
            "recipient": df["recipient"].str.strip().to_numpy(),
            "supplier": df["supplier"].str.strip().to_numpy(),
            "year": years,
            "tiv_musd": values,
        }
    )
    table["bloc"] = table["supplier"].map(blocs)
    return Observed(file, table, int(min(years)), int(max(years)), tuple(int(i) for i in df.index))


def _near(word: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_recipients(observed: Observed, names: dict[str, str], scenario_file: str) -> None:
    """Every recipient must be the ``name`` of a state in the scenario.

    Args:
        observed: the observed table.
        names: state name -> state id of the scenario.
        scenario_file: for the message.

    Raises:
        UserError: one problem per unknown recipient (first line where it appears).
    """
    problems = []
    seen: set[str] = set()
    for line, rec in zip(observed.lines, observed.table["recipient"]):
        if rec in names or rec in seen:
            continue
        seen.add(rec)
        problems.append(
            Problem(
                observed.file,
                "recipient",
                f"recipient {rec!r} is not a state name in {scenario_file}{_near(rec, list(names))} "
                f"(names there: {', '.join(sorted(names))})",
                line,
            )
        )
    raise_problems(observed.file, problems)


def check_period(
    period: Period,
    observed: Observed,
    axis: TimeAxis,
    scenario_file: str,
    *,
    option: str = "--period",
    persistence: bool = True,
) -> None:
    """The period must lie inside the observed years and inside the run; with ``persistence``,
    the previous period of equal length must be in the data too (the persistence forecast).

    Args:
        period: the scored period.
        observed: the observed table (its years run from its first to its last year).
        axis: the run's time axis.
        scenario_file: for the message.
        option: the command-line option (for the message).
        persistence: also require the previous period in the data.

    Raises:
        UserError: saying which bound is violated and what is allowed.
    """
    problems = []
    if period.first < observed.first_year or period.last > observed.last_year:
        problems.append(
            Problem(
                observed.file,
                "year",
                f"{option} {period} is outside the observed data, which covers "
                f"{observed.first_year}-{observed.last_year}",
            )
        )
    elif persistence and period.previous().first < observed.first_year:
        problems.append(
            Problem(
                observed.file,
                "year",
                f"{option} {period}: the persistence forecast needs the "
                f"previous {period.years} year(s) {period.previous()}, but the data start in "
                f"{observed.first_year}; choose a period from {observed.first_year + period.years} on",
            )
        )
    if axis.index((period.first, 1)) < 0 or axis.index((period.last, 12)) > axis.n - 1:
        problems.append(
            Problem(
                scenario_file,
                "time",
                f"{option} {period} is outside the run ({axis.label(0)} to "
                f"{axis.label(axis.n - 1)}); the run must cover every year of the period",
            )
        )
    if problems:
        raise UserError(str(problems[0]), problems)
