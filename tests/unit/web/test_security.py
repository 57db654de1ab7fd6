"""Security: scope, planning-role isolation, CSRF, sessions, lockout, and hostile input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from nearhome.appdb import AuditEvent, BoardEntry, User
from nearhome.board.demo import demo_frames
from nearhome.board.scope import Scope, ScopeKind
from nearhome.web.auth import SESSION_COOKIE
from nearhome.web.harness import (
    PASSWORD,
    BoardHarness,
    build_harness,
    login_token,
    sign_in,
)

HX = {"HX-Request": "true"}
IDENTIFIER = re.compile(r"\b(LP\d{6}|P\d{6}|S\d{6})\b")
INJECTIONS = (
    "'; DROP TABLE board_entry; --",
    "Robert'); DELETE FROM app_user WHERE ('1'='1",
    "{{ 7*7 }} {% raw %}",
    "../../etc/passwd",
    'Quote " and ampersand & done',
)
MARKUP = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<b>bold</b>",
    "javascript:alert(1)",
    "&#60;script&#62;",
)


def spell_on(harness: BoardHarness, ward: str) -> str:
    rows = harness.app.state.context.census.census(
        Scope.of(ScopeKind.WARDS, [ward]), harness.today
    )
    return str(rows[0]["spell_id"])


def form(harness: BoardHarness, **values: str) -> dict[str, str]:
    base = {
        "version": "0",
        "is_crfd": "no",
        "expected_discharge_date": "",
        "wishes": "",
    }
    base.update(values)
    return base


def count(harness: BoardHarness, model: type) -> int:
    with harness.database.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize(
    "path",
    ["/patients/{}", "/board/rows/{}", "/board/rows/{}/edit", "/api/patients/{}"],
)
def test_other_wards_patient_is_not_found(harness, signed_in, path):
    client, _ = signed_in("ward")
    other = spell_on(harness, "W02")
    response = client.get(path.format(other))
    assert response.status_code == 404
    assert other not in response.text


def test_other_wards_patient_cannot_be_edited(harness, signed_in):
    client, csrf = signed_in("ward")
    other = spell_on(harness, "W02")
    response = client.post(
        f"/board/rows/{other}", data=form(harness), headers={**HX, "X-CSRF-Token": csrf}
    )
    assert response.status_code == 404
    assert count(harness, BoardEntry) == 0


ANALYST_REFUSED = (
    "/board",
    "/board/export.csv",
    "/huddle",
    "/placements",
    "/long-stays",
    "/patients/{}",
    "/board/rows/{}",
    "/api/board",
    "/api/patients/{}",
    "/api/huddle",
    "/api/placements",
)


@pytest.mark.parametrize("path", ANALYST_REFUSED)
def test_analyst_never_reaches_a_person(harness, signed_in, path):
    client, _ = signed_in("analyst")
    spell = spell_on(harness, "W01")
    response = client.get(path.format(spell))
    assert response.status_code == 403
    assert not IDENTIFIER.search(response.text)


def test_analyst_pages_carry_no_identifiers(harness, signed_in):
    client, csrf = signed_in("analyst")
    for path in ("/aggregates", "/aggregates.csv", "/api/aggregates"):
        response = client.get(path)
        assert response.status_code == 200
        assert not IDENTIFIER.search(response.text), path
    spell = spell_on(harness, "W01")
    edit = client.post(
        f"/api/patients/{spell}", json={"version": 0}, headers={"X-CSRF-Token": csrf}
    )
    assert edit.status_code == 403


def test_missing_and_forged_csrf_are_refused(harness, signed_in):
    client, csrf = signed_in("ward")
    spell = spell_on(harness, "W01")
    missing = client.post(f"/board/rows/{spell}", data=form(harness), headers=HX)
    forged = client.post(
        f"/board/rows/{spell}", data={**form(harness), "csrf_token": csrf[:-2] + "xx"}
    )
    other_session = TestClient(harness.app)
    other_token = sign_in(other_session, "ward2")
    stolen = client.post(
        f"/board/rows/{spell}",
        data=form(harness),
        headers={**HX, "X-CSRF-Token": other_token},
    )
    for response in (missing, forged, stolen):
        assert response.status_code == 403
        assert "did not come from this service" in response.text
    assert count(harness, BoardEntry) == 0
    json_missing = client.post(f"/api/patients/{spell}", json={"version": 0})
    assert json_missing.status_code == 403 and json_missing.json()["ok"] is False
    assert client.post("/logout").status_code == 403


def test_login_needs_its_csrf_cookie(harness):
    client = TestClient(harness.app)
    token = login_token(client.get("/login").text)
    fresh = TestClient(harness.app)
    response = fresh.post(
        "/login", data={"username": "ward", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 403


def test_new_session_id_at_login_no_fixation(harness):
    client = TestClient(harness.app)
    planted = "attacker-chosen-value"
    client.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
    token = login_token(client.get("/login").text)
    credentials = {"username": "ward", "password": PASSWORD, "csrf_token": token}
    assert (
        client.post("/login", data=credentials, follow_redirects=False).status_code
        == 303
    )
    first = client.cookies.get(SESSION_COOKIE, domain="testserver.local")
    assert first and planted not in first
    assert (
        client.post("/login", data=credentials, follow_redirects=False).status_code
        == 303
    )
    second = client.cookies.get(SESSION_COOKIE, domain="testserver.local")
    assert second != first
    replay = TestClient(harness.app)
    replay.cookies.set(SESSION_COOKIE, first)
    assert replay.get("/board", follow_redirects=False).status_code == 303


def test_logout_ends_the_session_on_the_server(harness, signed_in):
    client, csrf = signed_in("ward")
    cookie = client.cookies.get(SESSION_COOKIE)
    assert (
        client.post(
            "/logout", data={"csrf_token": csrf}, follow_redirects=False
        ).status_code
        == 303
    )
    replay = TestClient(harness.app)
    replay.cookies.set(SESSION_COOKIE, cookie)
    assert replay.get("/board", follow_redirects=False).headers["location"] == "/login"
    assert replay.get("/api/board").status_code == 401


def test_disabled_user_is_signed_out_at_once(harness, signed_in):
    client, _ = signed_in("ward")
    assert client.get("/board").status_code == 200
    with harness.database.transaction() as session:
        user = session.scalar(select(User).where(User.username == "ward"))
        assert user is not None
        user.is_active = False  # straight in the database: no session is ended
    assert client.get("/board", follow_redirects=False).status_code == 303
    assert client.get("/api/board").status_code == 401


def test_ward_scope_follows_the_assignments_of_every_request(harness, signed_in):
    harness.add_user("two", "ward_staff", wards=("W02", "W01"))
    client, _ = signed_in("two")
    page = client.get("/board").text
    assert "Ward W01" in page and "Ward W02" in page and "wards W01, W02" in page
    with harness.database.transaction() as session:
        user = session.scalar(select(User).where(User.username == "two"))
        assert user is not None
        user.wards = [w for w in user.wards if w.ward_code == "W02"]
    page = client.get("/board").text
    assert "Ward W01" not in page and "Ward W02" in page


def test_session_cookie_flags(harness, board_db_url):
    client = TestClient(harness.app)
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": "ward",
            "password": PASSWORD,
            "csrf_token": login_token(page.text),
        },
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert "max-age=28800" in cookie


def test_secure_cookies_when_configured(board_db_url):
    built = build_harness(board_db_url, settings_overrides={"https_only_cookies": True})
    built.add_user("ward", "ward_staff", wards=("W01",))
    client = TestClient(built.app, base_url="https://testserver")
    page = client.get("/login")
    assert "secure" in page.headers["set-cookie"].lower()
    response = client.post(
        "/login",
        data={
            "username": "ward",
            "password": PASSWORD,
            "csrf_token": login_token(page.text),
        },
        follow_redirects=False,
    )
    assert "secure" in response.headers["set-cookie"].lower()
    built.database.dispose()


def test_sessions_expire(harness, signed_in):
    client, _ = signed_in("ward")
    assert client.get("/board").status_code == 200
    harness.clock.now += timedelta(minutes=harness.settings.session_max_age_minutes + 1)
    assert client.get("/board", follow_redirects=False).status_code == 303


def test_lockout_after_repeated_failures(harness):
    client = TestClient(harness.app)
    token = login_token(client.get("/login").text)
    for _ in range(harness.settings.login_max_failures):
        bad = client.post(
            "/login",
            data={
                "username": "ward",
                "password": "wrong password!!",
                "csrf_token": token,
            },
        )
        assert bad.status_code == 401 and "not correct" in bad.text
    locked = client.post(
        "/login", data={"username": "ward", "password": PASSWORD, "csrf_token": token}
    )
    assert locked.status_code == 401 and "locked" in locked.text
    harness.clock.now += timedelta(minutes=harness.settings.login_lockout_minutes + 1)
    assert sign_in(client, "ward")
    unknown = client.post(
        "/login", data={"username": "nobody", "password": "x" * 12, "csrf_token": token}
    )
    assert "not correct" in unknown.text


def test_login_rate_limited_per_address(harness):
    client = TestClient(harness.app)
    token = login_token(client.get("/login").text)
    statuses = [
        client.post(
            "/login",
            data={"username": f"u{i}", "password": "nope", "csrf_token": token},
        ).status_code
        for i in range(25)
    ]
    assert statuses[-1] == 429
    assert statuses[0] == 401


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_are_stored_as_text_and_escaped(harness, signed_in, text):
    client, csrf = signed_in("ward")
    spell = spell_on(harness, "W01")
    saved = client.post(
        f"/patients/{spell}",
        data={**form(harness, wishes=text), "csrf_token": csrf},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    with harness.database.sessions() as session:
        assert session.get(BoardEntry, spell).wishes == text
    page = client.get(f"/patients/{spell}").text
    assert "49" not in page.split("own wishes")[1][:400]
    if "&" in text or '"' in text:
        assert "&amp;" in page or "&#34;" in page
    barrier = client.post(
        f"/patients/{spell}/barriers",
        data={
            "csrf_token": csrf,
            "description": text,
            "action": text,
            "owner": text[:100],
        },
        follow_redirects=False,
    )
    assert barrier.status_code == 303
    assert count(harness, AuditEvent) > 0


@pytest.mark.parametrize("text", MARKUP)
@pytest.mark.parametrize(
    "field", ["wishes", "description", "repatriation_plan", "display_name"]
)
def test_markup_in_every_text_field_is_refused(harness, signed_in, text, field):
    spell = spell_on(harness, "W01")
    if field == "wishes":
        client, csrf = signed_in("ward")
        response = client.post(
            f"/patients/{spell}",
            data={**form(harness, wishes=text), "csrf_token": csrf},
        )
    elif field == "description":
        client, csrf = signed_in("ward")
        response = client.post(
            f"/patients/{spell}/barriers",
            data={"csrf_token": csrf, "description": text, "action": "a", "owner": "b"},
        )
    elif field == "repatriation_plan":
        client, csrf = signed_in("case")
        oap = next(r for r in client.get("/api/placements").json()["placements"])
        response = client.post(
            f"/placements/{oap['patient']['spell_id']}",
            data={"csrf_token": csrf, "version": "0", "repatriation_plan": text},
        )
    else:
        client, csrf = signed_in("admin")
        response = client.post(
            "/admin/users",
            data={
                "csrf_token": csrf,
                "username": "x1",
                "role": "admin",
                "display_name": text,
            },
        )
    assert response.status_code == 422
    assert "plain text" in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert count(harness, BoardEntry) == 0


def test_bad_input_is_all_reported_and_nothing_half_saved(harness, signed_in):
    client, csrf = signed_in("ward")
    spell = spell_on(harness, "W01")
    before = count(harness, AuditEvent)
    data = form(
        harness,
        expected_discharge_date=(harness.today - timedelta(days=1)).isoformat(),
        is_crfd="yes",
        crfd_start_date=(harness.today + timedelta(days=1)).isoformat(),
        crfd_reason_code="99",
        attributable_to_code="07",
        housing_need="castle",
        wishes="x" * 1001,
    )
    response = client.post(
        f"/board/rows/{spell}", data=data, headers={**HX, "X-CSRF-Token": csrf}
    )
    assert response.status_code == 422
    for message in (
        "cannot be in the past",
        "cannot be in the future",
        "not one of the listed options",
        "1000 characters or fewer",
    ):
        assert message in response.text
    assert "x" * 1001 in response.text  # the user's input is kept in the form
    assert count(harness, BoardEntry) == 0
    assert count(harness, AuditEvent) == before
    api = client.post(
        f"/api/patients/{spell}", json=data, headers={"X-CSRF-Token": csrf}
    )
    body = api.json()
    assert api.status_code == 422 and body["ok"] is False and body["status"] == 422
    assert {f["field"] for f in body["fields"]} >= {
        "expected_discharge_date",
        "crfd_start_date",
        "wishes",
    }


def test_script_in_stored_notes_and_warehouse_is_escaped(board_db_url):
    frames = demo_frames(40, today=harness_today())
    person = frames["person"]
    person.loc[0, "local_patient_id"] = '<script>alert("id")</script>'
    built = build_harness(board_db_url, frames=frames)
    built.add_user("ward", "ward_staff", wards=("W01",))
    spell = spell_on(built, "W01")
    with built.database.transaction() as session:
        session.add(
            BoardEntry(
                spell_id=spell,
                version=1,
                edd_slip_count=0,
                wishes='<script>alert("note")</script>',
                updated_at=built.clock(),
                updated_by="import",
            )
        )
    client = TestClient(built.app)
    sign_in(client, "ward")
    for path in ("/board", f"/patients/{spell}"):
        page = client.get(path).text
        assert "<script>alert" not in page
        assert (
            "&lt;script&gt;alert(&#34;note&#34;)" in page
            or "&lt;script&gt;alert(&#34;id&#34;)" in page
        )
    built.database.dispose()


def harness_today():
    from nearhome.web.harness import FIXED_NOW

    return FIXED_NOW.date()


def test_security_headers(harness, client):
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-request-id"]


def test_signed_out_users_are_sent_to_login(client):
    assert client.get("/board", follow_redirects=False).headers["location"] == "/login"
    assert client.get("/api/board").json()["status"] == 401
    assert (
        client.get("/board/rows/S000001/edit", headers=HX).headers.get("hx-redirect")
        == "/login"
    )
