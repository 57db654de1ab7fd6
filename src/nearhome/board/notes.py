"""Board notes: saving what the ward team records, with history, audit and locking.

Each save is one transaction: the board entry, its EDD history, its CRFD periods, today's
red/green day and the audit event (with the values before and after) commit together or
not at all. Entries carry a ``version``: a save based on an older version than the one
stored is refused with :class:`~nearhome.errors.Conflict`, so the second of two
concurrent saves never silently overwrites the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Date,
    Select,
    bindparam,
    case,
    func,
    select,
    union,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nearhome.appdb import (
    Actor,
    AuditEvent,
    Barrier,
    BoardEntry,
    CrfdRecord,
    DayStatus,
    EddRecord,
    events_for,
    record_event,
)
from nearhome.board.entries import EntryChanges
from nearhome.errors import Conflict

TRACKED = (
    "expected_discharge_date",
    "crfd_start_date",
    "crfd_reason_code",
    "attributable_to_code",
    "housing_need",
    "carer_involved",
    "wishes",
)
"""Board entry fields whose changes are kept in the history."""
CHANGE_ACTIONS = (
    "update_board_entry",
    "add_barrier",
    "update_barrier",
    "update_placement",
)


@dataclass(frozen=True)
class EntryValues:
    """A board entry as plain values: what the board shows, without an ORM object."""

    spell_id: str
    version: int
    expected_discharge_date: date | None
    edd_slip_count: int
    crfd_start_date: date | None
    crfd_reason_code: str | None
    attributable_to_code: str | None
    housing_need: str | None
    carer_involved: str | None
    wishes: str | None


_ENTRY_COLUMNS = (
    BoardEntry.spell_id,
    BoardEntry.version,
    BoardEntry.expected_discharge_date,
    BoardEntry.edd_slip_count,
    BoardEntry.crfd_start_date,
    BoardEntry.crfd_reason_code,
    BoardEntry.attributable_to_code,
    BoardEntry.housing_need,
    BoardEntry.carer_involved,
    BoardEntry.wishes,
)


@dataclass(frozen=True)
class BoardState:
    """What the board database holds about one spell today."""

    entry: EntryValues | None
    day_status: str | None
    barriers_open: int
    barriers_overdue: int

    @property
    def version(self) -> int:
        """The entry's version (0 before anything was saved)."""
        return 0 if self.entry is None else self.entry.version


_IDS: BindParameter[str] = bindparam("ids", expanding=True)
_TODAY: BindParameter[date] = bindparam("today", type_=Date)


def _board_state_query() -> Select[Any]:
    """Entries, today's red/green day and open barrier counts: one query, one round trip."""
    keys = union(
        select(BoardEntry.spell_id).where(BoardEntry.spell_id.in_(_IDS)),
        select(DayStatus.spell_id).where(
            DayStatus.spell_id.in_(_IDS), DayStatus.day == _TODAY
        ),
        select(Barrier.spell_id).where(
            Barrier.spell_id.in_(_IDS), Barrier.is_done.is_(False)
        ),
    ).subquery("keys")
    barriers = (
        select(
            Barrier.spell_id,
            func.count().label("open"),
            func.sum(case((Barrier.due_date < _TODAY, 1), else_=0)).label("overdue"),
        )
        .where(Barrier.spell_id.in_(_IDS), Barrier.is_done.is_(False))
        .group_by(Barrier.spell_id)
        .subquery("open_barriers")
    )
    return (
        select(
            keys.c.spell_id.label("key"),
            *_ENTRY_COLUMNS,
            DayStatus.status,
            barriers.c.open,
            barriers.c.overdue,
        )
        .select_from(keys)
        .outerjoin(BoardEntry, BoardEntry.spell_id == keys.c.spell_id)
        .outerjoin(
            DayStatus,
            (DayStatus.spell_id == keys.c.spell_id) & (DayStatus.day == _TODAY),
        )
        .outerjoin(barriers, barriers.c.spell_id == keys.c.spell_id)
    )


_BOARD_STATE = _board_state_query()
_ENTRY_NAMES = tuple(column.key for column in _ENTRY_COLUMNS)


def load_board_state(
    session: Session, spell_ids: Sequence[str], *, today: date
) -> dict[str, BoardState]:
    """Board entries, today's red/green day and barrier counts for the given spells.

    One query (a board view on PostgreSQL pays per round trip), read as plain column values,
    not ORM objects: every board view runs this for a whole ward, and building and tracking
    mapped instances cost more than the queries.
    """
    ids = list(spell_ids)
    if not ids:
        return {}
    found: dict[str, BoardState] = {}
    for row in session.execute(_BOARD_STATE, {"ids": ids, "today": today}):
        values = row._mapping
        found[row.key] = BoardState(
            entry=None
            if values["spell_id"] is None
            else EntryValues(**{name: values[name] for name in _ENTRY_NAMES}),
            day_status=values["status"],
            barriers_open=int(values["open"] or 0),
            barriers_overdue=int(values["overdue"] or 0),
        )
    empty = BoardState(None, None, 0, 0)
    return {spell_id: found.get(spell_id, empty) for spell_id in ids}


def _record(entry: BoardEntry | None, day_status: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: getattr(entry, name) if entry else None for name in TRACKED
    }
    values["day_status"] = day_status
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def save_entry(
    session: Session,
    *,
    spell_id: str,
    changes: EntryChanges,
    expected_version: int,
    actor: Actor,
    today: date,
    now: datetime,
) -> BoardEntry:
    """Save a board entry if nobody else saved it since ``expected_version``.

    Returns:
        The entry as stored, with its new version (unchanged if nothing differed).

    Raises:
        Conflict: someone else saved first; nothing was written.
    """
    entry = session.get(BoardEntry, spell_id, populate_existing=True)
    old_status = session.scalar(
        select(DayStatus.status).where(
            DayStatus.spell_id == spell_id, DayStatus.day == today
        )
    )
    if (0 if entry is None else entry.version) != expected_version:
        raise _conflict(entry)
    before = _record(entry, old_status)
    after = changes.as_record()
    changed = sorted(k for k in after if after[k] != before.get(k))
    if entry is not None and not changed:
        return entry
    old_edd = entry.expected_discharge_date if entry else None
    old_crfd = _crfd_of(entry)
    stored = _write_entry(session, spell_id, entry, changes, actor=actor, now=now)
    _track_edd(session, stored, old_edd, actor=actor, now=now)
    _track_crfd(session, spell_id, old_crfd, changes, actor=actor, today=today, now=now)
    if "day_status" in changed:
        _set_day_status(
            session, spell_id, changes.day_status, actor=actor, today=today, now=now
        )
    record_event(
        session,
        actor,
        action="update_board_entry",
        object_type="spell",
        object_id=spell_id,
        at=now,
        detail={
            "before": {k: before.get(k) for k in changed},
            "after": {k: after[k] for k in changed},
            "version": stored.version,
        },
    )
    return stored


def _conflict(entry: BoardEntry | None) -> Conflict:
    who = ""
    if entry is not None:
        who = f" (saved by {entry.updated_by} at {entry.updated_at:%H:%M} UTC)"
    return Conflict(
        f"Someone else saved changes to this patient while you were editing{who}.",
        hint="Your changes have not been saved and are still in the form. Check them against "
        "the latest values shown, then save again.",
    )


def _crfd_of(entry: BoardEntry | None) -> tuple[date | None, str | None, str | None]:
    if entry is None:
        return None, None, None
    return entry.crfd_start_date, entry.crfd_reason_code, entry.attributable_to_code


def _write_entry(
    session: Session,
    spell_id: str,
    entry: BoardEntry | None,
    changes: EntryChanges,
    *,
    actor: Actor,
    now: datetime,
) -> BoardEntry:
    """Insert or conditionally update the entry; losing a race is a Conflict."""
    values: dict[str, Any] = {name: getattr(changes, name) for name in TRACKED}
    if entry is None:
        created = BoardEntry(
            spell_id=spell_id,
            version=1,
            edd_slip_count=0,
            updated_at=now,
            updated_by=actor.username,
            **values,
        )
        try:
            with session.begin_nested():
                session.add(created)
        except IntegrityError as exc:
            raise _conflict(
                session.get(BoardEntry, spell_id, populate_existing=True)
            ) from exc
        return created
    version = entry.version
    result = session.execute(
        update(BoardEntry)
        .where(BoardEntry.spell_id == spell_id, BoardEntry.version == version)
        .values(
            **values, version=version + 1, updated_at=now, updated_by=actor.username
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(entry)
    if getattr(result, "rowcount", 0) != 1:
        raise _conflict(entry)
    return entry


def _track_edd(
    session: Session,
    entry: BoardEntry,
    old: date | None,
    *,
    actor: Actor,
    now: datetime,
) -> None:
    """Keep every new EDD, and count a slip each time it moves later."""
    new = entry.expected_discharge_date
    if new is None or new == old:
        return
    session.add(
        EddRecord(
            spell_id=entry.spell_id,
            estimated_discharge_date=new,
            recorded_at=now,
            recorded_by=actor.username,
        )
    )
    if old is not None and new > old:
        entry.edd_slip_count += 1
        session.flush()


def _track_crfd(
    session: Session,
    spell_id: str,
    old: tuple[date | None, str | None, str | None],
    changes: EntryChanges,
    *,
    actor: Actor,
    today: date,
    now: datetime,
) -> None:
    """Open, amend or close the spell's board CRFD period to match the entry."""
    new = (
        changes.crfd_start_date,
        changes.crfd_reason_code,
        changes.attributable_to_code,
    )
    if new == old:
        return
    current = session.scalar(
        select(CrfdRecord).where(
            CrfdRecord.spell_id == spell_id, CrfdRecord.end_date.is_(None)
        )
    )
    if new[0] is None:
        if current is not None:
            if current.start_date >= today:
                session.delete(current)
            else:
                current.end_date = today
        return
    if current is None:
        current = CrfdRecord(spell_id=spell_id, end_date=None)
        session.add(current)
    current.start_date = new[0]
    current.reason_code = new[1] or ""
    current.attributable_to_code = new[2]
    current.recorded_at = now
    current.recorded_by = actor.username


def _set_day_status(
    session: Session,
    spell_id: str,
    status: str | None,
    *,
    actor: Actor,
    today: date,
    now: datetime,
) -> None:
    row = session.get(DayStatus, (spell_id, today))
    if status is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        session.add(
            DayStatus(
                spell_id=spell_id,
                day=today,
                status=status,
                recorded_at=now,
                recorded_by=actor.username,
            )
        )
        return
    row.status = status
    row.recorded_at = now
    row.recorded_by = actor.username


def entry_history(
    session: Session, spell_id: str, *, limit: int = 50
) -> list[AuditEvent]:
    """Changes recorded for one spell (board entry, barriers, placement), newest first."""
    return events_for(session, "spell", spell_id, actions=CHANGE_ACTIONS)[:limit]
