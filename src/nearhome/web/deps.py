"""FastAPI dependencies: the app context, the signed-in identity, and authorisation.

Every route declares its one action with ``Depends(Authorize(action))``. ``Authorize``
resolves the session cookie to an :class:`Identity`, refuses roles the ``ROLE_ACTIONS``
table does not grant, and checks the CSRF token of every state-changing request.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from fastapi import Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from nearhome.appdb import Actor, BoardDatabase, record_view
from nearhome.appdb.accounts import LockoutPolicy
from nearhome.appdb.sessions import SignedInUser, find_signed_in
from nearhome.board.census import CensusCache
from nearhome.board.codes import BoardCodes
from nearhome.data.warehouse import Warehouse
from nearhome.errors import PermissionDenied
from nearhome.settings import Settings
from nearhome.web.auth import (
    CSRF_FIELD,
    CSRF_HEADER,
    LOGIN_CSRF_COOKIE,
    SAFE_METHODS,
    CookieSigner,
    Identity,
    LoginThrottle,
    session_token,
    tokens_match,
)
from nearhome.web.errors import SignInRequired
from nearhome.web.oidc import OidcClient
from nearhome.web.permissions import Action, can, scope_for

LOCAL_ZONE = ZoneInfo("Europe/London")


@dataclass
class AppContext:
    """Everything a request handler needs, built once by ``create_app``."""

    settings: Settings
    warehouse: Warehouse
    database: BoardDatabase
    census: CensusCache
    codes: BoardCodes
    templates: Jinja2Templates
    signer: CookieSigner
    hasher: PasswordHasher
    throttle: LoginThrottle
    lockout: LockoutPolicy
    clock: Callable[[], datetime]
    oidc: OidcClient | None

    def now(self) -> datetime:
        """The current time (aware UTC)."""
        return self.clock()

    def today(self) -> date:
        """Today's date on the wards (UK time)."""
        return self.clock().astimezone(LOCAL_ZONE).date()


def get_context(request: Request) -> AppContext:
    """The app's context."""
    context = request.app.state.context
    assert isinstance(context, AppContext)
    return context


def _lookup_identity(context: AppContext, token: str) -> Identity | None:
    """The session check: one autocommit read (one round trip), retried on a lost connection."""
    database = context.database

    def check() -> SignedInUser | None:
        with database.reading() as session:
            return find_signed_in(session, token, now=context.now())

    user = database.retrying(check)
    if user is None:
        return None
    return Identity(
        user_id=user.user_id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        scope=scope_for(user),
        csrf_token=user.csrf_token,
        session_token=token,
    )


async def current_identity(request: Request) -> Identity | None:
    """The signed-in user, or ``None`` (cached on the request)."""
    if hasattr(request.state, "identity"):
        cached = request.state.identity
        return cached if isinstance(cached, Identity) else None
    context = get_context(request)
    token = session_token(request, context.signer)
    identity = (
        None
        if token is None
        else await run_in_threadpool(_lookup_identity, context, token)
    )
    request.state.identity = identity
    return identity


async def submitted_csrf(request: Request) -> str | None:
    """The CSRF token sent with a request: the header (HTMX, JSON) or the form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def csrf_refused() -> PermissionDenied:
    """The one message for a missing or wrong CSRF token."""
    return PermissionDenied(
        "This form has expired or did not come from this service, so nothing was saved.",
        hint="Go back, reload the page and try again.",
    )


class Authorize:
    """Dependency: allow the request only if the user's role is granted ``action``."""

    def __init__(self, action: Action) -> None:
        """Declare the action a route performs."""
        self.action = action

    async def __call__(self, request: Request) -> Identity | None:
        """The identity of an allowed request.

        Raises:
            SignInRequired: no valid session (and the action is not public).
            PermissionDenied: the role lacks the action, or the CSRF token is wrong.
        """
        identity = await current_identity(request)
        if self.action is Action.PUBLIC:
            if request.method not in SAFE_METHODS:
                await self._check_login_csrf(request)
            return identity
        if identity is None:
            raise SignInRequired(
                "Sign in to continue.", hint="Your session may have expired."
            )
        if not can(identity.role, self.action):
            raise PermissionDenied(
                "Your role does not give access to this.",
                hint="Ask an administrator if you think you need it.",
            )
        if request.method not in SAFE_METHODS and not tokens_match(
            identity.csrf_token, await submitted_csrf(request)
        ):
            raise csrf_refused()
        return identity

    async def _check_login_csrf(self, request: Request) -> None:
        context = get_context(request)
        expected = context.signer.unsign(
            request.cookies.get(LOGIN_CSRF_COOKIE), salt="login-csrf"
        )
        if not tokens_match(expected, await submitted_csrf(request)):
            raise csrf_refused()


def require(identity: Identity | None) -> Identity:
    """Narrow an authorised identity (only public routes can have none)."""
    if identity is None:
        raise SignInRequired("Sign in to continue.")
    return identity


def actor_for(request: Request, identity: Identity) -> Actor:
    """The audit trail's view of the person behind a request."""
    return Actor(
        user_id=identity.user_id,
        username=identity.username,
        role=identity.role,
        request_id=str(getattr(request.state, "request_id", "")) or None,
    )


def audit_view(
    request: Request,
    identity: Identity,
    *,
    action: str,
    object_type: str,
    object_id: str | None,
    detail: dict[str, object] | None = None,
    session: Session | None = None,
) -> None:
    """Record that someone looked at person-level data.

    In ``session`` when given (the caller commits it, so a page's reads and its audit event
    share one transaction), otherwise in a short transaction of its own.
    """
    context = get_context(request)
    with contextlib.ExitStack() as stack:
        if session is None:
            session = stack.enter_context(context.database.transaction())
        record_view(
            session,
            actor_for(request, identity),
            action=action,
            object_type=object_type,
            object_id=object_id,
            at=context.now(),
            detail=detail,
        )
