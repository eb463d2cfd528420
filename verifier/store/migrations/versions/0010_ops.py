"""Operations: who holds a running verification's lease.

``lease_holder`` is "<rq worker name>/<rq job id>" of the horse that claimed the row (None
outside RQ). ``reconcile`` takes a running row over only when its lease has expired by
the database's clock and that holder is gone (verifier.verifications.leases).

Revision ID: 0010_ops
Revises: 0006_json_null
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_ops"
down_revision = "0009_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("verifications") as table:
        table.add_column(sa.Column("lease_holder", sa.String(160)))


def downgrade() -> None:
    with op.batch_alter_table("verifications") as table:
        table.drop_column("lease_holder")
