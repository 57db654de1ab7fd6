"""``create_app(settings)``: the daily discharge board as a FastAPI application.

Everything the app holds (warehouse, board database, census cache, templates, clock) is
built here and kept on ``app.state.context``; nothing is created at import time. Tests pass
an in-memory warehouse, a temporary database and a fixed clock.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio.to_thread
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from nearhome.appdb import BoardDatabase, open_database, upgrade_database
from nearhome.appdb.accounts import LockoutPolicy
from nearhome.board.census import CensusCache
from nearhome.board.codes import board_codes
from nearhome.data.warehouse import Warehouse, connect
from nearhome.settings import Settings
from nearhome.web import filters
from nearhome.web.auth import CookieSigner, LoginThrottle
from nearhome.web.deps import AppContext
from nearhome.web.errors import install_error_handlers
from nearhome.web.middleware import RequestContextMiddleware, RequestLimitMiddleware
from nearhome.web.oidc import OidcClient
from nearhome.web.routes import (
    aggregates,
    api,
    board,
    huddle,
    patients,
    placements,
    sessions,
    users,
)

HERE = Path(__file__).parent
WORKER_THREADS = 8
"""Threads that run blocking work (database, password hashing) at once, per process.

Starlette's default is 40. Board requests are short and mostly Python, so they share one
interpreter lock: 40 threads at once all progress slowly and finish late together, a burst
stays a burst, and every pooled database connection gets used. Eight keeps the database
waits overlapped while requests beyond that queue in arrival order; it is below the board
database's pool size, so connections are reused rather than opened per request.
"""

REQUEST_LIMIT = 4
"""Requests in progress at once per process; later ones wait in arrival order.

A board request needs a few milliseconds of Python and a few short database round trips, so
four at once keep the database waits overlapped while a burst is answered first come, first
served (see ``RequestLimitMiddleware``).
"""


@contextlib.asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    """Size the worker-thread pool of the event loop that serves the app."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    yield


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(  # noqa: PLR0913 - every optional part is keyword-only, for tests
    settings: Settings,
    *,
    warehouse: Warehouse | None = None,
    database: BoardDatabase | None = None,
    clock: Callable[[], datetime] | None = None,
    password_hasher: PasswordHasher | None = None,
    census_ttl_seconds: float = 60.0,
    oidc: OidcClient | None = None,
    census: CensusCache | None = None,
    login_throttle: LoginThrottle | None = None,
    request_limit: int = REQUEST_LIMIT,
) -> FastAPI:
    """Build the board app.

    Args:
        settings: Deployment settings (database URLs, secret key, session and lockout rules).
        warehouse: The analytics store; connected from ``settings.warehouse_url`` if omitted.
        database: The board database; opened from ``settings.board_db_url`` if omitted.
            Either way it is migrated to the latest schema.
        clock: Returns the current aware time (tests fix it).
        password_hasher: Argon2 parameters (tests use cheaper ones).
        census_ttl_seconds: How long census results are reused.
        oidc: An OIDC client; built from the settings if omitted (and configured).
        census: A census cache to share (tests reuse one across apps over the same warehouse).
        login_throttle: Per-address sign-in limit (the benchmark signs 50 users in from one
            address).
        request_limit: Requests worked on at once per process (see ``REQUEST_LIMIT``).
    """
    if census is not None:
        warehouse = census.warehouse
    # The warehouse first: a wrong warehouse URL then fails before a board database file is
    # created (``serve --warehouse --help`` used to leave one in the working folder).
    warehouse = warehouse or connect(settings.warehouse_url)
    database = database or open_database(settings.board_db_url)
    upgrade_database(database)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    # Outside development, templates are read once: checking every file's modification time
    # on every render is wasted work for a page served thousands of times a day.
    templates.env.auto_reload = settings.environment == "development"
    filters.install(templates)
    context = AppContext(
        settings=settings,
        warehouse=warehouse,
        database=database,
        census=census or CensusCache(warehouse, ttl_seconds=census_ttl_seconds),
        codes=board_codes(),
        templates=templates,
        signer=CookieSigner(settings.secret_key),
        hasher=password_hasher or PasswordHasher(),
        throttle=login_throttle or LoginThrottle(),
        lockout=LockoutPolicy(
            max_failures=settings.login_max_failures,
            lockout=_minutes(settings.login_lockout_minutes),
        ),
        clock=clock or _utc_now,
        oidc=oidc if oidc is not None else OidcClient.from_settings(settings),
    )
    app = FastAPI(
        title="nearhome discharge board",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=_lifespan,
    )
    app.state.context = context
    app.add_middleware(RequestLimitMiddleware, limit=request_limit)
    app.add_middleware(RequestContextMiddleware)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (
        sessions,
        board,
        patients,
        huddle,
        placements,
        aggregates,
        users,
        api,
    ):
        app.include_router(module.router)
    install_error_handlers(app, templates)
    return app


def _minutes(count: int) -> timedelta:
    return timedelta(minutes=count)
