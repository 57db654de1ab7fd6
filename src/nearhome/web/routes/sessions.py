"""Signing in and out: ``/login`` (password or OIDC), ``/logout``, and the home redirect."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from nearhome.appdb import Actor, User, record_event
from nearhome.appdb.accounts import authenticate
from nearhome.appdb.sessions import end_session, start_session
from nearhome.errors import NotFound, PermissionDenied
from nearhome.web.auth import (
    Identity,
    clear_session_cookie,
    login_csrf_token,
    set_login_csrf_cookie,
    set_session_cookie,
)
from nearhome.web.deps import AppContext, Authorize, get_context, require
from nearhome.web.oidc import OidcAttempt
from nearhome.web.permissions import HOME_PAGES, Action, Role

router = APIRouter()
OIDC_COOKIE = "nearhome_oidc"
MAX_FIELD = 256


@router.get("/", response_class=RedirectResponse, name="home")
def home(
    identity: Annotated[Identity | None, Depends(Authorize(Action.PUBLIC))],
) -> RedirectResponse:
    """Send people to the page their role starts on (or to sign in)."""
    if identity is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(
        HOME_PAGES.get(Role(identity.role), "/login"), status_code=303
    )


@router.get("/healthz", name="healthz")
def healthz(
    _: Annotated[Identity | None, Depends(Authorize(Action.PUBLIC))],
) -> dict[str, bool]:
    """A liveness probe for load balancers (says nothing about data)."""
    return {"ok": True}


def _login_page(
    request: Request,
    context: AppContext,
    *,
    error: str | None = None,
    hint: str | None = None,
    username: str = "",
    status: int = 200,
) -> Response:
    token, is_new = login_csrf_token(request, context.signer)
    response = context.templates.TemplateResponse(
        request,
        "login.html",
        {
            "csrf_token": token,
            "error": error,
            "hint": hint,
            "username": username,
            "oidc_enabled": context.oidc is not None,
            "identity": None,
        },
        status_code=status,
    )
    if is_new:
        set_login_csrf_cookie(response, context.signer, token, context.settings)
    return response


@router.get("/login", response_class=HTMLResponse, name="login")
def show_login(
    request: Request,
    identity: Annotated[Identity | None, Depends(Authorize(Action.PUBLIC))],
) -> Response:
    """The sign-in page."""
    context = get_context(request)
    if identity is not None:
        return RedirectResponse(
            HOME_PAGES.get(Role(identity.role), "/"), status_code=303
        )
    return _login_page(request, context)


def _sign_in(
    context: AppContext, request: Request, username: str, password: str
) -> tuple[User, str]:
    """Check the password and start a new session; returns the user and the raw token.

    A failed attempt is committed (failure count, lockout, audit event) before the error
    is raised, so guessing cannot be undone by the rollback.
    """
    now = context.now()
    refused: PermissionDenied | None = None
    with context.database.transaction() as session:
        try:
            user = authenticate(
                session,
                context.hasher,
                username=username,
                password=password,
                policy=context.lockout,
                now=now,
            )
        except PermissionDenied as exc:
            refused = exc
            record_event(
                session,
                Actor(None, username[:64], "-", _rid(request)),
                action="sign_in_failed",
                object_type="user",
                object_id=None,
                at=now,
            )
        else:
            new = start_session(session, user, now=now, max_age=_max_age(context))
            record_event(
                session,
                Actor(user.id, user.username, user.role, _rid(request)),
                action="sign_in",
                object_type="user",
                object_id=str(user.id),
                at=now,
            )
    if refused is not None:
        raise refused
    return user, new.token


def _rid(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def _max_age(context: AppContext) -> timedelta:
    return timedelta(minutes=context.settings.session_max_age_minutes)


@router.post("/login", response_class=HTMLResponse, name="sign_in")
async def sign_in(
    request: Request,
    identity: Annotated[Identity | None, Depends(Authorize(Action.PUBLIC))],
) -> Response:
    """Check the password, then start a brand-new session (the old one, if any, ends)."""
    context = get_context(request)
    form = await request.form()
    username = str(form.get("username", "")).strip()[:MAX_FIELD]
    password = str(form.get("password", ""))[:MAX_FIELD]
    client = request.client.host if request.client else "unknown"
    context.throttle.check(client)
    if not username or not password:
        return _login_page(
            request,
            context,
            error="Enter your username and password.",
            username=username,
            status=422,
        )
    try:
        user, token = await run_in_threadpool(
            _sign_in, context, request, username, password
        )
    except PermissionDenied as exc:
        return _login_page(
            request,
            context,
            error=exc.message,
            hint=exc.hint,
            username=username,
            status=401,
        )
    if identity is not None:
        await run_in_threadpool(_end, context, identity.session_token)
    response = RedirectResponse(HOME_PAGES.get(Role(user.role), "/"), status_code=303)
    set_session_cookie(response, context.signer, token, context.settings)
    return response


def _end(context: AppContext, token: str) -> None:
    with context.database.transaction() as session:
        end_session(session, token)


@router.post("/logout", name="sign_out")
def sign_out(
    request: Request,
    identity: Annotated[Identity | None, Depends(Authorize(Action.SIGN_OUT))],
) -> Response:
    """End the session on the server and clear the cookie."""
    context = get_context(request)
    who = require(identity)
    with context.database.transaction() as session:
        end_session(session, who.session_token)
        record_event(
            session,
            Actor(who.user_id, who.username, who.role, _rid(request)),
            action="sign_out",
            object_type="user",
            object_id=str(who.user_id),
            at=context.now(),
        )
    response = RedirectResponse("/login?signed_out=1", status_code=303)
    clear_session_cookie(response, context.settings)
    return response


@router.get("/login/oidc", name="oidc_start")
def oidc_start(
    request: Request,
    _: Annotated[Identity | None, Depends(Authorize(Action.PUBLIC))],
) -> Response:
    """Send the browser to the OIDC provider (404 when OIDC is not configured)."""
    context = get_context(request)
    if context.oidc is None:
        raise NotFound("Single sign-on is not set up for this service.")
    url, attempt = context.oidc.start(str(request.url_for("oidc_callback")))
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        OIDC_COOKIE,
        context.signer.sign_data(attempt.as_dict(), salt="oidc"),
        max_age=600,
        httponly=True,
        secure=context.settings.https_only_cookies,
        samesite="lax",
        path="/login/oidc",
    )
    return response


@router.get("/login/oidc/callback", name="oidc_callback")
def oidc_callback(
    request: Request,
    _: Annotated[Identity | None, Depends(Authorize(Action.PUBLIC))],
    code: str = "",
    state: str = "",
) -> Response:
    """Finish OIDC sign-in: check the tokens, find the linked user, start a session."""
    context = get_context(request)
    if context.oidc is None:
        raise NotFound("Single sign-on is not set up for this service.")
    attempt = OidcAttempt.from_dict(
        context.signer.unsign_data(request.cookies.get(OIDC_COOKIE), salt="oidc")
    )
    if attempt is None or not code:
        raise PermissionDenied(
            "The sign-in attempt expired or was not started here.", hint="Start again."
        )
    claims = context.oidc.finish(
        code=code[: MAX_FIELD * 8],
        state=state[:MAX_FIELD],
        attempt=attempt,
        redirect_uri=str(request.url_for("oidc_callback")),
    )
    now = context.now()
    with context.database.transaction() as session:
        user = session.scalar(
            select(User).where(User.oidc_subject == str(claims["sub"]))
        )
        if user is None or not user.is_active:
            raise PermissionDenied(
                "Your single sign-on account is not linked to a nearhome user.",
                hint="Ask an administrator to link it.",
            )
        new = start_session(session, user, now=now, max_age=_max_age(context))
        record_event(
            session,
            Actor(user.id, user.username, user.role, _rid(request)),
            action="sign_in_oidc",
            object_type="user",
            object_id=str(user.id),
            at=now,
        )
        home_page = HOME_PAGES.get(Role(user.role), "/")
    response = RedirectResponse(home_page, status_code=303)
    response.delete_cookie(OIDC_COOKIE, path="/login/oidc")
    set_session_cookie(response, context.signer, new.token, context.settings)
    return response
