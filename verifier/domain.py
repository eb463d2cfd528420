"""Plain domain objects shared by the X12 engine, the adapters and the coverage engine.

Pure data: nothing here imports Flask, RQ, Redis or SQLAlchemy. Adapters return these
objects (never raw dicts) so the coverage engine reads one shape whatever the route to
the payer was. Codes keep their X12 values (EB01 "B", EB12 "Y" ...) because staff and
payers speak in them; descriptions live in ``verifier.x12.codes``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class LevelOfCare(StrEnum):
    OUTPATIENT = "outpatient"
    IOP = "iop"
    PHP = "php"
    INPATIENT = "inpatient"


class Condition(StrEnum):
    """Gambling disorder (ICD-10 F63.0) is mental health, not substance use."""

    MENTAL_HEALTH = "mental_health"
    SUBSTANCE_USE = "substance_use"


class Relationship(StrEnum):
    """The patient's relationship to the policyholder (subscriber)."""

    SELF = "self"
    SPOUSE = "spouse"
    CHILD = "child"
    OTHER = "other"


class RetryClass(StrEnum):
    """What a payer's AAA rejection asks us to do next (docs/design.md §7)."""

    RETRY_LATER = "retry_later"
    FIX_INPUT = "fix_input"
    NOT_FOUND = "not_found"
    CONFIGURATION = "configuration"
    BENEFIT_LEVEL = "benefit_level"


@dataclass(frozen=True, slots=True)
class Person:
    """Someone named in a request: the subscriber, or the dependent patient."""

    first_name: str
    last_name: str
    date_of_birth: dt.date
    member_id: str | None = None
    middle_name: str | None = None
    gender: str | None = None  # X12 DMG03: M, F, U


@dataclass(frozen=True, slots=True)
class Provider:
    """The information receiver: the treatment center (2100B)."""

    npi: str
    organization_name: str


@dataclass(frozen=True, slots=True)
class ProcedureCode:
    """An EQ02/EB13 composite: qualifier (HC, AD, ...), code and up to 4 modifiers."""

    qualifier: str
    code: str
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EligibilityRequest:
    """One 270 inquiry's worth of facts. PHI: never log or enqueue this object."""

    payer_id: str
    payer_name: str
    provider: Provider
    subscriber: Person
    service_date: dt.date
    trace_number: str
    dependent: Person | None = None  # set when the patient is not the subscriber
    relationship: Relationship = Relationship.SELF
    service_types: tuple[str, ...] = ("30",)
    procedure: ProcedureCode | None = None
    group_number: str | None = None

    @property
    def patient(self) -> Person:
        return self.dependent if self.dependent is not None else self.subscriber


@dataclass(frozen=True, slots=True)
class RequestError:
    """One AAA segment: the payer's reason it could not answer (part of) the inquiry."""

    loop: str  # 2000A, 2100A, 2100B, 2100C, 2110C, 2100D, 2110D, or "transport" etc.
    valid_request: bool  # AAA01 Y/N
    reject_code: str  # AAA03
    reject_description: str
    follow_up: str | None  # AAA04
    follow_up_description: str | None
    retry_class: RetryClass

    @property
    def retryable(self) -> bool:
        return self.retry_class is RetryClass.RETRY_LATER


@dataclass(frozen=True, slots=True)
class Contact:
    """A PER segment: a contact name and (qualifier, value) pairs such as ("TE", "8005551212")."""

    function_code: str | None = None
    name: str | None = None
    communications: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Reference:
    """A REF segment: qualifier (18, 6P, 1L, G1 ...), value and optional description."""

    qualifier: str
    value: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class DateInfo:
    """A DTP segment: qualifier (346, 347, 291 ...) and a date or a date range."""

    qualifier: str
    start: dt.date | None
    end: dt.date | None = None
    raw: str = ""


@dataclass(frozen=True, slots=True)
class DeliveryLimit:
    """An HSD segment (health care services delivery), e.g. HSD*VS*30***22 = 30 visits a year."""

    quantity_qualifier: str | None = None  # HSD01: VS visits, DY days, HS hours ...
    quantity: Decimal | None = None  # HSD02
    unit: str | None = None  # HSD03
    sample_modulus: Decimal | None = None  # HSD04
    time_period: str | None = None  # HSD05 (element 615)
    periods: Decimal | None = None  # HSD06
    calendar_pattern: str | None = None  # HSD07
    time_code: str | None = None  # HSD08


@dataclass(frozen=True, slots=True)
class RelatedEntity:
    """A 2120C/D loop: an entity tied to a benefit (carve-out administrator, PCP, UM org)."""

    entity_code: str  # NM101: X3, PR, P3, VN, Y2 ...
    name: str | None = None
    id_qualifier: str | None = None  # NM108: PI, XX, SV ...
    identifier: str | None = None  # NM109
    contacts: tuple[Contact, ...] = ()
    address_lines: tuple[str, ...] = ()
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    provider_code: str | None = None  # PRV01: HH health care, PE performing, PC primary care ...
    provider_id_qualifier: str | None = None  # PRV02: PXC taxonomy, 9K, ...
    provider_id: str | None = None  # PRV03


@dataclass(frozen=True, slots=True)
class Benefit:
    """One EB segment with its 2110 companions (HSD, REF, DTP, AAA, MSG, 2120 entities)."""

    info: str  # EB01: 1 active, 6 inactive, A coinsurance, B copay, C deductible ...
    coverage_level: str | None = None  # EB02: IND, FAM, EMP ...
    service_types: tuple[str, ...] = ()  # EB03 repetitions
    insurance_type: str | None = None  # EB04
    plan_description: str | None = None  # EB05
    time_period: str | None = None  # EB06: 23 calendar year, 29 remaining, 27 visit ...
    amount: Decimal | None = None  # EB07
    percent: Decimal | None = None  # EB08, a fraction (0.2 = 20 %), the patient's share
    quantity_qualifier: str | None = None  # EB09: VS, DY, 99 ...
    quantity: Decimal | None = None  # EB10
    authorization_required: str | None = None  # EB11: Y, N, U
    in_plan_network: str | None = None  # EB12: Y, N, W, U
    procedure: ProcedureCode | None = None  # EB13
    delivery_limits: tuple[DeliveryLimit, ...] = ()
    references: tuple[Reference, ...] = ()
    dates: tuple[DateInfo, ...] = ()
    errors: tuple[RequestError, ...] = ()
    messages: tuple[str, ...] = ()
    related_entities: tuple[RelatedEntity, ...] = ()
    # III segments (2110/2115): (III01 code list qualifier, III02 industry code), e.g.
    # ("ZZ", "11") = place of service office. Read by ``coverage.places``.
    industry_codes: tuple[tuple[str, str], ...] = ()

    @property
    def places_of_service(self) -> tuple[str, ...]:
        """III02 codes under III01 ``ZZ`` (facility type, i.e. place of service): ("11",)."""
        return tuple(code for qualifier, code in self.industry_codes if qualifier == "ZZ")


@dataclass(frozen=True, slots=True)
class Trace:
    """A TRN segment. TRN01 2 echoes the trace we sent; 1 is the payer's own."""

    trace_type: str
    number: str
    originator: str | None = None
    secondary: str | None = None


@dataclass(frozen=True, slots=True)
class Party:
    """The payer (2100A) or the provider (2100B) as the response names it."""

    name: str | None = None
    id_qualifier: str | None = None
    identifier: str | None = None
    contacts: tuple[Contact, ...] = ()
    errors: tuple[RequestError, ...] = ()


@dataclass(frozen=True, slots=True)
class MemberResult:
    """A subscriber (2000C/2100C) or dependent (2000D/2100D) as the payer returned it."""

    loop: str  # "2100C" or "2100D"
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    member_id: str | None = None
    date_of_birth: dt.date | None = None
    gender: str | None = None
    relationship_code: str | None = None  # INS02: 18 self, 01 spouse, 19 child ...
    traces: tuple[Trace, ...] = ()
    references: tuple[Reference, ...] = ()
    dates: tuple[DateInfo, ...] = ()
    errors: tuple[RequestError, ...] = ()
    benefits: tuple[Benefit, ...] = ()
    address_lines: tuple[str, ...] = ()
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None


@dataclass(frozen=True, slots=True)
class EligibilityResult:
    """A payer's answer, normalized. ``patient`` is the member whose benefits we read."""

    payer: Party
    provider: Party | None = None
    subscriber: MemberResult | None = None
    dependent: MemberResult | None = None
    version: str | None = None  # 005010X279A1, 004010X092A1 ...
    control_number: str | None = None  # ST02 of the transaction
    interchange_control_number: str | None = None  # ISA13
    warnings: tuple[str, ...] = field(default=())  # tolerated defects (SE count ...)
    # BHT04: when the payer answered; the date coverage is read at when the request's own
    # service date is not at hand (a CLI read of a file).
    transaction_date: dt.date | None = None

    @property
    def patient(self) -> MemberResult | None:
        return self.dependent if self.dependent is not None else self.subscriber

    @property
    def traces(self) -> tuple[Trace, ...]:
        found: tuple[Trace, ...] = ()
        for member in (self.subscriber, self.dependent):
            if member is not None:
                found += member.traces
        return found

    @property
    def errors(self) -> tuple[RequestError, ...]:
        """Every AAA, from the payer level down to the benefits."""
        found: tuple[RequestError, ...] = self.payer.errors
        if self.provider is not None:
            found += self.provider.errors
        for member in (self.subscriber, self.dependent):
            if member is not None:
                found += member.errors
                for benefit in member.benefits:
                    found += benefit.errors
        return found
