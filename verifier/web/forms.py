"""The HTML form as the JSON API's body, validated by the same SubmitSchema.

Inputs are named by the API's dotted field names (``member.first_name``), so one error map
serves the no-JS page (rendered next to each field) and the JS page (the API's 422).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError, fields, validate

from verifier.verifications.schemas import ContactSchema, SubmitSchema, flatten_errors
from verifier.web.messages import SCHEMA_REQUIRED, say, schema_message

TEXT_FIELDS = (
    "member.first_name",
    "member.last_name",
    "member.date_of_birth",
    "member.member_id",
    "member.group_number",
    "member.relationship",
    "member.subscriber.first_name",
    "member.subscriber.last_name",
    "member.subscriber.date_of_birth",
    "payer_id",
    "level_of_care",
    "condition",
    "contact.phone",
    "contact.email",
    "contact.best_time",
)
PART2_FIELDS = ("part2_consent.version", "part2_consent.signature")
CHECKBOXES = ("contact.callback_requested", "consent", "part2_consent.agreed")


@dataclass
class FormResult:
    """What the visitor typed (to re-render), and either the loaded data or the errors."""

    values: dict[str, str]
    data: dict[str, Any] | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


def _put(target: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for key in parents:
        target = target.setdefault(key, {})
    target[leaf] = value


def body_from_form(
    values: Mapping[str, str], part2: frozenset[str] = frozenset(), language: str = "en"
) -> dict[str, Any]:
    """Empty inputs are left out (the schema's defaults apply), as the JS page does.

    ``part2``: the facility's Part 2 programs as "level/condition"; only for those does
    the body carry the Part 2 consent (other programs keep today's consent).
    """
    body: dict[str, Any] = {}
    self_insured = values.get("member.relationship", "self") in ("", "self")
    for name in TEXT_FIELDS:
        value = values.get(name, "").strip()
        if not value or (self_insured and name.startswith("member.subscriber.")):
            continue
        _put(body, name, value)
    contact = body.get("contact", {})
    if values.get("contact.callback_requested"):
        contact["callback_requested"] = True
    if contact:
        body["contact"] = contact
    body["consent"] = bool(values.get("consent"))
    body["language"] = language
    program = f"{values.get('level_of_care') or 'iop'}/{values.get('condition') or 'mental_health'}"
    if program in part2:
        body["part2_consent"] = {
            "version": values.get("part2_consent.version", ""),
            "signature": values.get("part2_consent.signature", "").strip(),
            "agreed": bool(values.get("part2_consent.agreed")),
            "language": language,
        }
        if not body["part2_consent"]["signature"]:
            del body["part2_consent"]["signature"]  # "Please fill this in."
    return body


def kind_errors(errors: dict[str, list[str]], language: str) -> dict[str, list[str]]:
    """The schema's messages, with the cold 'missing data' ones put kindly."""
    kind: dict[str, list[str]] = {}
    for name, messages in errors.items():
        if name == "member.subscriber":
            kind[name] = [say(language, "error.subscriber")]
            continue
        kind[name] = [
            say(language, "error.required") if m == SCHEMA_REQUIRED else schema_message(language, m)
            for m in messages
        ]
    return kind


def read_submission(
    form: Mapping[str, str], language: str, part2: frozenset[str] = frozenset()
) -> FormResult:
    values = {name: form.get(name, "") for name in (*TEXT_FIELDS, *PART2_FIELDS, *CHECKBOXES)}
    try:
        data = SubmitSchema().load(body_from_form(values, part2, language))
    except ValidationError as exc:
        return FormResult(values, errors=kind_errors(flatten_errors(exc.messages), language))
    return FormResult(values, data=data)


class CallbackSchema(ContactSchema):
    """A call back asked for on its own: a way to reach the visitor and, if given, a name."""

    name = fields.String(load_default=None, validate=validate.Length(max=60))
    callback_requested = fields.Boolean(load_default=True, validate=validate.Equal(True))


CALLBACK_FIELDS = ("name", "phone", "email", "best_time")


def read_callback(form: Mapping[str, Any], language: str) -> FormResult:
    values = {name: str(form.get(name) or "") for name in CALLBACK_FIELDS}
    body = {name: value.strip() for name, value in values.items() if value.strip()}
    try:
        data = CallbackSchema().load(body)
    except ValidationError as exc:
        return FormResult(values, errors=kind_errors(flatten_errors(exc.messages), language))
    return FormResult(values, data=data)
