"""Tables: verifications, their attempts, and the audit trail.

PHI (names, dates of birth, member ids, contact details, raw payer exchanges) lives
only in ``*_enc`` columns sealed by ``store.crypto``. Everything else here is
operational: ids, states, timestamps, codes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC on the way in and out, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


# Python None is SQL NULL in every JSON column: the queries test ``IS NULL`` (a re-check
# not yet compared has ``changes`` NULL), and SQLAlchemy's default would write None given
# explicitly (as the prebuilt statements in ``store.checks`` do) as the JSON text 'null'.
NullableJSON = JSON(none_as_null=True)


class Base(DeclarativeBase):
    pass


class Verification(Base):
    __tablename__ = "verifications"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str | None] = mapped_column(String(40))
    reason_detail: Mapped[str | None] = mapped_column(String(200))  # codes/field names only
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    level_of_care: Mapped[str] = mapped_column(String(20))
    condition: Mapped[str] = mapped_column(String(20))
    payer_id: Mapped[str] = mapped_column(String(80), index=True)
    service_date: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20), default="visitor")  # visitor|staff|batch
    token_hash: Mapped[str | None] = mapped_column(String(64))
    token_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    member_enc: Mapped[str] = mapped_column(Text)
    contact_enc: Mapped[str | None] = mapped_column(Text)
    callback_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    # Migration 0015: the language the visitor's form was in (NULL: API or batch, not said).
    language: Mapped[str | None] = mapped_column(String(8))
    summary: Mapped[dict | None] = mapped_column(NullableJSON)  # no identifiers (docs/design.md §6)
    visitor_summary: Mapped[dict | None] = mapped_column(NullableJSON)  # plain words + safe subset
    result_enc: Mapped[str | None] = mapped_column(Text)  # normalized result: has names
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    run_attempts: Mapped[int] = mapped_column(Integer, default=0)  # attempts in this run
    run_seq: Mapped[int] = mapped_column(Integer, default=1)  # bumped by a re-run
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # "<rq worker>/<rq job>" that claimed the running row (migration 0010_ops): a lease is
    # taken over only when it expired by the database's clock and this holder is gone.
    lease_holder: Mapped[str | None] = mapped_column(String(160))
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reviewed_by: Mapped[str | None] = mapped_column(String(254))
    # Keyed blind indexes (HMAC) for exact-match staff search without decrypting rows.
    index_member_id: Mapped[str | None] = mapped_column(String(64), index=True)
    index_last_name: Mapped[str | None] = mapped_column(String(64), index=True)
    index_first_name: Mapped[str | None] = mapped_column(String(64), index=True)
    index_birth_date: Mapped[str | None] = mapped_column(String(64), index=True)
    # Scheduled work (migration 0004_sched): re-checks before admission, purge, batch jobs.
    rechecked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    previous_summary: Mapped[dict | None] = mapped_column(NullableJSON)  # before the last re-check
    changes: Mapped[list | None] = mapped_column(NullableJSON)  # old vs new; None = not compared
    purged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    job_id: Mapped[str | None] = mapped_column(String(64))  # a batch job carrying this run
    # The member became a patient (migration 0005): kept past the visitors' retention.
    became_patient_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    became_patient_by: Mapped[str | None] = mapped_column(String(254))  # staff email
    # 42 CFR Part 2 (migration 0008_part2, verifier.part2): the written consent, sealed, and
    # when it was given, ends or was revoked (on the person's request, by staff).
    part2: Mapped[bool] = mapped_column(Boolean, default=False)
    part2_consent_enc: Mapped[str | None] = mapped_column(Text)
    part2_consent_version: Mapped[str | None] = mapped_column(String(40))
    part2_consented_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    part2_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    part2_revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    part2_revoked_by: Mapped[str | None] = mapped_column(String(254))  # staff email
    # A call-back ticked on the form (migration 0007_console): new|called|reached|closed.
    callback_status: Mapped[str | None] = mapped_column(String(20))
    callback_status_by: Mapped[str | None] = mapped_column(String(254))
    callback_status_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    attempts: Mapped[list[Attempt]] = relationship(
        back_populates="verification", order_by="Attempt.number.desc()"
    )

    __table_args__ = (
        Index("ix_verifications_status_next", "status", "next_attempt_at"),
        Index("ix_verifications_status_service_date", "status", "service_date"),  # re-checks
        Index("ix_verifications_created_purged", "created_at", "purged_at"),  # retention purge
    )


class Attempt(Base):
    """One call to a payer, kept forever with its (sealed) raw exchange."""

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    verification_id: Mapped[str] = mapped_column(
        ForeignKey("verifications.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    adapter: Mapped[str] = mapped_column(String(40))
    payer_id: Mapped[str] = mapped_column(String(80))
    outcome: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(40))
    error_codes: Mapped[list | None] = mapped_column(NullableJSON)  # AAA codes etc., never PHI
    trace_number: Mapped[str | None] = mapped_column(String(50))
    # The member-matching step this attempt tried (verifications.matching), None for the
    # check's own first call. A step key, never the values it sent (migration 0013).
    correction: Mapped[str | None] = mapped_column(String(40))
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    level_of_care: Mapped[str | None] = mapped_column(String(20))
    summary: Mapped[dict | None] = mapped_column(NullableJSON)  # this attempt's answer, per level
    request_enc: Mapped[str | None] = mapped_column(Text)
    response_enc: Mapped[str | None] = mapped_column(Text)

    verification: Mapped[Verification] = relationship(back_populates="attempts")

    __table_args__ = (Index("ix_attempts_correction_started", "correction", "started_at"),)


class AuditEvent(Base):
    """Append-only record of staff actions and PHI access: ids and outcomes, never values."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(20))
    source_addr: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(16))  # HMAC key; None: before keying

    __table_args__ = (Index("ux_audit_events_prev_hash", "prev_hash", unique=True),)


class AuditRecord(Base):
    """One record an audited action showed (a search's results, an export's rows): ids of
    the event's object_type (verifications, or call-back requests)."""

    __tablename__ = "audit_records"

    event_id: Mapped[int] = mapped_column(ForeignKey("audit_events.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[str] = mapped_column(String(64), index=True)


class StaffUser(Base):
    """An intake coordinator or admin. Passwords are argon2id hashes; TOTP secrets sealed."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret_enc: Mapped[str] = mapped_column(Text)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)  # no code used twice
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    password_change_required: Mapped[bool] = mapped_column(Boolean, default=False)


class StaffSession(Base):
    """A console login. Only the hash of the cookie's random id is stored."""

    __tablename__ = "staff_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    csrf_token: Mapped[str] = mapped_column(String(64))


class LoginLock(Base):
    """Failed sign-ins of one account from one address (hashed), and its back-off.

    Locking by account and address: 5 bad passwords from anywhere cannot keep the
    account's owner out, and the owner's correct password and code still pass from
    their own address.
    """

    __tablename__ = "staff_login_locks"

    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), primary_key=True)
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ApiToken(Base):
    """A personal API token (Authorization: Bearer); stored hashed, revocable."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # None: before 0009


class Note(Base):
    """A coordinator's note on a verification (sealed: notes often carry PHI)."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    verification_id: Mapped[str] = mapped_column(
        ForeignKey("verifications.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(20), default="note")  # note | manual
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    text_enc: Mapped[str] = mapped_column(Text)


class CallbackRequest(Base):
    """A visitor asked for a phone call without (or besides) a verification.

    The way to reach them (and the name they gave, if any) is sealed in ``contact_enc``.
    """

    __tablename__ = "callback_requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[str] = mapped_column(String(20), default="new")  # new|called|reached|closed
    language: Mapped[str] = mapped_column(String(8), default="en")
    source: Mapped[str] = mapped_column(String(20), default="visitor")
    contact_enc: Mapped[str] = mapped_column(Text)
    # Migration 0007_console: the check a result page's request is about, and who last
    # changed the state and when.
    verification_id: Mapped[str | None] = mapped_column(String(32), index=True)
    status_by: Mapped[str | None] = mapped_column(String(254))
    status_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Batch(Base):
    """Many members submitted at once by staff; each row becomes a verification."""

    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    created_by: Mapped[str] = mapped_column(String(254))  # staff email or token name
    source: Mapped[str] = mapped_column(String(10))  # csv | json
    total: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class BatchRow(Base):
    """One input line: its verification, or the fields that stopped it (no values)."""

    __tablename__ = "batch_rows"

    batch_id: Mapped[str] = mapped_column(
        ForeignKey("batches.id", ondelete="CASCADE"), primary_key=True
    )
    line: Mapped[int] = mapped_column(Integer, primary_key=True)
    verification_id: Mapped[str | None] = mapped_column(
        ForeignKey("verifications.id", ondelete="SET NULL"), index=True
    )
    errors: Mapped[dict | None] = mapped_column(NullableJSON)  # {field: [message]}


class Disclosure(Base):
    """One 42 CFR Part 2 disclosure: a 270 that left for a payer (verifier.part2.ledger).

    Recipient, time, purpose and the kinds of data sent are operational; the values sent
    (they name the person) are sealed in ``content_enc``.
    """

    __tablename__ = "part2_disclosures"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    verification_id: Mapped[str] = mapped_column(
        ForeignKey("verifications.id", ondelete="CASCADE"), index=True
    )
    disclosed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(20))  # eligibility | carve_out
    recipient_id: Mapped[str] = mapped_column(String(80))  # the payer id
    recipient_name: Mapped[str] = mapped_column(String(200))
    via: Mapped[str] = mapped_column(String(200))  # a clearinghouse's name, or direct
    purpose: Mapped[str] = mapped_column(String(200))
    items: Mapped[list] = mapped_column(JSON)  # kinds of data sent: name, date_of_birth, ...
    consent_version: Mapped[str] = mapped_column(String(40))
    trace_number: Mapped[str | None] = mapped_column(String(50))
    outcome: Mapped[str] = mapped_column(String(40))  # answered, or the error's reason
    content_enc: Mapped[str] = mapped_column(Text)
    # The person's blind indexes (migration 0016), copied from the verification when the
    # 270 left: the list of disclosures is found by person after the visitor row's purge.
    index_member_id: Mapped[str | None] = mapped_column(String(64), index=True)
    index_birth_date: Mapped[str | None] = mapped_column(String(64))
# --- webhooks (migration 0011_webhooks; verifier.webhooks) -------------------------------


class WebhookEndpoint(Base):
    """A receiver in the center's CRM/EHR. Its signing secrets are sealed to its row."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))  # configured by an admin; never PHI
    events: Mapped[list] = mapped_column(JSON)  # event types subscribed
    description: Mapped[str | None] = mapped_column(String(200))
    include_summary: Mapped[bool] = mapped_column(Boolean, default=False)  # PHI: https only
    secret_enc: Mapped[str] = mapped_column(Text)
    previous_secret_enc: Mapped[str | None] = mapped_column(Text)  # signed too, until ...
    previous_secret_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(254))
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    failing_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # one sender


class WebhookEvent(Base):
    """The outbox: one row per event, written in the transaction that made it happen."""

    __tablename__ = "webhook_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    msg_id: Mapped[str] = mapped_column(String(40), unique=True)  # webhook-id
    type: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    data: Mapped[dict] = mapped_column(JSON)  # ids, codes and links only
    summary_enc: Mapped[str | None] = mapped_column(Text)  # sealed; sent where allowed


class WebhookDelivery(Base):
    """One event to one endpoint: sent in event order, retried, logged (no PHI)."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_events.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))  # pending | delivered | failed
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    response_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(80))  # an exception's type, a code
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    replay_of: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_webhook_deliveries_endpoint_status", "endpoint_id", "status", "id"),
    )
# --- Console records (migration 0007_console) ------------------------------------------


class PhoneVob(Base):
    """A verification of benefits done by phone with the payer: a first-class record.

    What the rep said that identifies the call (rep name, call reference, line called,
    notes) and the raw typed values are sealed in ``record_enc``; the attempt it made
    carries the structured summary. ``differences`` compares it with the latest
    electronic answer for the same level of care (field paths and benefit values only).
    """

    __tablename__ = "phone_vobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    verification_id: Mapped[str] = mapped_column(
        ForeignKey("verifications.id", ondelete="CASCADE"), index=True
    )
    attempt_number: Mapped[int] = mapped_column(Integer)
    level_of_care: Mapped[str] = mapped_column(String(20))
    called_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    entered_by: Mapped[str] = mapped_column(String(254))
    record_enc: Mapped[str] = mapped_column(Text)
    compared_attempt: Mapped[int | None] = mapped_column(Integer)  # electronic attempt number
    differences: Mapped[list | None] = mapped_column(NullableJSON)


class Authorization(Base):
    """A payer's (or UM vendor's) authorization of units for one level of care.

    The authorization number, the UM contact and notes are sealed in ``details_enc``;
    units, dates and status stay plain so the queue can raise its alerts in SQL.
    """

    __tablename__ = "authorizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    verification_id: Mapped[str] = mapped_column(
        ForeignKey("verifications.id", ondelete="CASCADE"), index=True
    )
    level_of_care: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))  # requested|approved|denied|expired
    unit: Mapped[str] = mapped_column(String(10))  # sessions | days
    approved_units: Mapped[int | None] = mapped_column(Integer)
    used_units: Mapped[int] = mapped_column(Integer, default=0)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    # The end date an ``authorization.expiring`` webhook went out for (once per end date).
    expiry_reported_for: Mapped[dt.date | None] = mapped_column(Date)
    details_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(254))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(254))
