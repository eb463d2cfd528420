"""authorizations.expiry_reported_for: the end date an ``authorization.expiring`` went out for.

The cron's announcement is idempotent on it (one event per authorization and end date);
an authorization extended to a new end date is announced again when that one nears.

Revision ID: 0014_authorization_expiring
Revises: 0013_matching
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_authorization_expiring"
down_revision = "0013_matching"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("authorizations") as batch:
        batch.add_column(sa.Column("expiry_reported_for", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("authorizations") as batch:
        batch.drop_column("expiry_reported_for")
