"""The committed openapi/openapi.json is what the app serves (regenerate with `yimen openapi`),
and it explains itself: every operation summarised, described and tagged with a described
tag, every parameter described, and every problem it can answer declared with its codes."""

import json
import re
from pathlib import Path
from typing import Any

import pytest

from backend.devtools import openapi_document
from backend.kernel.codes import KernelCode
from backend.kernel.errors import PROBLEM_MEDIA_TYPE
from backend.kernel.settings import Settings

COMMITTED = Path(__file__).parent.parent / "openapi" / "openapi.json"
PROBLEM = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
SUMMARY_MAX = 80


@pytest.fixture(scope="module")
def document(settings: Settings) -> dict[str, Any]:
    return dict(json.loads(openapi_document(settings)))


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation
    ]


def test_committed_openapi_is_current(settings: Settings) -> None:
    assert COMMITTED.read_bytes() == openapi_document(settings), (
        "openapi/openapi.json is stale: run `yimen openapi`"
    )


def test_operation_ids_are_pascal_case(document: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, operation in operations(document)]
    assert ids
    assert all(i[0].isupper() and "_" not in i for i in ids)
    assert len(ids) == len(set(ids))


def test_every_operation_is_summarised_described_and_tagged(document: dict[str, Any]) -> None:
    """The summary is the first sentence of the handler's docstring, one short line; the
    description the whole docstring; each tag is declared with a description."""
    described = {t["name"] for t in document.get("tags", []) if t.get("description", "").strip()}
    faults = []
    for name, operation in operations(document):
        summary = operation.get("summary", "")
        if not summary or "\n" in summary or summary.endswith(".") or len(summary) > SUMMARY_MAX:
            faults.append(f"{name}: summary {summary!r}")
        if not operation.get("description", "").startswith(summary):
            faults.append(f"{name}: a description that does not start with the summary")
        if not operation.get("tags") or set(operation["tags"]) - described:
            faults.append(f"{name}: tags {operation.get('tags')} not all declared and described")
    assert not faults, "\n".join(faults)


def test_every_parameter_is_described(document: dict[str, Any]) -> None:
    faults = [
        f"{name}: {parameter['in']} parameter {parameter['name']}"
        for name, operation in operations(document)
        for parameter in operation.get("parameters", [])
        if not parameter.get("description", "").strip()
    ]
    assert not faults, "\n".join(faults)


def test_every_error_is_a_problem_with_its_codes_listed(document: dict[str, Any]) -> None:
    """Each 4xx and 5xx an operation declares is the shared Problem as problem+json, listing
    its codes for machines (`x-problem-codes`) and people (`code`: message)."""
    faults = []
    for name, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            codes = response.get("x-problem-codes", [])
            if response.get("content") != PROBLEM or not codes:
                faults.append(f"{name} {status}: not a problem with its codes")
            faults += [
                f"{name} {status}: `{code}` not in the description"
                for code in codes
                if not re.search(rf"^- `{re.escape(code)}`: \S", response["description"], re.M)
            ]
    assert not faults, "\n".join(faults)


def test_every_operation_declares_what_any_request_can_meet(document: dict[str, Any]) -> None:
    """A NUL in the URL is refused everywhere, and a bad bearer token on any route."""
    for name, operation in operations(document):
        responses = operation["responses"]
        assert KernelCode.TEXT_HAS_NUL in responses["400"]["x-problem-codes"], name
        assert KernelCode.TOKEN_INVALID in responses["401"]["x-problem-codes"], name


def test_secured_and_guarded_routes_declare_their_refusals(document: dict[str, Any]) -> None:
    """What the host adds from a route's shape: a login needed is a 401 `unauthenticated`,
    a body can be malformed, too large or of another type."""
    for name, operation in operations(document):
        responses = operation["responses"]
        if operation.get("security") and {} not in operation["security"]:
            assert KernelCode.UNAUTHENTICATED in responses["401"]["x-problem-codes"], name
        if "application/json" in operation.get("requestBody", {}).get("content", {}):
            assert KernelCode.BODY_NOT_JSON in responses["400"]["x-problem-codes"], name
            assert {"413", "415"} <= set(responses), name
