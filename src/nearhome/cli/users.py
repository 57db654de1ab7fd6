"""``nearhome users …``: accounts, roles and ward assignments for the board."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer

from nearhome.errors import InvalidConfig

if TYPE_CHECKING:
    from nearhome.appdb import BoardDatabase

app = typer.Typer(
    help="Board accounts: add, list, set passwords, lock and unlock.",
    no_args_is_help=True,
)

DB_OPTION = typer.Option(
    "sqlite:///nearhome-board.sqlite",
    "--db",
    envvar="NEARHOME_BOARD_DB_URL",
    help="Board database URL.",
)
ROLES = ("ward_staff", "flow_manager", "icb_case_manager", "analyst", "admin")


def _database(url: str) -> BoardDatabase:
    from nearhome.appdb import open_database, upgrade_database

    database = open_database(url)
    upgrade_database(database)
    return database


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


def _check_role(
    role: str, wards: list[str], provider: str | None, icb: str | None
) -> None:
    if role not in ROLES:
        raise InvalidConfig(
            f"Unknown role '{role}'.", hint=f"Use one of: {', '.join(ROLES)}."
        )
    needs = {
        "ward_staff": ("--ward", bool(wards)),
        "flow_manager": ("--provider", bool(provider)),
        "icb_case_manager": ("--icb", bool(icb)),
        "analyst": ("--icb", bool(icb)),
    }
    if role in needs and not needs[role][1]:
        raise InvalidConfig(
            f"A {role} user needs {needs[role][0]}.",
            hint="Without it they would see nobody.",
        )


@app.command("add")
def add(  # noqa: PLR0917 - typer maps each option to a parameter
    name: str = typer.Argument(..., help="Username."),
    role: str = typer.Option(..., help=f"One of: {', '.join(ROLES)}."),
    ward: list[str] = typer.Option(
        [], help="A ward the user works on (repeat for more)."
    ),
    provider: str | None = typer.Option(
        None, help="Trust (provider) code, for flow managers."
    ),
    icb: str | None = typer.Option(
        None, help="ICB code, for case managers and analysts."
    ),
    display_name: str | None = typer.Option(None, help="Name shown in the app."),
    oidc_subject: str | None = typer.Option(
        None, help="Link to this single sign-on subject."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from stdin."
    ),
    no_password: bool = typer.Option(
        False, "--no-password", help="Single sign-on only."
    ),
    db: str = DB_OPTION,
) -> None:
    """Add an account; the password is prompted for unless given on stdin."""
    from argon2 import PasswordHasher

    from nearhome.appdb.accounts import NewUser, create_user

    _check_role(role, ward, provider, icb)
    password = None if no_password else _read_password(password_stdin)
    new = NewUser(name, role, display_name, tuple(ward), provider, icb, oidc_subject)
    database = _database(db)
    try:
        with database.transaction() as session:
            create_user(
                session, PasswordHasher(), new, password=password, now=datetime.now(UTC)
            )
    except ValueError as exc:
        raise InvalidConfig(str(exc), hint="Choose a longer password.") from exc
    typer.echo(f"Added {role} '{name}'.")


@app.command("list")
def list_accounts(db: str = DB_OPTION) -> None:
    """List accounts with role, scope and status."""
    from nearhome.appdb.accounts import list_users

    with _database(db).sessions() as session:
        for user in list_users(session):
            scope = (
                ",".join(user.ward_codes) or user.provider_code or user.icb_code or "-"
            )
            state = "active" if user.is_active else "disabled"
            typer.echo(f"{user.username}\t{user.role}\t{scope}\t{state}")


@app.command("set-password")
def set_user_password(
    name: str = typer.Argument(..., help="Username."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from stdin."
    ),
    db: str = DB_OPTION,
) -> None:
    """Set a new password (also clears a lockout and signs the user out everywhere)."""
    from argon2 import PasswordHasher

    from nearhome.appdb.accounts import get_user, set_password
    from nearhome.appdb.sessions import end_user_sessions

    password = _read_password(password_stdin)
    with _database(db).transaction() as session:
        user = get_user(session, name)
        try:
            set_password(
                session, PasswordHasher(), user, password, now=datetime.now(UTC)
            )
        except ValueError as exc:
            raise InvalidConfig(str(exc), hint="Choose a longer password.") from exc
        end_user_sessions(session, user.id)
    typer.echo(f"Password changed for '{name}'.")


@app.command("disable")
def disable(
    name: str = typer.Argument(..., help="Username."), db: str = DB_OPTION
) -> None:
    """Disable an account and end its sessions."""
    from nearhome.appdb.accounts import get_user
    from nearhome.appdb.sessions import end_user_sessions

    with _database(db).transaction() as session:
        user = get_user(session, name)
        user.is_active = False
        user.updated_at = datetime.now(UTC)
        end_user_sessions(session, user.id)
    typer.echo(f"Disabled '{name}'.")


@app.command("unlock")
def unlock(
    name: str = typer.Argument(..., help="Username."), db: str = DB_OPTION
) -> None:
    """Clear a sign-in lockout."""
    from nearhome.appdb.accounts import get_user, unlock_user

    with _database(db).transaction() as session:
        unlock_user(session, get_user(session, name), now=datetime.now(UTC))
    typer.echo(f"Unlocked '{name}'.")


@app.command("seed-demo")
def seed_demo(
    warehouse: str = typer.Option(
        ..., help="Warehouse URL (loaded with synthetic data)."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from stdin."
    ),
    db: str = DB_OPTION,
) -> None:
    """Create one demo account per role, scoped to the warehouse's busiest wards."""
    from nearhome.board.demo import seed_demo_users
    from nearhome.data.warehouse import connect

    password = _read_password(password_stdin)
    store = connect(warehouse)
    try:
        accounts = seed_demo_users(
            _database(db), store, password=password, today=datetime.now(UTC).date()
        )
    finally:
        store.close()
    for account in accounts:
        typer.echo(f"  {account.username:<12} {account.role:<17} {account.scope}")
    typer.echo(
        f"Open the board: nearhome serve --warehouse {warehouse} --db {db}, then http://127.0.0.1:8000/login"
    )
