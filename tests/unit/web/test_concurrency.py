"""Lost updates: the second of two concurrent saves gets a clear conflict and loses nothing."""

from __future__ import annotations

import threading
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from nearhome.appdb import Actor, AuditEvent, BoardEntry
from nearhome.board.entries import EntryChanges
from nearhome.board.notes import save_entry
from nearhome.board.scope import Scope, ScopeKind
from nearhome.errors import Conflict
from nearhome.web.harness import sign_in

HX = {"HX-Request": "true"}


def a_spell(harness) -> str:
    rows = harness.app.state.context.census.census(
        Scope.of(ScopeKind.WARDS, ["W01"]), harness.today
    )
    return str(rows[0]["spell_id"])


def test_second_save_gets_conflict_and_keeps_its_input(harness):
    harness.add_user("nurse2", "ward_staff", wards=("W01",))
    spell = a_spell(harness)
    first, second = TestClient(harness.app), TestClient(harness.app)
    first_token, second_token = sign_in(first, "ward"), sign_in(second, "nurse2")
    # Both open the same row for editing at version 0.
    assert (
        'name="version" value="0"'
        in first.get(f"/board/rows/{spell}/edit", headers=HX).text
    )
    assert (
        'name="version" value="0"'
        in second.get(f"/board/rows/{spell}/edit", headers=HX).text
    )
    edd = (harness.today + timedelta(days=3)).isoformat()
    mine = {
        "version": "0",
        "is_crfd": "no",
        "expected_discharge_date": edd,
        "wishes": "First nurse's note",
    }
    theirs = {
        "version": "0",
        "is_crfd": "no",
        "expected_discharge_date": "",
        "wishes": "Second nurse's careful note",
    }
    ok = first.post(
        f"/board/rows/{spell}", data=mine, headers={**HX, "X-CSRF-Token": first_token}
    )
    clash = second.post(
        f"/board/rows/{spell}",
        data=theirs,
        headers={**HX, "X-CSRF-Token": second_token},
    )
    assert ok.status_code == 200
    assert clash.status_code == 409
    assert "Someone else saved changes to this patient" in clash.text
    assert (
        "Second nurse&#39;s careful note" in clash.text
    )  # their input is still in the form
    assert "Latest saved values" in clash.text
    assert (
        'name="version" value="1"' in clash.text
    )  # saving again is now a deliberate overwrite
    with harness.database.sessions() as session:
        entry = session.get(BoardEntry, spell)
        assert entry.wishes == "First nurse's note" and entry.version == 1
        assert (
            len(
                list(
                    session.scalars(
                        select(AuditEvent).where(
                            AuditEvent.action == "update_board_entry"
                        )
                    )
                )
            )
            == 1
        )
    again = second.post(
        f"/board/rows/{spell}",
        data={**theirs, "version": "1"},
        headers={**HX, "X-CSRF-Token": second_token},
    )
    assert again.status_code == 200


def test_racing_saves_in_threads_one_wins(harness):
    spell = a_spell(harness)
    start = threading.Barrier(2)
    results: list[str] = []

    def save(note: str) -> None:
        changes = EntryChanges(None, None, None, None, None, None, None, note)
        start.wait()
        try:
            with harness.database.transaction() as session:
                save_entry(
                    session,
                    spell_id=spell,
                    changes=changes,
                    expected_version=0,
                    actor=Actor(None, note, "ward_staff"),
                    today=harness.today,
                    now=harness.clock(),
                )
            results.append("saved")
        except Conflict:
            results.append("conflict")

    threads = [threading.Thread(target=save, args=(n,)) for n in ("alpha", "beta")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["conflict", "saved"]
    with harness.database.sessions() as session:
        entry = session.get(BoardEntry, spell)
        assert entry.version == 1 and entry.wishes in {"alpha", "beta"}


def test_racing_updates_of_an_existing_entry(harness):
    spell = a_spell(harness)

    def changes(note: str) -> EntryChanges:
        return EntryChanges(None, None, None, None, None, None, None, note)

    with harness.database.transaction() as session:
        save_entry(
            session,
            spell_id=spell,
            changes=changes("base"),
            expected_version=0,
            actor=Actor(None, "base", "ward_staff"),
            today=harness.today,
            now=harness.clock(),
        )
    start = threading.Barrier(2)
    results: list[str] = []

    def save(note: str) -> None:
        start.wait()
        try:
            with harness.database.transaction() as session:
                save_entry(
                    session,
                    spell_id=spell,
                    changes=changes(note),
                    expected_version=1,
                    actor=Actor(None, note, "ward_staff"),
                    today=harness.today,
                    now=harness.clock(),
                )
            results.append("saved")
        except Conflict:
            results.append("conflict")

    threads = [threading.Thread(target=save, args=(n,)) for n in ("gamma", "delta")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["conflict", "saved"]
    with harness.database.sessions() as session:
        assert session.get(BoardEntry, spell).version == 2
