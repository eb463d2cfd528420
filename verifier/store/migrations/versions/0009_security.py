"""Security hardening (issue 18): a keyed audit chain, the records each audit row showed,
API tokens that expire, one-time passwords that must be changed.

``audit_events.key_id`` names the HMAC key that sealed a row (NULL: a row written before
keying, hashed with plain SHA-256; ``audit verify`` accepts those only before the first
keyed row). ``audit_records`` lists the verification ids a search, export, queue or
call-back list showed, append-only like the events.

Revision ID: 0009_security
Revises: 0006_json_null
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from verifier.store.models import UTCDateTime

revision = "0009_security"
down_revision = "0008_part2"
branch_labels = None
depends_on = None

GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_records_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_records is append-only';
END;
$$ LANGUAGE plpgsql;
"""


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as table:
        table.add_column(sa.Column("key_id", sa.String(16)))
    op.create_table(
        "audit_records",
        sa.Column("event_id", sa.Integer, sa.ForeignKey("audit_events.id"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("record_id", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_records_record_id", "audit_records", ["record_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(GUARD_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_records_no_change BEFORE UPDATE OR DELETE ON audit_records "
            "FOR EACH ROW EXECUTE FUNCTION audit_records_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_records_no_{verb.lower()} BEFORE {verb} ON audit_records "
                "BEGIN SELECT RAISE(ABORT, 'audit_records is append-only'); END"
            )
    op.create_table(
        "staff_login_locks",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("staff_users.id"), primary_key=True),
        sa.Column("source", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("locked_until", UTCDateTime()),
    )
    with op.batch_alter_table("api_tokens") as table:
        table.add_column(sa.Column("expires_at", UTCDateTime()))
    with op.batch_alter_table("staff_users") as table:
        table.add_column(
            sa.Column(
                "password_change_required",
                sa.Boolean,
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_users") as table:
        table.drop_column("password_change_required")
    with op.batch_alter_table("api_tokens") as table:
        table.drop_column("expires_at")
    op.drop_table("staff_login_locks")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_records_no_change ON audit_records")
        op.execute("DROP FUNCTION IF EXISTS audit_records_append_only()")
    op.drop_table("audit_records")
    with op.batch_alter_table("audit_events") as table:
        table.drop_column("key_id")
