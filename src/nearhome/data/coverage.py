"""Which months the warehouse holds: the report's default year, the prepared facts' span.

The months are those of the hospital spell submissions (``UniqMonthID`` of MHS501), the
same rule ``nearhome data load`` uses for "open at the end of the data": a month is in the
data when some provider submitted it, so nothing defaults past the last submission
(where every open stay would look as if it ran on forever).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from nearhome.data.warehouse import Warehouse
from nearhome.errors import DataError
from nearhome.periods import ReportingPeriod, add_months, month_of_uniq_id

SPELLS = "raw_MHS501HospProvSpell"


@dataclass(frozen=True)
class Coverage:
    """The first and last month submitted."""

    first_month: dt.date
    last_month: dt.date

    @property
    def span(self) -> ReportingPeriod:
        """Every month in the data."""
        return ReportingPeriod(self.first_month, add_months(self.last_month, 1))


def data_coverage(warehouse: Warehouse) -> Coverage:
    """The first and last submitted months in the warehouse.

    Raises:
        DataError: nothing has been loaded.
    """
    if not warehouse.has_table(SPELLS):
        raise DataError(
            "The warehouse holds no hospital spells.",
            hint="Load an extract first: nearhome data load FOLDER --warehouse URL",
        )
    months = warehouse.table(SPELLS).UniqMonthID
    frame = warehouse.execute(
        months.min()
        .name("first")
        .as_table()
        .cross_join(months.max().name("last").as_table())
    )
    first, last = frame["first"].iloc[0], frame["last"].iloc[0]
    if first is None or last is None or frame.isna().any(axis=None):
        raise DataError(
            "The warehouse holds no hospital spells.",
            hint="Load an extract first: nearhome data load FOLDER --warehouse URL",
        )
    return Coverage(month_of_uniq_id(int(first)), month_of_uniq_id(int(last)))
