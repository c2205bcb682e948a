"""Observed bilateral trade (ITPD-E format) for the trade part of a hindcast.

Format (``data/trade_itpde_central_asia_2000_2016.csv``): ``reporter_iso3,partner,year,
turnover_musd2010`` (other columns ignored). Partners map onto model states by
:data:`PARTNER_MAP` (USA and EU27 together are the West); ``WORLD`` and unmapped partners are
ignored. Shares are taken among the mapped partners only (they sum to 1), on both the observed
and the model side, so that trade with the rest of the world does not enter the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import Problem, UserError
from sim.validate.observed import Period, raise_problems, read_csv_checked

if TYPE_CHECKING:
    import pandas as pd

TRADE_COLUMNS = ("reporter_iso3", "partner", "year", "turnover_musd2010")
PARTNER_MAP: dict[str, str] = {
    "RUS": "RUS",
    "CHN": "CHN",
    "TUR": "TUR",
    "USA": "WEST",
    "EU27": "WEST",
}


@dataclass(frozen=True)
class TradeObserved:
    """Observed turnover by reporter (a model state id), partner (a model state id) and year."""

    file: str
    table: pd.DataFrame  # reporter, partner, year, turnover
    first_year: int
    last_year: int

    def years_in(self, period: Period) -> Period | None:
        """The part of ``period`` the data cover (None if none)."""
        a, b = max(period.first, self.first_year), min(period.last, self.last_year)
        return Period(a, b) if a <= b else None

    def volumes(self, period: Period, partners: list[str]) -> pd.DataFrame:
        """Turnover summed per reporter (rows) and partner (columns) over ``period``."""
        t = self.table
        x = t[(t["year"] >= period.first) & (t["year"] <= period.last)]
        out = x.pivot_table(
            index="reporter", columns="partner", values="turnover", aggfunc="sum", fill_value=0.0
        )
        return out.reindex(columns=partners, fill_value=0.0).astype(float)


def read_trade(path: str | Path, state_ids: tuple[str, ...], scenario_file: str) -> TradeObserved:
    """Read and check an ITPD-format trade CSV against the scenario's state ids.

    Raises:
        UserError: missing columns, bad numbers, reporters that are not state ids.
    """
    import pandas as pd

    file = str(path)
    df = read_csv_checked(path, "observed trade", TRADE_COLUMNS)
    problems, rows = [], []
    unknown: set[str] = set()
    for line, rep, par, yr, val in df[list(TRADE_COLUMNS)].itertuples(index=True):
        rep, par = rep.strip(), par.strip()
        if rep not in state_ids:
            if rep not in unknown:
                unknown.add(rep)
                problems.append(
                    Problem(
                        file,
                        "reporter_iso3",
                        f"reporter {rep!r} is not a state id in {scenario_file} "
                        f"(ids: {', '.join(state_ids)})",
                        line,
                    )
                )
            continue
        try:
            y, v = int(yr), float(val)
            if not v >= 0:
                raise ValueError
        except ValueError:
            problems.append(
                Problem(
                    file,
                    "year/turnover_musd2010",
                    f"expected a year and a non-negative turnover, got {yr!r}, {val!r}",
                    line,
                )
            )
            continue
        mapped = PARTNER_MAP.get(par)
        if mapped is not None and mapped in state_ids and mapped != rep:
            rows.append((rep, mapped, y, v))
    raise_problems(file, problems)
    if not rows:
        raise UserError(
            file,
            [
                Problem(
                    file,
                    "partner",
                    f"no rows with a partner the model has ({', '.join(sorted(set(PARTNER_MAP)))})",
                )
            ],
        )
    t = pd.DataFrame(rows, columns=["reporter", "partner", "year", "turnover"])
    return TradeObserved(file, t, int(t["year"].min()), int(t["year"].max()))


def partners(trade: TradeObserved) -> list[str]:
    """The model partner ids present in the trade data, in :data:`PARTNER_MAP` order."""
    have = set(trade.table["partner"])
    return [p for p in dict.fromkeys(PARTNER_MAP.values()) if p in have]
