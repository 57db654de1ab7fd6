"""Aggregates for analysts and commissioners: counts only, never a person.

Planning users see counts per treating provider for the ICB's residents, with the MHSDS
publication rule for small numbers applied (1–4 shown as ``*``, everything else rounded to the
nearest 5), so no figure can single a person out. Nothing here returns a row per patient.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nearhome.board.codes import REASON_GROUP_LABELS, BoardCodes
from nearhome.board.rows import BoardRow

SMALL_NUMBER_LIMIT = 4
ROUND_TO = 5
SUPPRESSED = "*"


def suppress_count(count: int) -> str:
    """The MHSDS rule: 0 stays 0, 1–4 become ``*``, the rest are rounded to the nearest 5."""
    if count == 0:
        return "0"
    if count <= SMALL_NUMBER_LIMIT:
        return SUPPRESSED
    return str(int(ROUND_TO * round(count / ROUND_TO)))


@dataclass(frozen=True)
class AggregateTable:
    """A small table of suppressed counts, ready to render or write as CSV."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str


MEASURES: tuple[tuple[str, Callable[[BoardRow], bool]], ...] = (
    ("Inpatients", lambda _r: True),
    ("Clinically ready for discharge", lambda r: r.is_crfd),
    ("Delayed more than 7 days", lambda r: r.is_delayed),
    ("Out of area placements", lambda r: r.is_oap),
    ("Inappropriate out of area placements", lambda r: r.is_inappropriate_oap),
)


def provider_counts(rows: Sequence[BoardRow], *, codes: BoardCodes) -> AggregateTable:
    """Counts per treating provider (and in total), small numbers suppressed."""
    providers = sorted(
        {r.provider_name or r.provider_code or "Not known" for r in rows}
    )
    body = []
    for provider in [*providers, "All providers"]:
        members = [
            r
            for r in rows
            if provider
            in ("All providers", r.provider_name or r.provider_code or "Not known")
        ]
        long_stays = sum(
            r.days_in_hospital >= codes.long_stay_days(r.bed_type_code) for r in members
        )
        counts = [sum(1 for r in members if test(r)) for _, test in MEASURES]
        body.append((provider, *(suppress_count(c) for c in [*counts, long_stays])))
    return AggregateTable(
        title="Current inpatients by treating provider",
        columns=("Provider", *(label for label, _ in MEASURES), "Long stays"),
        rows=tuple(body),
        note="Counts of 1 to 4 are shown as *; other counts are rounded to the nearest 5.",
    )


def reason_group_counts(rows: Sequence[BoardRow]) -> AggregateTable:
    """CRFD patients and CRFD days by delay reason group, small numbers suppressed."""
    crfd = [r for r in rows if r.is_crfd]
    body = []
    for group, label in REASON_GROUP_LABELS.items():
        members = [r for r in crfd if (r.reason_group or "not_known") == group]
        days = sum(r.crfd_days or 0 for r in members)
        body.append(
            (
                label,
                suppress_count(len(members)),
                suppress_count(days) if members else "0",
            )
        )
    return AggregateTable(
        title="Clinically ready for discharge by delay reason group",
        columns=("Reason group", "Patients", "Days clinically ready"),
        rows=tuple(body),
        note="Days are suppressed and rounded like patient counts.",
    )
