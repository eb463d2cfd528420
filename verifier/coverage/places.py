"""The program's cost share split by place of service (III*ZZ*<POS> on the EB), for staff.

The summary's own copay and coinsurance come from the program's most specific place
(``tiers``). A payer that prices the same service differently by place (office 11 against
outpatient hospital 22, telehealth 02) sends one row per place, and the coordinator quotes
from all of them, not only the one chosen. So every place named on the program's own service
rows is read, per tier, with the same rules as the tier (copay and coinsurance as a pair from
the most specific rung; two values for one place, rung and tier are a conflict: not reported,
noted). Rows with no place are not repeated here: they are the tier's.
"""

from __future__ import annotations

from collections.abc import Sequence

from verifier.coverage.ladders import Ladder
from verifier.coverage.model import PlaceBenefits, Tier
from verifier.coverage.reading import Trail, places_of, rank, tiers_of
from verifier.coverage.tiers import Ranked, cost_share
from verifier.domain import Benefit

# CMS place-of-service code set names (cms.gov "Place of Service Code Set"), the ones
# behavioural-health programs are billed under.
PLACE_NAMES = {
    "02": "telehealth, not in the patient's home",
    "10": "telehealth in the patient's home",
    "11": "office",
    "12": "home",
    "19": "outpatient hospital, off campus",
    "21": "inpatient hospital",
    "22": "outpatient hospital, on campus",
    "23": "emergency room",
    "51": "inpatient psychiatric facility",
    "52": "psychiatric facility, partial hospitalization",
    "53": "community mental health center",
    "55": "residential substance abuse treatment facility",
    "56": "psychiatric residential treatment center",
    "57": "non-residential substance abuse treatment facility",
    "58": "non-residential opioid treatment facility",
}


def place_name(code: str) -> str:
    return PLACE_NAMES.get(code, "place of service")


def read_places(
    benefits: Sequence[Benefit], ladder: Ladder, trail: Trail
) -> tuple[PlaceBenefits, ...]:
    """One entry per (place, tier) the program's cost-share rows name; program places first,
    in the ladder's order, then other places by code."""
    grouped: dict[tuple[str, Tier], Ranked] = {}
    for b in benefits:
        if b.info not in {"A", "B"}:
            continue
        r = rank(b, ladder)
        if r is None:
            continue
        for place in places_of(b):
            for tier in tiers_of(b):
                grouped.setdefault((place, tier), []).append(((r, 0), b))
    order = {code: i for i, code in enumerate(ladder.places_of_service)}
    found = []
    for place, tier in sorted(
        grouped, key=lambda k: (order.get(k[0], len(order)), k[0], list(Tier).index(k[1]))
    ):
        copay, coinsurance = cost_share(
            grouped[(place, tier)], f"place_of_service.{place}.{tier.value}", trail
        )
        if copay.amount is None and coinsurance is None and not _conflicted(trail, place, tier):
            continue
        found.append(
            PlaceBenefits(
                place=place,
                tier=tier,
                program_place=not ladder.places_of_service or place in order,
                copay=copay,
                coinsurance=coinsurance,
            )
        )
    return tuple(found)


def _conflicted(trail: Trail, place: str, tier: Tier) -> bool:
    """A place whose values all conflicted still gets its row ("not reported"), so the
    coordinator sees the place exists and reads the note."""
    prefix = f"place_of_service.{place}.{tier.value}."
    return any(note.startswith(prefix) for note in trail.notes)
