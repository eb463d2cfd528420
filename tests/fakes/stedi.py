"""A fake Stedi healthcare API on loopback, as Stedi's API reference describes it.

Reproduces (pages read with the search tool, December 2026):

* https://www.stedi.com/docs/healthcare/api-reference/post-healthcare-eligibility (Real-Time
  Eligibility Check JSON, ``POST /2024-04-01/change/medicalnetwork/eligibility/v3``) and its
  OpenAPI in GitHub ``Stedi/openApi`` ``healthcare.json`` @ 36b97f15: "Authorizations:
  Authorization header, API key" (the key itself, no ``Bearer`` and no token endpoint); the
  response's ``controlNumber``/``reassociationKey`` are Stedi's own ISA13, not the
  request's; ``subscriberTraceNumbers`` carry Stedi's trace (``traceTypeCode`` "2"), since
  Stedi writes the TRN of the 270 it forwards; a payer's AAA comes back with **HTTP 400**,
  in ``errors[]`` and again in the loop's ``aaaErrors`` (the published 400 example).
* https://www.stedi.com/docs/api-reference/healthcare/post-healthcare-eligibility-raw-x12
  (``.../eligibility/v3/raw-x12``): JSON ``{"x12": "ISA..."}`` in; JSON out with the 271 in
  ``x12`` (plus Stedi's own ``controlNumber``).
* https://www.stedi.com/docs/api-reference/healthcare/mock-requests-eligibility-checks: test
  members (``AETNA12345`` Jane Doe 2004-04-04 for 60054) answer with mock benefits.

* The redesigned endpoint ``POST /2026-06-01/eligibility-check``
  (https://www.stedi.com/docs/healthcare/api-reference/post-eligibility-check; schema and
  examples of ``CreateEligibilityCheck`` in Stedi's Python SDK, PyPI ``stedi`` 1.0.0):
  API key in ``Authorization`` (the OpenAPI's ``apiKey`` header; the SDK sends it with the
  ``Key`` scheme, so both are accepted); benefits grouped in ``plans[].benefits``; no
  ``controlNumber``: Stedi's own ``id`` (``ec_<uuid>``), ``meta.traceId`` and
  ``subscriberTraceNumbers``; a payer's AAA in ``errors[]`` of the 200 answer (``code``,
  ``description``, ``followupAction``, ``location``); a request Stedi refuses before the
  payer is a 400 ``{"message": ...}`` (``InvalidRequestException``), 401 for a bad key
  (``AuthenticationFailedException``). ``HUMANA123`` and payer ``NOTAPAYER`` get the SDK's
  published example answers verbatim; ``NEWVALUES`` gets values the schema does not list.

Scenarios by the request's member id: ``UHC202649`` and the published "invalid provider
name" request are answered with the published example responses verbatim; a member id
ending in ``AAA<nn>`` gets that AAA with HTTP 400 (as Stedi's mock ``UHCAAA42`` ...);
anyone else gets active coverage built for the request.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import secrets
import uuid
from pathlib import Path
from typing import Any

from tests.fakes import x12_responses
from tests.fakes.clearinghouse_responses import ACTIVE_BENEFITS
from tests.fakes.payer_server import Captured, FakePayer, Reply, json_reply
from tests.fakes.stedi_plans_responses import NEW_VALUES_PLANS, PLANS_ACTIVE
from verifier.x12.builder import build_271
from verifier.x12.inquiry import read_270

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "published" / "clearinghouse"
BASE = "/2024-04-01/change/medicalnetwork/eligibility/v3"
RAW = BASE + "/raw-x12"
API_KEY = "test_stedi_key_fake"
PLANS = "/2026-06-01/eligibility-check"
PLANS_EXAMPLES = "stedi-2026-06-01-examples.json"
REQUIRED = tuple(
    json.loads((FIXTURES / "stedi-v3-schema-extract.json").read_text())[
        "EligibilityCheckRequestContent"
    ]["required"]
)
TEST_MEMBER = {"memberId": "AETNA12345", "firstName": "Jane", "lastName": "Doe"}
FOLLOW_UPS = {
    "42": "Resubmission Allowed",
    "80": "Resubmission Allowed",
    "72": "Please Correct and Resubmit",
    "73": "Please Correct and Resubmit",
    "75": "Please Correct and Resubmit",
    "58": "Please Correct and Resubmit",
}
DESCRIPTIONS = {
    "42": "Unable to Respond at Current Time",
    "80": "No Response received - Transaction Terminated",
    "72": "Invalid/Missing Subscriber/Insured ID",
    "73": "Invalid/Missing Subscriber/Insured Name",
    "75": "Subscriber/Insured Not Found",
    "58": "Invalid/Missing Date-of-Birth",
}


def published(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def published_list(name: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((FIXTURES / name).read_text())
    return data


def own_control_number() -> str:
    """Stedi's ISA13 for the interchange it sent: never the request's."""
    return f"{secrets.randbelow(900_000_000) + 100_000_000:09d}"


def own_trace() -> str:
    return "01K" + secrets.token_hex(12).upper()[:23]


class StediFake:
    """``with StediFake() as stedi``: ``stedi.endpoint`` is the v3 URL to configure."""

    def __init__(self, api_key: str = API_KEY) -> None:
        self.api_key = api_key
        self.server = FakePayer()
        self.server.on(BASE, Reply(body=self._eligibility))
        self.server.on(RAW, Reply(body=self._raw))
        self.server.on(PLANS, Reply(body=self._plans))
        self.control_numbers: list[str] = []

    def __enter__(self) -> StediFake:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__(*exc)

    @property
    def endpoint(self) -> str:
        return self.server.url + BASE

    @property
    def plans_endpoint(self) -> str:
        """The redesigned endpoint's URL (``options.api = "2026-06-01"``)."""
        return self.server.url + PLANS

    def calls(self, path: str = BASE) -> list[Captured]:
        return self.server.calls(path)

    # --- the API ----------------------------------------------------------------------------

    def _refused(self, captured: Captured) -> Reply | None:
        if captured.header("Authorization") != self.api_key:
            return json_reply({"message": "Unauthorized"}, 401)
        if captured.header("Content-Type") != "application/json":
            return json_reply({"message": "Unsupported Media Type"}, 415)
        return None

    def _eligibility(self, captured: Captured) -> Reply:
        refused = self._refused(captured)
        if refused is not None:
            return refused
        request = captured.json()
        missing = [key for key in REQUIRED if key not in request]
        if missing:  # EligibilityCheckRequestContent.required in the published schema
            return json_reply({"message": f"missing required properties: {missing}"}, 400)
        subscriber = request.get("subscriber") or {}
        member_id = str(subscriber.get("memberId") or "")
        if member_id == "UHC202649":
            return json_reply(published("stedi-v3-200-uhc-dependent.json"))
        if not member_id and subscriber.get("lastName", "").upper() == "STEDI":
            return json_reply(published("stedi-v3-400-aaa44-provider.json"), 400)
        match = re.search(r"AAA(\d\d)$", member_id)
        if match:
            return json_reply(self._aaa(request, match.group(1)), 400)
        return json_reply(self._active(request))

    def _raw(self, captured: Captured) -> Reply:
        refused = self._refused(captured)
        if refused is not None:
            return refused
        inquiry = captured.json().get("x12")
        if not isinstance(inquiry, str) or not inquiry.startswith("ISA"):
            return json_reply({"message": "x12 must be a 270 interchange"}, 400)
        request = read_270(inquiry).to_request()
        # Stedi writes its own TRN into the 270 it forwards; the payer echoes that one.
        forwarded = dataclasses.replace(request, trace_number=own_trace())
        answer = build_271(forwarded, x12_responses.active(request), x12_responses.envelope())
        control = self._control()
        return json_reply({"controlNumber": control, "reassociationKey": control, "x12": answer})

    def _plans(self, captured: Captured) -> Reply:
        if captured.header("Authorization") not in (self.api_key, f"Key {self.api_key}"):
            return json_reply({"message": "Unauthorized"}, 401)
        if captured.header("Content-Type") != "application/json":
            return json_reply({"message": "Unsupported Media Type"}, 415)
        request = captured.json()
        examples = {example["title"]: example for example in published_list(PLANS_EXAMPLES)}
        if request.get("payerId") == "NOTAPAYER":
            return json_reply(examples["Invalid request"]["error"]["content"], 400)
        subscriber = request.get("subscriber") or {}
        member_id = str(subscriber.get("memberId") or "")
        if member_id == "HUMANA123":
            return json_reply(examples["Eligibility check"]["output"])
        match = re.search(r"AAA(\d\d)$", member_id)
        body = self._plans_envelope(request)
        if match:
            code = match.group(1)
            body["errors"] = [
                {
                    "code": code,
                    "description": DESCRIPTIONS.get(code, "Payer error"),
                    "followupAction": FOLLOW_UPS.get(code, "Please Correct and Resubmit"),
                    "location": "SUBSCRIBER",
                }
            ]
            return json_reply(body)
        body["plans"] = copy.deepcopy(
            NEW_VALUES_PLANS if member_id == "NEWVALUES" else PLANS_ACTIVE
        )
        return json_reply(body)

    def _plans_envelope(self, request: dict[str, Any]) -> dict[str, Any]:
        subscriber = request.get("subscriber") or {}
        trace = own_trace()
        self.control_numbers.append(trace)
        return {
            "id": f"ec_{uuid.uuid4()}",
            "payerId": request.get("payerId"),
            "x12": "ISA*...~",
            "payer": {"type": "PAYER", "name": {"organization": "FAKE HEALTH PLAN"}},
            "provider": {"type": "PROVIDER", **(request.get("provider") or {})},
            "meta": {
                "traceId": trace,
                "outboundTraceId": trace,
                "subscriberTraceNumbers": [
                    {
                        "type": "REFERENCED_TRANSACTION",
                        "referenceIdentification": own_trace(),
                        "originatingCompanyIdentifier": "9STEDI0000",
                    }
                ],
            },
            "subscriber": {
                key: subscriber[key]
                for key in ("memberId", "dateOfBirth", "name")
                if key in subscriber
            }
            | {
                "dates": {"plan": {"start": "2026-01-01", "end": "2026-12-31"}},
                "additionalInformation": {"group": {"number": "GRP-77", "name": "FAKE GROUP"}},
            },
        }

    # --- answers ----------------------------------------------------------------------------

    def _control(self) -> str:
        control = own_control_number()
        self.control_numbers.append(control)
        return control

    def _envelope(self, request: dict[str, Any]) -> dict[str, Any]:
        subscriber = request.get("subscriber") or {}
        control = self._control()
        return {
            "meta": {"senderId": "STEDI", "applicationMode": "test", "traceId": own_trace()},
            "controlNumber": control,
            "reassociationKey": control,
            "tradingPartnerServiceId": request.get("tradingPartnerServiceId"),
            "payer": {"name": "FAKE HEALTH PLAN", "payorIdentification": "FAKE1"},
            "provider": {
                "providerName": (request.get("provider") or {}).get("organizationName"),
                "npi": (request.get("provider") or {}).get("npi"),
                "entityIdentifier": "Provider",
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
                    "referenceIdentification": own_trace(),
                    "originatingCompanyIdentifier": "9STEDI0000",
                }
            ],
            "errors": [],
        }

    def _active(self, request: dict[str, Any]) -> dict[str, Any]:
        body = self._envelope(request)
        body["planDateInformation"] = {"planBegin": "20260101", "planEnd": "20261231"}
        body["planInformation"] = {"groupNumber": "GRP-77", "groupDescription": "FAKE GROUP"}
        body["benefitsInformation"] = copy.deepcopy(ACTIVE_BENEFITS)
        return body

    def _aaa(self, request: dict[str, Any], code: str) -> dict[str, Any]:
        body = self._envelope(request)
        error = {
            "field": "AAA",
            "code": code,
            "description": DESCRIPTIONS.get(code, "Payer error"),
            "followupAction": FOLLOW_UPS.get(code, "Please Correct and Resubmit"),
            "location": "Loop 2100C",
            "possibleResolutions": "See Stedi's eligibility troubleshooting page.",
        }
        body["errors"] = [error]
        body["subscriber"]["aaaErrors"] = [dict(error)]
        return body
