"""The board's transactional database: accounts, sessions, board entries and audit."""

from nearhome.appdb.audit import Actor, events_for, record_event, record_view
from nearhome.appdb.database import BoardDatabase, open_database
from nearhome.appdb.migrate import downgrade_database, upgrade_database
from nearhome.appdb.models import (
    AuditEvent,
    Barrier,
    BoardEntry,
    CrfdRecord,
    DayStatus,
    EddRecord,
    PlacementReview,
    User,
    UserSession,
    WardAssignment,
)

__all__ = [
    "Actor",
    "AuditEvent",
    "Barrier",
    "BoardDatabase",
    "BoardEntry",
    "CrfdRecord",
    "DayStatus",
    "EddRecord",
    "PlacementReview",
    "User",
    "UserSession",
    "WardAssignment",
    "downgrade_database",
    "events_for",
    "open_database",
    "record_event",
    "record_view",
    "upgrade_database",
]
