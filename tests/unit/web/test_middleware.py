"""The request limit: a few requests in progress at once, the rest served in arrival order."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from starlette.types import Receive, Scope, Send

from nearhome.web.middleware import RequestLimitMiddleware


def run_in_new_loop(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run ``main()`` on a fresh event loop in its own thread.

    The browser tests leave Playwright's loop running in the main thread.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(main())).result(timeout=30)


def test_requests_beyond_the_limit_wait_their_turn_in_order():
    running: list[str] = []
    started: list[str] = []
    most = 0

    async def app(scope: Scope, _receive: Receive, _send: Send) -> None:
        nonlocal most
        started.append(scope["path"])
        running.append(scope["path"])
        most = max(most, len(running))
        await asyncio.sleep(0.01)
        running.remove(scope["path"])

    limited = RequestLimitMiddleware(app, limit=2)

    async def receive() -> dict[str, object]:
        return {"type": "http.request"}

    async def send(_message: object) -> None:
        return None

    async def burst() -> None:
        await asyncio.gather(
            *(
                limited({"type": "http", "path": f"/board/{i}"}, receive, send)
                for i in range(8)
            ),
            limited({"type": "http", "path": "/static/board.css"}, receive, send),
            limited({"type": "http", "path": "/login/oidc/callback"}, receive, send),
        )

    run_in_new_loop(burst)
    assert most == 4  # two limited requests, plus the static file and the sign-in
    board = [p for p in started if p.startswith("/board/")]
    assert board == [f"/board/{i}" for i in range(8)]
    run_in_new_loop(burst)  # a second event loop gets its own gate


def test_limit_must_allow_a_request():
    async def app(_scope: Scope, _receive: Receive, _send: Send) -> None:
        return None

    with pytest.raises(ValueError, match="at least 1"):
        RequestLimitMiddleware(app, limit=0)
