"""A resident's answers against an item's form: every refusal at once, each by its JSON
pointer; hidden fields neither required nor kept; drafts held to what they give; prefilled
answers held to their licence."""

from __future__ import annotations

from typing import Any

import pytest

from backend.sdk import Unprocessable
from miniapps.gov_services.document import check_answers, visible_fields
from miniapps.gov_services.document.pointers import ABSENT, same_value
from miniapps.gov_services.errors import GovServicesCode
from tests.miniapps.gov_services.documents import ID_NUMBER, demo, full_answers, sample


def refusals(answers: dict[str, Any], **options: Any) -> dict[str, str]:
    """Pointer → message of every answer refused."""
    options.setdefault("complete", True)
    with pytest.raises(Unprocessable) as caught:
        check_answers(sample(), answers, **options)
    assert caught.value.code is GovServicesCode.ANSWERS_INVALID
    return {error.field: error.message for error in caught.value.errors or []}


def test_valid_answers_are_kept_whole() -> None:
    answers = full_answers()
    assert check_answers(sample(), answers, complete=True) == answers


def test_every_bad_answer_is_named_by_its_pointer_nested_and_in_arrays() -> None:
    answers = full_answers()
    answers["spouse"] = {"name": "李", "id_card": "123"}
    answers["children"] = [{"name": "张小", "id_card": ID_NUMBER}, {"name": 7, "extra": 1}]
    answers["birth_date"] = "2026-02-30"
    answers["employer_phone"] = "12345"

    assert refusals(answers) == {
        "/answers/birth_date": "应为日期(如 2026-01-31)",
        "/answers/spouse/name": "至少 2 个字",
        "/answers/spouse/id_card": "格式不正确",
        "/answers/children/1/name": "应为文本",
        "/answers/children/1/id_card": "必填",
        "/answers/children/1": "含有表单未定义的项",
        "/answers/employer_phone": "格式不正确",
    }


def test_missing_answers_are_each_named_and_messages_follow_the_locale() -> None:
    answers = {"married": True, "reason": "就业", "employer": "某公司"}

    assert refusals(answers, locale="en-GB") == {
        "/answers/name": "is required",
        "/answers/id_card": "is required",
        "/answers/spouse": "is required",
        "/answers/employer_phone": "is required",
    }


def test_a_hidden_field_is_not_required_and_not_kept() -> None:
    answers = full_answers()
    answers.update(married=False, reason="就读", unknown_field="x")
    del answers["employer_phone"]

    kept = check_answers(sample(), answers, complete=True)

    # spouse hidden by married=false; employer by reason≠就业; employer_phone because the
    # employer it waits for is hidden, though an employer was sent.
    assert "spouse" not in kept
    assert "employer" not in kept
    assert "unknown_field" not in kept
    assert kept == {
        k: v
        for k, v in answers.items()
        if k in {"name", "id_card", "birth_date", "married", "children", "reason"}
    }


def test_a_hidden_field_is_dropped_even_when_its_answer_is_invalid() -> None:
    answers = full_answers()
    answers.update(married=False, spouse={"name": 1})

    assert "spouse" not in check_answers(sample(), answers, complete=True)


def test_visible_fields_follow_the_rules_in_chain() -> None:
    doc = sample()
    everything = frozenset(doc.fields)

    assert visible_fields(doc, full_answers()) == everything
    assert visible_fields(doc, {}) == everything - {"spouse", "employer", "employer_phone"}
    assert visible_fields(doc, {"reason": "就读", "employer": "x"}) == everything - {
        "spouse",
        "employer",
        "employer_phone",
    }
    assert visible_fields(doc, {"reason": "就业", "employer": "x"}) == everything - {"spouse"}


def test_a_draft_requires_nothing_at_any_depth_but_checks_what_it_gives() -> None:
    doc = sample()
    partial = {"married": True, "spouse": {"name": "李四"}, "children": [{}]}

    assert check_answers(doc, partial, complete=False) == partial
    assert check_answers(doc, {}, complete=False) == {}
    assert refusals(
        {"married": True, "spouse": {"id_card": "1"}, "birth_date": 1}, complete=False
    ) == {
        "/answers/birth_date": "应为文本",
        "/answers/spouse/id_card": "格式不正确",
    }
    # An answer of the wrong type to a rule's condition hides what the rule shows.
    assert refusals({"married": "yes", "spouse": {"id_card": "1"}}, complete=False) == {
        "/answers/married": "应为是或否",
    }


def test_the_same_draft_submitted_is_refused_for_what_it_lacks() -> None:
    errors = refusals({"married": True, "spouse": {"name": "李四"}, "children": [{}]})

    assert errors["/answers/spouse/id_card"] == "必填"
    assert errors["/answers/children/0/name"] == "必填"
    assert errors["/answers/name"] == "必填"


def test_a_prefilled_answer_that_differs_from_its_licence_is_refused() -> None:
    licence = {"name": "张三", "id_card": ID_NUMBER}
    answers = full_answers()

    assert check_answers(sample(), answers, complete=True, prefilled=licence) == answers

    answers["id_card"] = "410105199001019999"
    assert refusals(answers, prefilled=licence) == {"/answers/id_card": "须与电子证照一致,不能修改"}
    # A draft may not change it either, nor clear it.
    del answers["id_card"]
    assert refusals(answers, prefilled=licence, complete=False, locale="en") == {
        "/answers/id_card": "must stay as filled in from the licence"
    }


def test_a_prefilled_value_is_compared_as_json_values() -> None:
    assert not same_value(True, 1)
    assert not same_value(0, False)
    assert same_value(3000, 3000.0)
    assert same_value({"a": [1, {"b": "x"}]}, {"a": [1.0, {"b": "x"}]})
    assert not same_value({"a": [1]}, {"a": [1, 2]})
    assert not same_value("1", 1)
    assert not same_value(None, ABSENT)


def test_residence_permit_shows_the_employer_only_for_work() -> None:
    doc = demo("residence_permit_apply")
    answers = {
        "applicant_name": "张三",
        "applicant_id_card": ID_NUMBER,
        "phone": "13800000001",
        "residence_address": "高新区枫杨街道西岗社区8号楼",
        "residence_since": "2025-03-01",
        "housing_type": "租赁住房",
        "residence_reason": "投靠亲属",
        "employer": "不该保存",
        "collect_method": "窗口领取",
    }

    kept = check_answers(doc, answers, complete=True)
    assert "employer" not in kept

    answers["residence_reason"] = "就业"
    del answers["employer"]
    with pytest.raises(Unprocessable) as caught:
        check_answers(doc, answers, complete=True)
    assert [e.field for e in caught.value.errors or []] == ["/answers/employer"]
