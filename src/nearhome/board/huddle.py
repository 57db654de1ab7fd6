"""The daily huddle summary for a flow manager: where the delays are and where the beds are.

Computed from the same board rows the ward teams edit, so a CRFD recorded on a ward shows in
the huddle at once: CRFD count and days by reason group, new delays, EDDs due today, and
beds free by capacity pool.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from nearhome.board.codes import REASON_GROUP_LABELS, BoardCodes
from nearhome.board.rows import BoardRow

NEW_DELAY_DAYS = 1
"""A delay is new when CRFD started today or yesterday (since the last daily huddle)."""


@dataclass(frozen=True)
class ReasonGroupLine:
    """CRFD patients and their CRFD days in one reason group."""

    group: str
    label: str
    patients: int
    crfd_days: int


@dataclass(frozen=True)
class PoolLine:
    """Beds in one capacity pool: available, occupied, free."""

    pool: str
    label: str
    beds: int
    occupied: int

    @property
    def free(self) -> int:
        """Beds free now (never below zero; over-occupancy shows as 0 free)."""
        return max(0, self.beds - self.occupied)


@dataclass(frozen=True)
class HuddleSummary:
    """Everything the daily huddle looks at."""

    today: date
    inpatients: int
    crfd_patients: int
    crfd_days: int
    by_group: list[ReasonGroupLine]
    new_delays: list[BoardRow]
    edds_today: list[BoardRow]
    red_days: int
    green_days: int
    not_reviewed: int
    pools: list[PoolLine]


def huddle_summary(
    rows: Sequence[BoardRow], beds: pd.DataFrame, *, codes: BoardCodes, today: date
) -> HuddleSummary:
    """Summarise board rows and ward beds for one day's huddle."""
    crfd = [r for r in rows if r.is_crfd]
    since = today - timedelta(days=NEW_DELAY_DAYS)
    statuses = Counter(r.day_status for r in rows)
    return HuddleSummary(
        today=today,
        inpatients=len(rows),
        crfd_patients=len(crfd),
        crfd_days=sum(r.crfd_days or 0 for r in crfd),
        by_group=_by_group(crfd),
        new_delays=[
            r
            for r in crfd
            if r.crfd_start_date is not None and r.crfd_start_date >= since
        ],
        edds_today=[r for r in rows if r.expected_discharge_date == today],
        red_days=statuses.get("red", 0),
        green_days=statuses.get("green", 0),
        not_reviewed=statuses.get(None, 0),
        pools=_pools(rows, beds, codes),
    )


def _by_group(crfd: Sequence[BoardRow]) -> list[ReasonGroupLine]:
    lines = []
    for group, label in REASON_GROUP_LABELS.items():
        members = [r for r in crfd if (r.reason_group or "not_known") == group]
        lines.append(
            ReasonGroupLine(
                group, label, len(members), sum(r.crfd_days or 0 for r in members)
            )
        )
    return lines


def _pools(
    rows: Sequence[BoardRow], beds: pd.DataFrame, codes: BoardCodes
) -> list[PoolLine]:
    available: Counter[str] = Counter()
    for bed_type, count in zip(beds["bed_type_code"], beds["beds"], strict=True):
        available[codes.pool_of(None if bed_type is None else str(bed_type))] += int(
            count
        )
    occupied = Counter(codes.pool_of(r.bed_type_code) for r in rows)
    pools = sorted(set(available) | {p for p in occupied if p in available})
    return [
        PoolLine(p, p.replace("_", " ").capitalize(), available[p], occupied[p])
        for p in pools
    ]
