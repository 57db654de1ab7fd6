"""The MHS26 rule for counting days clinically ready for discharge (CRFD).

The publication counts a CRFD period's days in a reporting period from the period's
start if the CRFD period began earlier; otherwise from the day *after* it began, unless
it began within a day of the spell's previous CRFD period ending (a continuation), in
which case from the day it began. Days run up to its end date, or to the end of the
reporting period if it is still open. Periods that start and end on the same day are
left out. The same rule, applied over a whole spell, gives the CRFD days subtracted for
"length of stay excluding CRFD days", so the two always agree.

Simplification: the publication ranks periods within one month's submission; here the
previous period is the spell's previous period in the whole history, so a period that
continues one closed in an earlier month is treated as the continuation it is.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import IntegerValue, Table, Value

from nearhome.metrics.calendar import days_between, plus_days
from nearhome.metrics.measures import Tables


def ranked_crfd(tables: Tables) -> Table:
    """CRFD periods (single-day ones removed) with ``is_first`` in their spell and the
    previous period's ``previous_end``."""
    crfd = tables["crfd_period"]
    crfd = crfd.filter(crfd.end_date.isnull() | (crfd.end_date != crfd.start_date))
    window = ibis.window(
        group_by=crfd.spell_id, order_by=[crfd.start_date, crfd.crfd_id]
    )
    return crfd.mutate(
        is_first=ibis.row_number().over(window) == 0,
        previous_end=crfd.end_date.lag().over(window),
    )


def crfd_days(t: Table, window_start: Value, window_end: Value) -> IntegerValue:
    """CRFD days of each ranked period within ``[window_start, window_end)``.

    ``t`` has ``start_date``, ``end_date``, ``is_first`` and ``previous_end``.
    """
    # As published: a later period not starting more than a day after the previous
    # one ended (or whose predecessor is still open) counts from its own start day.
    continues = ~t.is_first & (
        t.previous_end.isnull() | (t.start_date <= plus_days(t.previous_end, 1))
    )
    first_day = ibis.cases(
        (t.start_date < window_start, window_start),
        (continues, t.start_date),
        else_=plus_days(t.start_date, 1),
    )
    last = ibis.least(ibis.coalesce(t.end_date, window_end), window_end)
    return ibis.greatest(days_between(last, first_day), 0)  # type: ignore[no-any-return]
