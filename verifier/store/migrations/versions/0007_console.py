"""The console's records: phone VOBs, authorizations, call-back states and links.

``phone_vobs`` keeps a verification of benefits done by phone (its identifying words
sealed); ``authorizations`` the units a payer approved per level of care; call-backs get
states with who and when, and a request made from a result page names its verification.

Revision ID: 0007_console
Revises: 0006_json_null
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from verifier.store.models import UTCDateTime

revision = "0007_console"
down_revision = "0006_json_null"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "phone_vobs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "verification_id",
            sa.String(32),
            sa.ForeignKey("verifications.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("attempt_number", sa.Integer(), nullable=False),
        sa.Column("level_of_care", sa.String(20), nullable=False),
        sa.Column("called_at", UTCDateTime(), nullable=False),
        sa.Column("entered_at", UTCDateTime(), nullable=False),
        sa.Column("entered_by", sa.String(254), nullable=False),
        sa.Column("record_enc", sa.Text(), nullable=False),
        sa.Column("compared_attempt", sa.Integer()),
        sa.Column("differences", sa.JSON()),
    )
    op.create_index("ix_phone_vobs_verification_id", "phone_vobs", ["verification_id"])
    op.create_table(
        "authorizations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "verification_id",
            sa.String(32),
            sa.ForeignKey("verifications.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("level_of_care", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("unit", sa.String(10), nullable=False),
        sa.Column("approved_units", sa.Integer()),
        sa.Column("used_units", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date()),
        sa.Column("end_date", sa.Date()),
        sa.Column("details_enc", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(254), nullable=False),
    )
    op.create_index("ix_authorizations_verification_id", "authorizations", ["verification_id"])
    op.create_index("ix_authorizations_end_date", "authorizations", ["end_date"])
    with op.batch_alter_table("callback_requests") as table:
        table.add_column(sa.Column("verification_id", sa.String(32)))
        table.add_column(sa.Column("status_by", sa.String(254)))
        table.add_column(sa.Column("status_at", UTCDateTime()))
        table.create_index("ix_callback_requests_verification_id", ["verification_id"])
    with op.batch_alter_table("verifications") as table:
        table.add_column(sa.Column("callback_status", sa.String(20)))
        table.add_column(sa.Column("callback_status_by", sa.String(254)))
        table.add_column(sa.Column("callback_status_at", UTCDateTime()))


def downgrade() -> None:
    with op.batch_alter_table("verifications") as table:
        table.drop_column("callback_status_at")
        table.drop_column("callback_status_by")
        table.drop_column("callback_status")
    with op.batch_alter_table("callback_requests") as table:
        table.drop_index("ix_callback_requests_verification_id")
        table.drop_column("status_at")
        table.drop_column("status_by")
        table.drop_column("verification_id")
    op.drop_index("ix_authorizations_end_date", table_name="authorizations")
    op.drop_index("ix_authorizations_verification_id", table_name="authorizations")
    op.drop_table("authorizations")
    op.drop_index("ix_phone_vobs_verification_id", table_name="phone_vobs")
    op.drop_table("phone_vobs")
