"""Call-back requests made on their own, with sealed contact details.

Revision ID: 0003_callbacks
Revises: 0002_staff
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from verifier.store.models import UTCDateTime

revision = "0003_callbacks"
down_revision = "0002_staff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "callback_requests",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("contact_enc", sa.Text(), nullable=False),
    )
    op.create_index("ix_callback_requests_created_at", "callback_requests", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_callback_requests_created_at", table_name="callback_requests")
    op.drop_table("callback_requests")
