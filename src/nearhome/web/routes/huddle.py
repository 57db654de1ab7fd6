"""The daily huddle summary: ``/huddle``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from nearhome.board.huddle import HuddleSummary, huddle_summary
from nearhome.web.auth import Identity
from nearhome.web.caseload import scoped_rows
from nearhome.web.deps import AppContext, Authorize, audit_view, get_context, require
from nearhome.web.permissions import Action, can

router = APIRouter()


def build_huddle(context: AppContext, who: Identity) -> HuddleSummary:
    """Today's huddle summary over the user's scope."""
    rows = scoped_rows(context, who)
    beds = context.census.ward_beds(who.scope, context.today())
    return huddle_summary(rows, beds, codes=context.codes, today=context.today())


@router.get("/huddle", response_class=HTMLResponse, name="show_huddle")
def show_huddle(
    request: Request,
    identity: Annotated[Identity | None, Depends(Authorize(Action.VIEW_HUDDLE))],
) -> Response:
    """CRFD by reason group, new delays, EDDs due today and beds free by pool."""
    context, who = get_context(request), require(identity)
    summary = build_huddle(context, who)
    named = {r.spell_id for r in [*summary.new_delays, *summary.edds_today]}
    audit_view(
        request,
        who,
        action="view_huddle",
        object_type="board",
        object_id=who.scope.describe()[:64],
        detail={"spell_ids": sorted(named)},
    )
    return context.templates.TemplateResponse(
        request,
        "huddle.html",
        {
            "identity": who,
            "summary": summary,
            "scope_label": who.scope.describe(),
            "can_export": can(who.role, Action.EXPORT_BOARD),
        },
    )
