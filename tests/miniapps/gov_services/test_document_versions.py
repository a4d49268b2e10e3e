"""Versions of a document: a hash that only its content moves, the diff of two versions,
the document's own JSON Schema, and a published version parsed once."""

from __future__ import annotations

import json
import random
from typing import Any

from jsonschema import Draft202012Validator

from miniapps.gov_services.catalogue import demo_catalogue
from miniapps.gov_services.document import (
    Change,
    canonical_bytes,
    diff_documents,
    document_json,
    document_json_schema,
    document_sha256,
    parse_document,
    published_document,
)
from tests.miniapps.gov_services.documents import sample, sample_raw


def shuffled(value: Any, rng: random.Random) -> Any:
    """`value` with the keys of every object in another order."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {key: shuffled(value[key], rng) for key in keys}
    if isinstance(value, list):
        return [shuffled(item, rng) for item in value]
    return value


def test_the_hash_is_stable_under_key_order_and_whitespace() -> None:
    raw = sample_raw()
    expected = document_sha256(parse_document(raw))
    for seed in range(5):
        text = json.dumps(shuffled(raw, random.Random(seed)), indent=seed, ensure_ascii=seed % 2)
        assert document_sha256(parse_document(text)) == expected

    # Keys sorted at every depth, no whitespace between tokens, every field written out.
    compact = json.dumps(
        document_json(sample()), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert canonical_bytes(sample()) == compact.encode()
    assert '"pause_allowed":true' in compact


def test_the_hash_moves_with_the_content_and_defaults_count() -> None:
    raw = sample_raw()
    before = document_sha256(parse_document(raw))

    raw["steps"][0]["notify"] = True  # the default, written out: the same document
    assert document_sha256(parse_document(raw)) == before

    raw["steps"][0]["notify"] = False
    assert document_sha256(parse_document(raw)) != before


def test_diff_names_each_changed_value_by_pointer() -> None:
    old = sample()
    raw = sample_raw()
    raw["promised_limit_wd"] = 3
    raw["steps"][1]["resident_text"]["en"] = "Checked by the street office"
    raw["materials"].pop()
    raw["legal_limit_note"] = {"zh-CN": "法定十日", "en": "Ten days by law"}
    new = parse_document(raw)
    removed = document_json(old)["materials"][1]

    assert diff_documents(old, new) == [
        Change(pointer="/legal_limit_note", before=None, after=raw["legal_limit_note"]),
        Change(pointer="/materials/1", before=removed),
        Change(pointer="/promised_limit_wd", before=5, after=3),
        Change(
            pointer="/steps/1/resident_text/en",
            before="At review",
            after="Checked by the street office",
        ),
    ]
    assert diff_documents(new, new) == []


def test_the_documents_json_schema_takes_the_demo_catalogue_and_refuses_a_bad_shape() -> None:
    schema = document_json_schema()
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    for entry in demo_catalogue():
        assert list(validator.iter_errors(document_json(entry.document))) == [], entry.code

    raw = sample_raw()
    raw["steps"][0]["org_level"] = "province"
    assert not validator.is_valid(raw)


def test_a_published_document_is_parsed_once_under_its_hash() -> None:
    raw = json.dumps(sample_raw())
    sha = document_sha256(parse_document(raw))

    first = published_document(raw, sha256=sha)
    assert published_document(raw, sha256=sha) is first
    # A hash that is not the document's names nothing to remember.
    stray = published_document(raw, sha256="0" * 64)
    assert stray == first
    assert published_document(raw, sha256="0" * 64) is not stray
