"""What staff type, checked once for the API and the console: phone VOBs and authorizations.

Money fields take "$250", "250.00" or "1,500"; shares "20%" or "0.2" (``staff.amounts``).
An error is a message per field (marshmallow's ``messages``), which the console shows
next to the field and the API returns as its 422 body.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from verifier.coverage.model import Tier
from verifier.domain import LevelOfCare
from verifier.staff import amounts
from verifier.staff.phone_vob import ACCUMULATOR_FIELDS, PhoneCall, PhoneVobEntry
from verifier.verifications.lifecycle import utcnow
from verifier.verifications.schemas import StrictSchema

AUTH_STATUSES = ("requested", "approved", "denied", "expired")
AUTH_UNITS = ("sessions", "days")


class Money(fields.Field):
    """Dollars as typed ("$250", "1,500"); a number in JSON is taken as it is."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        try:
            return amounts.parse_money(str(value))
        except amounts.AmountError as exc:
            raise ValidationError(str(exc)) from None

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else str(value)


class Share(fields.Field):
    """A patient share as typed ("20%", "0.2")."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        try:
            return amounts.parse_share(str(value))
        except amounts.AmountError as exc:
            raise ValidationError(str(exc)) from None

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else str(value)


class Count(fields.Field):
    """A whole number of visits, days or units ("30")."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise ValidationError("Enter a whole number.")
        try:
            return amounts.parse_count(str(value))
        except amounts.AmountError as exc:
            raise ValidationError(str(exc)) from None

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


def _tier_fields() -> dict[str, fields.Field]:
    made: dict[str, fields.Field] = {}
    for tier in Tier:
        made[f"{tier.value}_covered"] = fields.Boolean(load_default=None)
        made[f"{tier.value}_copay"] = Money(load_default=None)
        made[f"{tier.value}_copay_per"] = fields.String(
            load_default=None, validate=validate.OneOf(["visit", "day", "admission", "episode"])
        )
        made[f"{tier.value}_coinsurance"] = Share(load_default=None)
        for suffix, *_ in ACCUMULATOR_FIELDS:
            made[f"{tier.value}_{suffix}"] = Money(load_default=None)
    return made


_PHONE_VOB_FIELDS: dict[str, fields.Field] = {
    "reference_number": fields.String(required=True, validate=validate.Length(min=1, max=50)),
    "rep_name": fields.String(required=True, validate=validate.Length(min=1, max=80)),
    "called_at": fields.AwareDateTime(load_default=None, default_timezone=dt.UTC),
    "phone_line": fields.String(load_default=None, validate=validate.Length(max=40)),
    "level_of_care": fields.Enum(LevelOfCare, by_value=True, required=True),
    "coverage_status": fields.String(
        required=True, validate=validate.OneOf(["active", "inactive", "unknown"])
    ),
    "network_status": fields.String(
        load_default=None, validate=validate.OneOf(["in_network", "out_of_network"])
    ),
    "plan_name": fields.String(load_default=None, validate=validate.Length(max=120)),
    "group_number": fields.String(load_default=None, validate=validate.Length(max=50)),
    "plan_begin": fields.Date(load_default=None),
    "plan_end": fields.Date(load_default=None),
    "preauthorization_required": fields.Boolean(load_default=None),
    "visits_allowed": Count(load_default=None),
    "visits_used": Count(load_default=None),
    "visits_remaining": Count(load_default=None),
    "visits_period": fields.String(
        load_default=None,
        validate=validate.OneOf(["calendar_year", "service_year", "lifetime"]),
    ),
    "notes": fields.String(load_default="", validate=validate.Length(max=2000)),
}
_PHONE_VOB_FIELDS |= _tier_fields()
_PhoneVobBase = StrictSchema.from_dict(_PHONE_VOB_FIELDS, name="PhoneVobBase")


class PhoneVobSchema(_PhoneVobBase):  # type: ignore[misc,valid-type]
    """A verification of benefits done by phone with the payer's representative."""

    @validates_schema
    def _consistent(self, data: Mapping[str, Any], **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        if data.get("called_at") and data["called_at"] > utcnow() + dt.timedelta(minutes=5):
            errors["called_at"] = ["The call cannot be in the future."]
        begin, end = data.get("plan_begin"), data.get("plan_end")
        if begin and end and end < begin:
            errors["plan_end"] = ["The plan cannot end before it begins."]
        allowed, used = data.get("visits_allowed"), data.get("visits_used")
        if allowed is not None and used is not None and used > allowed:
            errors["visits_used"] = ["More visits used than allowed; check the numbers."]
        for tier in Tier:
            for kind in (
                "deductible",
                "out_of_pocket",
                "family_deductible",
                "family_out_of_pocket",
            ):
                total = data.get(f"{tier.value}_{kind}_total")
                left = data.get(f"{tier.value}_{kind}_remaining")
                if total is not None and left is not None and left > total:
                    errors[f"{tier.value}_{kind}_remaining"] = ["More left than the total."]
        if errors:
            raise ValidationError(errors)


CALL_FIELDS = ("reference_number", "rep_name", "called_at", "phone_line", "notes")


def phone_vob_entry(loaded: Mapping[str, Any], typed: Mapping[str, Any]) -> PhoneVobEntry:
    """The loaded form as an entry; ``typed`` keeps what was typed, for the sealed record."""
    call = PhoneCall(
        rep_name=loaded["rep_name"],
        reference_number=loaded["reference_number"],
        called_at=loaded.get("called_at") or utcnow(),
        phone_line=loaded.get("phone_line"),
        notes=loaded.get("notes") or "",
    )
    benefit = {k: v for k, v in loaded.items() if k not in CALL_FIELDS and k != "level_of_care"}
    kept = {k: str(v) for k, v in typed.items() if k in benefit and v not in (None, "")}
    return PhoneVobEntry(call, loaded["level_of_care"], benefit, kept)


class AuthorizationSchema(StrictSchema):
    """An authorization the payer (or its UM vendor) gave for a level of care."""

    level_of_care = fields.Enum(LevelOfCare, by_value=True, required=True)
    number = fields.String(load_default=None, validate=validate.Length(max=50))
    contact = fields.String(load_default=None, validate=validate.Length(max=200))
    status = fields.String(required=True, validate=validate.OneOf(AUTH_STATUSES))
    unit = fields.String(load_default="sessions", validate=validate.OneOf(AUTH_UNITS))
    approved_units = Count(load_default=None)
    used_units = Count(load_default=0)
    start_date = fields.Date(load_default=None)
    end_date = fields.Date(load_default=None)
    notes = fields.String(load_default="", validate=validate.Length(max=2000))

    @validates_schema
    def _consistent(self, data: Mapping[str, Any], **_: Any) -> None:
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            raise ValidationError({"end_date": ["The authorization cannot end before it starts."]})
        if data.get("status") == "approved" and data.get("approved_units") is None:
            raise ValidationError({"approved_units": ["An approval needs its number of units."]})


class AuthorizationUpdateSchema(StrictSchema):
    """Units used so far (by hand or from the EHR), or a new status."""

    used_units = Count(load_default=None)
    add_units = Count(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(AUTH_STATUSES))
    approved_units = Count(load_default=None)
    end_date = fields.Date(load_default=None)

    @validates_schema
    def _something(self, data: Mapping[str, Any], **_: Any) -> None:
        if data.get("used_units") is not None and data.get("add_units") is not None:
            raise ValidationError(
                {"add_units": ["Give the units used, or units to add, not both."]}
            )
        if all(v is None for v in data.values()):
            raise ValidationError({"used_units": ["Nothing to change."]})
