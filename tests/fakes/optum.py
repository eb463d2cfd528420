"""A fake Optum (Change Healthcare) Medical Network Eligibility v3 API on loopback.

Reproduces Optum's published OpenAPI documents (harvested from Optum's developer portal into
GitHub ``api-evangelist/optum`` @ 9e79df84, ``openapi/_original/``):

* "Security and Authorization v2", ``POST /apip/auth/v2/token``: the request body is
  **JSON** ``{"client_id", "client_secret", "grant_type": "client_credentials"}``; 200 gives
  ``{"access_token", "expires_in", "token_type": "bearer"}``; 400 "not properly formed" and
  401 "client_id and/or client_secret are invalid" with ``{"error", "error_description"}``.
* "Medical Network Eligibility v3", ``POST /medicalnetwork/eligibility/v3/`` with
  ``Authorization: Bearer <token>``: ``controlNumber`` is required (9 digits) and echoed
  ("Interchange Control Number original request"); ``subscriberTraceNumbers`` hold the
  trace Optum wrote into the 270 it forwarded (type 2), not ours.
* ``POST /medicalnetwork/eligibility/v3/raw-x12``: "Takes json with a single string property
  'x12' that should have a 270 edi string and produces a json response with a single 'x12'
  property that should have a 271 edi string" (Optum's "X12 EDI 270 Request & 271
  Response" page, developers.changehealthcare.com).
"""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
from typing import Any

from tests.fakes import x12_responses
from tests.fakes.clearinghouse_responses import ACTIVE_BENEFITS
from tests.fakes.payer_server import Captured, FakePayer, Reply, json_reply
from verifier.x12.builder import build_271
from verifier.x12.inquiry import read_270

TOKEN = "/apip/auth/v2/token"
BASE = "/medicalnetwork/eligibility/v3"
RAW = BASE + "/raw-x12"
CLIENT_ID = "BzmQjGTl7mGrD3A1koQWKtA3J2WEa4q3"  # the reference's example values
CLIENT_SECRET = "z0NNadq12345678W"  # the reference's example


class OptumFake:
    def __init__(self, token_lifetime: int = 3600) -> None:
        self.server = FakePayer()
        self.tokens: set[str] = set()
        self.token_lifetime = token_lifetime
        self.server.on(TOKEN, Reply(body=self._token))
        self.server.on(BASE, Reply(body=self._eligibility))
        self.server.on(BASE + "/", Reply(body=self._eligibility))
        self.server.on(RAW, Reply(body=self._raw))

    def __enter__(self) -> OptumFake:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__(*exc)

    @property
    def endpoint(self) -> str:
        return self.server.url + BASE

    def revoke_all(self) -> None:
        self.tokens.clear()

    def _token(self, captured: Captured) -> Reply:
        failure = {"error": "invalid_request", "error_description": "body must be JSON"}
        if captured.header("Content-Type") != "application/json":
            return json_reply(failure, 400)
        try:
            body = captured.json()
        except ValueError:
            return json_reply(failure, 400)
        if body.get("grant_type") != "client_credentials":
            return json_reply({"error": "unsupported_grant_type"}, 400)
        if body.get("client_id") != CLIENT_ID or body.get("client_secret") != CLIENT_SECRET:
            return json_reply({"error": "invalid_client"}, 401)
        token = "eyJ" + secrets.token_urlsafe(16)
        self.tokens.add(token)
        return json_reply(
            {"access_token": token, "expires_in": self.token_lifetime, "token_type": "bearer"}
        )

    def _authorized(self, captured: Captured) -> bool:
        header = captured.header("Authorization") or ""
        return header.startswith("Bearer ") and header[7:] in self.tokens

    def _eligibility(self, captured: Captured) -> Reply:
        if not self._authorized(captured):
            return json_reply({"error": "invalid_token"}, 401)
        request = captured.json()
        control = str(request.get("controlNumber") or "")
        if not re.fullmatch(r"\d{9}", control):
            return json_reply(
                {"errors": [{"field": "controlNumber", "description": "must be 9 digits"}]}, 400
            )
        subscriber = request.get("subscriber") or {}
        return json_reply(
            {
                "meta": {"senderId": "Optum", "applicationMode": "sandbox"},
                "controlNumber": control,
                "reassociationKey": control,
                "tradingPartnerServiceId": request.get("tradingPartnerServiceId"),
                "payer": {"name": "FAKE HEALTH PLAN", "payorIdentification": "FAKE1"},
                "provider": {
                    "providerName": request["provider"]["organizationName"],
                    "npi": request["provider"]["npi"],
                },
                "subscriber": {
                    key: subscriber[key]
                    for key in ("memberId", "firstName", "lastName", "dateOfBirth")
                    if key in subscriber
                },
                "subscriberTraceNumbers": [
                    {
                        "traceTypeCode": "2",
                        "traceType": "Referenced Transaction Trace Numbers",
                        "referenceIdentification": secrets.token_hex(8).upper(),
                        "originatingCompanyIdentifier": "9EMDEON999",
                    }
                ],
                "planDateInformation": {"planBegin": "20260101", "planEnd": "20261231"},
                "planInformation": {"groupNumber": "GRP-77"},
                "benefitsInformation": json.loads(json.dumps(ACTIVE_BENEFITS)),
            }
        )

    def _raw(self, captured: Captured) -> Reply:
        if not self._authorized(captured):
            return json_reply({"error": "invalid_token"}, 401)
        inquiry: Any = captured.json().get("x12")
        if not isinstance(inquiry, str) or not inquiry.startswith("ISA"):
            return json_reply({"errors": [{"field": "x12", "description": "required"}]}, 400)
        request = read_270(inquiry).to_request()
        forwarded = dataclasses.replace(request, trace_number=secrets.token_hex(8).upper())
        answer = build_271(forwarded, x12_responses.active(request), x12_responses.envelope())
        return json_reply({"x12": answer})
