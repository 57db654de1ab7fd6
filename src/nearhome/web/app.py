"""``create_app(settings)``: the daily discharge board as a FastAPI application.

Everything the app holds (warehouse, board database, census cache, templates, clock) is
built here and kept on ``app.state.context``; nothing is created at import time. Tests pass
an in-memory warehouse, a temporary database and a fixed clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

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
from nearhome.web.middleware import RequestContextMiddleware
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
    """
    database = database or open_database(settings.board_db_url)
    upgrade_database(database)
    if census is not None:
        warehouse = census.warehouse
    warehouse = warehouse or connect(settings.warehouse_url)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
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
    )
    app.state.context = context
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
