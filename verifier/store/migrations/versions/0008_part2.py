"""42 CFR Part 2: the consent sealed with its verification, and the disclosure ledger.

Revision ID: 0008_part2
Revises: 0006_json_null
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from verifier.store.models import UTCDateTime

revision = "0008_part2"
down_revision = "0007_console"
branch_labels = None
depends_on = None

def _columns() -> list[sa.Column[object]]:
    return [
        sa.Column("part2", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("part2_consent_enc", sa.Text()),
        sa.Column("part2_consent_version", sa.String(40)),
        sa.Column("part2_consented_at", UTCDateTime()),
        sa.Column("part2_expires_at", UTCDateTime()),
        sa.Column("part2_revoked_at", UTCDateTime()),
        sa.Column("part2_revoked_by", sa.String(254)),
    ]


def upgrade() -> None:
    with op.batch_alter_table("verifications") as batch:
        for column in _columns():
            batch.add_column(column)
    op.create_table(
        "part2_disclosures",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "verification_id",
            sa.String(32),
            sa.ForeignKey("verifications.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("disclosed_at", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("recipient_id", sa.String(80), nullable=False),
        sa.Column("recipient_name", sa.String(200), nullable=False),
        sa.Column("via", sa.String(200), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("consent_version", sa.String(40), nullable=False),
        sa.Column("trace_number", sa.String(50)),
        sa.Column("outcome", sa.String(40), nullable=False),
        sa.Column("content_enc", sa.Text(), nullable=False),
    )
    op.create_index(
        "ix_part2_disclosures_verification_id", "part2_disclosures", ["verification_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_part2_disclosures_verification_id", table_name="part2_disclosures")
    op.drop_table("part2_disclosures")
    with op.batch_alter_table("verifications") as batch:
        for column in reversed(_columns()):
            batch.drop_column(column.name)
