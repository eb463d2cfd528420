"""The API does what /api/v1/openapi.json says, for anyone and for staff (schemathesis).

Every operation of the published document, with bounded generated examples: no server
error, every status code documented, every body matching its schema. Runs in-process
(WSGI) against the real app on SQLite and PostgreSQL, well under two minutes.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import checks
from schemathesis.generation.modes import GenerationMode

from tests.unit.staff.conftest import Account, make_account
from verifier.staff import accounts

pytestmark = pytest.mark.contract

EXAMPLES = 12
# What the document must hold to. Not positive_data_acceptance / negative_data_rejection:
# our validation is deliberately stricter than a JSON Schema can say (the X12 character
# set of names, real calendar dates, consent), and a 422 names the field.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.unsupported_method,
    checks.allow_header_conformance,
]


@pytest.fixture
def api_schema(app: Any) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def staff_headers(runtime: Any) -> dict[str, str]:
    account: Account = make_account(runtime, "coordinator")
    return {"Authorization": f"Bearer {accounts.issue_token(runtime, account.email)[1]}"}


bounded = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


def check_every_operation(api_schema: Any, headers: dict[str, str] | None = None) -> None:
    """Each operation in turn; every failure is collected, then all are reported."""
    failures: dict[str, str] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @bounded
            def run(case: Any) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                continue  # no schema-breaking value exists (a bare string path parameter)
            except (Exception, BaseExceptionGroup) as exc:  # reported below with its operation
                failures[f"{operation.label} ({mode.value})"] = str(exc)[:1500]
    assert failures == {}, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_anonymous_callers_get_what_the_document_promises(api_schema: Any) -> None:
    check_every_operation(api_schema)


def test_staff_get_what_the_document_promises(
    api_schema: Any, staff_headers: dict[str, str]
) -> None:
    check_every_operation(api_schema, staff_headers)


@pytest.fixture
def checked(client: Any, runtime: Any) -> dict[str, str]:
    """A real, completed verification (generated ids only ever meet the 404)."""
    from tests.fakes.submissions import URL, valid_body
    from verifier.verifications.check import run_check

    submitted: dict[str, str] = client.post(URL, json=valid_body()).get_json()
    run_check(runtime, submitted["id"])
    return submitted


def test_the_staff_and_visitor_views_of_a_real_verification_match_the_document(
    api_schema: Any, checked: dict[str, str], staff_headers: dict[str, str]
) -> None:
    operation = api_schema["/api/v1/verifications/{verification_id}"]["GET"]
    path = {"verification_id": checked["id"]}
    staff = operation.Case(path_parameters=path, headers=staff_headers)
    assert "member" in staff.call_and_validate(checks=CHECKS).json()
    visitor = operation.Case(path_parameters=path, headers={"X-Status-Token": checked["token"]})
    assert "member" not in visitor.call_and_validate(checks=CHECKS).json()


def test_every_staff_operation_declares_its_security_scheme(client: Any) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A staff API token",
    }
    public = {
        ("POST", "/api/v1/verifications"),
        ("GET", "/api/v1/payers"),
        ("GET", "/api/v1/part2/consent"),  # the consent text a visitor reads before signing
    }
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or (method.upper(), path) in public:
                continue
            assert {"bearerAuth": []} in operation.get("security", []), (method, path)
