"""A visitor who reads Spanish reads the whole result in Spanish, the estimate's assumptions too.

Staff and existing readers keep the English ``assumptions``; the estimate also records each
assumption as a key and language-neutral fields (``assumption_keys``), so a stored view can be
said in the visitor's language when it is shown. Older stored summaries have no keys and show
their English sentences as they are.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest
from coverage_builders import eb, result

from verifier.coverage.messages import ESTIMATE, VISITOR
from verifier.coverage.model import CoverageSummary
from verifier.coverage.plain import assumptions_for, plain_text, visitor_view
from verifier.domain import LevelOfCare

ACTIVE = eb("1**30**GOLD PLAN")
COPAY_ONLY = eb("B**A8***27*20*****Y")
THIRTY_VISITS = eb("F*IND*A8***23***VS*30**Y")
FULL = (
    eb("A**A8*****0.2****Y"),
    eb("B**A8***27*0*****Y"),
    eb("C*IND*30***29*0*****Y"),
    eb("G*IND*30***29*3000*****Y"),
)

# Network unknown, copay only, nothing else reported: many assumptions, both tiers.
SPANISH_IOP = [
    "Entre 36 y 40 sesiones, según el calendario habitual del programa.",
    "El monto permitido de $250.00 por sesión es una estimación del centro, no una tarifa "
    "informada por su compañía de seguros.",
    "Todavía no sabemos si el centro está dentro de la red de su plan: el rango incluye ambos "
    "casos.",
    "Su plan no informó un coseguro dentro de la red: la cifra más alta incluye cualquier parte "
    "del costo que le toque pagar a usted.",
    "Su plan no informó cuánto le falta del deducible dentro de la red: la cifra más baja "
    "supone que usted ya lo cubrió.",
    "Su plan no informó un máximo de gastos de bolsillo dentro de la red: la cifra más alta no "
    "tiene tope.",
    "Su plan permite 30 visitas, pero no indicó cuántas ya usó: la cifra más alta supone que ya "
    "las usó.",
    "Su plan no informó un copago fuera de la red: la cifra más alta incluye cualquier parte "
    "del costo que le toque pagar a usted.",
    "Su plan no informó un coseguro fuera de la red: la cifra más alta incluye cualquier parte "
    "del costo que le toque pagar a usted.",
    "Su plan no informó cuánto le falta del deducible fuera de la red: la cifra más baja supone "
    "que usted ya lo cubrió.",
    "Su plan no informó un máximo de gastos de bolsillo fuera de la red: la cifra más alta no "
    "tiene tope.",
    "La cobertura de este programa fuera de la red no está confirmada: la cifra más alta es el "
    "costo total.",
    "Fuera de la red, el proveedor puede cobrarle más que el monto permitido (facturación del "
    "saldo); eso no está incluido.",
]
ENGLISH_IOP = [
    "36 to 40 sessions on the program's usual schedule.",
    "An allowed amount of $250.00 per session is the center's assumption, not a rate the payer "
    "reported.",
    "Whether the center is in network is not known: the range spans both.",
    "No coinsurance was reported in network: the high end allows for any cost share.",
    "The remaining deductible was not reported in network: the low end takes it as met.",
    "No out-of-pocket maximum was reported in network: the high end has no cap.",
    "The plan allows 30 visits but did not say how many are used: the high end takes them as "
    "used.",
    "No copay was reported out of network: the high end allows for any cost share.",
    "No coinsurance was reported out of network: the high end allows for any cost share.",
    "The remaining deductible was not reported out of network: the low end takes it as met.",
    "No out-of-pocket maximum was reported out of network: the high end has no cap.",
    "Coverage of this program out of network is not confirmed: the high end is the full cost.",
    "Out of network, the provider may bill more than the allowed amount (balance billing); that "
    "is not included.",
]


@pytest.fixture
def uncertain(summarize_iop_mh) -> CoverageSummary:
    summary: CoverageSummary = summarize_iop_mh(
        result(ACTIVE, COPAY_ONLY, THIRTY_VISITS), in_network=None
    )
    return summary


def _stored(value: dict[str, Any]) -> dict[str, Any]:
    """As read back from the database: JSON, no Python objects."""
    loaded: dict[str, Any] = json.loads(json.dumps(value))
    return loaded


# --- the tables ------------------------------------------------------------------------


def test_period_words_are_english_for_english_visitors_and_spanish_for_spanish():
    periods = ("calendar_year", "service_year", "year", "lifetime", "none")
    assert {p: VISITOR["en"][f"period.{p}"] for p in periods} == {
        "calendar_year": "this calendar year",
        "service_year": "this plan year",
        "year": "a year",
        "lifetime": "in your lifetime",
        "none": "",
    }
    assert {p: VISITOR["es"][f"period.{p}"] for p in periods} == {
        "calendar_year": "este año calendario",
        "service_year": "este año del plan",
        "year": "al año",
        "lifetime": "de por vida",
        "none": "",
    }


_SPANISH_WORDS = {"su", "usted", "el", "la", "los", "las", "del", "año", "por", "para", "que",
                  "de", "y", "es", "está", "una", "unos", "le", "lo", "este", "red", "vida"}
_ENGLISH_WORDS = {"the", "your", "you", "is", "are", "we", "of", "and", "not", "in", "this",
                  "year", "network", "to", "for", "plan's", "per"}


def _words(template: str) -> set[str]:
    return set(re.findall(r"[\w']+", re.sub(r"\{[^}]*\}", " ", template).lower()))


@pytest.mark.parametrize("table", [VISITOR, ESTIMATE], ids=["VISITOR", "ESTIMATE"])
def test_no_template_is_in_the_other_language(table):
    for key, template in table["en"].items():
        assert not re.search(r"[áéíóúñ¿¡]", template), key
        assert not _words(template) & _SPANISH_WORDS, key
    for key, template in table["es"].items():
        assert not _words(template) & _ENGLISH_WORDS, key


# --- the visitor view ------------------------------------------------------------------


def test_spanish_visitor_reads_every_assumption_in_spanish(uncertain, facility):
    view = visitor_view(uncertain, facility, "es")
    assert view["estimate"]["assumptions"] == SPANISH_IOP
    assert "su cobertura de seguro está activa" in view["plain_text"]


def test_english_view_and_staff_sentences_are_unchanged(uncertain, facility):
    assert list(uncertain.estimate.assumptions) == ENGLISH_IOP
    assert uncertain.to_dict()["estimate"]["assumptions"] == ENGLISH_IOP
    assert visitor_view(uncertain, facility)["estimate"]["assumptions"] == ENGLISH_IOP
    assert visitor_view(uncertain, facility, "en")["estimate"]["assumptions"] == ENGLISH_IOP


def test_an_unknown_language_reads_english(uncertain, facility):
    assert visitor_view(uncertain, facility, "fr")["estimate"]["assumptions"] == ENGLISH_IOP


def test_days_are_said_in_spanish(summarize_iop_mh, facility):
    summary = summarize_iop_mh(result(ACTIVE, *FULL), level=LevelOfCare.PHP)
    said = visitor_view(summary, facility, "es")["estimate"]["assumptions"]
    assert said[:2] == [
        "Entre 15 y 20 días, según el calendario habitual del programa.",
        "El monto permitido de $450.00 por día es una estimación del centro, no una tarifa "
        "informada por su compañía de seguros.",
    ]
    assert "por alrededor de 15 días." in plain_text(summary, facility, "es")


def test_assumptions_are_kept_as_keys_and_codes(uncertain):
    keys = uncertain.to_dict()["estimate"]["assumption_keys"]
    assert len(keys) == len(ENGLISH_IOP)
    assert keys[:4] == [
        {"key": "schedule_range", "fields": {"low": 36, "high": 40, "unit": "session"}},
        {"key": "allowed", "fields": {"amount": "250.00", "per": "session"}},
        {"key": "network_unknown", "fields": {}},
        {"key": "no_coinsurance", "fields": {"where": "in_network"}},
    ]


@pytest.mark.parametrize(
    ("benefits", "in_network"),
    [((ACTIVE, *FULL), True), ((ACTIVE, COPAY_ONLY), False), ((eb("6**30"),), True), ((), None),
     ((ACTIVE, eb("I**A8*********Y")), True), ((ACTIVE, eb("F*IND*A8***29***VS*5**Y"), *FULL),
                                                True)],
)
def test_english_said_from_the_keys_is_the_stored_english(summarize_iop_mh, benefits, in_network):
    estimate = _stored(summarize_iop_mh(result(*benefits), in_network=in_network).to_dict())[
        "estimate"
    ]
    assert estimate["assumption_keys"]
    assert assumptions_for(estimate, "en") == estimate["assumptions"]
    spanish = assumptions_for(estimate, "es")
    assert len(spanish) == len(estimate["assumptions"])
    assert not set(spanish) & set(estimate["assumptions"])


# --- stored views ----------------------------------------------------------------------


def test_a_stored_english_view_is_said_again_in_spanish(uncertain, facility):
    stored = _stored(visitor_view(uncertain, facility))
    assert stored["estimate"]["assumptions"] == ENGLISH_IOP
    assert assumptions_for(stored["estimate"], "es") == SPANISH_IOP


def test_a_summary_stored_before_the_keys_still_renders(uncertain, facility):
    old = _stored(uncertain.to_dict())
    del old["estimate"]["assumption_keys"]
    assert assumptions_for(old["estimate"], "es") == ENGLISH_IOP
    assert assumptions_for(old["estimate"]) == ENGLISH_IOP
    assert assumptions_for({}, "es") == []

    without = dataclasses.replace(
        uncertain, estimate=dataclasses.replace(uncertain.estimate, assumption_keys=())
    )
    assert visitor_view(without, facility, "es")["estimate"]["assumptions"] == ENGLISH_IOP


@pytest.mark.parametrize(
    "broken",
    [
        {"key": "said_by_a_later_version", "fields": {}},
        {"key": "no_copay", "fields": {"where": "somewhere_new"}},
        {"key": "no_copay", "fields": {}},
        {"key": "no_copay"},
        {"fields": {"where": "in_network"}},
        "no_copay",
        None,
    ],
)
def test_keys_this_version_cannot_say_fall_back_to_the_stored_english(uncertain, broken):
    estimate = _stored(uncertain.to_dict())["estimate"]
    estimate["assumption_keys"][3] = broken
    assert assumptions_for(estimate, "es") == ENGLISH_IOP


def test_keys_out_of_step_with_the_sentences_fall_back(uncertain):
    estimate = _stored(uncertain.to_dict())["estimate"]
    estimate["assumption_keys"] = estimate["assumption_keys"][:-1]
    assert assumptions_for(estimate, "es") == ENGLISH_IOP
    estimate["assumption_keys"] = {"not": "a list"}
    assert assumptions_for(estimate, "es") == ENGLISH_IOP
