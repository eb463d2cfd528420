"""The built-in sandbox payer: deterministic scenarios chosen by the member id.

It is the embedded default, so a fresh ``make run`` answers real-looking checks
without any payer credentials. Each scenario is written as the benefits a payer would
return, encoded as a real 5010 271 and read back by our own reader, so the sandbox
exercises the same path as a live payer. The table of member ids is in README.md.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

from verifier.domain import (
    Benefit,
    Contact,
    DateInfo,
    EligibilityRequest,
    EligibilityResult,
    MemberResult,
    Party,
    Reference,
    RelatedEntity,
    Trace,
)
from verifier.payers import deadline
from verifier.payers.base import CheckOutcome, Exchange, PayerResponseInvalid, PayerUnavailable
from verifier.payers.classify import classify
from verifier.verifications.matching import SUFFIXES
from verifier.x12.aaa import aaa_error
from verifier.x12.builder import build_271
from verifier.x12.encoder import Envelope, encode_270
from verifier.x12.errors import X12ParseError
from verifier.x12.reader import read_271

# Service types the sandbox plan reports its behavioral-health benefits under.
MENTAL_HEALTH = ("MH", "A4", "A6", "A7", "A8", "BB", "CF", "CG", "CH", "RT", "A5")
SUBSTANCE_USE = ("AI", "AJ", "AK", "CI", "CJ")
BEHAVIORAL = MENTAL_HEALTH + SUBSTANCE_USE
SANDBOX_PAYER_NAME = "SANDBOX HEALTH PLAN"
BEHAVIORAL_ADMINISTRATOR = "SANDBOX-BH"  # the carve-out scenario's administrator
GARBAGE_RESPONSE = "<html><body>502 Bad Gateway</body></html>"


@dataclass(frozen=True)
class Scenario:
    key: str
    description: str
    benefits: Callable[[int], tuple[Benefit, ...] | None] | None = None
    plan_end: dt.date | None = None
    # The member's own eligibility begin (DTP 356 in 2100C), as a (month, day) of this
    # year: a member who joined the plan after it began.
    eligible_from: tuple[int, int] | None = None


def attempt_of(trace_number: str) -> int:
    """Our trace numbers end in ``-<attempt>``; the sandbox uses it to be flaky once."""
    _, _, tail = trace_number.rpartition("-")
    return int(tail) if tail.isdigit() else 1


def _money(value: str) -> Decimal:
    return Decimal(value)


def plan_tiers(
    *,
    copay: str | None = "30.00",
    coinsurance_in: str | None = "0.20",
    coinsurance_out: str | None = "0.40",
    deductible_in: tuple[str, str] = ("1500.00", "400.00"),
    deductible_out: tuple[str, str] = ("3000.00", "3000.00"),
    oop_in: tuple[str, str] = ("5000.00", "3200.00"),
    oop_out: tuple[str, str] = ("10000.00", "10000.00"),
    family_factor: int = 2,
    auth: str | None = None,
    in_network_covered: bool = True,
) -> tuple[Benefit, ...]:
    """Cost-sharing rows as payers send them: IND/FAM x in/out x total/remaining."""
    rows: list[Benefit] = []
    for network, deductible, oop in (("Y", deductible_in, oop_in), ("N", deductible_out, oop_out)):
        if network == "Y" and not in_network_covered:
            continue
        for level, factor in (("IND", 1), ("FAM", family_factor)):
            total, remaining = (Decimal(v) * factor for v in deductible)
            rows.append(
                Benefit(
                    "C", level, ("30",), time_period="23", amount=total, in_plan_network=network
                )
            )
            rows.append(
                Benefit(
                    "C", level, ("30",), time_period="29", amount=remaining, in_plan_network=network
                )
            )
            total, remaining = (Decimal(v) * factor for v in oop)
            rows.append(
                Benefit(
                    "G", level, ("30",), time_period="23", amount=total, in_plan_network=network
                )
            )
            rows.append(
                Benefit(
                    "G", level, ("30",), time_period="29", amount=remaining, in_plan_network=network
                )
            )
    if in_network_covered:
        if copay is not None:
            rows.append(
                Benefit(
                    "B",
                    "IND",
                    BEHAVIORAL,
                    time_period="27",
                    amount=_money(copay),
                    in_plan_network="Y",
                    authorization_required=auth,
                )
            )
        if coinsurance_in is not None:
            rows.append(
                Benefit(
                    "A",
                    "IND",
                    BEHAVIORAL,
                    percent=Decimal(coinsurance_in),
                    in_plan_network="Y",
                    authorization_required=auth,
                )
            )
    else:
        rows.append(
            Benefit(
                "I",
                "IND",
                BEHAVIORAL,
                in_plan_network="Y",
                messages=("NO IN-NETWORK BENEFITS FOR THIS SERVICE",),
            )
        )
    if coinsurance_out is not None:
        rows.append(
            Benefit(
                "A",
                "IND",
                BEHAVIORAL,
                percent=Decimal(coinsurance_out),
                in_plan_network="N",
                authorization_required=auth,
            )
        )
    return tuple(rows)


def _visits(allowed: int, remaining: int) -> tuple[Benefit, ...]:
    return (
        Benefit(
            "F",
            "IND",
            BEHAVIORAL,
            time_period="23",
            quantity_qualifier="VS",
            quantity=Decimal(allowed),
            in_plan_network="W",
        ),
        Benefit(
            "F",
            "IND",
            BEHAVIORAL,
            time_period="29",
            quantity_qualifier="VS",
            quantity=Decimal(remaining),
            in_plan_network="W",
        ),
    )


def _active(plan: str = "SANDBOX PPO GOLD") -> tuple[Benefit, ...]:
    return (Benefit("1", "IND", ("30", *BEHAVIORAL), insurance_type="PR", plan_description=plan),)


def _active_iop(_attempt: int) -> tuple[Benefit, ...]:
    return _active() + plan_tiers() + _visits(30, 18)


def _out_of_network_only(_attempt: int) -> tuple[Benefit, ...]:
    return _active("SANDBOX INDEMNITY") + plan_tiers(
        in_network_covered=False, coinsurance_out="0.50", copay=None
    )


def _inactive(_attempt: int) -> tuple[Benefit, ...]:
    return (Benefit("6", "IND", ("30",), insurance_type="PR", plan_description="SANDBOX PPO"),)


def _preauth(_attempt: int) -> tuple[Benefit, ...]:
    precert = Benefit(
        "F",
        "IND",
        ("A8", "BB", "CH", "CI", "CJ", "A7"),
        authorization_required="Y",
        in_plan_network="W",
        messages=("PRECERTIFICATION REQUIRED FOR INTENSIVE OUTPATIENT AND PARTIAL HOSPITAL",),
        related_entities=(
            RelatedEntity(
                "X3",
                "SANDBOX UTILIZATION REVIEW",
                "PI",
                "SBXUM",
                contacts=(Contact("IC", None, (("TE", "8005550111"),)),),
            ),
        ),
    )
    return _active() + plan_tiers(auth="Y") + _visits(30, 24) + (precert,)


def _exhausted(_attempt: int) -> tuple[Benefit, ...]:
    return _active() + plan_tiers() + _visits(20, 0)


def _carve_out(_attempt: int) -> tuple[Benefit, ...]:
    medical = _active("SANDBOX MEDICAL PPO")
    contact = Benefit(
        "U",
        None,
        ("MH", "AI", "A4", "A8", "CJ", "BB"),
        messages=("BEHAVIORAL HEALTH BENEFITS ADMINISTERED BY ANOTHER ENTITY",),
        related_entities=(
            RelatedEntity(
                "X3",
                "SANDBOX BEHAVIORAL HEALTH",
                "PI",
                BEHAVIORAL_ADMINISTRATOR,
                contacts=(Contact("IC", None, (("TE", "8005550122"),)),),
            ),
        ),
    )
    return (*medical, contact)


def _by_place(_attempt: int) -> tuple[Benefit, ...]:
    """IOP priced by place of service, as payers send it: one EB per place (III*ZZ*<POS>),
    outpatient hospital (22) $50, office (11) $30, telehealth (02) $0 in network; out of
    network 40 % at the hospital."""
    iop = ("A8", "CH", "MH")
    copays = [
        Benefit("B", "IND", iop, time_period="27", amount=Decimal(amount), in_plan_network="Y",
                industry_codes=(("ZZ", place),))
        for place, amount in (("22", "50.00"), ("11", "30.00"), ("02", "0.00"))
    ]
    hospital_out = Benefit("A", "IND", iop, percent=Decimal("0.40"), in_plan_network="N",
                           industry_codes=(("ZZ", "22"),))
    rows = (*copays, hospital_out)
    return _active() + plan_tiers(copay=None) + rows + _visits(30, 30)


def _flaky(attempt: int) -> tuple[Benefit, ...] | None:
    return None if attempt <= 1 else _active_iop(attempt)


def _plausible(_attempt: int) -> tuple[Benefit, ...]:
    return (
        _active()
        + plan_tiers(
            copay="40.00", deductible_in=("2000.00", "1250.00"), oop_in=("6000.00", "4100.00")
        )
        + _visits(40, 40)
    )


SCENARIOS: dict[str, Scenario] = {
    "SBX-ACTIVE": Scenario(
        "active", "active IOP coverage in network, all cost sharing", _active_iop
    ),
    "SBX-OON": Scenario(
        "out_of_network_only", "only out-of-network benefits", _out_of_network_only
    ),
    "SBX-INACTIVE": Scenario(
        "inactive", "coverage ended", _inactive, plan_end=dt.date(2025, 12, 31)
    ),
    "SBX-NOTFOUND": Scenario("member_not_found", "subscriber not found (AAA 75)"),
    "SBX-FLAKY": Scenario("unavailable_once", "AAA 42 on the first attempt, then active", _flaky),
    "SBX-PREAUTH": Scenario("preauth", "active; precertification required", _preauth),
    "SBX-EXHAUSTED": Scenario("visits_exhausted", "active; no visits left", _exhausted),
    "SBX-CARVEOUT": Scenario(
        "carve_out", "behavioral health carved out to another entity", _carve_out
    ),
    "SBX-PLACES": Scenario(
        "by_place", "active; IOP priced by place of service; eligible since March 1",
        _by_place, eligible_from=(3, 1),
    ),
    "SBX-SLOW": Scenario("slow", "answers after a delay, then active", _active_iop),
    "SBX-GARBAGE": Scenario("garbage", "answers something that is not X12"),
    # Member matching (issue 21): each answers an AAA until the ladder's correction is sent.
    "SBX-PREFIX": Scenario(
        "prefix", "active; typed with a Blue plan alpha prefix it does not have", _active_iop
    ),
    "SBX-SUFFIX": Scenario(
        "suffix", "active; on file without the suffix typed in the last name", _active_iop
    ),
    "SBX-OWNID": Scenario(
        "own_id", "active; a dependent the plan enrolled as a subscriber", _active_iop
    ),
    "SBX-DOBSWAP": Scenario(
        "dob_swapped", "active; on file with day and month of birth swapped", _active_iop
    ),
    "SBX-WRONGDOB": Scenario("wrong_dob", "date of birth never matches (AAA 71)"),
}
# The sandbox's member ids carry no alpha prefix: "XYZSBX-..." is a prefix it does not use.
_TYPED_PREFIX = re.compile(r"[A-Z]{3}SBX")
DEFAULT_SCENARIO = Scenario("plausible", "any other member id: a plausible active plan", _plausible)


def _plain(member_id: str | None) -> str:
    """Ids compared as a payer does: case and dashes do not matter."""
    return (member_id or "").upper().replace("-", "")


def scenario_for(member_id: str | None) -> Scenario:
    for prefix, scenario in SCENARIOS.items():
        if _plain(member_id).startswith(_plain(prefix)):
            return scenario
    return DEFAULT_SCENARIO


class SandboxAdapter:
    """Answers from SCENARIOS through a real 270 → 271 exchange (no network)."""

    name = "sandbox"

    def __init__(
        self,
        *,
        slow_seconds: float = 5.0,
        timeout: float | None = None,
        today: Callable[[], dt.date] | None = None,
    ):
        self.slow_seconds = slow_seconds
        self.timeout = timeout  # the payer call's timeout, as a real transport has it
        self.today = today or dt.date.today

    def check(self, request: EligibilityRequest) -> CheckOutcome:
        envelope = _envelope(request)
        inquiry = encode_270(request, envelope)
        scenario = scenario_for(request.subscriber.member_id)
        if scenario.key == "carve_out" and request.payer_id == BEHAVIORAL_ADMINISTRATOR:
            scenario = SCENARIOS["SBX-ACTIVE"]  # the administrator holds the BH benefits
        if scenario.key == "slow":
            self._answer_slowly(inquiry)
        if scenario.key == "garbage":
            raise PayerResponseInvalid(
                "sandbox payer answered something that is not X12",
                exchange=Exchange(inquiry, GARBAGE_RESPONSE),
            )
        answer = build_271(request, self._result(request, scenario), envelope)
        exchange = Exchange(inquiry, answer)
        try:
            result = read_271(answer)
        except X12ParseError as exc:
            raise PayerResponseInvalid(f"sandbox 271 unreadable: {exc}", exchange=exchange) from exc
        return classify(result, exchange)

    def _answer_slowly(self, inquiry: str) -> None:
        """Wait like a slow payer, bounded like every transport: by the call's timeout and
        the attempt's deadline. Past them, the payer "did not answer in time"."""
        limit = self.timeout if self.timeout is not None else self.slow_seconds
        budget = min(limit, deadline.remaining(limit))
        if self.slow_seconds <= budget:
            time.sleep(self.slow_seconds)
            return
        time.sleep(max(0.0, budget))
        raise PayerUnavailable("payer did not answer in time", exchange=Exchange(inquiry))

    def _result(self, request: EligibilityRequest, scenario: Scenario) -> EligibilityResult:
        attempt = attempt_of(request.trace_number)
        payer = Party(SANDBOX_PAYER_NAME, "PI", request.payer_id)
        provider = Party(request.provider.organization_name, "XX", request.provider.npi)
        subscriber = request.subscriber
        member = MemberResult(
            loop="2100C",
            first_name=subscriber.first_name,
            last_name=subscriber.last_name,
            member_id=subscriber.member_id,
            date_of_birth=subscriber.date_of_birth,
            relationship_code="18",
            traces=(Trace("2", request.trace_number, "9VERIFIER"),),
        )
        if scenario.key == "member_not_found":
            member = replace(member, errors=(aaa_error("2100C", "Y", "75", "C"),))
            return _with_patient(payer, provider, member, request)
        code = _unmatched(request, scenario)
        if code is not None:
            member = replace(member, errors=(aaa_error("2100C", "Y", code, "C"),))
            return _with_patient(payer, provider, member, request)
        benefits = scenario.benefits(attempt) if scenario.benefits else None
        if benefits is None:  # the flaky scenario's first attempt
            payer = replace(payer, errors=(aaa_error("2100A", "Y", "42", "R"),))
            return EligibilityResult(payer=payer, provider=provider, version="005010X279A1")
        year = self.today().year
        plan_end = scenario.plan_end or dt.date(year, 12, 31)
        dates: tuple[DateInfo, ...] = (
            DateInfo("346", dt.date(year, 1, 1), None),
            DateInfo("347", plan_end, None),
        )
        if scenario.eligible_from is not None:
            dates += (DateInfo("356", dt.date(year, *scenario.eligible_from), None),)
        member = replace(
            member,
            references=(Reference("6P", request.group_number or "SBX100", "SANDBOX GROUP"),),
            dates=dates,
            benefits=benefits,
        )
        return _with_patient(payer, provider, member, request)


def _unmatched(request: EligibilityRequest, scenario: Scenario) -> str | None:
    """The AAA03 a payer would send for a member it cannot match, or None (matched).

    The codes a real payer uses for each (X12 element 901; Stedi's troubleshooting page):
    72 invalid member id, 73 invalid name (65 for a dependent), 71 DOB does not match,
    67 patient not found under the subscriber.
    """
    patient = request.patient
    if _TYPED_PREFIX.match(_plain(request.subscriber.member_id)):
        return "72"
    if scenario.key == "suffix":
        words = patient.last_name.replace(",", " ").split()
        if len(words) > 1 and words[-1].rstrip(".").upper() in SUFFIXES:
            return "65" if request.dependent is not None else "73"
    if scenario.key == "own_id" and request.dependent is not None:
        return "67"
    if scenario.key == "wrong_dob":
        return "71"
    if scenario.key == "dob_swapped" and patient.date_of_birth.month > patient.date_of_birth.day:
        return "71"
    return None


def _with_patient(
    payer: Party, provider: Party, member: MemberResult, request: EligibilityRequest
) -> EligibilityResult:
    if request.dependent is None:
        return EligibilityResult(payer, provider, subscriber=member, version="005010X279A1")
    dependent = request.dependent
    subscriber = replace(member, benefits=(), errors=(), dates=())
    patient = replace(
        member,
        loop="2100D",
        first_name=dependent.first_name,
        last_name=dependent.last_name,
        member_id=None,
        date_of_birth=dependent.date_of_birth,
        relationship_code="19" if request.relationship.value == "child" else "01",
        errors=tuple(replace(e, loop="2100D") for e in member.errors),
    )
    return EligibilityResult(
        payer, provider, subscriber=subscriber, dependent=patient, version="005010X279A1"
    )


def _envelope(request: EligibilityRequest) -> Envelope:
    now = dt.datetime.now(dt.UTC)
    # Control numbers run 1..999999999 (ST02 1..9999 here): never 0, which X12 refuses.
    control = 1 + int(now.timestamp()) % 999_999_999
    return Envelope(
        sender_id="VERIFIER",
        receiver_id=request.payer_id[:15],
        interchange_control_number=control,
        group_control_number=control,
        transaction_control_number=1 + control % 9999,
        created_at=now,
        usage_indicator="T",
    )
