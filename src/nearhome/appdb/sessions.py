"""Server-side sign-in sessions.

The browser holds a random token; the database holds only its SHA-256, the user, the
session's CSRF token and an absolute expiry. Signing in always creates a new session
(so a token planted before sign-in is worthless: no session fixation), and signing out
deletes it, so a copied cookie stops working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from nearhome.appdb.models import User, UserSession, WardAssignment

TOKEN_BYTES = 32


@dataclass(frozen=True)
class NewSession:
    """A session just created: the raw token goes into the cookie, never into the database."""

    token: str
    csrf_token: str
    expires_at: datetime


def token_digest(token: str) -> str:
    """The stored form of a session token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(
    session: Session, user: User, *, now: datetime, max_age: timedelta
) -> NewSession:
    """Create a fresh session for ``user`` and prune that user's expired ones."""
    session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.expires_at <= now
        )
    )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    csrf = secrets.token_urlsafe(TOKEN_BYTES)
    expires = now + max_age
    session.add(
        UserSession(
            id=token_digest(token),
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            expires_at=expires,
        )
    )
    session.flush()
    return NewSession(token=token, csrf_token=csrf, expires_at=expires)


def find_session(session: Session, token: str, *, now: datetime) -> UserSession | None:
    """The live session for a cookie token, with its user, or ``None``.

    Expired sessions and sessions of disabled users count as absent.
    """
    row = session.scalar(
        select(UserSession).where(UserSession.id == token_digest(token))
    )
    if row is None or row.expires_at <= now or not row.user.is_active:
        return None
    return row


@dataclass(frozen=True)
class SignedInUser:
    """The user behind a live session, as plain values (what every request needs)."""

    user_id: int
    username: str
    display_name: str
    role: str
    provider_code: str | None
    icb_code: str | None
    ward_codes: tuple[str, ...]
    csrf_token: str


_SESSION_USER = (
    select(
        User.id,
        User.username,
        User.display_name,
        User.role,
        User.provider_code,
        User.icb_code,
        UserSession.csrf_token,
        WardAssignment.ward_code,
    )
    .select_from(UserSession)
    .join(User, User.id == UserSession.user_id)
    .outerjoin(WardAssignment, WardAssignment.user_id == User.id)
    .where(
        UserSession.id == bindparam("digest"),
        UserSession.expires_at > bindparam("now"),
        User.is_active.is_(True),
    )
)
"""One round trip: the session, its user and the user's wards (one row per ward)."""


def find_signed_in(
    session: Session, token: str, *, now: datetime
) -> SignedInUser | None:
    """The user of a live session, or ``None``: the per-request form of ``find_session``.

    Same rules as :func:`find_session` (expired sessions and disabled users count as absent),
    but one Core query returning plain values instead of three ORM loads, because it runs on
    every signed-in request.
    """
    rows = session.execute(
        _SESSION_USER, {"digest": token_digest(token), "now": now}
    ).all()
    if not rows:
        return None
    first = rows[0]
    return SignedInUser(
        user_id=first.id,
        username=first.username,
        display_name=first.display_name,
        role=first.role,
        provider_code=first.provider_code,
        icb_code=first.icb_code,
        ward_codes=tuple(sorted(r.ward_code for r in rows if r.ward_code)),
        csrf_token=first.csrf_token,
    )


def end_session(session: Session, token: str) -> None:
    """Delete the session behind a cookie token (sign out)."""
    session.execute(delete(UserSession).where(UserSession.id == token_digest(token)))


def end_user_sessions(session: Session, user_id: int) -> None:
    """Sign a user out everywhere (after a role change, a password reset or disabling)."""
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))
