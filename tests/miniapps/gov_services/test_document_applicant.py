"""What an item asks of an applicant beyond the form: eligibility (every failed rule named),
the materials their answers call for, the answers their licences fill in, and the steps."""

from __future__ import annotations

import pytest

from backend.sdk import Unprocessable
from miniapps.gov_services.document import (
    Facts,
    allowed_actions,
    check_eligibility,
    first_step,
    next_step,
    prefill_values,
    required_materials,
)
from miniapps.gov_services.errors import GovServicesCode
from miniapps.gov_services.states import Action
from tests.miniapps.gov_services.documents import ID_NUMBER, demo, sample


def failed_rules(doc_code: str, facts: Facts, locale: str | None = None) -> dict[str, str]:
    with pytest.raises(Unprocessable) as caught:
        check_eligibility(demo(doc_code), facts, locale=locale)
    assert caught.value.code is GovServicesCode.NOT_ELIGIBLE
    return {e.field: e.message for e in caught.value.errors or []}


def test_the_senior_card_needs_60_years() -> None:
    assert failed_rules("senior_preferential_card", Facts(profile={"age": 59})) == {
        "age_60_or_over": "须年满60周岁"
    }
    check_eligibility(demo("senior_preferential_card"), Facts(profile={"age": 60}))


def test_the_longevity_allowance_needs_80_years_and_an_unknown_age_fails() -> None:
    assert failed_rules("longevity_allowance", Facts(profile={"age": 79}), "en") == {
        "age_80_or_over": "You must be 80 or over"
    }
    assert failed_rules("longevity_allowance", Facts()) == {"age_80_or_over": "须年满80周岁"}
    check_eligibility(demo("longevity_allowance"), Facts(profile={"age": 80}))


def test_every_failed_rule_is_named() -> None:
    doc = sample()
    with pytest.raises(Unprocessable) as caught:
        check_eligibility(doc, Facts(profile={"age": 59, "district": "zz/jinshui"}))
    assert [e.field for e in caught.value.errors or []] == ["age_60", "lives_in_gx"]

    check_eligibility(doc, Facts(profile={"age": 60, "district": "zz/gx"}))


def test_licences_are_facts_too() -> None:
    endorse = "residence_permit_endorse"
    assert list(failed_rules(endorse, Facts())) == ["holds_residence_permit"]
    check_eligibility(demo(endorse), Facts(licences={"residence_permit": {"permit_no": "A1"}}))

    rent = "housing_fund_rent_withdrawal"
    owner = Facts(licences={"property_certificate": {"cert_no": "P1"}})
    assert list(failed_rules(rent, owner)) == ["no_own_home"]
    check_eligibility(demo(rent), Facts(licences={"id_card": {"name": "张三"}}))


def codes(doc_code: str, answers: dict[str, object]) -> list[str]:
    return [m.code for m in required_materials(demo(doc_code), answers)]


def test_materials_required_by_the_answers() -> None:
    assert [m.code for m in required_materials(sample(), {"married": True})] == [
        "id_card",
        "spouse_id_card",
    ]
    assert [m.code for m in required_materials(sample(), {"married": False})] == ["id_card"]

    low = "minimum_living_allowance"
    base = ["id_card", "household_register", "income_declaration"]
    assert codes(low, {"declares_illness": False, "declares_disability": False}) == base
    assert codes(low, {"declares_illness": True}) == [*base, "illness_or_disability_proof"]
    assert codes(low, {"declares_disability": True}) == [*base, "illness_or_disability_proof"]

    permit = "residence_permit_apply"
    assert codes(permit, {"residence_reason": "投靠亲属", "collect_method": "窗口领取"}) == [
        "id_card",
        "residence_proof",
    ]
    assert codes(permit, {"residence_reason": "就读", "collect_method": "邮寄"}) == [
        "id_card",
        "residence_proof",
        "work_or_study_proof",
        "photo",
    ]


def test_material_sources() -> None:
    proof = next(
        m for m in demo("individual_business_registration").materials if m.code == "premises_proof"
    )
    assert proof.licence_types == ("property_certificate",)
    assert proof.accepts_upload
    assert proof.accepts_commitment
    assert proof.commitment is not None


def test_prefill_takes_the_fields_of_licences_held() -> None:
    licences = {
        "id_card": {"name": "张三", "number": ID_NUMBER, "address": "郑州"},
        "household_register": {"register_no": "410100123456"},
    }
    assert prefill_values(demo("longevity_allowance"), licences) == {
        "applicant_name": "张三",
        "applicant_id_card": ID_NUMBER,
        "household_register_no": "410100123456",
    }
    assert prefill_values(demo("longevity_allowance"), {}) == {}


def test_steps_chain_and_the_actions_each_allows() -> None:
    doc = sample()
    assert first_step(doc).code == "accept"
    assert [
        next_step(doc, c) and next_step(doc, c).code
        for c in ("accept", "review", "decide")  # type: ignore[union-attr]
    ] == ["review", "decide", "deliver"]
    assert next_step(doc, "deliver") is None
    assert next_step(doc, "nowhere") is None

    assert allowed_actions(doc, "accept") == (
        Action.ACCEPT,
        Action.RETURN_FOR_SUPPLEMENT,
        Action.REJECT,
    )
    assert Action.EXTEND in allowed_actions(doc, "review")
    assert allowed_actions(doc, "decide") == (Action.DECIDE, Action.EXTEND)
    assert allowed_actions(doc, "deliver") == (Action.DELIVER,)
    assert allowed_actions(doc, "nowhere") == ()

    # No extension granted by the item: none offered.
    on_the_spot = demo("residence_permit_endorse")
    assert allowed_actions(on_the_spot, "decide") == (Action.DECIDE,)
