"""The x12_http adapter: our 270 to a payer (or clearinghouse) over HTTPS, its 271 back.

Two framings (directory ``framing``):

* ``raw``: ``POST`` the interchange with ``Content-Type: application/edi-x12``; the reply
  body is the 271 (or a 999/TA1).
* ``core_soap``: the CAQH CORE connectivity SOAP envelope (``core_soap`` module), with a
  WS-Security UsernameToken (credentials ``username``/``password``) or a client
  certificate (credentials ``client_cert``/``client_key``: env vars holding file paths).

Envelope control numbers (ISA13, GS06, ST02) come from a Redis counter per sender id, so
every worker on every machine sends a new ISA13 (payers reject duplicates, TA1 025); when
Redis fails we fall back to a random nine-digit number. Options: ``sender_id`` (default
VERIFIER), ``receiver_id`` (default the payer id), ``usage_indicator`` (P in production,
else T), ``sender_qualifier``/``receiver_qualifier`` (ZZ), ``core_rule_version``,
``payload_type``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets

from redis import Redis
from redis.exceptions import RedisError

from config.settings import Settings
from verifier.domain import EligibilityRequest
from verifier.payers import core_soap
from verifier.payers.base import (
    CheckOutcome,
    Exchange,
    PayerAuthError,
    PayerRejected,
    PayerResponseInvalid,
    PayerUnavailable,
)
from verifier.payers.classify import ack_rejection, check_correlation, classify
from verifier.payers.credentials import optional_secret
from verifier.payers.directory import PayerEntry
from verifier.payers.transport import (
    HttpReply,
    HttpTransport,
    pool_size,
    raise_for_status,
    transport_error,
)
from verifier.x12.encoder import Envelope, encode_270
from verifier.x12.errors import X12ParseError, X12Rejected
from verifier.x12.reader import read_response

CONTROL_MAX = 999_999_999
RAW_CONTENT_TYPE = "application/edi-x12"
# CORE ErrorCode values that mean "try later" vs "our credentials".
CORE_BUSY = frozenset({"ReceiverNotAvailable", "Busy", "ServerBusy", "RequestTimeout"})
CORE_AUTH = frozenset({"UnAuthorized", "Unauthorized", "AuthenticationFailed"})
SOAP_FAULT_STATUSES = frozenset({400, 401, 403, 500})


class ControlNumbers:
    """Interchange control numbers from one Redis counter per sender (1..999,999,999)."""

    def __init__(self, redis: Redis | None, key: str) -> None:
        self.redis = redis
        self.key = key

    def next(self) -> int:
        if self.redis is not None:
            try:
                return (int(self.redis.incr(self.key)) - 1) % CONTROL_MAX + 1
            except RedisError:
                pass
        return secrets.randbelow(CONTROL_MAX) + 1


class X12HttpAdapter:
    name = "x12_http"

    def __init__(self, entry: PayerEntry, settings: Settings, redis: Redis | None) -> None:
        if not entry.endpoint:
            raise PayerAuthError(f"payers.{entry.id}.endpoint is not set")
        options = entry.options
        self.entry = entry
        self.endpoint = entry.endpoint
        self.framing = entry.framing or "raw"
        self.sender_id = str(options.get("sender_id") or "VERIFIER")
        self.receiver_id = str(options.get("receiver_id") or entry.id)[:15]
        self.usage = str(options.get("usage_indicator") or ("P" if settings.is_production else "T"))
        self.qualifiers = (
            str(options.get("sender_qualifier") or "ZZ"),
            str(options.get("receiver_qualifier") or "ZZ"),
        )
        self.rule_version = str(options.get("core_rule_version") or "2.2.0")
        self.payload_type = str(options.get("payload_type") or core_soap.REQUEST_PAYLOAD_TYPE)
        self.controls = ControlNumbers(
            redis, f"{settings.queue_prefix}:x12:control:{self.sender_id}"
        )
        self._transport: HttpTransport | None = None
        self._timeout = entry.timeout or settings.payer_timeout
        self._pool = pool_size(settings, entry.max_concurrency)

    @property
    def transport(self) -> HttpTransport:
        if self._transport is None:
            cert = optional_secret(self.entry, "client_cert")
            key = optional_secret(self.entry, "client_key")
            self._transport = HttpTransport(
                timeout=self._timeout,
                cert=(cert, key) if cert and key else cert,
                pool=self._pool,
            )
        return self._transport

    def envelope(self) -> Envelope:
        control = self.controls.next()
        return Envelope(
            sender_id=self.sender_id,
            receiver_id=self.receiver_id,
            interchange_control_number=control,
            group_control_number=control,
            transaction_control_number=control,
            created_at=dt.datetime.now(dt.UTC),
            usage_indicator=self.usage,
            sender_qualifier=self.qualifiers[0],
            receiver_qualifier=self.qualifiers[1],
        )

    def check(self, request: EligibilityRequest) -> CheckOutcome:
        service_id = self.entry.trading_partner_service_id  # NM109: the id the receiver routes by
        if service_id != request.payer_id:
            request = dataclasses.replace(request, payer_id=service_id)
        inquiry = encode_270(request, self.envelope())
        if self.framing == "core_soap":
            answer, exchange = self._soap(inquiry)
        else:
            answer, exchange = self._raw(inquiry)
        return self._read(request, answer, exchange)

    def _raw(self, inquiry: str) -> tuple[str, Exchange]:
        exchange = Exchange(request=inquiry)
        reply = self.transport.send(
            "POST",
            self.endpoint,
            body=inquiry.encode(),
            headers={"Content-Type": RAW_CONTENT_TYPE, "Accept": RAW_CONTENT_TYPE},
            exchange=exchange,
        )
        exchange = Exchange(request=inquiry, response=reply.text)
        raise_for_status(reply, exchange)
        return reply.text, exchange

    def _soap(self, inquiry: str) -> tuple[str, Exchange]:
        username = optional_secret(self.entry, "username")
        password = optional_secret(self.entry, "password") if username else None
        envelope = core_soap.build_request(
            core_soap.CoreRequest(
                payload=inquiry,
                sender_id=self.sender_id,
                receiver_id=self.receiver_id,
                payload_type=self.payload_type,
                rule_version=self.rule_version,
            ),
            username=username,
            password=password,
        )
        kept = core_soap.redact(envelope, password)
        exchange = Exchange(request=kept)
        reply = self.transport.send(
            "POST",
            self.endpoint,
            body=envelope.encode(),
            headers={"Content-Type": core_soap.CONTENT_TYPE},
            exchange=exchange,
        )
        exchange = Exchange(request=kept, response=reply.text)
        # SOAP 1.2 faults come as an envelope with 400 (Sender), 401 (authentication) or 500.
        if reply.status not in SOAP_FAULT_STATUSES or not reply.body.strip().startswith(b"<"):
            raise_for_status(reply, exchange)
        return self._unwrap(reply, exchange), exchange

    def _unwrap(self, reply: HttpReply, exchange: Exchange) -> str:
        try:
            answer = core_soap.parse_response(reply.body)
        except core_soap.SoapError as exc:
            if reply.status in (401, 403):
                raise PayerAuthError(
                    f"payer refused our credentials (HTTP {reply.status})", exchange=exchange
                ) from None
            if reply.status >= 500:
                raise PayerUnavailable(
                    f"payer answered HTTP {reply.status}", exchange=exchange
                ) from None
            raise PayerResponseInvalid(str(exc), exchange=exchange) from None
        code = answer.error_code
        if answer.fault is not None and not answer.payload:
            raise _fault_error(answer.fault, reply.status, exchange)
        if code and code != "Success" and not answer.payload:
            if code in CORE_AUTH:
                raise PayerAuthError(
                    f"payer refused our credentials (CORE {code})", exchange=exchange
                )
            if code in CORE_BUSY:
                raise PayerUnavailable(f"payer busy (CORE {code})", exchange=exchange)
            raise PayerRejected(
                f"payer refused the envelope (CORE {code[:40]})",
                errors=(transport_error(reply.status, f"CORE {code[:40]}"),),
                exchange=exchange,
            )
        if not answer.payload or not answer.payload.strip():
            raise PayerResponseInvalid("CORE response has no payload", exchange=exchange)
        return answer.payload

    def _read(self, request: EligibilityRequest, answer: str, exchange: Exchange) -> CheckOutcome:
        if not answer.strip():
            raise PayerResponseInvalid("payer answered with an empty body", exchange=exchange)
        try:
            result = read_response(answer)
        except X12Rejected as exc:
            raise ack_rejection(exc.kind, exc.codes, exc.description, exchange) from None
        except X12ParseError as exc:
            raise PayerResponseInvalid(
                f"payer response unreadable: {exc}"[:200], exchange=exchange
            ) from None
        check_correlation(request, result, exchange)
        return classify(result, exchange)


def _fault_error(fault: str, status: int, exchange: Exchange) -> Exception:
    lowered = fault.lower()
    if status in (401, 403) or any(
        word in lowered for word in ("auth", "security", "credential", "password")
    ):
        return PayerAuthError("payer refused our credentials (SOAP fault)", exchange=exchange)
    if status >= 500 and "sender" not in lowered and "client" not in lowered:
        return PayerUnavailable("payer answered a SOAP fault", exchange=exchange)
    return PayerRejected(
        "payer answered a SOAP fault",
        errors=(transport_error(status, "SOAP fault"),),
        exchange=exchange,
    )
