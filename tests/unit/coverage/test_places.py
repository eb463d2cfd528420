"""Cost share by place of service: every place the payer names on the program's rows is shown.

A coordinator quoting "what will they pay" needs the office copay beside the outpatient-
hospital one when the payer prices them apart; the summary's own copay is only the
program's most specific place (``tiers``), so these rows say the rest.
"""

from __future__ import annotations

from coverage_builders import eb, result

from tests.fakes.stedi import published
from verifier.coverage import default_profile, summarize
from verifier.coverage.model import Tier
from verifier.coverage.stored import summary_from_dict
from verifier.domain import Condition, LevelOfCare
from verifier.x12.reader import read_response


def places(summary) -> dict[tuple[str, str], tuple[str | None, str | None]]:  # type: ignore[no-untyped-def]
    return {
        (p.place, p.tier.value): (
            None if p.copay.amount is None else str(p.copay.amount),
            None if p.coinsurance is None else str(p.coinsurance),
        )
        for p in summary.places
    }


def test_rows_split_by_place_are_each_shown_not_read_as_a_conflict(summarize_iop_mh) -> None:
    summary = summarize_iop_mh(result(
        eb("1**30"),
        eb("B*IND*MH***27*100*****Y", iii=("ZZ*22",)),
        eb("B*IND*MH***27*30*****Y", iii=("ZZ*11",)),
    ))
    assert places(summary) == {("22", "in_network"): ("100", None),
                               ("11", "in_network"): ("30", None)}
    # IOP's usual place is the outpatient hospital (22): it leads and it is the tier's copay.
    assert [p.place for p in summary.places] == ["22", "11"]
    assert summary.in_network.copay.amount == 100


def test_a_place_where_the_program_is_not_delivered_is_shown_and_marked(summarize_iop_mh) -> None:
    summary = summarize_iop_mh(result(
        eb("1**30"),
        eb("B*IND*MH***27*250*****Y", iii=("ZZ*21",)),  # inpatient hospital
    ))
    (inpatient,) = summary.places
    assert (inpatient.place, inpatient.program_place) == ("21", False)
    assert summary.in_network.copay.amount is None  # never the IOP copay


def test_rows_on_other_services_give_no_place_rows(summarize_iop_mh) -> None:
    summary = summarize_iop_mh(result(eb("1**30"), eb("B*IND*98***27*40*****Y", iii=("ZZ*11",))))
    assert summary.places == ()
    assert "place_of_service" not in summary.to_dict()


def test_rows_without_a_place_leave_the_summary_without_place_rows(summarize_iop_mh) -> None:
    summary = summarize_iop_mh(result(eb("1**30"), eb("B*IND*MH***27*30*****Y")))
    assert summary.places == ()


def test_each_place_value_cites_its_eb_and_iii(summarize_iop_mh) -> None:
    summary = summarize_iop_mh(result(
        eb("1**30"), eb("A*IND*MH***27**0.2****N", iii=("ZZ*22",)),
    ))
    evidence = dict(summary.evidence)
    assert evidence["place_of_service.22.out_of_network.coinsurance"] == (
        "EB*A*IND*MH***27**0.2****N III*ZZ*22",
    )


def test_stedis_published_uhc_answer_splits_office_by_network_and_leaves_a_conflict_unguessed():
    """Stedi's published 200 example (tests/fixtures/published/SOURCES.md): A6 rows at the
    office (III*ZZ*11). In network the coinsurance rows say .2, .2, .2 and 0 (the MSGs name
    "fully" and "partially funded" plans), so it is not reported; out of network it is 40%."""
    answer = read_response(published("stedi-v3-200-uhc-dependent.json")["x12"])
    summary = summarize(answer, level=LevelOfCare.OUTPATIENT, condition=Condition.MENTAL_HEALTH,
                        facility=default_profile(), in_network=True)
    assert places(summary) == {("11", "in_network"): ("0", None),
                               ("11", "out_of_network"): ("0", "0.4")}
    notes = dict(summary.evidence)["notes"]
    assert any(n.startswith("place_of_service.11.in_network.coinsurance") for n in notes)


def test_place_rows_read_back_from_the_stored_summary(summarize_iop_mh) -> None:
    summary = summarize_iop_mh(result(
        eb("1**30"),
        eb("B*IND*MH***27*100*****W", iii=("ZZ*22",)),
        eb("A*IND*MH***27**0.3****N", iii=("ZZ*11",)),
    ))
    assert {p.tier for p in summary.places} == {Tier.IN_NETWORK, Tier.OUT_OF_NETWORK}
    assert summary_from_dict(summary.to_dict()) == summary
