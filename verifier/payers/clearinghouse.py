"""The clearinghouse adapter: a JSON real-time eligibility API behind OAuth2.

Modelled on the eligibility APIs of the leading clearinghouses (JSON in, the payer's 271
translated to JSON out, X12 codes kept). Directory entry::

    adapter = "clearinghouse"
    endpoint = "https://api.clearinghouse.example/eligibility/v3"
    credentials = { client_id = "CH_CLIENT_ID", client_secret = "CH_CLIENT_SECRET" }
    options = { token_url = "https://api.clearinghouse.example/oauth/token",
                trading_partner_service_id = "60054" }   # defaults to the payer id

A 401 on the eligibility call drops the cached token, fetches a fresh one and sends once
more; a second 401 is PayerAuthError. Every request carries an ``Idempotency-Key`` derived
from the trace number, so the retries of one attempt reuse it and a new attempt does not.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from config.settings import Settings
from verifier.domain import EligibilityRequest
from verifier.payers.base import (
    CheckOutcome,
    Exchange,
    PayerAuthError,
    PayerRejected,
    PayerResponseInvalid,
)
from verifier.payers.classify import check_correlation, classify
from verifier.payers.clearinghouse_mapping import MappingError, request_errors, to_result
from verifier.payers.credentials import secret
from verifier.payers.directory import PayerEntry
from verifier.payers.oauth import SharedTokens, TokenSource
from verifier.payers.transport import HttpReply, HttpTransport, pool_size, raise_for_status

IDEMPOTENCY_NAMESPACE = uuid.UUID("5b0f3f0e-5c1e-4f55-9a43-2f4f6bb0c1a7")


def control_number(trace_number: str) -> str:
    """Nine digits, stable for one trace number (the clearinghouse's ISA13/ST02 seed)."""
    digest = hashlib.sha256(trace_number.encode()).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000_000:09d}"


def idempotency_key(trace_number: str) -> str:
    return str(uuid.uuid5(IDEMPOTENCY_NAMESPACE, trace_number))


def _ymd(value: Any) -> str:
    return str(value.strftime("%Y%m%d"))


def request_body(request: EligibilityRequest, service_id: str) -> dict[str, Any]:
    subscriber = request.subscriber
    body: dict[str, Any] = {
        "controlNumber": control_number(request.trace_number),
        "tradingPartnerServiceId": service_id,
        "provider": {
            "organizationName": request.provider.organization_name,
            "npi": request.provider.npi,
        },
        "subscriber": {
            "memberId": subscriber.member_id,
            "firstName": subscriber.first_name,
            "lastName": subscriber.last_name,
            "dateOfBirth": _ymd(subscriber.date_of_birth),
        },
        "encounter": {
            "serviceTypeCodes": list(request.service_types),
            "dateOfService": _ymd(request.service_date),
        },
    }
    if request.group_number:
        body["subscriber"]["groupNumber"] = request.group_number
    if request.dependent is not None:
        dependent = request.dependent
        body["dependents"] = [
            {
                "firstName": dependent.first_name,
                "lastName": dependent.last_name,
                "dateOfBirth": _ymd(dependent.date_of_birth),
            }
        ]
    # A field an alternate search leaves out (verifications.matching) is omitted, not null.
    body["subscriber"] = _present(body["subscriber"])
    if "dependents" in body:
        body["dependents"] = [_present(person) for person in body["dependents"]]
    return body


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value not in (None, "")}


class ClearinghouseAdapter:
    name = "clearinghouse"

    def __init__(
        self, entry: PayerEntry, settings: Settings, shared_tokens: SharedTokens | None = None
    ) -> None:
        if not entry.endpoint:
            raise PayerAuthError(f"payers.{entry.id}.endpoint is not set")
        self.entry = entry
        self.endpoint = entry.endpoint
        self.service_id = str(entry.options.get("trading_partner_service_id") or entry.id)
        self.transport = HttpTransport(
            timeout=entry.timeout or settings.payer_timeout,
            pool=pool_size(settings, entry.max_concurrency),
        )
        self._tokens: TokenSource | None = None
        self._shared_tokens = shared_tokens

    def tokens(self) -> TokenSource:
        if self._tokens is None:
            token_url = self.entry.options.get("token_url")
            if not isinstance(token_url, str) or "://" not in token_url:
                raise PayerAuthError(f"payers.{self.entry.id}.options.token_url is not set")
            self._tokens = TokenSource(
                self.transport,
                token_url,
                secret(self.entry, "client_id"),
                secret(self.entry, "client_secret"),
                scope=self.entry.options.get("scope"),
                shared=self._shared_tokens,
            )
        return self._tokens

    def check(self, request: EligibilityRequest) -> CheckOutcome:
        payload = json.dumps(request_body(request, self.service_id))
        exchange = Exchange(request=payload)
        tokens = self.tokens()
        reply = self._post(payload, tokens.token(), request, exchange)
        if reply.status == 401:
            reply = self._post(payload, tokens.token(fresh=True), request, exchange)
            if reply.status == 401:
                raise PayerAuthError("clearinghouse refused a fresh token", exchange=exchange)
        exchange = Exchange(request=payload, response=reply.text)
        data = self._json(reply, exchange)
        if reply.status in (400, 422) and isinstance(data, dict) and data.get("errors"):
            try:
                errors = request_errors(data.get("errors"), "errors", "2100C")
            except MappingError:
                errors = ()
            if errors:
                raise PayerRejected(
                    "clearinghouse rejected the inquiry", errors=errors, exchange=exchange
                )
        raise_for_status(reply, exchange)
        if data is None:
            raise PayerResponseInvalid("clearinghouse answered without JSON", exchange=exchange)
        try:
            result = to_result(data, request)
        except MappingError as exc:
            raise PayerResponseInvalid(
                f"clearinghouse response: {exc}", exchange=exchange
            ) from None
        echoed = result.control_number
        if echoed and echoed != control_number(request.trace_number):
            raise PayerResponseInvalid(
                "clearinghouse response control number does not match the request",
                exchange=exchange,
            )
        check_correlation(request, result, exchange)
        return classify(result, exchange)

    def _post(
        self, payload: str, token: str, request: EligibilityRequest, exchange: Exchange
    ) -> HttpReply:
        return self.transport.send(
            "POST",
            self.endpoint,
            body=payload.encode(),
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Idempotency-Key": idempotency_key(request.trace_number),
            },
            exchange=exchange,
        )

    @staticmethod
    def _json(reply: HttpReply, exchange: Exchange) -> Any:
        """The body as JSON, or None when it is not JSON (an HTML error page, nothing)."""
        if not reply.body.strip():
            return None
        try:
            return json.loads(reply.body)
        except ValueError:
            return None
