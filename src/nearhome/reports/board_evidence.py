"""What the daily discharge board records that MHSDS does not: carer involvement.

The board's ward teams record, for each current inpatient, whether a carer is involved in
discharge planning. The scorecard's *Valuing* principle reads it as counts by answer
(never a row per person). When no board database is given the report says "no data"
rather than guessing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from nearhome.appdb.database import open_database
from nearhome.appdb.models import BoardEntry

__all__ = ["CarerInvolvement", "carer_involvement"]

NOT_APPLICABLE = ("no_carer", "declined")
"""Answers that take a person out of the denominator of 'carer involved'."""


@dataclass(frozen=True)
class CarerInvolvement:
    """Counts of board entries by carer-involvement answer.

    Attributes:
        entries: Board entries (current inpatients the ward teams have updated).
        recorded: Entries with any answer.
        involved: Entries answered "yes".
        eligible: Entries answered, less "no carer" and "declined".
    """

    entries: int
    recorded: int
    involved: int
    eligible: int


def carer_involvement(url: str) -> CarerInvolvement:
    """Count carer-involvement answers in the board database at ``url``.

    Raises:
        InvalidConfig: the URL is not a database nearhome can use.
    """
    database = open_database(url)
    try:
        with database.sessions() as session:
            query = select(BoardEntry.carer_involved, func.count()).group_by(
                BoardEntry.carer_involved
            )
            counts = {answer: int(n) for answer, n in session.execute(query).all()}
    finally:
        database.dispose()
    entries = sum(counts.values())
    recorded = entries - counts.get(None, 0)
    excluded = sum(counts.get(a, 0) for a in NOT_APPLICABLE)
    return CarerInvolvement(
        entries=entries,
        recorded=recorded,
        involved=counts.get("yes", 0),
        eligible=recorded - excluded,
    )
