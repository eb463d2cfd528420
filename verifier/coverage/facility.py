"""The facility profile: who the center is and what its programs look like.

The estimate needs a schedule (how many sessions or days) and an allowed amount per session;
neither is in a 271, so the center sets them here. ``from_mapping`` takes what ``tomllib``
reads from ``config/facility.toml`` and refuses anything it does not understand, naming the
key, so a typo fails at start-up instead of producing a quiet wrong estimate.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from verifier.coverage.ladders import Ladder, default_ladder
from verifier.domain import Condition, LevelOfCare
from verifier.verifications.matching import MatchingPolicy

UNITS = ("session", "day")


@dataclass(frozen=True, slots=True)
class Phase:
    """``weeks`` weeks at ``per_week_low`` to ``per_week_high`` sessions (or days) a week."""

    weeks: int
    per_week_low: Decimal
    per_week_high: Decimal


@dataclass(frozen=True, slots=True)
class Program:
    """One level of care as the center runs it."""

    unit: str  # "session" or "day"
    allowed_amount: Decimal  # per session/day: the center's assumption, not the payer's rate
    phases: tuple[Phase, ...]
    ladders: tuple[tuple[Condition, Ladder], ...] = ()  # overrides of the default ladders
    # The conditions this level of care treats as a 42 CFR Part 2 program (a federally
    # assisted substance-use program): a 270 for them needs the patient's written consent.
    part2: tuple[Condition, ...] = ()

    @property
    def sessions_low(self) -> int:
        return math.floor(sum((p.weeks * p.per_week_low for p in self.phases), Decimal(0)))

    @property
    def sessions_high(self) -> int:
        return math.ceil(sum((p.weeks * p.per_week_high for p in self.phases), Decimal(0)))

    def ladder_override(self, condition: Condition) -> Ladder | None:
        return dict(self.ladders).get(condition)


@dataclass(frozen=True, slots=True)
class FacilityProfile:
    name: str
    npi: str
    phone: str  # shown to website visitors
    programs: tuple[tuple[LevelOfCare, Program], ...]
    # 42 CFR Part 2 ([part2]): the clearinghouse named as a recipient in the consent, and
    # how many days a consent to check benefits lasts (§2.31(a)(7): no longer than needed).
    part2_clearinghouse: str | None = None
    part2_consent_days: int = 90
    # The landing page's links ([site]): shown only where the center uses them.
    show_console: bool = True
    show_api_docs: bool = True

    def is_part2(self, level: LevelOfCare, condition: Condition) -> bool:
        found = dict(self.programs).get(level)
        return found is not None and condition in found.part2

    @property
    def part2_programs(self) -> tuple[tuple[LevelOfCare, Condition], ...]:
        return tuple((level, c) for level, program in self.programs for c in program.part2)
    # The member-matching ladder (verifications.matching): on by default, every step.
    matching: MatchingPolicy = field(default_factory=MatchingPolicy)

    def program(self, level: LevelOfCare) -> Program:
        found = dict(self.programs).get(level)
        if found is None:
            raise KeyError(f"the facility profile has no {level.value} program")
        return found

    def ladder(self, level: LevelOfCare, condition: Condition) -> Ladder:
        override = dict(self.programs).get(level)
        ladder = override.ladder_override(condition) if override is not None else None
        return ladder if ladder is not None else default_ladder(level, condition)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> FacilityProfile:
        """Build a profile from plain data; ValueError names the first bad key."""
        _only(data, "", {"name", "npi", "phone", "programs", "part2", "site", "matching"})
        name = _text(data, "name", "")
        npi = _text(data, "npi", "")
        if not (len(npi) == 10 and npi.isdigit() and _npi_check_digit_ok(npi)):
            raise ValueError("npi: must be a 10-digit NPI with a valid check digit")
        phone = _text(data, "phone", "")
        programs_raw = data.get("programs")
        if not isinstance(programs_raw, Mapping) or not programs_raw:
            raise ValueError("programs: a table with at least one level of care is required")
        programs: list[tuple[LevelOfCare, Program]] = []
        for key, raw in programs_raw.items():
            try:
                level = LevelOfCare(key)
            except ValueError:
                raise ValueError(f"programs.{key}: unknown level of care") from None
            programs.append((level, _program(raw, f"programs.{key}")))
        part2 = data.get("part2", {})
        if not isinstance(part2, Mapping):
            raise ValueError("part2: a table is required")
        _only(part2, "part2.", {"clearinghouse", "consent_days"})
        clearinghouse = None
        if "clearinghouse" in part2:
            clearinghouse = _text(part2, "clearinghouse", "part2.")
        days = part2.get("consent_days", 90)
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
            raise ValueError("part2.consent_days: a whole number of days from 1 to 365")
        site = data.get("site", {})
        if not isinstance(site, Mapping):
            raise ValueError("site: a table is required")
        _only(site, "site.", {"console", "api_docs"})
        for key in ("console", "api_docs"):
            if not isinstance(site.get(key, True), bool):
                raise ValueError(f"site.{key}: true or false")
        matching_raw = data.get("matching", {})
        if not isinstance(matching_raw, Mapping):
            raise ValueError("matching: a table is required")
        return cls(
            name=name,
            npi=npi,
            phone=phone,
            programs=tuple(programs),
            part2_clearinghouse=clearinghouse,
            part2_consent_days=days,
            show_console=site.get("console", True),
            show_api_docs=site.get("api_docs", True),
            matching=MatchingPolicy.from_mapping(matching_raw),
        )


def _npi_check_digit_ok(npi: str) -> bool:
    """Luhn over the card-issuer prefix 80840 + the first nine digits (the NPI standard)."""
    digits = [int(c) for c in "80840" + npi[:9]]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10 == int(npi[9])


def _only(data: Mapping[str, Any], where: str, allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            raise ValueError(f"{where}{key}: unknown key")


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}{key}: a non-empty string is required")
    return value.strip()


def _number(value: Any, where: str, *, money: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | float):
        raise ValueError(f"{where}: a number is required")
    if money and isinstance(value, float):
        raise ValueError(f"{where}: write money as a string, e.g. \"250.00\"")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{where}: not a number") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"{where}: must be a number >= 0")
    return number


def _program(raw: Any, where: str) -> Program:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: a table is required")
    _only(raw, f"{where}.", {"unit", "allowed_amount", "phases", "ladders", "part2"})
    unit = raw.get("unit", "session")
    if unit not in UNITS:
        raise ValueError(f"{where}.unit: one of {', '.join(UNITS)}")
    if "allowed_amount" not in raw:
        raise ValueError(f"{where}.allowed_amount: required (per {unit}, the center's assumption)")
    allowed = _number(raw["allowed_amount"], f"{where}.allowed_amount", money=True)
    phases_raw = raw.get("phases")
    if not isinstance(phases_raw, list) or not phases_raw:
        raise ValueError(f"{where}.phases: a list of at least one phase is required")
    phases = tuple(_phase(p, f"{where}.phases[{i}]") for i, p in enumerate(phases_raw))
    ladders_raw = raw.get("ladders", {})
    if not isinstance(ladders_raw, Mapping):
        raise ValueError(f"{where}.ladders: a table is required")
    ladders: list[tuple[Condition, Ladder]] = []
    for key, value in ladders_raw.items():
        try:
            condition = Condition(key)
        except ValueError:
            raise ValueError(f"{where}.ladders.{key}: unknown condition") from None
        ladders.append((condition, _ladder(value, f"{where}.ladders.{key}")))
    part2_raw = raw.get("part2", [])
    if not isinstance(part2_raw, list):
        raise ValueError(f"{where}.part2: a list of conditions is required")
    part2: list[Condition] = []
    for value in part2_raw:
        try:
            part2.append(Condition(value))
        except ValueError:
            raise ValueError(f"{where}.part2: {value!r} is not a condition") from None
    return Program(
        unit=unit,
        allowed_amount=allowed,
        phases=phases,
        ladders=tuple(ladders),
        part2=tuple(part2),
    )


def _phase(raw: Any, where: str) -> Phase:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: a table is required")
    _only(raw, f"{where}.", {"weeks", "per_week", "per_week_low", "per_week_high"})
    weeks = raw.get("weeks")
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 1:
        raise ValueError(f"{where}.weeks: a whole number of weeks >= 1 is required")
    if "per_week" in raw:
        if "per_week_low" in raw or "per_week_high" in raw:
            raise ValueError(f"{where}.per_week: give per_week or per_week_low/high, not both")
        low = high = _number(raw["per_week"], f"{where}.per_week")
    elif "per_week_low" in raw and "per_week_high" in raw:
        low = _number(raw["per_week_low"], f"{where}.per_week_low")
        high = _number(raw["per_week_high"], f"{where}.per_week_high")
        if low > high:
            raise ValueError(f"{where}.per_week_low: must not exceed per_week_high")
    else:
        raise ValueError(f"{where}.per_week: required (or per_week_low and per_week_high)")
    return Phase(weeks=weeks, per_week_low=low, per_week_high=high)


def _codes(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{where}.{key}: a list of codes is required")
    return tuple(v.strip().upper() for v in value)


def _ladder(raw: Any, where: str) -> Ladder:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: a table is required")
    _only(raw, f"{where}.", {"inquiry", "read", "procedures", "places_of_service"})
    try:
        places = _codes(raw, "places_of_service", where)
        if not all(len(code) <= 2 and code.isdigit() for code in places):
            raise ValueError(f"{where}.places_of_service: two-digit CMS place-of-service codes")
        return Ladder(
            inquiry=_codes(raw, "inquiry", where),
            read=_codes(raw, "read", where),
            procedures=_codes(raw, "procedures", where),
            places_of_service=tuple(code.zfill(2) for code in places),
        )
    except ValueError as exc:
        if str(exc).startswith(where):
            raise
        raise ValueError(f"{where}.{exc}") from None


# The shipped default; config/facility.toml says the same (a test keeps them in step).
DEFAULT_FACILITY: Mapping[str, Any] = {
    "name": "Example Behavioral Health Center",
    "npi": "1234567893",
    "phone": "(555) 010-0100",
    "programs": {
        "outpatient": {
            "unit": "session",
            "allowed_amount": "150.00",
            "part2": ["substance_use"],
            "phases": [{"weeks": 12, "per_week": 1}],
        },
        "iop": {
            "unit": "session",
            "allowed_amount": "250.00",
            "part2": ["substance_use"],
            "phases": [
                {"weeks": 3, "per_week": 4},
                {"weeks": 8, "per_week": "2.5"},
                {"weeks": 4, "per_week_low": 1, "per_week_high": 2},
            ],
        },
        "php": {
            "unit": "day",
            "allowed_amount": "450.00",
            "part2": ["substance_use"],
            "phases": [
                {"weeks": 3, "per_week": 5},
                {"weeks": 1, "per_week_low": 0, "per_week_high": 5},
            ],
        },
        "inpatient": {
            "unit": "day",
            "allowed_amount": "900.00",
            "part2": ["substance_use"],
            "phases": [
                {"weeks": 1, "per_week": 7},
                {"weeks": 3, "per_week_low": 0, "per_week_high": 7},
            ],
        },
    },
    "part2": {"consent_days": 90},
    "site": {"console": True, "api_docs": True},
}


def default_profile() -> FacilityProfile:
    return FacilityProfile.from_mapping(DEFAULT_FACILITY)


FACILITY_FILE_ENV = "VERIFIER_FACILITY_FILE"


def facility_file(environ: Mapping[str, str]) -> Path:
    """config/facility.toml unless VERIFIER_FACILITY_FILE names another file."""
    default = Path(__file__).resolve().parents[2] / "config" / "facility.toml"
    return Path(environ.get(FACILITY_FILE_ENV) or default)


def load_facility(path: Path) -> FacilityProfile:
    """Read a facility TOML file; errors name the file and the bad key."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: {exc}") from None
    try:
        return FacilityProfile.from_mapping(data)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
