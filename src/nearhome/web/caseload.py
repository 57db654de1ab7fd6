"""The patients a signed-in user can reach, as board rows.

Every page that shows patients goes through here, so the scope filter (in the census query)
and the object-level check (a spell outside the scope is "not found", never "forbidden", so
its existence is not revealed) are applied in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from nearhome.board.notes import BoardState, load_board_state
from nearhome.board.rows import BoardRow, build_rows
from nearhome.errors import NotFound
from nearhome.web.auth import Identity
from nearhome.web.deps import AppContext

FORM_FIELDS = (
    "expected_discharge_date",
    "is_crfd",
    "crfd_start_date",
    "crfd_reason_code",
    "attributable_to_code",
    "day_status",
    "housing_need",
    "carer_involved",
    "wishes",
)


def scoped_rows(
    context: AppContext, identity: Identity, session: Session | None = None
) -> list[BoardRow]:
    """Every current inpatient in the user's scope, with today's board state.

    Reads through ``session`` when given, so a page can read and audit in one transaction.
    """
    today = context.today()
    census = context.census.census(identity.scope, today)
    ids = [str(r["spell_id"]) for r in census]
    states = (
        load_board_state(session, ids, today=today)
        if session is not None
        else _read_states(context, ids, today)
    )
    return build_rows(census, states, codes=context.codes, today=today)


def scoped_row(context: AppContext, identity: Identity, spell_id: str) -> BoardRow:
    """One inpatient in the user's scope.

    Raises:
        NotFound: the spell is not a current inpatient in the user's scope (whether or not
            it exists elsewhere).
    """
    today = context.today()
    census = [
        r
        for r in context.census.census(identity.scope, today)
        if r["spell_id"] == spell_id
    ]
    if not census:
        raise NotFound(
            "There is no current inpatient with that reference on your list.",
            hint="They may have been discharged or moved to a ward you do not cover.",
        )
    states = _read_states(context, [spell_id], today)
    return build_rows(census, states, codes=context.codes, today=today)[0]


def _read_states(
    context: AppContext, ids: list[str], today: date
) -> dict[str, BoardState]:
    """Board state read on its own: one autocommit query, retried on a lost connection."""
    database = context.database

    def read() -> dict[str, BoardState]:
        with database.reading() as session:
            return load_board_state(session, ids, today=today)

    return database.retrying(read)


def form_values(row: BoardRow) -> dict[str, Any]:
    """The edit form's values for a row as it stands."""
    return {
        "expected_discharge_date": _iso(row.expected_discharge_date),
        "is_crfd": "yes" if row.is_crfd else "no",
        "crfd_start_date": _iso(row.crfd_start_date),
        "crfd_reason_code": row.reason_code or "",
        "attributable_to_code": row.attributable_to_code or "",
        "day_status": row.day_status or "",
        "housing_need": row.housing_need_code or "",
        "carer_involved": row.carer_involved_code or "",
        "wishes": row.wishes or "",
    }


def submitted_values(form: Mapping[str, Any]) -> dict[str, str]:
    """What the user typed, to put back in the form after a failed save."""
    return {name: str(form.get(name, "")) for name in FORM_FIELDS}


def form_dict(form: Mapping[str, Any]) -> dict[str, str]:
    """A submitted form as plain text values (uploads and repeats are ignored)."""
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _iso(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else ""
