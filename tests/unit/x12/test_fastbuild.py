"""fastbuild makes genuine frozen instances, and falls back to the class when it cannot."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from verifier.domain import Benefit, DateInfo, EligibilityResult, Party
from verifier.x12.fastbuild import constructor, setter


def test_built_benefit_is_a_genuine_equal_frozen_benefit() -> None:
    build = constructor(Benefit)
    assert build is not Benefit  # the fast path is in use for the reader's hottest class
    made = build("B", "IND", ("30",), None, None, "23", Decimal("25"))
    expected = Benefit("B", "IND", ("30",), None, None, "23", Decimal("25"))
    assert type(made) is Benefit
    assert made == expected and hash(made) == hash(expected)
    assert made.messages == () and made.procedure is None  # defaults stored
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.info = "A"  # type: ignore[misc]
    assert dataclasses.replace(made, info="C").info == "C"


def test_keywords_and_defaults_work_like_the_class() -> None:
    build = constructor(DateInfo)
    assert build("346", dt.date(2026, 1, 1), raw="20260101") == DateInfo(
        "346", dt.date(2026, 1, 1), raw="20260101")
    assert constructor(Party)() == Party()


def test_setter_stores_into_an_instance_being_built() -> None:
    made = constructor(Benefit)("1")
    setter(Benefit, "messages")(made, ("HELLO",))
    assert made == Benefit("1", messages=("HELLO",))


def test_classes_it_cannot_build_fall_back_to_the_class_itself() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")

    @dataclasses.dataclass(frozen=True, slots=True)
    class Factory:
        items: list[int] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        value: int

    for cls in (Checked, Factory, NoSlots):
        assert constructor(cls) is cls
    # Whichever way it builds the reader's result, that result is the class's own, frozen.
    made = constructor(EligibilityResult)(Party(), None, version="005010X279A1",
                                          warnings=("SE count",))
    expected = EligibilityResult(Party(), None, version="005010X279A1", warnings=("SE count",))
    assert type(made) is EligibilityResult
    assert made == expected and hash(made) == hash(expected)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.version = "004010X092A1"  # type: ignore[misc]


def test_incompatible_layout_stores_through_the_descriptors() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Base:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Child(Base):  # inherited slots: not a plain layout, so the class itself
        b: int = 0

    assert constructor(Child) is Child

    class Loose:  # its instances have a __dict__, which a plain shadow cannot match
        pass

    @dataclasses.dataclass(frozen=True, slots=True)
    class OnLoose(Loose):
        a: int
        b: str = "x"

    build = constructor(OnLoose)
    assert build is not OnLoose
    made = build(3)
    assert type(made) is OnLoose and made == OnLoose(3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.a = 4  # type: ignore[misc]
