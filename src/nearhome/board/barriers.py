"""Barriers to discharge and the actions agreed to clear them (owner, due date, done).

Adding a barrier and ticking it done are both audited with the values before and after.
Barriers carry their own ``version`` so two people ticking the same one cannot overwrite
each other without noticing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from nearhome.appdb import Actor, Barrier, record_event
from nearhome.board.validation import FormReader, not_in_past, within_two_years
from nearhome.errors import Conflict, NotFound

YES_NO = {"yes": "Yes", "no": "No"}


@dataclass(frozen=True)
class NewBarrier:
    """A valid barrier as typed in."""

    description: str
    action: str
    owner: str
    due_date: date | None


def parse_barrier(form: Mapping[str, str], *, today: date) -> NewBarrier:
    """A barrier from a submitted form.

    Raises:
        ValidationFailed: listing every problem.
    """
    read = FormReader(form, today)
    description = read.text("description", "Barrier", max_length=300, required=True)
    action = read.text("action", "Action", max_length=300, required=True)
    owner = read.text("owner", "Owner", max_length=100, required=True)
    due = read.date("due_date", "Due date", rules=(not_in_past, within_two_years))
    read.check()
    return NewBarrier(description or "", action or "", owner or "", due)


def list_barriers(session: Session, spell_id: str) -> list[Barrier]:
    """A spell's barriers: open ones first (by due date), then done ones."""
    return list(
        session.scalars(
            select(Barrier)
            .where(Barrier.spell_id == spell_id)
            .order_by(
                Barrier.is_done,
                Barrier.due_date.is_(None),
                Barrier.due_date,
                Barrier.id,
            )
        )
    )


def add_barrier(
    session: Session, *, spell_id: str, barrier: NewBarrier, actor: Actor, now: datetime
) -> Barrier:
    """Record a new barrier and its action."""
    row = Barrier(
        spell_id=spell_id,
        description=barrier.description,
        action=barrier.action,
        owner=barrier.owner,
        due_date=barrier.due_date,
        is_done=False,
        created_at=now,
        created_by=actor.username,
    )
    session.add(row)
    session.flush()
    record_event(
        session,
        actor,
        action="add_barrier",
        object_type="spell",
        object_id=spell_id,
        at=now,
        detail={"before": None, "after": _as_record(row)},
    )
    return row


def set_barrier_done(
    session: Session,
    *,
    spell_id: str,
    barrier_id: int,
    done: bool,
    expected_version: int,
    actor: Actor,
    now: datetime,
) -> Barrier:
    """Tick a barrier done (or undo that).

    Raises:
        NotFound: the barrier does not belong to this spell.
        Conflict: someone changed it first.
    """
    row = session.get(Barrier, barrier_id, populate_existing=True)
    if row is None or row.spell_id != spell_id:
        raise NotFound("That barrier does not exist on this patient's record.")
    if row.version != expected_version:
        raise _conflict(row)
    before = _as_record(row)
    try:
        with session.begin_nested():
            row.is_done = done
            row.done_at = now if done else None
    except StaleDataError as exc:
        raise _conflict(row) from exc
    record_event(
        session,
        actor,
        action="update_barrier",
        object_type="spell",
        object_id=spell_id,
        at=now,
        detail={"before": before, "after": _as_record(row), "barrier_id": barrier_id},
    )
    return row


def _conflict(row: Barrier) -> Conflict:
    return Conflict(
        f"Someone else changed the barrier '{row.description[:40]}' first.",
        hint="Nothing was saved. The latest version is shown; try again if still needed.",
    )


def _as_record(row: Barrier) -> dict[str, object]:
    return {
        "barrier_id": row.id,
        "description": row.description,
        "action": row.action,
        "owner": row.owner,
        "due_date": row.due_date.isoformat() if row.due_date else None,
        "is_done": row.is_done,
    }
