"""The audit trail: every view and change of a person-level record, and every sign-in.

An event says who (user id, username, role), when (UTC), what (action, object type and
id) and, for changes, the values before and after. Events are only ever added; nothing in
nearhome updates or deletes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from nearhome.appdb.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """The person doing something, as the audit trail records them."""

    user_id: int | None
    username: str
    role: str
    request_id: str | None = None


def record_event(
    session: Session,
    actor: Actor,
    *,
    action: str,
    object_type: str,
    object_id: str | None,
    at: datetime,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit event in the caller's transaction (so it commits with the change)."""
    event = AuditEvent(**_columns(actor, action, object_type, object_id, at, detail))
    session.add(event)
    return event


def record_view(
    session: Session,
    actor: Actor,
    *,
    action: str,
    object_type: str,
    object_id: str | None,
    at: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add one audit event for a view, as a plain insert in the caller's transaction.

    The same row as :func:`record_event`, without an ORM object: views are audited on every
    board page load, where the unit-of-work bookkeeping cost more than the insert itself.
    """
    session.execute(
        insert(AuditEvent).values(
            **_columns(actor, action, object_type, object_id, at, detail)
        )
    )


def _columns(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | None,
    at: datetime,
    detail: dict[str, Any] | None,
) -> dict[str, Any]:
    """One audit row's column values: the same for an ORM event and a plain insert."""
    return {
        "at": at,
        "user_id": actor.user_id,
        "username": actor.username,
        "role": actor.role,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "detail": detail,
        "request_id": actor.request_id,
    }


def events_for(
    session: Session, object_type: str, object_id: str, *, actions: tuple[str, ...] = ()
) -> list[AuditEvent]:
    """Events about one record, newest first, optionally only some actions."""
    query = select(AuditEvent).where(
        AuditEvent.object_type == object_type, AuditEvent.object_id == object_id
    )
    if actions:
        query = query.where(AuditEvent.action.in_(actions))
    return list(session.scalars(query.order_by(AuditEvent.id.desc())))
