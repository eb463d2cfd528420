"""The submit contract (docs/design.md §5): what a verification needs, checked once.

The API, the visitor's pages, the console and batches all load a submission through
``SubmitSchema`` and turn it into a ``Submission`` with ``submission_from``; their field
errors come out of ``flatten_errors`` as ``{"member.first_name": ["..."]}``.

Names and ids are checked by the same allow-list the 270 encoder uses, so anything
accepted here can be sent to a payer, and anything that could not is refused now,
with the field named, instead of failing later inside a job.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

import marshmallow as ma
from marshmallow import RAISE, ValidationError, fields, post_load, validate, validates_schema

from verifier.domain import Condition, LevelOfCare, Person, Relationship
from verifier.part2.consent import part2_consent_from
from verifier.store.records import ContactRecord, MemberRecord
from verifier.verifications.intake import Submission
from verifier.x12.charset import (
    X12InputError,
    clean_identifier,
    clean_name,
    refuse_control_characters,
)

OLDEST_BIRTH_DATE = dt.date(1900, 1, 1)
SERVICE_DATE_PAST_DAYS = 365  # CORE: payers answer inquiries up to 12 months back
SERVICE_DATE_FUTURE_DAYS = 90


def today() -> dt.date:
    return dt.date.today()


class _X12Text(fields.String):
    """A string normalized (NFKC, upper-case) and checked against the X12 allow-list."""

    cleaner = staticmethod(clean_name)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return self.cleaner(text, attr or "value")
        except X12InputError as exc:
            raise ValidationError(exc.message) from None


class PersonName(_X12Text):
    cleaner = staticmethod(clean_name)


class Identifier(_X12Text):
    cleaner = staticmethod(clean_identifier)


class BirthDate(fields.Date):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        date = super()._deserialize(value, attr, data, **kwargs)
        if date > today():
            raise ValidationError("Date of birth cannot be in the future.")
        if date < OLDEST_BIRTH_DATE:
            raise ValidationError("Date of birth must be after 1900-01-01.")
        return date


class StrictSchema(ma.Schema):
    class Meta:
        unknown = RAISE


NAME_FIELDS = ("first_name", "last_name")


def as_typed(data: dict[str, Any], original: Any) -> dict[str, str]:
    """The names as the visitor wrote them (NFC), where they differ from what is sent
    (case included: "fix the details" gives the form back as they typed it)."""
    typed: dict[str, str] = {}
    if not isinstance(original, dict):
        return typed
    for name in NAME_FIELDS:
        raw, sent = original.get(name), data.get(name)
        if isinstance(raw, str) and isinstance(sent, str):
            spelled = " ".join(unicodedata.normalize("NFC", raw).split())
            if spelled != sent:
                typed[name] = spelled
    return typed


class SubscriberSchema(StrictSchema):
    first_name = PersonName(required=True)
    last_name = PersonName(required=True)
    date_of_birth = BirthDate(required=True)
    member_id = Identifier(load_default=None)

    @post_load(pass_original=True)
    def _keep_spelling(self, data: dict[str, Any], original: Any, **_: Any) -> dict[str, Any]:
        data["as_typed"] = as_typed(data, original)
        return data


class MemberSchema(StrictSchema):
    first_name = PersonName(required=True, metadata={"description": "As printed on the card"})
    last_name = PersonName(required=True)
    date_of_birth = BirthDate(required=True)
    member_id = Identifier(required=True, metadata={"description": "Member id on the card"})
    group_number = Identifier(load_default=None)
    relationship = fields.Enum(
        Relationship,
        by_value=True,
        load_default=Relationship.SELF,
        metadata={"description": "The patient's relationship to the policyholder"},
    )
    subscriber = fields.Nested(SubscriberSchema, load_default=None)

    @post_load(pass_original=True)
    def _keep_spelling(self, data: dict[str, Any], original: Any, **_: Any) -> dict[str, Any]:
        """The sealed record keeps José Peña for staff; the 270 carries JOSE PENA."""
        typed = as_typed(data, original)
        subscriber = data.get("subscriber") or {}
        for name, spelled in subscriber.pop("as_typed", {}).items():
            typed[f"subscriber.{name}"] = spelled
        data["as_typed"] = typed
        return data

    @validates_schema
    def _subscriber_matches_relationship(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("relationship", Relationship.SELF) is Relationship.SELF:
            if data.get("subscriber") is not None:
                raise ValidationError(
                    "Leave the policyholder out when the patient is the policyholder.",
                    "subscriber",
                )
        elif data.get("subscriber") is None:
            raise ValidationError(
                "The policyholder's name and date of birth are needed when the patient "
                "is not the policyholder.",
                "subscriber",
            )


_PHONE = re.compile(r"\+?[0-9 ()\-.]{7,25}")


class Phone(fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        digits = re.sub(r"\D", "", text)
        if not _PHONE.fullmatch(text) or not 7 <= len(digits) <= 15:
            raise ValidationError("Enter a phone number with 7 to 15 digits.")
        return text


class ContactSchema(StrictSchema):
    phone = Phone(load_default=None)
    email = fields.Email(load_default=None, validate=validate.Length(max=254))
    best_time = fields.String(
        load_default=None, validate=validate.OneOf(["morning", "afternoon", "evening", "any"])
    )
    callback_requested = fields.Boolean(load_default=False)

    @validates_schema
    def _reachable_for_callback(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("callback_requested") and not (data.get("phone") or data.get("email")):
            raise ValidationError("Give a phone number or an email for the call back.", "phone")


class Signature(fields.String):
    """A typed name as a signature: any letters, no control characters."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = " ".join(super()._deserialize(value, attr, data, **kwargs).split())
        try:
            refuse_control_characters(text, attr or "signature")
        except X12InputError as exc:
            raise ValidationError(exc.message) from None
        if not any(ch.isalpha() for ch in text):
            raise ValidationError("Type your full name to sign.")
        return unicodedata.normalize("NFC", text)


class Part2ConsentSchema(StrictSchema):
    """The written consent a 42 CFR Part 2 program needs before a 270 (verifier.part2)."""

    version = fields.String(
        required=True,
        validate=validate.Length(max=40),
        metadata={"description": "The consent version shown (GET /api/v1/part2/consent)"},
    )
    signature = Signature(required=True, validate=validate.Length(min=1, max=120))
    agreed = fields.Boolean(required=True)
    language = fields.String(
        load_default="en",
        validate=validate.OneOf(["en", "es"]),
        metadata={"description": "The language the consent was read in"},
    )

    @ma.validates("agreed")
    def _agreed(self, value: bool, **_: Any) -> None:
        if value is not True:
            raise ValidationError("Tick the box to sign the consent.")


class SubmitSchema(StrictSchema):
    member = fields.Nested(MemberSchema, required=True)
    payer_id = Identifier(required=True, metadata={"description": "An id from /api/v1/payers"})
    level_of_care = fields.Enum(LevelOfCare, by_value=True, load_default=LevelOfCare.IOP)
    condition = fields.Enum(Condition, by_value=True, load_default=Condition.MENTAL_HEALTH)
    service_date = fields.Date(load_default=None, metadata={"description": "Default: today"})
    contact = fields.Nested(ContactSchema, load_default=None)
    consent = fields.Boolean(
        required=True, metadata={"description": "Must be true: the visitor agrees to the check"}
    )
    part2_consent = fields.Nested(
        Part2ConsentSchema,
        load_default=None,
        metadata={"description": "Needed for a 42 CFR Part 2 program (substance use)"},
    )
    language = fields.String(
        load_default=None,
        validate=validate.OneOf(["en", "es"]),
        metadata={
            "description": "The language the visitor reads (en, es): staff see their result "
            "page in it first, and call back in it"
        },
    )

    @ma.validates("consent")
    def _consent_given(self, value: bool, **_: Any) -> None:
        if value is not True:
            raise ValidationError("Consent is needed to check your benefits.")

    @ma.validates("service_date")
    def _service_date_in_range(self, value: dt.date | None, **_: Any) -> None:
        if value is None:
            return
        if value < today() - dt.timedelta(days=SERVICE_DATE_PAST_DAYS):
            raise ValidationError("Service date can be at most 12 months ago.")
        if value > today() + dt.timedelta(days=SERVICE_DATE_FUTURE_DAYS):
            raise ValidationError("Service date can be at most 90 days ahead.")


def flatten_errors(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as ``{"member.first_name": ["..."]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                name = prefix or "_schema"
            for field, messages in flatten_errors(value, name).items():
                flat.setdefault(field, []).extend(messages)
    elif isinstance(errors, list):
        if all(isinstance(item, str) for item in errors):
            flat[prefix or "_schema"] = list(errors)
        else:
            for item in errors:
                for field, messages in flatten_errors(item, prefix).items():
                    flat.setdefault(field, []).extend(messages)
    else:
        flat[prefix or "_schema"] = [str(errors)]
    return flat


def submission_from(data: dict[str, Any]) -> Submission:
    """A loaded ``SubmitSchema`` body as the Submission intake stores."""
    member = data["member"]
    subscriber = member.get("subscriber")
    contact = data.get("contact")
    return Submission(
        member=MemberRecord(
            first_name=member["first_name"],
            last_name=member["last_name"],
            date_of_birth=member["date_of_birth"],
            member_id=member["member_id"],
            group_number=member.get("group_number"),
            relationship=member["relationship"],
            subscriber=(
                Person(
                    first_name=subscriber["first_name"],
                    last_name=subscriber["last_name"],
                    date_of_birth=subscriber["date_of_birth"],
                    member_id=subscriber.get("member_id") or member["member_id"],
                )
                if subscriber
                else None
            ),
            as_typed=member.get("as_typed") or None,
        ),
        payer_id=data["payer_id"],
        level_of_care=data["level_of_care"],
        condition=data["condition"],
        service_date=data.get("service_date") or today(),
        contact=ContactRecord(**contact) if contact else None,
        part2_consent=part2_consent_from(data.get("part2_consent")),
        language=data.get("language"),
    )
