"""Publishing checks a document whole: every problem is listed, not the first, each at its
JSON pointer in the document; the demo catalogue passes."""

from __future__ import annotations

from typing import Any

import pytest

from backend.sdk import Unprocessable
from miniapps.gov_services.catalogue import demo_catalogue
from miniapps.gov_services.document import (
    check_answers,
    parse_document,
    problems_in,
    require_publishable,
)
from miniapps.gov_services.errors import GovServicesCode
from tests.miniapps.gov_services.documents import sample, sample_raw, texts


def places(raw: Any, **known: Any) -> set[str]:
    return {problem.field for problem in problems_in(raw, **known)}


# The licence types the demo names, and the demo city's districts (backend/seed.py).
LICENCE_TYPES = {
    "id_card",
    "household_register",
    "marriage_certificate",
    "birth_certificate",
    "residence_permit",
    "property_certificate",
    "disability_certificate",
}
DEMO_UNITS = {"zz", "zz/gx", "zz/jinshui"}
NEWBORN_ITEMS = (
    "birth_medical_certificate",
    "birth_household_registration",
    "resident_medical_insurance",
    "social_security_card",
)


def test_the_sample_and_every_demo_item_may_be_published() -> None:
    assert problems_in(sample_raw()) == []
    assert problems_in(sample()) == []
    assert len(demo_catalogue()) == 15
    for entry in demo_catalogue():
        found = problems_in(entry.document, known_units=DEMO_UNITS, known_licences=LICENCE_TYPES)
        assert found == [], entry.code


def test_the_newborn_items_share_each_common_field_as_one_field() -> None:
    """新生儿出生一件事 fills its members from one form: a field two members both ask for
    (父母身份证, 结婚证, 户口簿 ...) has one name and one schema."""
    schemas: dict[str, list[Any]] = {}
    for entry in demo_catalogue():
        if entry.code in NEWBORN_ITEMS:
            for name, schema in entry.document.form.schema["properties"].items():
                schemas.setdefault(name, []).append(schema)
    shared = {name for name, found in schemas.items() if len(found) > 1}

    assert {"mother_id_card", "father_id_card", "household_register_no", "birth_cert_no"} <= shared
    for name in shared:
        assert all(schema == schemas[name][0] for schema in schemas[name]), name


def test_every_problem_of_the_form_is_listed_at_once() -> None:
    raw = sample_raw()
    form = raw["form"]
    properties = form["schema"]["properties"]
    properties["name"]["minLength"] = -1  # not a valid schema
    properties["birth_date"] = {"$ref": "https://example.com/date.json"}  # not self-contained
    properties["Bad-Name"] = {"type": "string"}  # not a field name, and on no page
    properties["id_card"] = {"type": "string", "pattern": "^[0-9$"}  # not a regex
    form["ui"]["pages"][0]["fields"] += ["ghost", "name"]  # no such field; twice
    form["ui"]["labels"] = {"ghost": texts("幽灵", "Ghost")}
    rules = form["ui"]["rules"]
    rules[0]["field"] = "nowhere"
    rules[1]["condition"]["scope"] = "#/properties/spouse/properties/age"
    rules[2]["condition"]["schema"] = {"type": 5}
    raw["prefill"][0]["field"] = "ghost"

    assert places(raw) == {
        "/form/schema/properties/name/minLength",
        "/form/schema/properties/birth_date/$ref",
        "/form/schema/properties/Bad-Name",
        "/form/schema/properties/id_card/pattern",
        "/form/ui/pages/0/fields/5",
        "/form/ui/pages/0/fields/6",
        "/form/ui/labels/ghost",
        "/form/ui/rules/0/field",
        "/form/ui/rules/1/condition/scope",
        "/form/ui/rules/2/condition/schema/type",
        "/prefill/0/field",
    }


def test_rules_that_read_each_other_in_a_circle_are_refused() -> None:
    raw = sample_raw()
    # employer_phone reads employer, which reads reason: let reason read employer_phone.
    raw["form"]["ui"]["rules"].append(
        {
            "field": "reason",
            "effect": "HIDE",
            "condition": {"scope": "#/properties/employer_phone", "schema": {"const": "x"}},
        }
    )

    assert places(raw) == {f"/form/ui/rules/{i}/condition/scope" for i in (1, 2, 3)}


def test_every_problem_of_materials_eligibility_steps_and_limits_is_listed() -> None:
    raw = sample_raw()
    raw["materials"][1]["code"] = "id_card"
    del raw["materials"][1]["mime"]
    raw["materials"][0]["sources"] = ["upload", "commitment", "upload"]
    raw["eligibility"][1]["id"] = "age_60"
    raw["eligibility"][0]["predicate"] = {"properties": {"profile": {"required": "age"}}}
    steps = raw["steps"]
    steps[1]["code"] = "accept"
    steps[2]["role"] = "wizard"
    steps[1]["kind"], steps[2]["kind"] = "decide", "review"
    raw["promised_limit_wd"] = 11
    raw["implementing_orgs"] = [
        {"district": "zz/gx", "org": "zz/jinshui"},
        {"district": "zz/gx", "org": "zz/gx"},
        {"district": "zz/gx/fengyang", "org": "zz/gx/fengyang"},
    ]

    assert places(raw) == {
        "/materials/1/code",
        "/materials/1/mime",
        "/materials/0/sources/2",
        "/materials/0/commitment",
        "/eligibility/1/id",
        "/eligibility/0/predicate/properties/profile/required",
        "/steps/1/code",
        "/steps/2/role",
        "/steps/1/kind",
        "/steps/2/kind",
        "/promised_limit_wd",
        "/implementing_orgs/0/org",
        "/implementing_orgs/1/district",
        "/implementing_orgs/2/district",
    }


def test_limits_without_a_legal_basis_or_with_an_extension_on_the_spot_are_refused() -> None:
    raw = sample_raw()
    raw["legal_limit_wd"] = None
    raw["promised_limit_wd"] = 0

    assert places(raw) == {"/legal_limit_wd", "/extension_wd", "/steps"}

    raw.update(legal_limit_note=texts("七日内", "Within seven days"), extension_wd=0)
    for step in raw["steps"]:
        step["time_limit_wd"] = 0
    assert places(raw) == set()


def test_a_chain_too_short_is_refused() -> None:
    raw = sample_raw()
    raw["steps"] = [raw["steps"][0], raw["steps"][3]]

    assert places(raw) == {"/steps"}


def test_roles_units_and_licences_are_those_the_caller_knows() -> None:
    raw = sample_raw()

    assert places(raw, known_roles={"service_approver"}) == {f"/steps/{i}/role" for i in range(4)}
    assert places(raw, known_units={"zz", "zz/jinshui"}) == {
        "/implementing_orgs/0/district",
        "/implementing_orgs/0/org",
    }
    assert places(raw, known_units={"zz/gx"}) == set()
    assert places(raw, known_licences={"marriage_certificate"}) == {
        "/prefill/0/licence",
        "/prefill/1/licence",
        "/materials/0/sources/0",
    }


@pytest.mark.parametrize("role", ["resident", "grid_worker", "service_admin", "platform_admin"])
def test_a_step_is_for_a_role_that_works_cases(role: str) -> None:
    """Only officers and approvers reach the staff routes and have worklists: a step of any
    other role would hold every case that reaches it, unworkable."""
    raw = sample_raw()
    raw["steps"][1]["role"] = role

    assert places(raw) == {"/steps/1/role"}


def test_a_document_of_the_wrong_shape_lists_every_place() -> None:
    raw = sample_raw()
    raw["steps"][0]["kind"] = "approve"
    raw["steps"][1]["org_level"] = "province"
    raw["fee"] = -1
    raw["colour"] = "red"
    del raw["retention_days"]
    raw["form"]["ui"]["pages"][0]["title"] = {"zh-CN": "本人"}

    expected = {
        "/steps/0/kind",
        "/steps/1/org_level",
        "/fee",
        "/colour",
        "/retention_days",
        "/form/ui/pages/0/title/en",
    }
    assert places(raw) == expected
    with pytest.raises(Unprocessable) as caught:
        parse_document(raw)
    assert caught.value.code is GovServicesCode.DOCUMENT_INVALID
    assert {e.field for e in caught.value.errors or []} == expected


def test_require_publishable_answers_the_document_or_a_422_of_all_problems() -> None:
    assert require_publishable(sample_raw()) == sample()

    raw = sample_raw()
    raw["steps"][2]["role"] = "wizard"
    raw["promised_limit_wd"] = 11
    with pytest.raises(Unprocessable) as caught:
        require_publishable(raw)
    assert caught.value.code is GovServicesCode.DOCUMENT_INVALID
    assert [e.field for e in caught.value.errors or []] == ["/steps/2/role", "/promised_limit_wd"]


def test_a_draft_with_a_broken_schema_is_refused_not_crashed_on() -> None:
    raw = sample_raw()
    raw["form"]["schema"]["properties"]["name"] = {"type": "strnig"}
    draft = parse_document(raw)

    with pytest.raises(Unprocessable) as caught:
        check_answers(draft, {"name": "张三"}, complete=False)
    assert caught.value.code is GovServicesCode.DOCUMENT_INVALID
    assert [e.field for e in caught.value.errors or []] == ["/form/schema/properties/name/type"]
