"""GET /api/v1/part2/consent: the text and version a client shows before a Part 2 submit."""

from __future__ import annotations

from typing import Any

from verifier.part2.consent import ELEMENTS, VERSION


def test_the_consent_for_a_part2_program_names_the_payer_in_the_language_asked(
    client: Any,
) -> None:
    body = client.get("/api/v1/part2/consent?lang=es&payer_id=SANDBOX").get_json()
    assert body["required"] is True and body["version"] == VERSION
    assert [e["paragraph"] for e in body["elements"]] == [e.paragraph for e in ELEMENTS]
    recipients = next(e for e in body["elements"] if e["element"] == "recipients")
    assert recipients["text"].startswith("A quién: Sandbox Health Plan;")


def test_a_mental_health_program_needs_no_part2_consent(client: Any) -> None:
    body = client.get("/api/v1/part2/consent?condition=mental_health").get_json()
    assert body["required"] is False



def test_an_unknown_level_of_care_is_a_field_error(client: Any) -> None:
    response = client.get("/api/v1/part2/consent?level_of_care=spa")
    assert response.status_code == 422
