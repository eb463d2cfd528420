"""to_dict() is exactly the JSON shape of DESIGN §6, plus the staff-only evidence map and the
estimate's structured assumptions."""

from __future__ import annotations

import json

from coverage_builders import eb, entity, result

AMOUNTS = {"total", "remaining"}
ACCUMULATOR = {"individual": AMOUNTS, "family": AMOUNTS}
TIER = {
    "covered": None,
    "copay": {"amount", "per"},
    "coinsurance": None,
    "deductible": ACCUMULATOR,
    "out_of_pocket": ACCUMULATOR,
}
DESIGN_6 = {
    "level_of_care": None,
    "condition": None,
    "coverage": {"status", "plan_name", "group_number", "plan_begin", "plan_end"},
    "network": {"status", "basis"},
    "preauthorization": {"required", "evidence"},
    "administrator": {"name", "payer_id", "phone"},
    "benefits": {"in_network": TIER, "out_of_network": TIER},
    "visit_limit": {"allowed", "used", "remaining", "period"},
    # assumption_keys: the same assumptions as keys and fields, so a visitor can read them in
    # their own language (an addition to DESIGN §6; the English "assumptions" stay).
    "estimate": {
        "sessions", "patient_cost_low", "patient_cost_high", "assumptions", "assumption_keys"
    },
    "messages": None,
    "errors": None,
    "evidence": None,
}


def _check(shape, value, where="$"):
    if isinstance(shape, dict):
        assert set(value) == set(shape), where
        for key, inner in shape.items():
            _check(inner, value[key], f"{where}.{key}")
    elif isinstance(shape, set):
        assert set(value) == shape, where


def test_to_dict_has_every_design_key(summarize_iop_mh):
    response = result(
        eb("1**30**GOLD PLAN"),
        eb("B**A8***27*20*****Y"),
        eb("U**MH", entities=(entity("PR", "BH CO", "BH1", "8005550000"),)),
    )
    _check(DESIGN_6, summarize_iop_mh(response).to_dict())


def test_nothing_reported_is_null_not_zero(summarize_iop_mh):
    data = summarize_iop_mh(result()).to_dict()
    assert data["administrator"] is None
    assert data["benefits"]["in_network"]["copay"] == {"amount": None, "per": None}
    assert data["benefits"]["in_network"]["deductible"]["individual"] == {
        "total": None, "remaining": None
    }
    assert data["preauthorization"]["required"] is None


def test_money_has_two_places_and_the_summary_is_json(summarize_iop_mh):
    data = summarize_iop_mh(result(eb("1**30"), eb("C*IND*30***29*78.8*****Y"))).to_dict()
    assert data["benefits"]["in_network"]["deductible"]["individual"]["remaining"] == "78.80"
    json.dumps(data)


def test_design_example_error_shape(summarize_iop_mh):
    from coverage_builders import aaa

    data = summarize_iop_mh(result(payer_errors=(aaa("2100A"),))).to_dict()
    assert data["errors"] == [{"code": "42", "description": "Unable to Respond at Current Time",
                               "follow_up": "R", "retryable": True, "loop": "2100A"}]
