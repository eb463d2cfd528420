"""Staff accounts, sessions, API tokens, notes; blind indexes and review marks.

Revision ID: 0002_staff
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from verifier.store.models import UTCDateTime

revision = "0002_staff"
down_revision = "0001"
branch_labels = None
depends_on = None

INDEXES = ("member_id", "last_name", "first_name", "birth_date")


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("totp_secret_enc", sa.Text(), nullable=False),
        sa.Column("totp_last_step", sa.Integer()),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTCDateTime()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("staff_users.id"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
    )
    op.create_index("ix_staff_sessions_user_id", "staff_sessions", ["user_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("staff_users.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime()),
        sa.Column("last_used_at", UTCDateTime()),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "verification_id",
            sa.String(32),
            sa.ForeignKey("verifications.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("author", sa.String(254), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("text_enc", sa.Text(), nullable=False),
    )
    op.create_index("ix_notes_verification_id", "notes", ["verification_id"])
    with op.batch_alter_table("verifications") as batch:
        batch.add_column(sa.Column("reviewed_at", UTCDateTime()))
        batch.add_column(sa.Column("reviewed_by", sa.String(254)))
        for name in INDEXES:
            batch.add_column(sa.Column(f"index_{name}", sa.String(64)))
    for name in INDEXES:
        op.create_index(f"ix_verifications_index_{name}", "verifications", [f"index_{name}"])
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("level_of_care", sa.String(20)))
        batch.add_column(sa.Column("summary", sa.JSON()))
    # One chain: a row's prev_hash can follow only one row (concurrent appends retry).
    op.create_index("ux_audit_events_prev_hash", "audit_events", ["prev_hash"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_audit_events_prev_hash", "audit_events")
    with op.batch_alter_table("attempts") as batch:
        batch.drop_column("summary")
        batch.drop_column("level_of_care")
    for name in INDEXES:
        op.drop_index(f"ix_verifications_index_{name}", "verifications")
    with op.batch_alter_table("verifications") as batch:
        for name in INDEXES:
            batch.drop_column(f"index_{name}")
        batch.drop_column("reviewed_by")
        batch.drop_column("reviewed_at")
    op.drop_table("notes")
    op.drop_table("api_tokens")
    op.drop_table("staff_sessions")
    op.drop_table("staff_users")
