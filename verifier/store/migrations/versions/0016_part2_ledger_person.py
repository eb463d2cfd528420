"""part2_disclosures.index_member_id / index_birth_date: the ledger finds its person itself.

A visitor's verification is purged after VERIFIER_RETENTION_DAYS (90), which nulls its
blind indexes; the patient's list of disclosures (42 CFR §2.24) must still be found by
person for years after. So each disclosure row keeps its own copy of the two blind
indexes (keyed hashes, no PHI), filled here from its verification for rows already there.

Revision ID: 0016_part2_ledger_person
Revises: 0015_visitor_language
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_part2_ledger_person"
down_revision = "0015_visitor_language"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("part2_disclosures") as batch:
        batch.add_column(sa.Column("index_member_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("index_birth_date", sa.String(64), nullable=True))
        batch.create_index("ix_part2_disclosures_index_member_id", ["index_member_id"])
    op.execute(
        "UPDATE part2_disclosures SET "
        "index_member_id = (SELECT v.index_member_id FROM verifications v "
        "WHERE v.id = part2_disclosures.verification_id), "
        "index_birth_date = (SELECT v.index_birth_date FROM verifications v "
        "WHERE v.id = part2_disclosures.verification_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("part2_disclosures") as batch:
        batch.drop_index("ix_part2_disclosures_index_member_id")
        batch.drop_column("index_birth_date")
        batch.drop_column("index_member_id")
