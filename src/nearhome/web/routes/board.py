"""The board page and its in-place (HTMX) row editing: ``/board`` and ``/board/rows/…``."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from nearhome.board.entries import parse_entry
from nearhome.board.export import board_csv
from nearhome.board.notes import save_entry
from nearhome.board.rows import FILTERS, SORTS, BoardRow, select_rows
from nearhome.errors import Conflict, ValidationFailed
from nearhome.web.auth import Identity
from nearhome.web.caseload import (
    form_dict,
    form_values,
    scoped_row,
    scoped_rows,
    submitted_values,
)
from nearhome.web.deps import (
    AppContext,
    Authorize,
    actor_for,
    audit_view,
    get_context,
    require,
)
from nearhome.web.errors import field_errors
from nearhome.web.permissions import Action, can

router = APIRouter()


def _counts(rows: list[BoardRow]) -> dict[str, int]:
    return {key: sum(1 for r in rows if test(r)) for key, (_, test) in FILTERS.items()}


@router.get("/board", response_class=HTMLResponse, name="show_board")
async def show_board(
    request: Request,
    identity: Annotated[Identity | None, Depends(Authorize(Action.VIEW_BOARD))],
    ward: str = "",
    filter_key: Annotated[str, Query(alias="filter")] = "all",
    sort: str = "ward",
) -> Response:
    """Every current inpatient in the user's scope, filtered and sorted.

    The database work (board state and the audit event, one transaction) runs in one worker
    thread; the page is then rendered on the event loop. One thread hop per page instead of
    two keeps requests in arrival order under a burst, rather than every thread sharing the
    interpreter lock and all of them finishing late together.
    """
    context, who = get_context(request), require(identity)
    # Retried once if the pooled connection turned out dead (the first try rolled back).
    page = await run_in_threadpool(
        context.database.retrying,
        partial(_board_page, request, context, who, ward, filter_key, sort),
    )
    return context.templates.TemplateResponse(request, "board.html", page)


def _board_page(
    request: Request,
    context: AppContext,
    who: Identity,
    ward: str,
    filter_key: str,
    sort: str,
) -> dict[str, Any]:
    """The board page's template values, with the view audited (committed before return):
    one transaction holds the board state (one query) and the audit insert."""
    with context.database.transaction() as session:
        everyone = scoped_rows(context, who, session)
        wards = sorted({r.ward_code for r in everyone if r.ward_code})
        chosen = ward if ward in wards else None
        rows = select_rows(everyone, filter_key=filter_key, sort_key=sort, ward=chosen)
        audit_view(
            request,
            who,
            action="view_board",
            object_type="board",
            object_id=who.scope.describe()[:64],
            detail={
                "spell_ids": [r.spell_id for r in rows],
                "filter": filter_key,
                "ward": chosen,
            },
            session=session,
        )
    return {
        "identity": who,
        "rows": rows,
        "total": len(everyone),
        "counts": _counts(
            everyone
            if chosen is None
            else [r for r in everyone if r.ward_code == chosen]
        ),
        "wards": wards,
        "ward": chosen,
        "filters": FILTERS,
        "sorts": SORTS,
        "filter_key": filter_key if filter_key in FILTERS else "all",
        "sort_key": sort if sort in SORTS else "ward",
        "scope_label": who.scope.describe(),
        "today": context.today(),
        "can_edit": can(who.role, Action.EDIT_BOARD),
        "can_export": can(who.role, Action.EXPORT_BOARD),
        "query": urlencode({"ward": chosen or "", "filter": filter_key, "sort": sort}),
    }


@router.get("/board/export.csv", name="export_board_csv")
def export_board_csv(
    request: Request,
    identity: Annotated[Identity | None, Depends(Authorize(Action.EXPORT_BOARD))],
    ward: str = "",
    filter_key: Annotated[str, Query(alias="filter")] = "all",
    sort: str = "ward",
) -> Response:
    """The board as CSV (flow managers), audited like a view of every row in it."""
    context, who = get_context(request), require(identity)
    everyone = scoped_rows(context, who)
    rows = select_rows(
        everyone, filter_key=filter_key, sort_key=sort, ward=ward or None
    )
    audit_view(
        request,
        who,
        action="export_board",
        object_type="board",
        object_id=who.scope.describe()[:64],
        detail={"spell_ids": [r.spell_id for r in rows], "filter": filter_key},
    )
    filename = f"discharge-board-{context.today().isoformat()}.csv"
    return Response(
        board_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _row_response(
    request: Request,
    context: AppContext,
    who: Identity,
    row: BoardRow,
    *,
    saved: bool = False,
) -> Response:
    return context.templates.TemplateResponse(
        request,
        "_board_row.html",
        {
            "row": row,
            "identity": who,
            "saved": saved,
            "can_edit": can(who.role, Action.EDIT_BOARD),
        },
    )


def _edit_response(
    request: Request,
    context: AppContext,
    row: BoardRow,
    *,
    values: dict[str, Any],
    version: int,
    status: int = 200,
    error: ValidationFailed | Conflict | None = None,
    latest: BoardRow | None = None,
) -> Response:
    return context.templates.TemplateResponse(
        request,
        "_board_row_edit.html",
        {
            "row": row,
            "values": values,
            "version": version,
            "codes": context.codes,
            "message": error.message if error else None,
            "hint": error.hint if error else None,
            "errors": field_errors(error) if error else [],
            "latest": latest,
        },
        status_code=status,
    )


@router.get(
    "/board/rows/{spell_id}", response_class=HTMLResponse, name="show_board_row"
)
def show_board_row(
    request: Request,
    spell_id: str,
    identity: Annotated[Identity | None, Depends(Authorize(Action.VIEW_BOARD))],
) -> Response:
    """One board row (used to cancel an edit)."""
    context, who = get_context(request), require(identity)
    row = scoped_row(context, who, spell_id)
    audit_view(
        request, who, action="view_board_row", object_type="spell", object_id=spell_id
    )
    return _row_response(request, context, who, row)


@router.get(
    "/board/rows/{spell_id}/edit", response_class=HTMLResponse, name="edit_board_row"
)
def edit_board_row(
    request: Request,
    spell_id: str,
    identity: Annotated[Identity | None, Depends(Authorize(Action.EDIT_BOARD))],
) -> Response:
    """The row as a form, in place."""
    context, who = get_context(request), require(identity)
    row = scoped_row(context, who, spell_id)
    audit_view(
        request, who, action="view_board_row", object_type="spell", object_id=spell_id
    )
    return _edit_response(
        request, context, row, values=form_values(row), version=row.version
    )


@router.post(
    "/board/rows/{spell_id}", response_class=HTMLResponse, name="update_board_row"
)
async def update_board_row(
    request: Request,
    spell_id: str,
    identity: Annotated[Identity | None, Depends(Authorize(Action.EDIT_BOARD))],
) -> Response:
    """Save a row edited in place; on a problem, the form comes back with the user's input."""
    form = form_dict(await request.form())
    return await _run(request, identity, spell_id, form)


async def _run(
    request: Request, identity: Identity | None, spell_id: str, form: dict[str, str]
) -> Response:
    return await run_in_threadpool(
        _save_row, request, require(identity), spell_id, form
    )


def _save_row(
    request: Request, who: Identity, spell_id: str, form: dict[str, str]
) -> Response:
    context = get_context(request)
    row = scoped_row(context, who, spell_id)
    try:
        save_form(context, request, who, row, form)
    except ValidationFailed as exc:
        return _edit_response(
            request,
            context,
            row,
            values=submitted_values(form),
            version=_version(form),
            status=422,
            error=exc,
        )
    except Conflict as exc:
        latest = scoped_row(context, who, spell_id)
        return _edit_response(
            request,
            context,
            row,
            values=submitted_values(form),
            version=latest.version,
            status=409,
            error=exc,
            latest=latest,
        )
    if request.headers.get("hx-request") != "true":
        return RedirectResponse("/board", status_code=303)
    return _row_response(
        request, context, who, scoped_row(context, who, spell_id), saved=True
    )


def save_form(
    context: AppContext,
    request: Request,
    who: Identity,
    row: BoardRow,
    form: dict[str, str],
) -> None:
    """Validate and save a board form for ``row`` (shared by the board and patient pages).

    Raises:
        ValidationFailed: the input is not valid; nothing was saved.
        Conflict: someone saved first; nothing was saved.
    """
    changes, version = parse_entry(
        form, codes=context.codes, today=context.today(), admitted=row.admission_date
    )
    with context.database.transaction() as session:
        save_entry(
            session,
            spell_id=row.spell_id,
            changes=changes,
            expected_version=version,
            actor=actor_for(request, who),
            today=context.today(),
            now=context.now(),
        )


def _version(form: dict[str, str]) -> int:
    value = form.get("version", "0")
    return int(value) if value.isdigit() and len(value) < 10 else 0
