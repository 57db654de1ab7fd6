"""The board page, in-place edits, the patient page and the huddle, as a ward team uses them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, event, select, text

from nearhome.appdb import AuditEvent, BoardEntry, CrfdRecord, EddRecord, User
from nearhome.web.harness import BoardHarness

HX = {"HX-Request": "true"}


def first_spell(harness: BoardHarness, ward: str = "W01") -> str:
    census = harness.app.state.context.census
    from nearhome.board.scope import Scope, ScopeKind

    rows = census.census(Scope.of(ScopeKind.WARDS, [ward]), harness.today)
    return str(rows[0]["spell_id"])


def entry_form(harness: BoardHarness, **values: str) -> dict[str, str]:
    base = {
        "version": "0",
        "expected_discharge_date": (harness.today + timedelta(days=10)).isoformat(),
        "is_crfd": "no",
        "crfd_start_date": "",
        "crfd_reason_code": "",
        "attributable_to_code": "",
        "day_status": "",
        "housing_need": "",
        "carer_involved": "",
        "wishes": "",
    }
    base.update(values)
    return base


def test_board_lists_only_own_ward(harness, signed_in):
    client, _ = signed_in("ward")
    page = client.get("/board")
    assert page.status_code == 200
    assert "Discharge board" in page.text
    assert "Ward W01" in page.text
    assert "Ward W02" not in page.text
    assert "nhsuk-table" in page.text


def test_board_filters_and_sorts(harness, signed_in):
    client, _ = signed_in("flow")
    for key in ("all", "crfd", "delayed", "no_edd", "oap"):
        assert client.get(f"/board?filter={key}&sort=days").status_code == 200
    assert client.get("/board?filter=bogus&sort=bogus&ward=NOPE").status_code == 200
    oap = client.get("/board?filter=oap")
    assert "Out of area" in oap.text


def test_edit_in_place_saves_and_keeps_history(harness, signed_in):
    client, csrf = signed_in("ward")
    spell = first_spell(harness)
    form = client.get(f"/board/rows/{spell}/edit", headers=HX)
    assert form.status_code == 200 and 'name="crfd_reason_code"' in form.text
    data = entry_form(
        harness,
        is_crfd="yes",
        crfd_start_date=harness.today.isoformat(),
        crfd_reason_code="18",
        attributable_to_code="05",
        day_status="red",
        housing_need="supported",
        carer_involved="yes",
        wishes="Wants to live near her sister",
    )
    saved = client.post(
        f"/board/rows/{spell}", data=data, headers={**HX, "X-CSRF-Token": csrf}
    )
    assert saved.status_code == 200, saved.text
    assert "Saved" in saved.text and "Housing" in saved.text and "Red day" in saved.text
    with harness.database.sessions() as session:
        entry = session.get(BoardEntry, spell)
        assert (
            entry is not None and entry.version == 1 and entry.crfd_reason_code == "18"
        )
        periods = list(
            session.scalars(select(CrfdRecord).where(CrfdRecord.spell_id == spell))
        )
        assert len(periods) == 1 and periods[0].end_date is None
        audit = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "update_board_entry", AuditEvent.object_id == spell
            )
        ).one()
        assert audit.username == "ward"
        assert audit.detail["before"]["crfd_reason_code"] is None
        assert audit.detail["after"]["crfd_reason_code"] == "18"
    patient = client.get(f"/patients/{spell}")
    assert "History" in patient.text and "crfd reason code" in patient.text


def test_edd_slips_are_counted(harness, signed_in):
    client, csrf = signed_in("ward")
    spell = first_spell(harness)
    headers = {**HX, "X-CSRF-Token": csrf}
    for version, days in enumerate((5, 9, 7)):
        when = (harness.today + timedelta(days=days)).isoformat()
        response = client.post(
            f"/board/rows/{spell}",
            data=entry_form(
                harness, version=str(version), expected_discharge_date=when
            ),
            headers=headers,
        )
        assert response.status_code == 200
    with harness.database.sessions() as session:
        assert session.get(BoardEntry, spell).edd_slip_count == 1
        assert (
            len(
                list(
                    session.scalars(
                        select(EddRecord).where(EddRecord.spell_id == spell)
                    )
                )
            )
            == 3
        )
    assert "Slipped 1 time" in client.get("/board").text


def test_clearing_crfd_closes_the_period(harness, signed_in):
    client, csrf = signed_in("ward")
    spell = first_spell(harness)
    headers = {**HX, "X-CSRF-Token": csrf}
    start = (harness.today - timedelta(days=3)).isoformat()
    data = entry_form(
        harness, is_crfd="yes", crfd_start_date=start, crfd_reason_code="14"
    )
    assert (
        client.post(f"/board/rows/{spell}", data=data, headers=headers).status_code
        == 200
    )
    cleared = entry_form(harness, version="1")
    assert (
        client.post(f"/board/rows/{spell}", data=cleared, headers=headers).status_code
        == 200
    )
    with harness.database.sessions() as session:
        period = session.scalars(
            select(CrfdRecord).where(CrfdRecord.spell_id == spell)
        ).one()
        assert period.end_date == harness.today


def test_full_form_without_javascript(harness, signed_in):
    client, csrf = signed_in("ward")
    spell = first_spell(harness)
    data = entry_form(harness, csrf_token=csrf, day_status="green")
    response = client.post(f"/patients/{spell}", data=data, follow_redirects=False)
    assert response.status_code == 303
    assert "Saved." in client.get(response.headers["location"]).text


def test_barriers_added_and_done(harness, signed_in):
    client, csrf = signed_in("ward")
    spell = first_spell(harness)
    added = client.post(
        f"/patients/{spell}/barriers",
        data={
            "csrf_token": csrf,
            "description": "Awaiting supported housing panel",
            "action": "Chase panel date",
            "owner": "Social worker",
            "due_date": (harness.today + timedelta(days=2)).isoformat(),
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    page = client.get(f"/patients/{spell}")
    assert "Awaiting supported housing panel" in page.text
    barrier_id = page.text.split(f"/patients/{spell}/barriers/")[1].split('"')[0]
    done = client.post(
        f"/patients/{spell}/barriers/{barrier_id}",
        data={"csrf_token": csrf, "version": "1", "done": "yes"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "Reopen" in client.get(f"/patients/{spell}").text
    stale = client.post(
        f"/patients/{spell}/barriers/{barrier_id}",
        data={"csrf_token": csrf, "version": "1", "done": "no"},
    )
    assert stale.status_code == 409


def test_barrier_validation(harness, signed_in):
    client, csrf = signed_in("ward")
    spell = first_spell(harness)
    response = client.post(
        f"/patients/{spell}/barriers",
        data={
            "csrf_token": csrf,
            "description": "",
            "action": "x",
            "owner": "",
            "due_date": "2001-01-01",
        },
    )
    assert response.status_code == 422
    assert "Enter barrier" in response.text and "Enter owner" in response.text
    assert "cannot be in the past" in response.text


def test_huddle_counts_follow_board_edits(harness, signed_in):
    ward, csrf = signed_in("ward")
    flow, _ = signed_in("flow")
    before = flow.get("/api/huddle").json()
    spell = first_spell(harness)
    data = entry_form(
        harness,
        is_crfd="yes",
        crfd_start_date=harness.today.isoformat(),
        crfd_reason_code="15",
    )
    assert (
        ward.post(
            f"/board/rows/{spell}", data=data, headers={**HX, "X-CSRF-Token": csrf}
        ).status_code
        == 200
    )
    after = flow.get("/api/huddle").json()
    housing = {g["group"]: g["patients"] for g in after["by_group"]}["housing"]
    housing_before = {g["group"]: g["patients"] for g in before["by_group"]}["housing"]
    assert housing == housing_before + (0 if spell in before["new_delays"] else 1)
    assert spell in after["new_delays"]
    page = flow.get("/huddle")
    assert (
        page.status_code == 200
        and "Beds by pool" in page.text
        and "Adult acute" in page.text
    )


def test_flow_manager_exports_csv(harness, signed_in):
    client, _ = signed_in("flow")
    response = client.get("/board/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    header = response.text.splitlines()[0]
    assert header.startswith("Patient,Ward,Bed type")
    with harness.database.sessions() as session:
        assert session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export_board")
        ).first()


def test_views_are_audited(harness, signed_in):
    client, _ = signed_in("ward")
    spell = first_spell(harness)
    client.get("/board")
    client.get(f"/patients/{spell}")
    with harness.database.sessions() as session:
        actions = {e.action: e for e in session.scalars(select(AuditEvent))}
    assert actions["view_board"].detail["spell_ids"]
    assert actions["view_patient"].object_id == spell
    assert actions["view_patient"].username == "ward"


def test_case_manager_lists(harness, signed_in):
    client, csrf = signed_in("case")
    page = client.get("/placements")
    assert page.status_code == 200 and "Out of area placements" in page.text
    assert "Inappropriate" in page.text or "Appropriate" in page.text
    spell = page.text.split('href="/patients/')[1].split("#")[0]
    saved = client.post(
        f"/placements/{spell}",
        data={
            "csrf_token": csrf,
            "version": "0",
            "last_review_date": harness.today.isoformat(),
            "repatriation_plan": "Step down to home trust when a bed is free",
            "repatriation_target_date": (
                harness.today + timedelta(days=14)
            ).isoformat(),
            "advocacy_offered": "yes",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert "Step down to home trust" in client.get("/placements").text
    stale = client.post(
        f"/placements/{spell}", data={"csrf_token": csrf, "version": "0"}
    )
    assert stale.status_code == 409
    assert client.get("/long-stays").status_code == 200


def test_analyst_sees_suppressed_aggregates(harness, signed_in):
    client, _ = signed_in("analyst")
    page = client.get("/aggregates")
    assert page.status_code == 200 and "All providers" in page.text
    data = client.get("/api/aggregates").json()
    assert data["ok"] is True
    for table in data["tables"]:
        for row in table["rows"]:
            for cell in row[1:]:
                assert cell == "*" or int(cell) % 5 == 0
    assert client.get("/aggregates.csv").status_code == 200


def test_admin_manages_users(harness, signed_in):
    client, csrf = signed_in("admin")
    page = client.get("/admin/users")
    assert page.status_code == 200 and "ward2" in page.text
    created = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "newnurse",
            "role": "ward_staff",
            "wards": "W03, W04",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    assert "W03, W04" in client.get("/admin/users").text
    duplicate = client.post(
        "/admin/users",
        data={"csrf_token": csrf, "username": "newnurse", "role": "admin"},
    )
    assert duplicate.status_code == 409
    bad = client.post(
        "/admin/users",
        data={"csrf_token": csrf, "username": "<b>x</b>", "role": "boss"},
    )
    assert bad.status_code == 422
    with harness.database.sessions() as session:
        user_id = session.scalars(select(User.id).where(User.username == "ward2")).one()
        own_id = session.scalars(select(User.id).where(User.username == "admin")).one()
    refused = client.post(
        f"/admin/users/{own_id}", data={"csrf_token": csrf, "operation": "disable"}
    )
    assert refused.status_code == 403
    for operation in ("wards", "disable", "enable", "unlock"):
        response = client.post(
            f"/admin/users/{user_id}",
            data={"csrf_token": csrf, "operation": operation, "wards": "W05"},
            follow_redirects=False,
        )
        assert response.status_code == 303
    assert (
        client.post(
            "/admin/users/99999", data={"csrf_token": csrf, "operation": "unlock"}
        ).status_code
        == 404
    )


def test_home_redirects_by_role(harness, signed_in):
    for username, home in (
        ("ward", "/board"),
        ("flow", "/huddle"),
        ("case", "/placements"),
        ("analyst", "/aggregates"),
        ("admin", "/admin/users"),
    ):
        client, _ = signed_in(username)
        assert client.get("/", follow_redirects=False).headers["location"] == home
        assert client.get("/login", follow_redirects=False).headers["location"] == home


@pytest.mark.parametrize(
    "board_db_url",
    [pytest.param("postgres", marks=pytest.mark.postgres)],
    indirect=True,
)
def test_board_and_edits_survive_a_lost_database_connection(harness, signed_in):
    """The server side of every pooled connection dies (as in a restart); nobody notices.

    PostgreSQL alone: a SQLite file has no server side to lose.
    """
    database = harness.database
    client, csrf = signed_in("ward")
    database.dispose()
    pids: list[int] = []
    event.listen(
        database.engine,
        "connect",
        lambda raw, _record: pids.append(raw.info.backend_pid),
    )
    assert client.get("/board").status_code == 200
    spell = first_spell(harness)

    def kill_pool() -> None:
        killer = create_engine(database.url)
        with killer.begin() as connection:
            for pid in pids:
                connection.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        killer.dispose()
        pids.clear()

    kill_pool()
    page = client.get("/board")
    assert page.status_code == 200
    assert f'id="row-{spell}"' in page.text
    kill_pool()
    saved = client.post(
        f"/board/rows/{spell}",
        data=entry_form(harness),
        headers={**HX, "X-CSRF-Token": csrf},
    )
    assert saved.status_code == 200
    with database.sessions() as session:
        views = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "view_board")
        ).all()
        assert len(views) >= 2  # every view still audited
        assert session.get(BoardEntry, spell) is not None
