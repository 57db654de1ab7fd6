"""End to end in a real browser: sign in, mark a patient CRFD for housing, see the huddle change.

A real ``nearhome serve`` process (uvicorn) runs on 127.0.0.1 on a free port over a DuckDB
file of synthetic inpatients and a SQLite board database; headless Chromium drives it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from nearhome.appdb import open_database, upgrade_database
from nearhome.board.demo import demo_frames
from nearhome.data.warehouse import connect
from nearhome.web.deps import LOCAL_ZONE
from nearhome.web.harness import PASSWORD, cheap_hasher

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass(frozen=True)
class Server:
    url: str
    db_url: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_warehouse(path: Path) -> str:
    url = f"duckdb:///{path}"
    today = datetime.now(UTC).astimezone(LOCAL_ZONE).date()
    warehouse = connect(url)
    for name, frame in demo_frames(150, today=today).items():
        warehouse.write_table(name, frame)
    warehouse.close()
    return url


def seed_users(db_url: str) -> None:
    from nearhome.appdb.accounts import NewUser, create_user

    database = open_database(db_url)
    upgrade_database(database)
    with database.transaction() as session:
        now = datetime.now(UTC)
        create_user(
            session,
            cheap_hasher(),
            NewUser("flow", "flow_manager", "Flo Manager", provider_code="RNH"),
            password=PASSWORD,
            now=now,
        )
        create_user(
            session,
            cheap_hasher(),
            NewUser("ward", "ward_staff", "Wendy Ward", wards=("W01",)),
            password=PASSWORD,
            now=now,
        )
    database.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("e2e")
    warehouse_url = write_warehouse(root / "warehouse.duckdb")
    db_url = f"sqlite:///{root / 'board.sqlite'}"
    seed_users(db_url)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEARHOME_")}
    env["NEARHOME_SECRET_KEY"] = "e2e-secret-key-synthetic-data-only-0123456789"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nearhome",
            "serve",
            "--warehouse",
            warehouse_url,
            "--db",
            db_url,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process)
        yield Server(url=url, db_url=db_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if process.stdout is not None:
            process.stdout.close()


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"nearhome serve exited early:\n{output}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    pytest.fail("nearhome serve did not start within 60 s")


def sign_in(page: Page, server: Server, username: str) -> None:
    page.goto(f"{server.url}/login")
    expect(page).to_have_title("Sign in – nearhome")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def housing_count(page: Page) -> int:
    return int(
        page.locator('#crfd-by-group tr[data-group="housing"] td').first.inner_text()
    )


def test_mark_crfd_for_housing_and_see_huddle_change(page: Page, server: Server):
    sign_in(page, server, "flow")
    expect(page).to_have_url(f"{server.url}/huddle")
    expect(page.get_by_role("heading", name="Daily huddle")).to_be_visible()
    crfd_before = int(page.locator("#stat-crfd").inner_text())
    housing_before = housing_count(page)

    page.get_by_role("link", name="Board", exact=True).click()
    expect(page.get_by_role("heading", name="Discharge board")).to_be_visible()
    row = page.locator("tr.board-row", has_text="Not ready").first
    patient = row.locator("th a").first.inner_text()
    row.get_by_role("link", name=f"Edit {patient}").click()
    editing = page.locator("tr.board-row--editing")
    expect(editing).to_be_visible()
    today = datetime.now(UTC).astimezone(LOCAL_ZONE).date().isoformat()
    editing.get_by_label("Clinically ready for discharge").select_option("yes")
    editing.get_by_label("Ready since").fill(today)
    editing.get_by_label("Delay reason").select_option("18")
    editing.get_by_label("Attributable to").select_option("05")
    editing.get_by_label("Today").select_option("red")
    editing.get_by_label("Housing need").select_option("supported")
    editing.get_by_role("button", name=f"Save {patient}").click()
    saved = page.locator("tr.board-row", has_text=patient)
    expect(saved.get_by_text("Saved")).to_be_visible()
    expect(saved.get_by_text("Red day")).to_be_visible()
    expect(saved.get_by_text("Housing", exact=True)).to_be_visible()

    page.get_by_role("link", name="Huddle").click()
    expect(page.locator("#stat-crfd")).to_have_text(str(crfd_before + 1))
    assert housing_count(page) == housing_before + 1
    expect(page.get_by_text(patient).first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "board-huddle.png"), full_page=True)
    page.goto(f"{server.url}/board?filter=crfd")
    page.set_viewport_size({"width": 1600, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "board.png"), full_page=False)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(f"{server.url}/board")
    expect(page).to_have_url(f"{server.url}/login")


def test_validation_message_in_place(page: Page, server: Server):
    sign_in(page, server, "ward")
    expect(page).to_have_url(f"{server.url}/board")
    row = page.locator("tr.board-row").first
    patient = row.locator("th a").first.inner_text()
    row.get_by_role("link", name=f"Edit {patient}").click()
    editing = page.locator("tr.board-row--editing")
    editing.get_by_label("Expected discharge date").fill("2001-01-01")
    editing.get_by_label("The person's own wishes").fill("<script>alert(1)</script>")
    editing.get_by_role("button", name=f"Save {patient}").click()
    expect(editing.get_by_text("cannot be in the past")).to_be_visible()
    expect(editing.get_by_text("must be plain text")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "board-validation.png"))
    editing.get_by_role("button", name="Cancel").click()
    expect(page.locator("tr.board-row--editing")).to_have_count(0)


def test_keyboard_only_sign_in(page: Page, server: Server):
    page.goto(f"{server.url}/login")
    page.keyboard.press("Tab")
    expect(page.get_by_text("Skip to main content")).to_be_focused()
    page.get_by_label("Username").focus()
    page.keyboard.type("ward")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server.url}/board")
