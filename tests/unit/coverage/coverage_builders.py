"""Build domain objects the way a 271 reads, so each test shows the segments it is about.

``eb("C*IND*30***29*400*****Y")`` is the EB segment without its tag: ``*`` separates elements,
``^`` repeats EB03, ``:`` splits EB13. Companions (MSG, HSD, 2120 entities, DTP, REF) are
keyword arguments.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from verifier.domain import (
    Benefit,
    Contact,
    DateInfo,
    DeliveryLimit,
    EligibilityResult,
    MemberResult,
    Party,
    ProcedureCode,
    Reference,
    RelatedEntity,
    RequestError,
    RetryClass,
)


def _dec(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def _opt(text: str) -> str | None:
    return text or None


def eb(
    segment: str,
    *,
    msgs: tuple[str, ...] = (),
    hsd: tuple[str, ...] = (),
    entities: tuple[RelatedEntity, ...] = (),
    dates: tuple[DateInfo, ...] = (),
    refs: tuple[Reference, ...] = (),
    errors: tuple[RequestError, ...] = (),
) -> Benefit:
    e = segment.split("*") + [""] * 14
    procedure = None
    if e[12]:
        qualifier, code, *modifiers = e[12].split(":")
        procedure = ProcedureCode(qualifier, code, tuple(modifiers))
    return Benefit(
        info=e[0],
        coverage_level=_opt(e[1]),
        service_types=tuple(s for s in e[2].split("^") if s),
        insurance_type=_opt(e[3]),
        plan_description=_opt(e[4]),
        time_period=_opt(e[5]),
        amount=_dec(e[6]),
        percent=_dec(e[7]),
        quantity_qualifier=_opt(e[8]),
        quantity=_dec(e[9]),
        authorization_required=_opt(e[10]),
        in_plan_network=_opt(e[11]),
        procedure=procedure,
        delivery_limits=tuple(_hsd(h) for h in hsd),
        references=refs,
        dates=dates,
        errors=errors,
        messages=msgs,
        related_entities=entities,
    )


def _hsd(segment: str) -> DeliveryLimit:
    e = segment.split("*") + [""] * 8
    return DeliveryLimit(
        quantity_qualifier=_opt(e[0]),
        quantity=_dec(e[1]),
        unit=_opt(e[2]),
        sample_modulus=_dec(e[3]),
        time_period=_opt(e[4]),
        periods=_dec(e[5]),
        calendar_pattern=_opt(e[6]),
        time_code=_opt(e[7]),
    )


def dtp(qualifier: str, value: str) -> DateInfo:
    """``dtp("346", "20260101")`` or a range ``dtp("291", "20260101-20261231")``."""
    start, _, end = value.partition("-")

    def day(text: str) -> dt.date | None:
        return dt.datetime.strptime(text, "%Y%m%d").date() if text else None

    return DateInfo(qualifier=qualifier, start=day(start), end=day(end), raw=value)


def entity(
    code: str, name: str | None = None, identifier: str | None = None, phone: str | None = None
) -> RelatedEntity:
    contacts = (Contact("IC", None, (("TE", phone),)),) if phone else ()
    return RelatedEntity(
        entity_code=code,
        name=name,
        id_qualifier="PI" if identifier else None,
        identifier=identifier,
        contacts=contacts,
    )


def aaa(
    loop: str,
    code: str = "42",
    follow_up: str | None = "R",
    retry: RetryClass = RetryClass.RETRY_LATER,
    description: str = "Unable to Respond at Current Time",
) -> RequestError:
    return RequestError(
        loop=loop,
        valid_request=True,
        reject_code=code,
        reject_description=description,
        follow_up=follow_up,
        follow_up_description=None,
        retry_class=retry,
    )


def member(
    *benefits: Benefit,
    loop: str = "2100C",
    dates: tuple[DateInfo, ...] = (),
    refs: tuple[Reference, ...] = (),
    errors: tuple[RequestError, ...] = (),
) -> MemberResult:
    return MemberResult(
        loop=loop,
        first_name="JOHN",
        last_name="SMITH",
        member_id="W123456789",
        date_of_birth=dt.date(1980, 5, 17),
        references=refs,
        dates=dates,
        errors=errors,
        benefits=benefits,
    )


def result(
    *benefits: Benefit,
    dates: tuple[DateInfo, ...] = (),
    refs: tuple[Reference, ...] = (),
    payer_errors: tuple[RequestError, ...] = (),
    provider_errors: tuple[RequestError, ...] = (),
    member_errors: tuple[RequestError, ...] = (),
) -> EligibilityResult:
    """A subscriber-only response carrying ``benefits``."""
    return EligibilityResult(
        payer=Party(name="ACME HEALTH", id_qualifier="PI", identifier="12345", errors=payer_errors),
        provider=Party(name="CENTER", id_qualifier="XX", identifier="1234567893",
                       errors=provider_errors),
        subscriber=member(*benefits, dates=dates, refs=refs, errors=member_errors),
    )
