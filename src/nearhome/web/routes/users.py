"""User administration for admins: ``/admin/users``. Admins manage accounts, never clinical data."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from nearhome.appdb import Actor, User, record_event
from nearhome.appdb.accounts import (
    NewUser,
    create_user,
    list_users,
    set_wards,
    unlock_user,
)
from nearhome.appdb.sessions import end_user_sessions
from nearhome.board.validation import FormReader
from nearhome.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from nearhome.web.auth import Identity
from nearhome.web.caseload import form_dict
from nearhome.web.deps import Authorize, actor_for, get_context, require
from nearhome.web.errors import field_errors
from nearhome.web.permissions import ROLE_LABELS, Action

router = APIRouter()
ROLE_CHOICES = {r.value: label for r, label in ROLE_LABELS.items()}
CODE_LIMIT = 16


def _render(
    request: Request,
    who: Identity,
    *,
    error: Exception | None = None,
    status: int = 200,
) -> Response:
    context = get_context(request)
    with context.database.sessions() as session:
        users = list_users(session)
        listing = [
            {
                "id": u.id,
                "username": u.username,
                "display_name": u.display_name,
                "role": u.role,
                "wards": ", ".join(u.ward_codes),
                "provider_code": u.provider_code or "",
                "icb_code": u.icb_code or "",
                "is_active": u.is_active,
                "locked": u.locked_until is not None and u.locked_until > context.now(),
            }
            for u in users
        ]
    message = getattr(error, "message", None)
    return context.templates.TemplateResponse(
        request,
        "users.html",
        {
            "identity": who,
            "users": listing,
            "roles": ROLE_CHOICES,
            "message": message,
            "errors": field_errors(error)
            if isinstance(error, ValidationFailed)
            else [],
            "saved": request.query_params.get("saved") == "1",
        },
        status_code=status,
    )


@router.get("/admin/users", response_class=HTMLResponse, name="list_users")
def show_users(
    request: Request,
    identity: Annotated[Identity | None, Depends(Authorize(Action.MANAGE_USERS))],
) -> Response:
    """Every account with its role and scope."""
    return _render(request, require(identity))


def _codes(read: FormReader, name: str, label: str) -> tuple[str, ...]:
    text = read.text(name, label, max_length=400) or ""
    codes = tuple(
        c.strip().upper() for c in text.replace(";", ",").split(",") if c.strip()
    )
    if any(len(c) > CODE_LIMIT or not c.replace("-", "").isalnum() for c in codes):
        read.fail(name, f"{label} must be codes separated by commas, like W01, W02.")
    return codes


@router.post("/admin/users", response_class=HTMLResponse, name="create_user")
async def add_user(
    request: Request,
    identity: Annotated[Identity | None, Depends(Authorize(Action.MANAGE_USERS))],
) -> Response:
    """Create an account (password set later from the CLI, or OIDC-linked)."""
    form = form_dict(await request.form())
    return await run_in_threadpool(_add_user, request, require(identity), form)


def _add_user(request: Request, who: Identity, form: dict[str, str]) -> Response:
    context = get_context(request)
    read = FormReader(form, context.today())
    username = read.text("username", "Username", max_length=64, required=True) or ""
    if (
        username
        and not username.replace(".", "").replace("-", "").replace("_", "").isalnum()
    ):
        read.fail(
            "username",
            "Username can only have letters, numbers, dots, dashes and underscores.",
        )
    role = read.choice("role", "Role", ROLE_CHOICES, required=True) or ""
    new = NewUser(
        username=username,
        role=role,
        display_name=read.text("display_name", "Display name", max_length=120),
        wards=_codes(read, "wards", "Wards"),
        provider_code=(_codes(read, "provider_code", "Trust code") or (None,))[0],
        icb_code=(_codes(read, "icb_code", "ICB code") or (None,))[0],
        oidc_subject=read.text(
            "oidc_subject", "Single sign-on subject", max_length=255
        ),
    )
    try:
        read.check()
        with context.database.transaction() as session:
            user = create_user(
                session, context.hasher, new, password=None, now=context.now()
            )
            _audit(session, actor_for(request, who), "create_user", user, context.now())
    except (ValidationFailed, Conflict) as exc:
        return _render(
            request, who, error=exc, status=409 if isinstance(exc, Conflict) else 422
        )
    return RedirectResponse("/admin/users?saved=1", status_code=303)


@router.post("/admin/users/{user_id}", response_class=HTMLResponse, name="update_user")
async def change_user(
    request: Request,
    user_id: int,
    identity: Annotated[Identity | None, Depends(Authorize(Action.MANAGE_USERS))],
) -> Response:
    """Change wards, unlock, disable or enable an account."""
    form = form_dict(await request.form())
    return await run_in_threadpool(
        _change_user, request, require(identity), user_id, form
    )


def _change_user(
    request: Request, who: Identity, user_id: int, form: dict[str, str]
) -> Response:
    context = get_context(request)
    read = FormReader(form, context.today())
    operation = read.choice(
        "operation",
        "Change",
        {"wards": "", "unlock": "", "disable": "", "enable": ""},
        required=True,
    )
    wards = _codes(read, "wards", "Wards") if operation == "wards" else ()
    try:
        read.check()
    except ValidationFailed as exc:
        return _render(request, who, error=exc, status=422)
    now = context.now()
    with context.database.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("There is no such user.")
        if user.id == who.user_id and operation == "disable":
            raise PermissionDenied("You cannot disable your own account.")
        if operation == "wards":
            set_wards(session, user, wards, now=now)
        elif operation == "unlock":
            unlock_user(session, user, now=now)
        else:
            user.is_active = operation == "enable"
            user.updated_at = now
            end_user_sessions(session, user.id)
        _audit(session, actor_for(request, who), f"{operation}_user", user, now)
    return RedirectResponse("/admin/users?saved=1", status_code=303)


def _audit(
    session: Session, actor: Actor, action: str, user: User, now: datetime
) -> None:
    record_event(
        session,
        actor,
        action=action,
        object_type="user",
        object_id=str(user.id),
        at=now,
        detail={
            "after": {
                "role": user.role,
                "wards": list(user.ward_codes),
                "is_active": user.is_active,
            }
        },
    )
