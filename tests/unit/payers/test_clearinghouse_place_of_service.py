"""The clearinghouse JSON's place of service maps like III*ZZ*<POS> (issue 14 item 2).

The benefit below is the shape of Stedi's published 271 JSON example for a UHC dependent
(``benefitsInformation``, A6 psychotherapy coinsurance with
``eligibilityAdditionalInformationList`` = ZZ / 11 Office); Optum's eligibility v3 OpenAPI
names the same fields (III01 ``codeListQualifierCode``, III02 ``industryCode``).
"""

from __future__ import annotations

from decimal import Decimal

from verifier.coverage import default_profile, summarize
from verifier.domain import Condition, EligibilityResult, LevelOfCare, MemberResult, Party
from verifier.payers.clearinghouse_mapping import benefit


def _coinsurance(percent: str, place: str) -> dict[str, object]:
    return {
        "benefitPercent": percent,
        "code": "A",
        "coverageLevelCode": "IND",
        "eligibilityAdditionalInformation": {
            "codeListQualifier": "Mutually Defined", "codeListQualifierCode": "ZZ",
            "industryCode": place,
        },
        "eligibilityAdditionalInformationList": [{
            "codeListQualifier": "Mutually Defined", "codeListQualifierCode": "ZZ",
            "industry": "Office", "industryCode": place,
        }],
        "inPlanNetworkIndicatorCode": "Y",
        "name": "Co-Insurance",
        "serviceTypeCodes": ["A6"],
        "timeQualifierCode": "27",
    }


def test_eligibility_additional_information_is_the_place_of_service() -> None:
    found = benefit(_coinsurance("0.2", "11"), "benefitsInformation[0]")
    assert found is not None
    assert found.industry_codes == (("ZZ", "11"),)


def test_a_single_additional_information_object_is_read_too() -> None:
    raw = _coinsurance("0.2", "02")
    del raw["eligibilityAdditionalInformationList"]
    found = benefit(raw, "benefitsInformation[0]")
    assert found is not None and found.industry_codes == (("ZZ", "02"),)


def test_clearinghouse_rows_split_by_place_are_read_as_distinct() -> None:
    rows = [benefit(_coinsurance("0.2", "11"), "b[0]"), benefit(_coinsurance("0", "02"), "b[1]"),
            benefit({"code": "1", "serviceTypeCodes": ["30"]}, "b[2]")]
    member = MemberResult(loop="2100C", benefits=tuple(b for b in rows if b is not None))
    summary = summarize(EligibilityResult(payer=Party(name="UHC"), subscriber=member),
                        level=LevelOfCare.OUTPATIENT, condition=Condition.MENTAL_HEALTH,
                        facility=default_profile(), in_network=True)
    assert summary.in_network.coinsurance == Decimal("0.2")
