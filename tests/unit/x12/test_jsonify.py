"""to_jsonable: dates ISO, Decimals strings, enums values, dataclasses dicts."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from verifier.domain import Benefit, RetryClass
from verifier.x12.codes import aaa_error
from verifier.x12.jsonify import to_jsonable


def test_decimal_is_a_string_without_exponent() -> None:
    assert to_jsonable(Decimal("1E+2")) == "100"
    assert to_jsonable(Decimal("0.20")) == "0.20"


def test_dates_are_iso() -> None:
    assert to_jsonable(dt.date(2026, 3, 2)) == "2026-03-02"


def test_enums_are_their_values() -> None:
    assert to_jsonable(RetryClass.FIX_INPUT) == "fix_input"


def test_nested_dataclasses_become_json_ready_dicts() -> None:
    benefit = Benefit(info="B", service_types=("MH",), amount=Decimal("30"),
                      errors=(aaa_error("2110C", "Y", "53", "C"),))
    value = to_jsonable(benefit)
    assert json.loads(json.dumps(value)) == value
    assert value["service_types"] == ["MH"]
    assert value["errors"][0]["retry_class"] == "benefit_level"


def test_unknown_types_are_refused() -> None:
    with pytest.raises(TypeError):
        to_jsonable(object())
