"""The ICB case manager's lists: residents placed out of area, and long stays.

An out-of-area placement is an open spell carrying an OAP reason (``is_oap``). For each one
the list shows where, how far, since when, why (and whether that reason makes it an
inappropriate OAP), when the next review is due (at least every three months), the
repatriation plan, whether the person's wishes are recorded and whether advocacy was offered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from nearhome.appdb import Actor, PlacementReview, record_event
from nearhome.board.codes import ADVOCACY_OFFERED, BoardCodes
from nearhome.board.rows import BoardRow
from nearhome.board.validation import (
    FormReader,
    not_in_future,
    not_in_past,
    on_or_after,
    within_two_years,
)
from nearhome.errors import Conflict

REVIEW_INTERVAL_MONTHS = 3


@dataclass(frozen=True)
class PlacementLine:
    """One out-of-area placement on the case manager's list."""

    row: BoardRow
    reason: str
    is_inappropriate: bool
    last_review_date: date | None
    next_review_due: date
    review_overdue: bool
    repatriation_plan: str | None
    repatriation_target_date: date | None
    advocacy_offered: str | None
    wishes_recorded: bool
    version: int


@dataclass(frozen=True)
class PlacementChanges:
    """A valid placement review as typed in."""

    last_review_date: date | None
    repatriation_plan: str | None
    repatriation_target_date: date | None
    advocacy_offered: str | None


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the last day of the month when it does not exist)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def load_reviews(
    session: Session, spell_ids: Sequence[str]
) -> dict[str, PlacementReview]:
    """Placement reviews of the given spells."""
    if not spell_ids:
        return {}
    query = select(PlacementReview).where(PlacementReview.spell_id.in_(list(spell_ids)))
    return {r.spell_id: r for r in session.scalars(query)}


def placement_lines(
    rows: Sequence[BoardRow],
    reviews: Mapping[str, PlacementReview],
    *,
    codes: BoardCodes,
    today: date,
) -> list[PlacementLine]:
    """The out-of-area list, most overdue review first."""
    lines = []
    for row in rows:
        if not row.is_oap:
            continue
        review = reviews.get(row.spell_id)
        last = review.last_review_date if review else None
        due = add_months(last or row.admission_date, REVIEW_INTERVAL_MONTHS)
        code = row.oap_reason_code
        lines.append(
            PlacementLine(
                row=row,
                reason=codes.oap_reasons.get(code, code) if code else "Not recorded",
                is_inappropriate=code in codes.inappropriate_oap_reasons,
                last_review_date=last,
                next_review_due=due,
                review_overdue=due < today,
                repatriation_plan=review.repatriation_plan if review else None,
                repatriation_target_date=review.repatriation_target_date
                if review
                else None,
                advocacy_offered=review.advocacy_offered if review else None,
                wishes_recorded=bool(row.wishes),
                version=review.version if review else 0,
            )
        )
    return sorted(lines, key=lambda line: (line.next_review_due, line.row.spell_id))


def long_stays(rows: Sequence[BoardRow], *, codes: BoardCodes) -> list[BoardRow]:
    """Current stays at or past the long-stay mark for their bed type, longest first."""
    kept = [
        r for r in rows if r.days_in_hospital >= codes.long_stay_days(r.bed_type_code)
    ]
    return sorted(kept, key=lambda r: (-r.days_in_hospital, r.spell_id))


def parse_placement(
    form: Mapping[str, str], *, today: date, admitted: date
) -> tuple[PlacementChanges, int]:
    """A placement review from a submitted form, and the version it was based on.

    Raises:
        ValidationFailed: listing every problem.
    """
    read = FormReader(form, today)
    version = read.integer("version", "Version")
    changes = PlacementChanges(
        last_review_date=read.date(
            "last_review_date",
            "Last review date",
            rules=(not_in_future, on_or_after(admitted, "the admission date")),
        ),
        repatriation_plan=read.text(
            "repatriation_plan", "Repatriation plan", max_length=2000
        ),
        repatriation_target_date=read.date(
            "repatriation_target_date",
            "Repatriation target date",
            rules=(not_in_past, within_two_years),
        ),
        advocacy_offered=read.choice(
            "advocacy_offered", "Advocacy offered", ADVOCACY_OFFERED
        ),
    )
    read.check()
    return changes, version


def save_placement(
    session: Session,
    *,
    spell_id: str,
    changes: PlacementChanges,
    expected_version: int,
    actor: Actor,
    now: datetime,
) -> PlacementReview:
    """Save a placement review if nobody else saved it first.

    Raises:
        Conflict: the stored version is not the one the form was based on.
    """
    review = session.get(PlacementReview, spell_id, populate_existing=True)
    if (0 if review is None else review.version) != expected_version:
        raise _conflict()
    fields = (
        "last_review_date",
        "repatriation_plan",
        "repatriation_target_date",
        "advocacy_offered",
    )
    before = {f: _plain(getattr(review, f)) if review else None for f in fields}
    try:
        with session.begin_nested():
            if review is None:
                review = PlacementReview(spell_id=spell_id)
                session.add(review)
            for name in fields:
                setattr(review, name, getattr(changes, name))
            review.updated_at = now
            review.updated_by = actor.username
    except (StaleDataError, IntegrityError) as exc:
        raise _conflict() from exc
    after = {f: _plain(getattr(review, f)) for f in fields}
    record_event(
        session,
        actor,
        action="update_placement",
        object_type="spell",
        object_id=spell_id,
        at=now,
        detail={"before": before, "after": after, "version": review.version},
    )
    return review


def _conflict() -> Conflict:
    return Conflict(
        "Someone else updated this placement review while you were editing.",
        hint="Your changes have not been saved and are still in the form; check and save again.",
    )


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value
