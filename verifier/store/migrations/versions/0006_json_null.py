"""JSON columns: SQL NULL, never the JSON text 'null'.

Between 0005 and this revision a failed attempt's ``attempts.summary`` was written as
the JSON text 'null' (a None bound through the prebuilt statements); the models now
map None to SQL NULL (``models.NullableJSON``). This turns any such value, in any JSON
column, into NULL, so ``IS NULL`` queries and reports see them.

Revision ID: 0006_json_null
Revises: 0005_patient
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0006_json_null"
down_revision = "0005_patient"
branch_labels = None
depends_on = None

JSON_COLUMNS = {
    "verifications": ("summary", "visitor_summary", "previous_summary", "changes"),
    "attempts": ("error_codes", "summary"),
    "batch_rows": ("errors",),
}


def upgrade() -> None:
    # PostgreSQL's json type has no equality operator: compare its text.
    text = "{}::text" if op.get_bind().dialect.name == "postgresql" else "{}"
    for table, columns in JSON_COLUMNS.items():
        for column in columns:
            op.execute(
                f"UPDATE {table} SET {column} = NULL "  # noqa: S608 - names from this file
                f"WHERE {text.format(column)} = 'null'"
            )


def downgrade() -> None:
    """Nothing to undo: NULL and 'null' both read back as None."""
