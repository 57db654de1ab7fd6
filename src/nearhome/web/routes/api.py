"""The JSON API (``/api/…``): the same data and rules as the pages, for other systems.

Successful replies are ``{"ok": true, …}``; errors use the one shape from ``web.errors``.
State-changing calls need the session's CSRF token in the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from nearhome.board.placements import load_reviews, placement_lines
from nearhome.errors import ValidationFailed
from nearhome.web.auth import Identity
from nearhome.web.caseload import scoped_row, scoped_rows
from nearhome.web.deps import Authorize, audit_view, get_context, require
from nearhome.web.permissions import Action
from nearhome.web.routes.aggregates import aggregate_tables
from nearhome.web.routes.board import save_form
from nearhome.web.routes.huddle import build_huddle

router = APIRouter(prefix="/api")


@router.get("/board", name="api_board")
def api_board(
    request: Request,
    identity: Annotated[Identity | None, Depends(Authorize(Action.VIEW_BOARD))],
) -> dict[str, Any]:
    """Every current inpatient in scope with today's board state."""
    context, who = get_context(request), require(identity)
    rows = scoped_rows(context, who)
    audit_view(
        request,
        who,
        action="view_board",
        object_type="board",
        object_id=who.scope.describe()[:64],
        detail={"spell_ids": [r.spell_id for r in rows], "via": "api"},
    )
    return {
        "ok": True,
        "today": context.today().isoformat(),
        "rows": [r.as_record() for r in rows],
    }


@router.get("/patients/{spell_id}", name="api_patient")
def api_patient(
    request: Request,
    spell_id: str,
    identity: Annotated[Identity | None, Depends(Authorize(Action.VIEW_PATIENT))],
) -> dict[str, Any]:
    """One inpatient's board record."""
    context, who = get_context(request), require(identity)
    row = scoped_row(context, who, spell_id)
    audit_view(
        request,
        who,
        action="view_patient",
        object_type="spell",
        object_id=spell_id,
        detail={"via": "api"},
    )
    return {"ok": True, "patient": row.as_record()}


@router.post("/patients/{spell_id}", name="api_update_patient")
async def api_update_patient(
    request: Request,
    spell_id: str,
    identity: Annotated[Identity | None, Depends(Authorize(Action.EDIT_BOARD))],
) -> dict[str, Any]:
    """Save a board entry from JSON (the same fields as the form, plus ``version``)."""
    try:
        body = await request.json()
    except ValueError as exc:
        raise ValidationFailed(
            "The request body is not valid JSON.", report=[]
        ) from exc
    if not isinstance(body, dict):
        raise ValidationFailed("The request body must be a JSON object.", report=[])
    form = {str(k): "" if v is None else str(v) for k, v in body.items()}
    return await run_in_threadpool(_save, request, require(identity), spell_id, form)


def _save(
    request: Request, who: Identity, spell_id: str, form: dict[str, str]
) -> dict[str, Any]:
    context = get_context(request)
    save_form(context, request, who, scoped_row(context, who, spell_id), form)
    return {"ok": True, "patient": scoped_row(context, who, spell_id).as_record()}


@router.get("/huddle", name="api_huddle")
def api_huddle(
    request: Request,
    identity: Annotated[Identity | None, Depends(Authorize(Action.VIEW_HUDDLE))],
) -> dict[str, Any]:
    """The huddle summary's figures."""
    context, who = get_context(request), require(identity)
    summary = build_huddle(context, who)
    named = sorted({r.spell_id for r in [*summary.new_delays, *summary.edds_today]})
    audit_view(
        request,
        who,
        action="view_huddle",
        object_type="board",
        object_id=who.scope.describe()[:64],
        detail={"spell_ids": named, "via": "api"},
    )
    return {
        "ok": True,
        "today": summary.today.isoformat(),
        "inpatients": summary.inpatients,
        "crfd_patients": summary.crfd_patients,
        "crfd_days": summary.crfd_days,
        "by_group": [vars(line) for line in summary.by_group],
        "new_delays": [r.spell_id for r in summary.new_delays],
        "edds_today": [r.spell_id for r in summary.edds_today],
        "pools": [
            {"pool": p.pool, "beds": p.beds, "occupied": p.occupied, "free": p.free}
            for p in summary.pools
        ],
    }


@router.get("/placements", name="api_placements")
def api_placements(
    request: Request,
    identity: Annotated[Identity | None, Depends(Authorize(Action.VIEW_PLACEMENTS))],
) -> dict[str, Any]:
    """The out-of-area list."""
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
        detail={"spell_ids": [x.row.spell_id for x in lines], "via": "api"},
    )
    return {
        "ok": True,
        "placements": [
            {
                "patient": line.row.as_record(),
                "reason": line.reason,
                "is_inappropriate": line.is_inappropriate,
                "next_review_due": line.next_review_due.isoformat(),
                "review_overdue": line.review_overdue,
                "wishes_recorded": line.wishes_recorded,
                "advocacy_offered": line.advocacy_offered,
            }
            for line in lines
        ],
    }


@router.get("/aggregates", name="api_aggregates")
def api_aggregates(
    request: Request,
    identity: Annotated[Identity | None, Depends(Authorize(Action.VIEW_AGGREGATES))],
) -> dict[str, Any]:
    """Suppressed counts only."""
    context, who = get_context(request), require(identity)
    tables = aggregate_tables(context, who)
    return {
        "ok": True,
        "tables": [
            {
                "title": t.title,
                "columns": list(t.columns),
                "rows": [list(r) for r in t.rows],
                "note": t.note,
            }
            for t in tables
        ],
    }
