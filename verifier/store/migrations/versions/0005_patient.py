"""Became a patient: who marked a verification's member as admitted, and when.

A marked visitor verification is kept past VERIFIER_RETENTION_DAYS and follows
VERIFIER_PATIENT_RETENTION_DAYS instead (verifier.maintenance.purge_expired).

Revision ID: 0005_patient
Revises: 0004_sched
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from verifier.store.models import UTCDateTime

revision = "0005_patient"
down_revision = "0004_sched"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("verifications") as table:
        table.add_column(sa.Column("became_patient_at", UTCDateTime()))
        table.add_column(sa.Column("became_patient_by", sa.String(254)))


def downgrade() -> None:
    with op.batch_alter_table("verifications") as table:
        table.drop_column("became_patient_by")
        table.drop_column("became_patient_at")
