"""A small item document for the document's tests: nested and array fields, a rule that
waits for another rule's field, and a material required only for some answers."""

from __future__ import annotations

import copy
from typing import Any

from miniapps.gov_services.catalogue import demo_catalogue
from miniapps.gov_services.document import ItemDocument, parse_document

ID_CARD = {"type": "string", "pattern": "^[1-9][0-9]{16}[0-9X]$"}
PERSON = {
    "type": "object",
    "required": ["name", "id_card"],
    "properties": {"name": {"type": "string", "minLength": 2}, "id_card": ID_CARD},
    "additionalProperties": False,
}


def texts(zh: str, en: str) -> dict[str, str]:
    return {"zh-CN": zh, "en": en}


def _step(code: str, kind: str, level: str, days: int) -> dict[str, Any]:
    return {
        "code": code,
        "name": texts(code, code),
        "resident_text": texts(f"正在{code}", f"At {code}"),
        "kind": kind,
        "role": "service_officer",
        "org_level": level,
        "time_limit_wd": days,
    }


def _shows(field: str, source: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "field": field,
        "effect": "SHOW",
        "condition": {"scope": f"#/properties/{source}", "schema": schema},
    }


SAMPLE: dict[str, Any] = {
    "form": {
        "schema": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 2},
                "id_card": ID_CARD,
                "birth_date": {"type": "string", "format": "date"},
                "married": {"type": "boolean"},
                "spouse": PERSON,
                "children": {"type": "array", "maxItems": 5, "items": PERSON},
                "reason": {"type": "string", "enum": ["就业", "就读", "其他"]},
                "employer": {"type": "string", "minLength": 1},
                "employer_phone": {"type": "string", "pattern": "^1[3-9][0-9]{9}$"},
            },
            "required": [
                "name",
                "id_card",
                "married",
                "spouse",
                "reason",
                "employer",
                "employer_phone",
            ],
        },
        "ui": {
            "pages": [
                {
                    "id": "you",
                    "title": texts("本人", "You"),
                    "fields": ["name", "id_card", "birth_date", "married", "spouse"],
                },
                {
                    "id": "more",
                    "title": texts("其他", "More"),
                    "fields": ["children", "reason", "employer", "employer_phone"],
                },
            ],
            "widgets": {"id_card": "id_card", "birth_date": "date"},
            "rules": [
                _shows("spouse", "married", {"const": True}),
                _shows("employer", "reason", {"const": "就业"}),
                # Waits for `employer`, which the rule above may hide.
                _shows("employer_phone", "employer", {"type": "string", "minLength": 1}),
            ],
        },
    },
    "materials": [
        {
            "code": "id_card",
            "name": texts("身份证", "ID card"),
            "sources": ["e_license:id_card", "upload"],
            "mime": ["image/jpeg"],
        },
        {
            "code": "spouse_id_card",
            "name": texts("配偶身份证", "Spouse's ID card"),
            "sources": ["upload"],
            "mime": ["image/jpeg"],
            "required_when": {
                "type": "object",
                "required": ["married"],
                "properties": {"married": {"const": True}},
            },
        },
    ],
    "eligibility": [
        {
            "id": "age_60",
            "predicate": {
                "type": "object",
                "required": ["profile"],
                "properties": {
                    "profile": {
                        "type": "object",
                        "required": ["age"],
                        "properties": {"age": {"type": "integer", "minimum": 60}},
                    }
                },
            },
            "message": texts("须年满60周岁", "You must be 60 or over"),
        },
        {
            "id": "lives_in_gx",
            "predicate": {
                "properties": {"profile": {"properties": {"district": {"const": "zz/gx"}}}}
            },
            "message": texts("须居住在高新区", "You must live in Gaoxin"),
        },
    ],
    "prefill": [
        {"field": "name", "licence": "id_card", "licence_field": "name"},
        {"field": "id_card", "licence": "id_card", "licence_field": "number"},
    ],
    "steps": [
        _step("accept", "accept", "street", 1),
        _step("review", "review", "street", 2),
        _step("decide", "decide", "district", 1),
        _step("deliver", "deliver", "street", 1),
    ],
    "legal_limit_wd": 10,
    "promised_limit_wd": 5,
    "extension_wd": 5,
    "implementing_orgs": [{"district": "zz/gx", "org": "zz/gx"}],
    "retention_days": 3650,
}

ID_NUMBER = "410105199001011234"
SPOUSE_NUMBER = "41010519910202123X"


def sample_raw() -> dict[str, Any]:
    """A fresh copy of the sample, for a test to break."""
    return copy.deepcopy(SAMPLE)


def sample() -> ItemDocument:
    return parse_document(sample_raw())


def demo(code: str) -> ItemDocument:
    """The demo catalogue's document of the item `code`."""
    return next(entry.document for entry in demo_catalogue() if entry.code == code)


def full_answers() -> dict[str, Any]:
    """Answers the sample takes at submit: married, working, one child."""
    return {
        "name": "张三",
        "id_card": ID_NUMBER,
        "birth_date": "1990-01-01",
        "married": True,
        "spouse": {"name": "李四", "id_card": SPOUSE_NUMBER},
        "children": [{"name": "张小", "id_card": "410105201801011230"}],
        "reason": "就业",
        "employer": "郑州某科技有限公司",
        "employer_phone": "13800000001",
    }
