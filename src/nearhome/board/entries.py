"""Parsing a board row's form into the changes to save.

The board row and the patient page post the same fields; :func:`parse_entry` turns them into
an :class:`EntryChanges` or raises ``ValidationFailed`` listing every problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from nearhome.board.codes import CARER_INVOLVED, HOUSING_NEED, BoardCodes
from nearhome.board.validation import (
    FormReader,
    not_in_future,
    not_in_past,
    on_or_after,
    within_two_years,
)

DAY_STATUS = {"red": "Red day", "green": "Green day"}
YES_NO = {"yes": "Yes", "no": "No"}
MAX_WISHES = 1000


@dataclass(frozen=True)
class EntryChanges:
    """A complete, valid board entry as the user wants it saved."""

    expected_discharge_date: date | None
    crfd_start_date: date | None
    crfd_reason_code: str | None
    attributable_to_code: str | None
    day_status: str | None
    housing_need: str | None
    carer_involved: str | None
    wishes: str | None

    def as_record(self) -> dict[str, Any]:
        """Field → value with dates as ISO text (for history and JSON)."""
        return {
            k: v.isoformat() if isinstance(v, date) else v
            for k, v in asdict(self).items()
        }


def parse_entry(
    form: Mapping[str, str], *, codes: BoardCodes, today: date, admitted: date
) -> tuple[EntryChanges, int]:
    """The changes and the version they were based on, from a submitted board form.

    Raises:
        ValidationFailed: listing every problem; nothing should be saved.
    """
    read = FormReader(form, today)
    version = read.integer("version", "Version")
    edd = read.date(
        "expected_discharge_date",
        "Expected discharge date",
        rules=(not_in_past, within_two_years),
    )
    is_crfd = read.choice("is_crfd", "Clinically ready for discharge", YES_NO) == "yes"
    crfd_start, reason, attributable = _crfd(read, codes, admitted, is_crfd=is_crfd)
    changes = EntryChanges(
        expected_discharge_date=edd,
        crfd_start_date=crfd_start,
        crfd_reason_code=reason,
        attributable_to_code=attributable,
        day_status=read.choice("day_status", "Today's red or green day", DAY_STATUS),
        housing_need=read.choice("housing_need", "Housing need", HOUSING_NEED),
        carer_involved=read.choice("carer_involved", "Carer involved", CARER_INVOLVED),
        wishes=read.text("wishes", "The person's own wishes", max_length=MAX_WISHES),
    )
    read.check()
    return changes, version


def _crfd(
    read: FormReader, codes: BoardCodes, admitted: date, *, is_crfd: bool
) -> tuple[date | None, str | None, str | None]:
    reasons = {code: r.description for code, r in codes.reasons.items()}
    if not is_crfd:
        for name, label in (
            ("crfd_reason_code", "A delay reason"),
            ("attributable_to_code", "Attributable to"),
        ):
            if read.raw(name):
                read.fail(
                    name, f"{label} needs 'Clinically ready for discharge' set to Yes."
                )
        return None, None, None
    start = read.date(
        "crfd_start_date",
        "Clinically ready for discharge since",
        rules=(not_in_future, on_or_after(admitted, "the admission date")),
        required=True,
    )
    reason = read.choice("crfd_reason_code", "Delay reason", reasons, required=True)
    attributable = read.choice(
        "attributable_to_code", "Attributable to", codes.attributable_to
    )
    return start, reason, attributable
