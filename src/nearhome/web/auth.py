"""Signing in and out: cookies, CSRF tokens and the per-address sign-in throttle.

* The session cookie holds a random token signed with ``settings.secret_key`` (so a forged
  or truncated cookie is rejected before the database is asked). It is ``HttpOnly``,
  ``SameSite=Lax``, ``Secure`` when ``https_only_cookies`` is set, and expires with the
  session. A new session is created at every sign-in (no fixation).
* CSRF: each session has its own random token, sent back in a hidden form field or the
  ``X-CSRF-Token`` header (HTMX) and compared in constant time on every state-changing
  request. Before sign-in, the login form uses a signed double-submit cookie instead.
* Throttle: on top of the per-account lockout in ``appdb.accounts``, one address gets at most
  ``max_attempts`` sign-in attempts per ``window_seconds``.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeSerializer

from nearhome.board.scope import Scope
from nearhome.settings import Settings
from nearhome.web.errors import TooManyAttempts

SESSION_COOKIE = "nearhome_session"
LOGIN_CSRF_COOKIE = "nearhome_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Identity:
    """The signed-in user behind a request."""

    user_id: int
    username: str
    display_name: str
    role: str
    scope: Scope
    csrf_token: str
    session_token: str


@dataclass(frozen=True)
class CookieSigner:
    """Signs and checks cookie values with the app's secret key."""

    secret_key: str

    def _serializer(self, salt: str) -> URLSafeSerializer:
        return URLSafeSerializer(self.secret_key, salt=salt)

    def sign(self, value: str, *, salt: str) -> str:
        """``value`` with a signature that only this app can make."""
        return str(self._serializer(salt).dumps(value))

    def sign_data(self, value: dict[str, str], *, salt: str) -> str:
        """A small dictionary, signed (for the OIDC round trip)."""
        return str(self._serializer(salt).dumps(value))

    def unsign_data(self, signed: str | None, *, salt: str) -> object:
        """The dictionary inside a signed cookie, or ``None``."""
        if not signed:
            return None
        try:
            return self._serializer(salt).loads(signed)
        except BadSignature:
            return None

    def unsign(self, signed: str | None, *, salt: str) -> str | None:
        """The value inside a signed cookie, or ``None`` if absent or tampered with."""
        if not signed:
            return None
        try:
            value = self._serializer(salt).loads(signed)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison that is false when either side is missing."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def set_session_cookie(
    response: Response, signer: CookieSigner, token: str, settings: Settings
) -> None:
    """Give the browser its session cookie."""
    response.set_cookie(
        SESSION_COOKIE,
        signer.sign(token, salt="session"),
        max_age=settings.session_max_age_minutes * 60,
        httponly=True,
        secure=settings.https_only_cookies,
        samesite="lax",
        path="/",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    """Remove the session cookie."""
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        secure=settings.https_only_cookies,
        samesite="lax",
    )


def session_token(request: Request, signer: CookieSigner) -> str | None:
    """The session token from the request's cookie, if it carries a valid signature."""
    return signer.unsign(request.cookies.get(SESSION_COOKIE), salt="session")


def login_csrf_token(request: Request, signer: CookieSigner) -> tuple[str, bool]:
    """The pre-sign-in CSRF token, and whether it is new (and so needs setting as a cookie)."""
    existing = signer.unsign(request.cookies.get(LOGIN_CSRF_COOKIE), salt="login-csrf")
    if existing:
        return existing, False
    return secrets.token_urlsafe(32), True


def set_login_csrf_cookie(
    response: Response, signer: CookieSigner, token: str, settings: Settings
) -> None:
    """Store the pre-sign-in CSRF token for the double-submit check."""
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        signer.sign(token, salt="login-csrf"),
        max_age=3600,
        httponly=True,
        secure=settings.https_only_cookies,
        samesite="strict",
        path="/",
    )


@dataclass
class LoginThrottle:
    """At most ``max_attempts`` sign-in attempts per address per ``window_seconds``."""

    max_attempts: int = 20
    window_seconds: float = 300.0
    clock: Callable[[], float] = time.monotonic
    _attempts: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, address: str) -> None:
        """Count an attempt from ``address``.

        Raises:
            TooManyAttempts: the address has used up its attempts for now.
        """
        now = self.clock()
        with self._lock:
            recent = self._attempts.setdefault(address, deque())
            while recent and now - recent[0] > self.window_seconds:
                recent.popleft()
            if len(recent) >= self.max_attempts:
                wait = int(self.window_seconds - (now - recent[0])) + 1
                raise TooManyAttempts(
                    "Too many sign-in attempts from this device.",
                    hint=f"Wait {max(1, wait // 60)} minutes before trying again.",
                )
            recent.append(now)
            if len(self._attempts) > 10_000:
                self._attempts = {k: v for k, v in self._attempts.items() if v}
