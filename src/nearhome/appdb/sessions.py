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

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from nearhome.appdb.models import User, UserSession

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


def end_session(session: Session, token: str) -> None:
    """Delete the session behind a cookie token (sign out)."""
    session.execute(delete(UserSession).where(UserSession.id == token_digest(token)))


def end_user_sessions(session: Session, user_id: int) -> None:
    """Sign a user out everywhere (after a role change, a password reset or disabling)."""
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))
