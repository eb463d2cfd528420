"""Verifications, attempts and the append-only audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from verifier.store.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

AUDIT_GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql;
"""


def upgrade() -> None:
    op.create_table(
        "verifications",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(40)),
        sa.Column("reason_detail", sa.String(200)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("level_of_care", sa.String(20), nullable=False),
        sa.Column("condition", sa.String(20), nullable=False),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("token_hash", sa.String(64)),
        sa.Column("token_expires_at", UTCDateTime()),
        sa.Column("member_enc", sa.Text(), nullable=False),
        sa.Column("contact_enc", sa.Text()),
        sa.Column("callback_requested", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.JSON()),
        sa.Column("visitor_summary", sa.JSON()),
        sa.Column("result_enc", sa.Text()),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("run_attempts", sa.Integer(), nullable=False),
        sa.Column("run_seq", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime()),
        sa.Column("lease_expires_at", UTCDateTime()),
        sa.Column("completed_at", UTCDateTime()),
    )
    op.create_index("ix_verifications_status", "verifications", ["status"])
    op.create_index("ix_verifications_payer_id", "verifications", ["payer_id"])
    op.create_index("ix_verifications_status_next", "verifications", ["status", "next_attempt_at"])

    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "verification_id",
            sa.String(32),
            sa.ForeignKey("verifications.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime()),
        sa.Column("adapter", sa.String(40), nullable=False),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("outcome", sa.String(20)),
        sa.Column("reason", sa.String(40)),
        sa.Column("error_codes", sa.JSON()),
        sa.Column("trace_number", sa.String(50)),
        sa.Column("duration_ms", sa.Integer()),
        sa.Column("request_enc", sa.Text()),
        sa.Column("response_enc", sa.Text()),
    )
    op.create_index("ix_attempts_verification_id", "attempts", ["verification_id"])

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("object_type", sa.String(40)),
        sa.Column("object_id", sa.String(64)),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("source_addr", sa.String(64)),
        sa.Column("request_id", sa.String(64)),
        sa.Column("prev_hash", sa.String(64)),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])

    # The audit trail refuses changes in the database itself, not only in our code.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(AUDIT_GUARD_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    op.drop_table("audit_events")
    op.drop_table("attempts")
    op.drop_table("verifications")
