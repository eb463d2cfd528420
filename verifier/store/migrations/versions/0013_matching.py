"""attempts.correction: which member-matching step an attempt tried (issue 21).

The check's own first call has NULL; a variant sent by the member-matching ladder
(``verifications.matching``) has the step's key. Staff see it per attempt; the metrics count
matches per step from it, hence the index (correction first, so the scrape reads only the
ladder's attempts).

Revision ID: 0013_matching
Revises: 0006_json_null
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_matching"
down_revision = "0011_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("correction", sa.String(40), nullable=True))
    op.create_index("ix_attempts_correction_started", "attempts", ["correction", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_attempts_correction_started", table_name="attempts")
    with op.batch_alter_table("attempts") as batch:
        batch.drop_column("correction")
