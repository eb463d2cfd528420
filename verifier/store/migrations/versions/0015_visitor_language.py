"""verifications.language: the language the visitor read their form and result in.

Staff see the visitor's result page in that language first (the "Visitor saw" box) and
know which language to call back in. NULL where nobody said (the API without it, batches).

Revision ID: 0015_visitor_language
Revises: 0014_authorization_expiring
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_visitor_language"
down_revision = "0014_authorization_expiring"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("verifications") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("verifications") as batch:
        batch.drop_column("language")
