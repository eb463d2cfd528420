"""Real-time eligibility through a clearinghouse's JSON API (the "medicalnetwork v3" family).

Stedi and Optum publish the same API family (Change Healthcare's eligibility v3): JSON in,
the payer's 271 translated field by field to JSON out, X12 codes kept. They differ where it
matters for a connection, so each has its adapter (``stedi``, ``optum``) configured here:

* **Auth.** Stedi: the API key itself in ``Authorization`` (no token endpoint; API
  reference, "Authorizations"). Optum: an OAuth2 client-credentials token fetched with a
  JSON body from ``/apip/auth/v2/token`` (Security and Authorization v2), sent as Bearer;
  a 401 drops the token and retries once. The legacy ``clearinghouse`` adapter keeps its
  form-encoded token request.
* **Correlation.** Stedi replaces our ``controlNumber`` with its own, and both put their own
  trace number (TRN type 2) in ``subscriberTraceNumbers``: neither is a crossed wire, so an
  answer is matched to the inquiry by the member id (and by our trace only where it is
  echoed). Optum echoes the control number, which is then checked.
* **AAA errors in HTTP 400.** A payer's AAA comes with HTTP 400 and appears both in
  ``errors[]`` and in the loop's ``aaaErrors``; it is read once and classified by its code
  (42/80 try later, 72/73/75/58 the member's data ...), like any other answer.
* **Raw X12** (``options.raw_x12 = true``): our 270 goes to ``<endpoint>/raw-x12`` as JSON
  ``{"x12": "ISA..."}`` and the 271 comes back in the ``x12`` property.

Every request carries an ``Idempotency-Key`` derived from the trace number, so the retries
of one attempt reuse it and a new attempt does not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import uuid
from typing import Any, Protocol
from urllib.parse import urlsplit

from redis import Redis

from config.settings import Settings
from verifier.domain import EligibilityRequest, EligibilityResult
from verifier.payers import stedi_plans
from verifier.payers.base import (
    CheckOutcome,
    Exchange,
    PayerAuthError,
    PayerRejected,
    PayerResponseInvalid,
)
from verifier.payers.classify import ack_rejection, check_correlation, classify
from verifier.payers.clearinghouse_mapping import MappingError, request_errors, to_result
from verifier.payers.credentials import secret
from verifier.payers.directory import PayerEntry
from verifier.payers.oauth import SharedTokens, TokenSource
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

IDEMPOTENCY_NAMESPACE = uuid.UUID("5b0f3f0e-5c1e-4f55-9a43-2f4f6bb0c1a7")
OPTUM_TOKEN_PATH = "/apip/auth/v2/token"  # noqa: S105 (a path, not a secret)
RAW_X12_PATH = "/raw-x12"


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


class Auth(Protocol):
    """How one clearinghouse account proves itself on each request."""

    refreshable: bool

    def header(self, *, fresh: bool = False) -> str: ...


class ApiKeyAuth:
    """Stedi: ``Authorization: <api key>``, no scheme, nothing to refresh."""

    refreshable = False

    def __init__(self, entry: PayerEntry) -> None:
        self.entry = entry

    def header(self, *, fresh: bool = False) -> str:
        return secret(self.entry, "api_key")


class BearerAuth:
    refreshable = True

    def __init__(self, tokens: TokenSource) -> None:
        self.tokens = tokens

    def header(self, *, fresh: bool = False) -> str:
        return f"Bearer {self.tokens.token(fresh=fresh)}"
def _present(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value not in (None, "")}


class ClearinghouseAdapter:
    """The generic JSON v3 adapter; ``stedi`` and ``optum`` are it with their settings."""

    name = "clearinghouse"
    echoes_control_number = True  # the legacy adapter's clearinghouse echoed ours
    token_json = False
    default_token_path: str | None = None

    def __init__(
        self,
        entry: PayerEntry,
        settings: Settings,
        shared_tokens: SharedTokens | None = None,
        redis: Redis | None = None,
    ) -> None:
        if not entry.endpoint:
            raise PayerAuthError(f"payers.{entry.id}.endpoint is not set")
        self.entry = entry
        self.endpoint = entry.endpoint
        self.service_id = entry.trading_partner_service_id
        self.raw_x12 = bool(entry.options.get("raw_x12"))
        self.transport = HttpTransport(
            timeout=entry.timeout or settings.payer_timeout,
            pool=pool_size(settings, entry.max_concurrency),
        )
        self._settings = settings
        self._redis = redis
        self._auth: Auth | None = None
        self._shared_tokens = shared_tokens

    # --- auth -------------------------------------------------------------------------------

    def auth(self) -> Auth:
        if self._auth is None:
            self._auth = self._make_auth()
        return self._auth

    def _make_auth(self) -> Auth:
        token_url = self.entry.options.get("token_url") or self._default_token_url()
        if not isinstance(token_url, str) or "://" not in token_url:
            raise PayerAuthError(f"payers.{self.entry.id}.options.token_url is not set")
        return BearerAuth(
            TokenSource(
                self.transport,
                token_url,
                secret(self.entry, "client_id"),
                secret(self.entry, "client_secret"),
                scope=self.entry.options.get("scope"),
                shared=self._shared_tokens,
                json_body=self.token_json,
            )
        )

    def _default_token_url(self) -> str | None:
        if self.default_token_path is None:
            return None
        parts = urlsplit(self.endpoint)
        return f"{parts.scheme}://{parts.netloc}{self.default_token_path}"

    # --- the check --------------------------------------------------------------------------

    def check(self, request: EligibilityRequest) -> CheckOutcome:
        if self.raw_x12:
            return self._check_raw(request)
        payload = json.dumps(request_body(request, self.service_id))
        reply, exchange = self._send(self.endpoint, payload, request)
        data = self._json(reply)
        if reply.status in (400, 422) and isinstance(data, dict) and data.get("errors"):
            return self._answer_with_errors(request, data, exchange)
        raise_for_status(reply, exchange)
        if data is None:
            raise PayerResponseInvalid("clearinghouse answered without JSON", exchange=exchange)
        return self._outcome(request, self._mapped(data, request, exchange), exchange)

    def _check_raw(self, request: EligibilityRequest) -> CheckOutcome:
        inquiry = encode_270(
            dataclasses.replace(request, payer_id=self.service_id), self._envelope()
        )
        payload = json.dumps({"x12": inquiry})
        reply, exchange = self._send(self.endpoint + RAW_X12_PATH, payload, request)
        data = self._json(reply)
        if reply.status in (400, 422) and isinstance(data, dict) and data.get("errors"):
            return self._answer_with_errors(request, data, exchange)
        raise_for_status(reply, exchange)
        answer = data.get("x12") if isinstance(data, dict) else None
        if not isinstance(answer, str) or not answer.strip():
            raise PayerResponseInvalid(
                "clearinghouse raw X12 answer has no x12 property", exchange=exchange
            )
        try:
            result = read_response(answer)
        except X12Rejected as exc:
            raise ack_rejection(exc.kind, exc.codes, exc.description, exchange) from None
        except X12ParseError as exc:
            raise PayerResponseInvalid(
                f"clearinghouse 271 unreadable: {exc}"[:200], exchange=exchange
            ) from None
        check_correlation(request, result, exchange, own_traces_tolerated=True)
        return classify(result, exchange)

    def _envelope(self) -> Envelope:
        from verifier.payers.x12_http import ControlNumbers

        options = self.entry.options
        sender = str(options.get("sender_id") or "VERIFIER")
        controls = ControlNumbers(
            self._redis, f"{self._settings.queue_prefix}:x12:control:{sender}"
        )
        control = controls.next()
        return Envelope(
            sender_id=sender,
            receiver_id=str(options.get("receiver_id") or self.entry.connection or "CLEARINGHOUSE")[
                :15
            ].upper(),
            interchange_control_number=control,
            group_control_number=control,
            transaction_control_number=control,
            created_at=dt.datetime.now(dt.UTC),
            usage_indicator=str(
                options.get("usage_indicator") or ("P" if self._settings.is_production else "T")
            ),
        )

    def _answer_with_errors(
        self, request: EligibilityRequest, data: dict[str, Any], exchange: Exchange
    ) -> CheckOutcome:
        """An HTTP 400 that carries the payer's AAA: an answer like any other, read once."""
        try:
            result = to_result(data, request)
        except MappingError:
            result = None
        if result is not None and result.errors:
            check_correlation(request, result, exchange, own_traces_tolerated=True)
            return classify(result, exchange)
        try:
            errors = request_errors(data.get("errors"), "errors", "2100C")
        except MappingError:
            errors = ()
        if errors:
            raise PayerRejected(
                "clearinghouse rejected the inquiry", errors=errors, exchange=exchange
            )
        raise PayerResponseInvalid("clearinghouse 400 without readable errors", exchange=exchange)

    def _mapped(
        self, data: Any, request: EligibilityRequest, exchange: Exchange
    ) -> EligibilityResult:
        try:
            return to_result(data, request)
        except MappingError as exc:
            raise PayerResponseInvalid(
                f"clearinghouse response: {exc}", exchange=exchange
            ) from None

    def _outcome(
        self, request: EligibilityRequest, result: EligibilityResult, exchange: Exchange
    ) -> CheckOutcome:
        echoed = result.control_number
        if self.echoes_control_number and echoed and echoed != control_number(request.trace_number):
            raise PayerResponseInvalid(
                "clearinghouse response control number does not match the request",
                exchange=exchange,
            )
        check_correlation(request, result, exchange, own_traces_tolerated=True)
        return classify(result, exchange)

    # --- HTTP -------------------------------------------------------------------------------

    def _send(
        self, url: str, payload: str, request: EligibilityRequest
    ) -> tuple[HttpReply, Exchange]:
        exchange = Exchange(request=payload)
        auth = self.auth()
        reply = self._post(url, payload, auth.header(), request, exchange)
        if reply.status == 401 and auth.refreshable:
            reply = self._post(url, payload, auth.header(fresh=True), request, exchange)
            if reply.status == 401:
                raise PayerAuthError("clearinghouse refused a fresh token", exchange=exchange)
        exchange = Exchange(request=payload, response=reply.text)
        if reply.status in (401, 403):
            raise PayerAuthError(
                f"clearinghouse refused our credentials (HTTP {reply.status})", exchange=exchange
            )
        return reply, exchange

    def _post(
        self,
        url: str,
        payload: str,
        authorization: str,
        request: EligibilityRequest,
        exchange: Exchange,
    ) -> HttpReply:
        return self.transport.send(
            "POST",
            url,
            body=payload.encode(),
            headers={
                "Authorization": authorization,
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Idempotency-Key": idempotency_key(request.trace_number),
            },
            exchange=exchange,
        )

    @staticmethod
    def _json(reply: HttpReply) -> Any:
        """The body as JSON, or None when it is not JSON (an HTML error page, nothing)."""
        if not reply.body.strip():
            return None
        try:
            return json.loads(reply.body)
        except ValueError:
            return None


class StediAdapter(ClearinghouseAdapter):
    """Stedi's Real-Time Eligibility Check (JSON v3 and raw X12), API-key auth.

    ``options.api = "2026-06-01"`` speaks the redesigned endpoint instead
    (``POST /2026-06-01/eligibility-check``, benefits grouped by plan; mapped by
    ``verifier.payers.stedi_plans``). Its response has no ``controlNumber`` and its AAA
    errors come in ``errors[]`` of the answer; a 400 is a request Stedi refused before
    sending it to the payer (``InvalidRequestException``: ``message`` and ``errors[]`` of
    JSON pointers), so it is a rejection, not a payer's answer.
    """

    name = "stedi"
    echoes_control_number = False  # Stedi sends its own ISA13 and returns that

    def __init__(
        self,
        entry: PayerEntry,
        settings: Settings,
        shared_tokens: SharedTokens | None = None,
        redis: Redis | None = None,
    ) -> None:
        super().__init__(entry, settings, shared_tokens, redis)
        api = entry.options.get("api")
        if api not in (None, "", "legacy", stedi_plans.API_VERSION):
            raise PayerAuthError(
                f'payers.{entry.id}.options.api must be "{stedi_plans.API_VERSION}" or "legacy"'
            )
        self.redesigned = api == stedi_plans.API_VERSION
        if self.redesigned and self.raw_x12:
            raise PayerAuthError(
                f"payers.{entry.id}: raw_x12 is a legacy endpoint; it has no {api} version"
            )

    def _make_auth(self) -> Auth:
        return ApiKeyAuth(self.entry)

    def check(self, request: EligibilityRequest) -> CheckOutcome:
        if not self.redesigned:
            return super().check(request)
        payload = json.dumps(stedi_plans.request_body(request, self.service_id))
        reply, exchange = self._send(self.endpoint, payload, request)
        data = self._json(reply)
        if reply.status == 400 and isinstance(data, dict) and data.get("message"):
            raise PayerRejected(
                "Stedi refused the inquiry before sending it to the payer",
                errors=(transport_error(400, str(data["message"])[:200]),),
                exchange=exchange,
            )
        raise_for_status(reply, exchange)
        if data is None:
            raise PayerResponseInvalid("Stedi answered without JSON", exchange=exchange)
        try:
            result = stedi_plans.to_result(data, request)
        except MappingError as exc:
            raise PayerResponseInvalid(f"Stedi response: {exc}", exchange=exchange) from None
        return self._outcome(request, result, exchange)


class OptumAdapter(ClearinghouseAdapter):
    """Optum's Medical Network Eligibility v3, with its JSON token request."""

    name = "optum"
    echoes_control_number = True  # "controlNumber: Interchange Control Number original request"
    token_json = True
    default_token_path = OPTUM_TOKEN_PATH
