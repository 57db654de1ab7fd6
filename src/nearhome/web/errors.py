"""The web border: one table from error class to HTTP status, and one error shape.

Domain code raises :class:`~nearhome.errors.NearhomeError` subclasses and never knows about
HTTP. Here each class maps to a status (the first matching row of ``ERROR_STATUS`` wins);
JSON routes answer ``{"ok": false, "error", "errors", "status"}`` and browser routes render
``errors/{status}.html`` or ``errors/error.html``. Anything else is a 500 that shows only a
request id, which is also logged with the traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from nearhome.errors import (
    Conflict,
    NearhomeError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)

logger = logging.getLogger("nearhome.web")


class SignInRequired(NearhomeError):
    """The request needs a signed-in user and has none (or the session expired)."""


class TooManyAttempts(NearhomeError):
    """Too many sign-in attempts from one address in a short time."""


ERROR_STATUS: tuple[tuple[type[NearhomeError], int], ...] = (
    (SignInRequired, 401),
    (TooManyAttempts, 429),
    (NotFound, 404),
    (PermissionDenied, 403),
    (ValidationFailed, 422),
    (Conflict, 409),
    (NearhomeError, 400),
)
"""Error class → HTTP status; the first row the error is an instance of wins."""

TITLES = {
    400: "There is a problem",
    401: "Sign in to continue",
    403: "You do not have access to this",
    404: "Page not found",
    405: "That cannot be done here",
    409: "Someone else changed this first",
    422: "There is a problem with what was entered",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
}


def status_for(exc: NearhomeError) -> int:
    """The HTTP status for a nearhome error."""
    for cls, status in ERROR_STATUS:
        if isinstance(exc, cls):
            return status
    return 400


def field_errors(exc: NearhomeError) -> list[dict[str, str]]:
    """Per-field problems carried by a ``ValidationFailed`` (empty otherwise)."""
    report = getattr(exc, "report", None)
    if not isinstance(report, list):
        return []
    return [item.as_dict() for item in report if hasattr(item, "as_dict")]


def error_body(
    message: str, status: int, errors: list[str], **extra: Any
) -> dict[str, Any]:
    """The one JSON error shape."""
    return {"ok": False, "error": message, "errors": errors, "status": status, **extra}


def wants_json(request: Request) -> bool:
    """JSON for ``/api/`` paths and clients that ask for JSON rather than HTML."""
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def request_id(request: Request) -> str:
    """The id the request-id middleware gave this request."""
    return str(getattr(request.state, "request_id", "-"))


def error_response(
    request: Request,
    templates: Jinja2Templates,
    *,
    status: int,
    message: str,
    hint: str | None = None,
    fields: list[dict[str, str]] | None = None,
) -> Response:
    """Render an error as JSON or as a page, whichever the client wants."""
    fields = fields or []
    errors = [f"{f['message']}" for f in fields] or [message]
    if status == 401 and not wants_json(request):
        return _to_sign_in(request)
    if wants_json(request):
        extra: dict[str, Any] = {"request_id": request_id(request)}
        if hint:
            extra["hint"] = hint
        if fields:
            extra["fields"] = fields
        return JSONResponse(
            error_body(message, status, errors, **extra), status_code=status
        )
    name = f"errors/{status}.html" if status in {403, 404} else "errors/error.html"
    context = {
        "status": status,
        "title": TITLES.get(status, TITLES[400]),
        "message": message,
        "hint": hint,
        "errors": errors if fields else [],
        "request_id": request_id(request),
    }
    return templates.TemplateResponse(request, name, context, status_code=status)


def _to_sign_in(request: Request) -> Response:
    if request.headers.get("hx-request") == "true":
        return Response(status_code=401, headers={"HX-Redirect": "/login"})
    return RedirectResponse("/login", status_code=303)


def install_error_handlers(app: FastAPI, templates: Jinja2Templates) -> None:
    """Translate every error at the border into the one shape."""

    async def on_nearhome(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NearhomeError)
        return error_response(
            request,
            templates,
            status=status_for(exc),
            message=exc.message,
            hint=exc.hint,
            fields=field_errors(exc),
        )

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        message = TITLES.get(exc.status_code, "There is a problem")
        return error_response(
            request, templates, status=exc.status_code, message=message
        )

    async def on_bad_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        fields = [
            {
                "field": ".".join(str(p) for p in err.get("loc", ())[1:]),
                "message": str(err.get("msg", "")),
            }
            for err in exc.errors()
        ]
        return error_response(
            request,
            templates,
            status=422,
            message="The request was not valid.",
            fields=fields,
        )

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        logger.exception(
            "Unhandled error (request %s)", request_id(request), exc_info=exc
        )
        return error_response(
            request,
            templates,
            status=500,
            message=f"Something went wrong. Quote reference {request_id(request)} if you report it.",
        )

    app.add_exception_handler(NearhomeError, on_nearhome)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_bad_request)
    app.add_exception_handler(Exception, on_unexpected)
