"""The ICB case manager's lists: ``/placements`` (out of area) and ``/long-stays``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from nearhome.board.placements import (
    load_reviews,
    long_stays,
    parse_placement,
    placement_lines,
    save_placement,
)
from nearhome.errors import Conflict, NotFound, ValidationFailed
from nearhome.web.auth import Identity
from nearhome.web.caseload import form_dict, scoped_row, scoped_rows
from nearhome.web.deps import Authorize, actor_for, audit_view, get_context, require
from nearhome.web.errors import error_response, field_errors
from nearhome.web.permissions import Action

router = APIRouter()


@router.get("/placements", response_class=HTMLResponse, name="list_placements")
def list_placements(
    request: Request,
    identity: Annotated[Identity | None, Depends(Authorize(Action.VIEW_PLACEMENTS))],
) -> Response:
    """The ICB's residents placed out of area, most overdue review first."""
    context, who = get_context(request), require(identity)
    rows = scoped_rows(context, who)
    with context.database.sessions() as session:
        reviews = load_reviews(session, [r.spell_id for r in rows if r.is_oap])
    lines = placement_lines(rows, reviews, codes=context.codes, today=context.today())
    audit_view(
        request,
        who,
        action="view_placements",
        object_type="placements",
        object_id=who.scope.describe()[:64],
        detail={"spell_ids": [line.row.spell_id for line in lines]},
    )
    return context.templates.TemplateResponse(
        request,
        "placements.html",
        {
            "identity": who,
            "lines": lines,
            "today": context.today(),
            "scope_label": who.scope.describe(),
        },
    )


@router.post(
    "/placements/{spell_id}", response_class=HTMLResponse, name="update_placement"
)
async def update_placement(
    request: Request,
    spell_id: str,
    identity: Annotated[Identity | None, Depends(Authorize(Action.EDIT_PLACEMENT))],
) -> Response:
    """Record a placement review, repatriation plan and advocacy offer."""
    form = form_dict(await request.form())
    return await run_in_threadpool(_update, request, require(identity), spell_id, form)


def _update(
    request: Request, who: Identity, spell_id: str, form: dict[str, str]
) -> Response:
    context = get_context(request)
    row = scoped_row(context, who, spell_id)
    if not row.is_oap:
        raise NotFound("That patient is not placed out of area.")
    try:
        changes, version = parse_placement(
            form, today=context.today(), admitted=row.admission_date
        )
        with context.database.transaction() as session:
            save_placement(
                session,
                spell_id=spell_id,
                changes=changes,
                expected_version=version,
                actor=actor_for(request, who),
                now=context.now(),
            )
    except (ValidationFailed, Conflict) as exc:
        return error_response(
            request,
            context.templates,
            status=409 if isinstance(exc, Conflict) else 422,
            message=exc.message,
            hint=exc.hint,
            fields=field_errors(exc),
        )
    return RedirectResponse(f"/patients/{spell_id}?saved=1#placement", status_code=303)


@router.get("/long-stays", response_class=HTMLResponse, name="list_long_stays")
def list_long_stays(
    request: Request,
    identity: Annotated[Identity | None, Depends(Authorize(Action.VIEW_LONG_STAYS))],
) -> Response:
    """The ICB's residents past the long-stay mark (60 days; 90 for older adults)."""
    context, who = get_context(request), require(identity)
    rows = long_stays(scoped_rows(context, who), codes=context.codes)
    audit_view(
        request,
        who,
        action="view_long_stays",
        object_type="long_stays",
        object_id=who.scope.describe()[:64],
        detail={"spell_ids": [r.spell_id for r in rows]},
    )
    return context.templates.TemplateResponse(
        request,
        "long_stays.html",
        {
            "identity": who,
            "rows": rows,
            "today": context.today(),
            "scope_label": who.scope.describe(),
        },
    )
