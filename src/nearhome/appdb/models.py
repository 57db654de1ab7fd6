"""The board database: accounts, sessions, board entries and the audit trail.

This is nearhome's transactional state (the warehouse holds the analytical copy). Every
table is described once here; Alembic migrations in ``migrations/`` create them, and a test
checks that the migrations and these models agree.

Board tables are keyed by the warehouse ``spell_id`` (a string), so a board entry survives a
warehouse reload. Rows that can be edited by two people at once carry a ``version`` for
optimistic locking.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from nearhome.appdb.types import UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (so migrations can name them)."""

    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """A person who signs in, with one role and the scope that role works in."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(32))
    provider_code: Mapped[str | None] = mapped_column(String(16))
    icb_code: Mapped[str | None] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    wards: Mapped[list[WardAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def ward_codes(self) -> tuple[str, ...]:
        """The wards this user is assigned to, sorted."""
        return tuple(sorted(w.ward_code for w in self.wards))


class WardAssignment(Base):
    """One ward a user works on (ward teams see only their own wards)."""

    __tablename__ = "ward_assignment"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    ward_code: Mapped[str] = mapped_column(String(16), primary_key=True)

    user: Mapped[User] = relationship(back_populates="wards")


class UserSession(Base):
    """A signed-in browser. Only a hash of the cookie's token is stored."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)

    user: Mapped[User] = relationship(lazy="joined")


class BoardEntry(Base):
    """Today's board state of one inpatient spell, edited by the ward team."""

    __tablename__ = "board_entry"

    spell_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    expected_discharge_date: Mapped[date | None] = mapped_column(Date)
    edd_slip_count: Mapped[int] = mapped_column(Integer, default=0)
    crfd_start_date: Mapped[date | None] = mapped_column(Date)
    crfd_reason_code: Mapped[str | None] = mapped_column(String(2))
    attributable_to_code: Mapped[str | None] = mapped_column(String(2))
    housing_need: Mapped[str | None] = mapped_column(String(32))
    carer_involved: Mapped[str | None] = mapped_column(String(16))
    wishes: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(64))


class EddRecord(Base):
    """Every expected discharge date ever set, so slippage can be seen and exported."""

    __tablename__ = "edd_record"
    __table_args__ = (Index("ix_edd_record_spell_recorded", "spell_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spell_id: Mapped[str] = mapped_column(String(64))
    estimated_discharge_date: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))


class CrfdRecord(Base):
    """A clinically-ready-for-discharge period recorded on the board ([start, end))."""

    __tablename__ = "crfd_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spell_id: Mapped[str] = mapped_column(String(64), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    reason_code: Mapped[str] = mapped_column(String(2))
    attributable_to_code: Mapped[str | None] = mapped_column(String(2))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))


class DayStatus(Base):
    """The red/green day called for one patient on one date."""

    __tablename__ = "day_status"

    spell_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(5))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))


class Barrier(Base):
    """Something holding a discharge up, and the action agreed to clear it."""

    __tablename__ = "barrier"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spell_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    description: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(100))
    due_date: Mapped[date | None] = mapped_column(Date)
    is_done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(64))

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own protocol


class PlacementReview(Base):
    """The ICB case manager's record of an out-of-area placement."""

    __tablename__ = "placement_review"

    spell_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    last_review_date: Mapped[date | None] = mapped_column(Date)
    repatriation_plan: Mapped[str | None] = mapped_column(Text)
    repatriation_target_date: Mapped[date | None] = mapped_column(Date)
    advocacy_offered: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(64))

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own protocol


class AuditEvent(Base):
    """Who did what to which record, when, with the values before and after."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(48))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(36))
