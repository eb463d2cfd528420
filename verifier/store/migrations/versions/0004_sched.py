"""Scheduled work and batches: re-check diffs, purge marks, batch jobs, batches.

Revision ID: 0004_sched
Revises: 0003_callbacks
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from verifier.store.models import UTCDateTime

revision = "0004_sched"
down_revision = "0003_callbacks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("verifications") as table:
        table.add_column(sa.Column("rechecked_at", UTCDateTime()))
        table.add_column(sa.Column("previous_summary", sa.JSON()))
        table.add_column(sa.Column("changes", sa.JSON()))
        table.add_column(sa.Column("purged_at", UTCDateTime()))
        table.add_column(sa.Column("job_id", sa.String(64)))
    op.create_index(
        "ix_verifications_status_service_date", "verifications", ["status", "service_date"]
    )
    op.create_index("ix_verifications_created_purged", "verifications", ["created_at", "purged_at"])
    op.create_table(
        "batches",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False, index=True),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("completed_at", UTCDateTime()),
    )
    op.create_table(
        "batch_rows",
        sa.Column(
            "batch_id",
            sa.String(32),
            sa.ForeignKey("batches.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("line", sa.Integer(), primary_key=True),
        sa.Column(
            "verification_id",
            sa.String(32),
            sa.ForeignKey("verifications.id", ondelete="SET NULL"),
            index=True,
        ),
        sa.Column("errors", sa.JSON()),
    )


def downgrade() -> None:
    op.drop_table("batch_rows")
    op.drop_table("batches")
    op.drop_index("ix_verifications_created_purged", "verifications")
    op.drop_index("ix_verifications_status_service_date", "verifications")
    with op.batch_alter_table("verifications") as table:
        for name in ("job_id", "purged_at", "changes", "previous_summary", "rechecked_at"):
            table.drop_column(name)
