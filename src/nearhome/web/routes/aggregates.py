"""Aggregates for analysts and commissioners: ``/aggregates`` and ``/aggregates.csv``.

Only suppressed counts leave this module; no page or file here carries an identifier.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from nearhome.board.aggregates import (
    AggregateTable,
    provider_counts,
    reason_group_counts,
)
from nearhome.web.auth import Identity
from nearhome.web.caseload import scoped_rows
from nearhome.web.deps import AppContext, Authorize, get_context, require
from nearhome.web.permissions import Action

router = APIRouter()


def aggregate_tables(context: AppContext, who: Identity) -> list[AggregateTable]:
    """The aggregate tables for the user's scope."""
    rows = scoped_rows(context, who)
    return [provider_counts(rows, codes=context.codes), reason_group_counts(rows)]


@router.get("/aggregates", response_class=HTMLResponse, name="show_aggregates")
def show_aggregates(
    request: Request,
    identity: Annotated[Identity | None, Depends(Authorize(Action.VIEW_AGGREGATES))],
) -> Response:
    """Suppressed counts of the ICB's residents in hospital today."""
    context, who = get_context(request), require(identity)
    return context.templates.TemplateResponse(
        request,
        "aggregates.html",
        {
            "identity": who,
            "tables": aggregate_tables(context, who),
            "today": context.today(),
            "scope_label": who.scope.describe(),
        },
    )


@router.get("/aggregates.csv", name="export_aggregates")
def export_aggregates(
    request: Request,
    identity: Annotated[Identity | None, Depends(Authorize(Action.VIEW_AGGREGATES))],
) -> Response:
    """The aggregate tables as one CSV file (suppressed counts only)."""
    context, who = get_context(request), require(identity)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for table in aggregate_tables(context, who):
        writer.writerow([table.title])
        writer.writerow(table.columns)
        writer.writerows(table.rows)
        writer.writerow([table.note])
        writer.writerow([])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="board-aggregates.csv"'},
    )
