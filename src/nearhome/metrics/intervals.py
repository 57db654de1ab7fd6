"""Merging overlapping intervals ("gaps and islands") with portable window functions.

Two facts need it. An out-of-area placement is a chain of overlapping OAP referrals for
the same person, merged as the publication does so a re-referral is not a new
placement. Detained bed days intersect ward stays with Mental Health Act detentions;
overlapping sections (a renewal recorded a day early) are merged first so no day is
counted twice.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
from ibis.expr.types import Table

OPEN_END = ibis.date(9999, 12, 31)
"""Stands in for a missing end (still open) while merging."""


def merged(table: Table, by: Sequence[str], start: str, end: str, order: str) -> Table:
    """One row per island of overlapping ``[start, end)`` intervals within ``by``.

    Args:
        table: Intervals (``end`` null = open).
        by: Columns that must match for intervals to merge (``person_id``).
        start: Start column.
        end: End column (exclusive).
        order: A unique column to break ties between equal starts.

    Returns:
        ``by`` columns, ``island`` (a number within ``by``), ``start_date``,
        ``end_date`` (null when any interval of the island is open), and
        ``first_key``: the ``order`` value of the island's first interval.
    """
    filled = table.mutate(_end=ibis.coalesce(table[end], OPEN_END))
    before = ibis.window(
        group_by=[filled[c] for c in by],
        order_by=[filled[start], filled[order]],
        rows=(None, -1),
    )
    earlier_end = filled._end.max().over(before)
    begins = (earlier_end.isnull() | (filled[start] > earlier_end)).cast("int64")
    flagged = filled.mutate(_begins=begins)
    running = ibis.window(
        group_by=[flagged[c] for c in by],
        order_by=[flagged[start], flagged[order]],
        rows=(None, 0),
    )
    numbered = flagged.mutate(island=flagged._begins.sum().over(running))
    islands = numbered.group_by([*by, "island"]).aggregate(
        start_date=numbered[start].min(),
        _end=numbered._end.max(),
        first_key=numbered[order].argmin(numbered[start]),
    )
    return islands.mutate(
        end_date=ibis.ifelse(islands._end == OPEN_END, ibis.null("date"), islands._end)
    ).drop("_end")
