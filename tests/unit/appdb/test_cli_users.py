"""``nearhome users …`` and ``nearhome board export`` through typer's runner."""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from nearhome.board.demo import demo_frames
from nearhome.cli import board as board_cli
from nearhome.cli import users as users_cli
from nearhome.data.warehouse import connect
from nearhome.errors import InvalidConfig

runner = CliRunner()


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'board.sqlite'}"


def test_add_list_password_disable_unlock(db):
    added = runner.invoke(
        users_cli.app,
        [
            "add",
            "--role",
            "ward_staff",
            "--ward",
            "W1",
            "--ward",
            "W2",
            "--password-stdin",
            "--db",
            db,
            "alice",
        ],
        input="a long password here\n",
    )
    assert added.exit_code == 0, added.output
    prompted = runner.invoke(
        users_cli.app,
        ["add", "--role", "admin", "--db", db, "root"],
        input="another long password\nanother long password\n",
    )
    assert prompted.exit_code == 0, prompted.output
    listing = runner.invoke(users_cli.app, ["list", "--db", db])
    assert "alice\tward_staff\tW1,W2\tactive" in listing.output
    changed = runner.invoke(
        users_cli.app,
        ["set-password", "--password-stdin", "--db", db, "alice"],
        input="a brand new password\n",
    )
    assert changed.exit_code == 0
    assert runner.invoke(users_cli.app, ["unlock", "--db", db, "alice"]).exit_code == 0
    assert runner.invoke(users_cli.app, ["disable", "--db", db, "alice"]).exit_code == 0
    assert "disabled" in runner.invoke(users_cli.app, ["list", "--db", db]).output


def test_add_refuses_bad_input(db):
    no_ward = runner.invoke(
        users_cli.app,
        ["add", "--role", "ward_staff", "--password-stdin", "--db", db, "x"],
        input="a long password here\n",
    )
    assert isinstance(no_ward.exception, InvalidConfig)
    bad_role = runner.invoke(
        users_cli.app, ["add", "--role", "boss", "--no-password", "--db", db, "x"]
    )
    assert isinstance(bad_role.exception, InvalidConfig)
    weak = runner.invoke(
        users_cli.app,
        ["add", "--role", "admin", "--password-stdin", "--db", db, "x"],
        input="short\n",
    )
    assert isinstance(weak.exception, InvalidConfig)


def test_seed_demo_and_board_export(db, tmp_path):
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    warehouse = connect(url)
    for name, frame in demo_frames(60, today=date.today()).items():
        warehouse.write_table(name, frame)
    warehouse.close()
    seeded = runner.invoke(
        users_cli.app,
        ["seed-demo", "--warehouse", url, "--password-stdin", "--db", db],
        input="demo password 12345\n",
    )
    assert seeded.exit_code == 0, seeded.output
    assert "flow" in seeded.output and "nearhome serve" in seeded.output
    exported = runner.invoke(board_cli.app, ["export", "--warehouse", url, "--db", db])
    assert exported.exit_code == 0, exported.output
    assert "Exported 0 CRFD periods to board_crfd_period" in exported.output
    warehouse = connect(url)
    assert warehouse.has_table("board_crfd_period") and warehouse.has_table(
        "board_estimated_discharge"
    )
    warehouse.close()
