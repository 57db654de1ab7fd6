"""The extract's months and the simulation's days, as integer day numbers.

Days are counted from 1970-01-01 (``numpy.datetime64`` day units), so date arithmetic
is integer arithmetic on arrays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from nearhome.data.synthetic.draws import IntArray
from nearhome.periods import add_months, uniq_month_id

_EPOCH = dt.date(1970, 1, 1)


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01."""
    return (day - _EPOCH).days


@dataclass(frozen=True)
class Timeline:
    """The months of an extract and the days simulated before and during them."""

    month_starts: IntArray
    """First day of each month of the extract, then the day after the last month."""
    month_ids: IntArray
    """``UniqMonthID`` of each month."""
    burn_in_days: int

    @classmethod
    def ending(cls, end_month: dt.date, months: int, burn_in_days: int) -> Timeline:
        """The ``months`` calendar months ending with the month of ``end_month``."""
        last = dt.date(end_month.year, end_month.month, 1)
        firsts = [add_months(last, k - months + 1) for k in range(months + 1)]
        starts = np.array([day_number(d) for d in firsts], dtype=np.int64)
        ids = np.array([uniq_month_id(d) for d in firsts[:-1]], dtype=np.int64)
        return cls(month_starts=starts, month_ids=ids, burn_in_days=burn_in_days)

    @property
    def months(self) -> int:
        """Number of months in the extract."""
        return len(self.month_ids)

    @property
    def start(self) -> int:
        """First day of the extract."""
        return int(self.month_starts[0])

    @property
    def end(self) -> int:
        """Day after the last day of the extract."""
        return int(self.month_starts[-1])

    @property
    def sim_start(self) -> int:
        """First simulated day: the burn-in lets bed occupancy settle before the extract."""
        return self.start - self.burn_in_days

    def month_index(self, days: IntArray) -> IntArray:
        """Month of each day (``-1`` before the extract, ``months`` after it)."""
        return (
            np.searchsorted(self.month_starts, days, side="right").astype(np.int64) - 1
        )

    def years(self) -> list[int]:
        """Years whose mid-year (30 June) falls in the extract: one population each.

        A 12-month extract always holds exactly one 30 June, so ``years`` years of
        extract give ``years`` mid-year estimates.
        """
        first = np.datetime64(self.start, "D").astype(object).year
        last = np.datetime64(self.end - 1, "D").astype(object).year
        return [
            y
            for y in range(first, last + 1)
            if self.start <= day_number(dt.date(y, 6, 30)) < self.end
        ]
