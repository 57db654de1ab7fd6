"""One patient's record: ``/patients/{spell_id}``, its full edit form, barriers and history.

Works without JavaScript: every form posts normally and redirects back (or re-renders with
the problems listed and the user's input kept).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from nearhome.board.barriers import (
    add_barrier,
    list_barriers,
    parse_barrier,
    set_barrier_done,
)
from nearhome.board.notes import entry_history
from nearhome.board.placements import load_reviews, placement_lines
from nearhome.board.rows import BoardRow
from nearhome.board.validation import FormReader
from nearhome.errors import Conflict, NearhomeError, ValidationFailed
from nearhome.web.auth import Identity
from nearhome.web.caseload import form_dict, form_values, scoped_row, submitted_values
from nearhome.web.deps import (
    Authorize,
    actor_for,
    audit_view,
    get_context,
    require,
)
from nearhome.web.errors import field_errors
from nearhome.web.permissions import Action, can
from nearhome.web.routes.board import save_form

router = APIRouter()


def render_patient(
    request: Request,
    who: Identity,
    row: BoardRow,
    *,
    values: dict[str, Any] | None = None,
    error: NearhomeError | None = None,
    barrier_error: NearhomeError | None = None,
    barrier_values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The patient page, optionally with a failed form's problems and input."""
    context = get_context(request)
    with context.database.sessions() as session:
        barriers = list_barriers(session, row.spell_id)
        history = entry_history(session, row.spell_id)
        placement = placement_lines(
            [row],
            load_reviews(session, [row.spell_id]),
            codes=context.codes,
            today=context.today(),
        )
    return context.templates.TemplateResponse(
        request,
        "patient.html",
        {
            "identity": who,
            "row": row,
            "codes": context.codes,
            "values": values or form_values(row),
            "version": row.version,
            "message": error.message if error else None,
            "hint": error.hint if error else None,
            "errors": field_errors(error) if error else [],
            "barriers": barriers,
            "barrier_message": barrier_error.message if barrier_error else None,
            "barrier_errors": field_errors(barrier_error) if barrier_error else [],
            "barrier_values": barrier_values or {},
            "history": history,
            "placement": placement[0] if placement else None,
            "can_edit": can(who.role, Action.EDIT_BOARD),
            "can_edit_placement": can(who.role, Action.EDIT_PLACEMENT),
            "today": context.today(),
            "saved": request.query_params.get("saved") == "1",
        },
        status_code=status,
    )


@router.get("/patients/{spell_id}", response_class=HTMLResponse, name="show_patient")
def show_patient(
    request: Request,
    spell_id: str,
    identity: Annotated[Identity | None, Depends(Authorize(Action.VIEW_PATIENT))],
) -> Response:
    """Everything the board holds about one inpatient, with its change history."""
    context, who = get_context(request), require(identity)
    row = scoped_row(context, who, spell_id)
    audit_view(
        request, who, action="view_patient", object_type="spell", object_id=spell_id
    )
    return render_patient(request, who, row)


@router.post("/patients/{spell_id}", response_class=HTMLResponse, name="update_patient")
async def update_patient(
    request: Request,
    spell_id: str,
    identity: Annotated[Identity | None, Depends(Authorize(Action.EDIT_BOARD))],
) -> Response:
    """Save the full board form from the patient page."""
    form = form_dict(await request.form())
    return await run_in_threadpool(
        _update_patient, request, require(identity), spell_id, form
    )


def _update_patient(
    request: Request, who: Identity, spell_id: str, form: dict[str, str]
) -> Response:
    context = get_context(request)
    row = scoped_row(context, who, spell_id)
    try:
        save_form(context, request, who, row, form)
    except ValidationFailed as exc:
        return render_patient(
            request,
            who,
            row,
            values=submitted_values(form),
            error=exc,
            status=422,
        )
    except Conflict as exc:
        latest = scoped_row(context, who, spell_id)
        return render_patient(
            request,
            who,
            latest,
            values=submitted_values(form),
            error=exc,
            status=409,
        )
    return RedirectResponse(f"/patients/{spell_id}?saved=1", status_code=303)


@router.post(
    "/patients/{spell_id}/barriers", response_class=HTMLResponse, name="add_barrier"
)
async def create_barrier(
    request: Request,
    spell_id: str,
    identity: Annotated[Identity | None, Depends(Authorize(Action.EDIT_BOARD))],
) -> Response:
    """Record a new barrier and the action to clear it."""
    form = form_dict(await request.form())
    return await run_in_threadpool(
        _create_barrier, request, require(identity), spell_id, form
    )


def _create_barrier(
    request: Request, who: Identity, spell_id: str, form: dict[str, str]
) -> Response:
    context = get_context(request)
    row = scoped_row(context, who, spell_id)
    try:
        barrier = parse_barrier(form, today=context.today())
    except ValidationFailed as exc:
        return render_patient(
            request,
            who,
            row,
            barrier_error=exc,
            barrier_values=form,
            status=422,
        )
    with context.database.transaction() as session:
        add_barrier(
            session,
            spell_id=spell_id,
            barrier=barrier,
            actor=actor_for(request, who),
            now=context.now(),
        )
    return RedirectResponse(f"/patients/{spell_id}?saved=1#barriers", status_code=303)


@router.post(
    "/patients/{spell_id}/barriers/{barrier_id}",
    response_class=HTMLResponse,
    name="update_barrier",
)
async def update_barrier(
    request: Request,
    spell_id: str,
    barrier_id: int,
    identity: Annotated[Identity | None, Depends(Authorize(Action.EDIT_BOARD))],
) -> Response:
    """Tick a barrier done, or reopen it."""
    form = form_dict(await request.form())
    return await run_in_threadpool(
        _update_barrier, request, require(identity), spell_id, barrier_id, form
    )


def _update_barrier(
    request: Request,
    who: Identity,
    spell_id: str,
    barrier_id: int,
    form: dict[str, str],
) -> Response:
    context = get_context(request)
    row = scoped_row(context, who, spell_id)
    read = FormReader(form, context.today())
    version = read.integer("version", "Version")
    done = (
        read.choice("done", "Done", {"yes": "Yes", "no": "No"}, required=True) == "yes"
    )
    try:
        read.check()
        with context.database.transaction() as session:
            set_barrier_done(
                session,
                spell_id=spell_id,
                barrier_id=barrier_id,
                done=done,
                expected_version=version,
                actor=actor_for(request, who),
                now=context.now(),
            )
    except (ValidationFailed, Conflict) as exc:
        status = 409 if isinstance(exc, Conflict) else 422
        return render_patient(request, who, row, barrier_error=exc, status=status)
    return RedirectResponse(f"/patients/{spell_id}?saved=1#barriers", status_code=303)
