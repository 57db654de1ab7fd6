"""Board tables: accounts, sessions, board entries, history and the audit trail.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23 08:53:22.731831
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("provider_code", sa.String(length=16), nullable=True),
        sa.Column("icb_code", sa.String(length=16), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("oidc_subject", sa.String(length=255), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("oidc_subject", name=op.f("uq_app_user_oidc_subject")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    op.create_table(
        "audit_event",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("request_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index(
            "ix_audit_event_object", ["object_type", "object_id"], unique=False
        )

    op.create_table(
        "barrier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("spell_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("action", sa.String(length=300), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("is_done", sa.Boolean(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_barrier")),
    )
    with op.batch_alter_table("barrier", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_barrier_spell_id"), ["spell_id"], unique=False
        )

    op.create_table(
        "board_entry",
        sa.Column("spell_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("expected_discharge_date", sa.Date(), nullable=True),
        sa.Column("edd_slip_count", sa.Integer(), nullable=False),
        sa.Column("crfd_start_date", sa.Date(), nullable=True),
        sa.Column("crfd_reason_code", sa.String(length=2), nullable=True),
        sa.Column("attributable_to_code", sa.String(length=2), nullable=True),
        sa.Column("housing_need", sa.String(length=32), nullable=True),
        sa.Column("carer_involved", sa.String(length=16), nullable=True),
        sa.Column("wishes", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("spell_id", name=op.f("pk_board_entry")),
    )
    op.create_table(
        "crfd_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("spell_id", sa.String(length=64), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("reason_code", sa.String(length=2), nullable=False),
        sa.Column("attributable_to_code", sa.String(length=2), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crfd_record")),
    )
    with op.batch_alter_table("crfd_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_crfd_record_spell_id"), ["spell_id"], unique=False
        )

    op.create_table(
        "day_status",
        sa.Column("spell_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=5), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("spell_id", "day", name=op.f("pk_day_status")),
    )
    op.create_table(
        "edd_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("spell_id", sa.String(length=64), nullable=False),
        sa.Column("estimated_discharge_date", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_edd_record")),
    )
    with op.batch_alter_table("edd_record", schema=None) as batch_op:
        batch_op.create_index(
            "ix_edd_record_spell_recorded", ["spell_id", "recorded_at"], unique=False
        )

    op.create_table(
        "placement_review",
        sa.Column("spell_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("last_review_date", sa.Date(), nullable=True),
        sa.Column("repatriation_plan", sa.Text(), nullable=True),
        sa.Column("repatriation_target_date", sa.Date(), nullable=True),
        sa.Column("advocacy_offered", sa.String(length=16), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("spell_id", name=op.f("pk_placement_review")),
    )
    op.create_table(
        "user_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_user_session_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
    )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_session_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_user_session_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "ward_assignment",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("ward_code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_ward_assignment_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "user_id", "ward_code", name=op.f("pk_ward_assignment")
        ),
    )


def downgrade() -> None:
    """Undo this revision."""
    op.drop_table("ward_assignment")
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_session_user_id"))
        batch_op.drop_index(batch_op.f("ix_user_session_expires_at"))

    op.drop_table("user_session")
    op.drop_table("placement_review")
    with op.batch_alter_table("edd_record", schema=None) as batch_op:
        batch_op.drop_index("ix_edd_record_spell_recorded")

    op.drop_table("edd_record")
    op.drop_table("day_status")
    with op.batch_alter_table("crfd_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crfd_record_spell_id"))

    op.drop_table("crfd_record")
    op.drop_table("board_entry")
    with op.batch_alter_table("barrier", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_barrier_spell_id"))

    op.drop_table("barrier")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_object")
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")
    op.drop_table("app_user")
