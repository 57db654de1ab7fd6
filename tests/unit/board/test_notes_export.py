"""Saving board notes (locking, history, CRFD periods) and exporting them to the warehouse."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from nearhome.appdb import Actor, AuditEvent, BoardDatabase, CrfdRecord, EddRecord, User
from nearhome.board.codes import board_codes
from nearhome.board.demo import demo_frames, seed_demo_users
from nearhome.board.entries import EntryChanges
from nearhome.board.export import CRFD_SCHEMA, CRFD_TABLE, EDD_TABLE, export_board
from nearhome.board.notes import entry_history, load_board_state, save_entry
from nearhome.data.warehouse import from_frames
from nearhome.errors import Conflict
from nearhome.web.harness import cheap_hasher

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ACTOR = Actor(1, "ann", "ward_staff")


def changes(**values) -> EntryChanges:
    base = {
        "expected_discharge_date": None,
        "crfd_start_date": None,
        "crfd_reason_code": None,
        "attributable_to_code": None,
        "day_status": None,
        "housing_need": None,
        "carer_involved": None,
        "wishes": None,
    }
    base.update(values)
    return EntryChanges(**base)


def save(database: BoardDatabase, spell: str, version: int, **values):
    with database.transaction() as session:
        return save_entry(
            session,
            spell_id=spell,
            changes=changes(**values),
            expected_version=version,
            actor=ACTOR,
            today=TODAY,
            now=NOW,
        )


def test_versions_history_and_conflicts(database: BoardDatabase):
    assert save(database, "S000001", 0, wishes="home").version == 1
    assert (
        save(database, "S000001", 1, wishes="home").version == 1
    )  # nothing changed, nothing written
    with pytest.raises(Conflict, match="saved by ann"):
        save(database, "S000001", 0, wishes="other")
    save(database, "S000001", 1, wishes="home", day_status="green")
    with database.sessions() as session:
        history = entry_history(session, "S000001")
        assert [e.detail["after"] for e in history] == [
            {"day_status": "green"},
            {"wishes": "home"},
        ]
        state = load_board_state(session, ["S000001", "S000009"], today=TODAY)
        assert state["S000001"].day_status == "green" and state["S000001"].version == 2
        assert state["S000009"].entry is None and state["S000009"].version == 0
        assert load_board_state(session, [], today=TODAY) == {}


def test_crfd_periods_follow_the_entry(database: BoardDatabase):
    start = TODAY - timedelta(days=5)
    save(
        database,
        "S000001",
        0,
        crfd_start_date=start,
        crfd_reason_code="18",
        attributable_to_code="05",
    )
    save(
        database,
        "S000001",
        1,
        crfd_start_date=start,
        crfd_reason_code="15",
        attributable_to_code="05",
    )
    save(database, "S000001", 2)
    save(database, "S000002", 0, crfd_start_date=TODAY, crfd_reason_code="07")
    save(database, "S000002", 1)
    with database.sessions() as session:
        periods = list(session.scalars(select(CrfdRecord)))
    assert [(p.spell_id, p.reason_code, p.start_date, p.end_date) for p in periods] == [
        ("S000001", "15", start, TODAY)
    ]


def test_edd_history_and_slips(database: BoardDatabase):
    for version, days in enumerate((5, 8, 6, 9)):
        entry = save(
            database,
            "S000001",
            version,
            expected_discharge_date=TODAY + timedelta(days=days),
        )
    assert entry.edd_slip_count == 2
    with database.sessions() as session:
        assert len(list(session.scalars(select(EddRecord)))) == 4


def test_export_writes_canonical_tables_atomically(database: BoardDatabase):
    warehouse = from_frames(demo_frames(40, today=TODAY))
    save(
        database,
        "S000001",
        0,
        crfd_start_date=TODAY - timedelta(days=2),
        crfd_reason_code="18",
        attributable_to_code="05",
        expected_discharge_date=TODAY + timedelta(days=3),
    )
    save(
        database,
        "S000001",
        1,
        crfd_start_date=TODAY - timedelta(days=2),
        crfd_reason_code="18",
        attributable_to_code="05",
        expected_discharge_date=TODAY + timedelta(days=4),
    )
    summary = export_board(warehouse, database, codes=board_codes())
    assert (summary.crfd_periods, summary.estimated_discharges) == (1, 1)
    crfd = warehouse.execute(warehouse.table(CRFD_TABLE))
    assert list(crfd.columns) == list(CRFD_SCHEMA.names)
    row = crfd.iloc[0]
    assert (
        row["source_table"],
        row["reason_group"],
        row["person_id"],
        row["provider_code"],
    ) == ("board", "housing", "P000001", "RNH")
    edd = warehouse.execute(warehouse.table(EDD_TABLE))
    assert list(edd.columns) == ["spell_id", "estimated_discharge_date", "recorded_at"]
    assert edd.iloc[0]["estimated_discharge_date"].date() == TODAY + timedelta(days=4)
    # A failing export leaves the previous one in place.
    save(database, "S000002", 0, crfd_start_date=TODAY, crfd_reason_code="07")

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    original = warehouse.write_table
    calls = []

    def write_then_fail(name, obj):
        calls.append(name)
        if name == EDD_TABLE:
            broken()
        original(name, obj)

    warehouse.write_table = write_then_fail  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        export_board(warehouse, database, codes=board_codes())
    warehouse.write_table = original  # type: ignore[method-assign]
    assert calls == [CRFD_TABLE, EDD_TABLE]
    assert len(warehouse.execute(warehouse.table(CRFD_TABLE))) == 1
    assert export_board(warehouse, database, codes=board_codes()).crfd_periods == 2


def test_export_of_an_empty_board(database: BoardDatabase):
    warehouse = from_frames(demo_frames(20, today=TODAY))
    assert export_board(warehouse, database, codes=board_codes()).crfd_periods == 0
    assert warehouse.execute(warehouse.table(CRFD_TABLE)).empty


def test_seed_demo_users_is_repeatable(database: BoardDatabase):
    warehouse = from_frames(demo_frames(60, today=TODAY))
    first = seed_demo_users(
        database,
        warehouse,
        password="demo password 123",
        today=TODAY,
        hasher=cheap_hasher(),
    )
    again = seed_demo_users(
        database,
        warehouse,
        password="demo password 123",
        today=TODAY,
        hasher=cheap_hasher(),
    )
    assert (
        [a.username for a in first]
        == ["ward", "flow", "casemanager", "analyst", "admin"]
        == [a.username for a in again]
    )
    with database.sessions() as session:
        assert len(list(session.scalars(select(User)))) == 5
        assert not list(session.scalars(select(AuditEvent)))
    assert first[1].scope == "RNH" and first[2].scope == "QNH"
