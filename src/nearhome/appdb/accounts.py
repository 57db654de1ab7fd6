"""Accounts: creating users, checking passwords, and locking out guessers.

Passwords are hashed with Argon2 (``argon2-cffi``). A failed sign-in counts against the
account; after ``max_failures`` in a row the account is locked for a while, so an online
guessing attack gets a handful of tries per lockout period, not thousands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from nearhome.appdb.models import User, WardAssignment
from nearhome.errors import Conflict, NotFound, PermissionDenied

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


@dataclass(frozen=True)
class NewUser:
    """What is needed to create an account."""

    username: str
    role: str
    display_name: str | None = None
    wards: tuple[str, ...] = ()
    provider_code: str | None = None
    icb_code: str | None = None
    oidc_subject: str | None = None


@dataclass(frozen=True)
class LockoutPolicy:
    """How many failures lock an account, and for how long."""

    max_failures: int
    lockout: timedelta


def check_password_strength(password: str) -> None:
    """Refuse passwords too short to resist guessing, or absurdly long.

    Raises:
        ValueError: the password is too short or too long; callers turn this into their
            own message (a CLI error, a form error).
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        msg = f"A password needs at least {MIN_PASSWORD_LENGTH} characters."
        raise ValueError(msg)
    if len(password) > MAX_PASSWORD_LENGTH:
        msg = f"A password can have at most {MAX_PASSWORD_LENGTH} characters."
        raise ValueError(msg)


def create_user(
    session: Session,
    hasher: PasswordHasher,
    new: NewUser,
    *,
    password: str | None,
    now: datetime,
) -> User:
    """Add an account; ``password`` may be ``None`` for OIDC-only users.

    Raises:
        Conflict: the username is taken.
        ValueError: the password is too weak.
    """
    if session.scalar(select(User.id).where(User.username == new.username)) is not None:
        raise Conflict(f"A user called '{new.username}' already exists.")
    if password is not None:
        check_password_strength(password)
    user = User(
        username=new.username,
        display_name=new.display_name or new.username,
        role=new.role,
        provider_code=new.provider_code,
        icb_code=new.icb_code,
        oidc_subject=new.oidc_subject,
        password_hash=None if password is None else hasher.hash(password),
        is_active=True,
        failed_logins=0,
        created_at=now,
        updated_at=now,
    )
    user.wards = [WardAssignment(ward_code=code) for code in sorted(set(new.wards))]
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, username: str) -> User:
    """The account called ``username``.

    Raises:
        NotFound: there is no such account.
    """
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"No user called '{username}'.")
    return user


def set_password(
    session: Session,
    hasher: PasswordHasher,
    user: User,
    password: str,
    *,
    now: datetime,
) -> None:
    """Replace a user's password and clear any lockout (an admin reset)."""
    check_password_strength(password)
    user.password_hash = hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    user.updated_at = now
    session.flush()


def authenticate(
    session: Session,
    hasher: PasswordHasher,
    *,
    username: str,
    password: str,
    policy: LockoutPolicy,
    now: datetime,
) -> User:
    """Check a username and password, counting failures and applying the lockout.

    The same message is given for an unknown user and a wrong password, and a dummy hash
    is verified for unknown users, so neither the text nor the timing says which.

    Raises:
        PermissionDenied: wrong credentials, a disabled account, or a locked one.
    """
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active or user.password_hash is None:
        _burn_time(hasher, password)
        raise PermissionDenied("The username or password is not correct.")
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise PermissionDenied(
            "This account is locked after too many failed sign-in attempts.",
            hint=f"Try again in {minutes} minutes, or ask an administrator to unlock it.",
        )
    if not _verify(hasher, user.password_hash, password):
        _record_failure(user, policy, now)
        session.flush()
        raise PermissionDenied("The username or password is not correct.")
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    return user


def _verify(hasher: PasswordHasher, stored: str, password: str) -> bool:
    try:
        return hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _burn_time(hasher: PasswordHasher, password: str) -> None:
    """Spend as long as a real check would, so unknown usernames cannot be timed out."""
    _verify(hasher, hasher.hash("nearhome-timing-equaliser"), password)


def _record_failure(user: User, policy: LockoutPolicy, now: datetime) -> None:
    user.failed_logins += 1
    if user.failed_logins >= policy.max_failures:
        user.locked_until = now + policy.lockout
        user.failed_logins = 0


def unlock_user(session: Session, user: User, *, now: datetime) -> None:
    """Clear a lockout early (an administrator's decision)."""
    user.failed_logins = 0
    user.locked_until = None
    user.updated_at = now
    session.flush()


def set_wards(
    session: Session, user: User, wards: tuple[str, ...], *, now: datetime
) -> None:
    """Replace the wards a user works on."""
    user.wards = [WardAssignment(ward_code=code) for code in sorted(set(wards))]
    user.updated_at = now
    session.flush()


def list_users(session: Session) -> list[User]:
    """Every account, by username."""
    return list(session.scalars(select(User).order_by(User.username)))
