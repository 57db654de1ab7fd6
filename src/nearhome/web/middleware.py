"""A small ASGI middleware: a request id on every request, and security headers.

The id is put in ``request.state.request_id`` (the audit trail and 500 pages quote it) and in
the ``X-Request-ID`` response header. The Content-Security-Policy allows only this origin, so
nothing loads from the internet and injected inline script would not run even if escaping
ever failed.
"""

from __future__ import annotations

import asyncio
import uuid
import weakref

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = (
    (b"content-security-policy", CSP.encode("ascii")),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)


class RequestContextMiddleware:
    """Adds the request id and the security headers; pages are never cached."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        is_static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode("ascii")))
                headers.extend(SECURITY_HEADERS)
                if not is_static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


UNLIMITED_PATHS = ("/static/", "/login")
"""Path prefixes the request limit lets straight through."""


class RequestLimitMiddleware:
    """At most ``limit`` requests are worked on at once; the rest wait in arrival order.

    Without it, a burst (every ward opening the board at the start of a shift) is processed
    all at once: each request takes its turns at the interpreter lock, the worker threads and
    the event loop interleaved with all the others, so they all finish late together. With a
    small limit, requests run to completion in order: the first ones answer at once and only
    the last ones of a burst wait for it to clear. Static files are not limited, and neither
    is signing in: single sign-on waits on the identity provider, and a slow provider must
    not hold the board up for everyone.
    """

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        """Wrap ``app``; ``limit`` requests may be in progress at once."""
        if limit < 1:
            msg = "the request limit must be at least 1"
            raise ValueError(msg)
        self.app = app
        self.limit = limit
        # One semaphore per event loop: test clients may drive one app from several loops.
        self._gates: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Semaphore
        ] = weakref.WeakKeyDictionary()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one request once a place is free."""
        if scope["type"] != "http" or str(scope.get("path", "")).startswith(
            UNLIMITED_PATHS
        ):
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(self.limit)
        async with gate:
            await self.app(scope, receive, send)
