"""The fast check of answers says what jsonschema says, on every schema of the demo
catalogue and the sample, over answers fuzzed around them (valid ones and near misses)."""

from __future__ import annotations

import random
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from miniapps.gov_services.catalogue import demo_catalogue
from miniapps.gov_services.document import ItemDocument, check_answers
from miniapps.gov_services.document.compiled import compiled, embedded_schemas
from miniapps.gov_services.document.fastcheck import compile_check
from miniapps.gov_services.document.jsonschemas import without_required
from tests.miniapps.gov_services.documents import ID_NUMBER, SPOUSE_NUMBER, demo, sample

FORMATS = FormatChecker(formats=("date", "email"))
STRINGS = [
    "",
    "a",
    "张三",
    "郑州某科技有限公司有限责任公司",
    ID_NUMBER,
    SPOUSE_NUMBER,
    "41010519900101123",
    "13800000001",
    "12345",
    "2026-01-31",
    "2026-02-30",
    "20260131",
    "a@b.cn",
    "就业",
    "x" * 120,
]
JUNK: list[Any] = [None, True, False, 0, 1, 1.0, 1.5, -3, 10**9, "", "就业", [], {}, [1], {"a": 1}]


def fuzzed(schema: Any, rng: random.Random, depth: int = 0) -> Any:
    """A value near what `schema` asks: often valid, often off by one thing."""
    if not isinstance(schema, dict) or rng.random() < 0.03 or depth > 4:
        return rng.choice(JUNK + STRINGS)
    if "enum" in schema:
        return rng.choice(schema["enum"])
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        value = {
            name: fuzzed(inner, rng, depth + 1)
            for name, inner in properties.items()
            if rng.random() < 0.96
        }
        if rng.random() < 0.1:
            value["stray"] = 1
        return value
    if kind == "array":
        return [fuzzed(schema.get("items"), rng, depth + 1) for _ in range(rng.randrange(4))]
    if kind == "integer":
        return _near(
            schema, [0, 1, 2, 5, 299, 300, 8000, 8001, 10**8, 10**8 + 1, -1, 2.0, 2.5], rng
        )
    if kind == "boolean":
        return rng.choice([True, False, True, False, 1, 0])
    return _near(schema, STRINGS, rng)


def _near(schema: dict[str, Any], pool: list[Any], rng: random.Random) -> Any:
    """Mostly a value of `pool` that `schema` takes, else any of it."""
    fits = _FITS.get(id(schema))
    if fits is None:
        check = Draft202012Validator(schema, format_checker=FORMATS)
        fits = _FITS[id(schema)] = [v for v in pool if check.is_valid(v)]
    return rng.choice(fits if fits and rng.random() < 0.9 else pool)


# The schemas fuzzed live as long as the documents, which live as long as the module.
_FITS: dict[int, list[Any]] = {}


def schemas_of(doc: ItemDocument) -> list[tuple[str, dict[str, Any]]]:
    found = embedded_schemas(doc)
    return [*found, ("/form/schema (draft)", without_required(doc.form.schema))]


DOCUMENTS = [("sample", sample()), *((e.code, e.document) for e in demo_catalogue())]


def test_the_fast_check_agrees_with_jsonschema() -> None:
    for code, doc in DOCUMENTS:
        agree_on(code, doc)


def agree_on(code: str, doc: ItemDocument) -> None:
    rng = random.Random(code)
    form = doc.form.schema
    for at, schema in schemas_of(doc):
        fast = compile_check(schema, FORMATS)
        assert fast is not None, f"{code} {at}: the demo's schemas all have a fast check"
        slow = Draft202012Validator(schema, format_checker=FORMATS)
        # A condition or predicate reads the answers (or facts); the form's fuzz feeds all.
        target = form if at.startswith("/form/schema") else schema
        verdicts = set()
        for _ in range(300):
            value = fuzzed(target, rng)
            verdict = slow.is_valid(value)
            assert fast(value) is verdict, f"{code} {at}: {value!r}"
            verdicts.add(verdict)
        if at.startswith("/form/schema"):
            assert verdicts == {True, False}, f"{code}: the fuzz found both kinds of answer"


def test_a_schema_it_does_not_know_is_left_to_jsonschema() -> None:
    for schema in [
        {"$ref": "#/$defs/a", "$defs": {"a": {"type": "string"}}},
        {"patternProperties": {"^a": {"type": "string"}}},
        {"enum": [1, "a"]},
        {"const": 1},
        {"type": "string", "readOnly": True},
        {"uniqueItems": True},
        {"properties": {"a": {"type": "string", "multipleOf": 2}}},
    ]:
        assert compile_check(schema, FORMATS) is None, schema


def test_a_valid_submit_with_hidden_fields_passes_the_quick_way() -> None:
    """The form's schema requires fields the rules may hide; the schema a submit is held
    to leaves those out, so a valid submit never needs jsonschema's walk."""
    doc = demo("residence_permit_apply")
    answers = {
        "applicant_name": "张三",
        "applicant_id_card": ID_NUMBER,
        "phone": "13800000001",
        "residence_address": "高新区枫杨街道西岗社区8号楼",
        "residence_since": "2025-03-01",
        "housing_type": "租赁住房",
        "residence_reason": "投靠亲属",
        "collect_method": "窗口领取",
    }
    hidden = frozenset({"employer", "school", "mailing_address"})

    assert check_answers(doc, answers, complete=True) == answers
    assert compiled(doc).complete(hidden).is_valid(answers)
