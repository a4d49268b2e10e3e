"""Whatever bytes arrive, a JSON route answers a 4xx problem, never a 500: the body is read
and decoded once, in the kernel, for every route."""

from __future__ import annotations

import httpx
import msgspec
import pytest
from litestar import Litestar, post
from litestar.params import JSONBody

from backend.app import create_app
from backend.kernel.errors import EXCEPTION_HANDLERS, PROBLEM_MEDIA_TYPE
from backend.kernel.requests import JsonRequest
from backend.kernel.roles import Role
from backend.kernel.settings import Settings
from tests.conftest import Client, TokenFor, bearer
from tests.support import running

LOGIN = "/v1/auth/login"
JSON = {"Content-Type": "application/json"}


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    problem: dict[str, object] = response.json()
    assert problem["code"] == code
    assert problem["status"] == status
    return problem


def _where(message: str, offset: int | None = None) -> dict[str, object]:
    culprit: dict[str, object] = {"field": "$", "message": message}
    if offset is not None:
        culprit["offset"] = offset
    return culprit


@pytest.mark.parametrize(
    ("body", "culprit"),
    [
        pytest.param(
            b'{"phone": "\xff"}',
            _where("not UTF-8: invalid start byte", 11),
            id="bad-utf8-in-a-string",
        ),
        pytest.param(
            b"\xff\xfe{}", _where("not UTF-8: invalid start byte", 0), id="bad-utf8-outside"
        ),
        pytest.param(b"[" * 100_000, _where("JSON nested too deeply"), id="nested-100000-deep"),
        pytest.param(
            b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
            _where("JSON nested too deeply"),
            id="objects-5000-deep",
        ),
        pytest.param(b'{"phone": "138', _where("the body ends inside a value", 14), id="cut-short"),
        pytest.param(b"NaN", _where("invalid character", 0), id="not-json"),
        pytest.param(b'{"phone": 1380,}', _where("trailing comma in object", 15), id="comma"),
        pytest.param(b'{"phone": "1"} {}', _where("trailing characters", 16), id="two-values"),
    ],
)
async def test_a_body_that_is_not_json_says_where(
    client: Client, body: bytes, culprit: dict[str, object]
) -> None:
    response = await client.post(LOGIN, content=body, headers=JSON)
    problem = assert_problem(response, 400, "body_not_json")
    assert problem["errors"] == [culprit]


async def test_json_of_the_wrong_shape_names_the_field(client: Client) -> None:
    response = await client.post(LOGIN, json={"phone": 13800000001, "code": "123456"})
    problem = assert_problem(response, 400, "validation_failed")
    assert problem["errors"] == [{"field": "phone", "message": "Expected `str`, got `int`"}]


async def test_a_missing_field_is_named(client: Client) -> None:
    response = await client.post(LOGIN, json={"phone": "13800000001"})
    problem = assert_problem(response, 400, "validation_failed")
    assert problem["errors"] == [
        {"field": "code", "message": "Object missing required field `code`"}
    ]


async def test_a_nested_field_is_named_by_its_path(client: Client, token_for: TokenFor) -> None:
    resident = bearer(await token_for(Role.RESIDENT))
    quiet = {"quiet_hours": {"start": "22:00", "end": 7}, "muted_categories": ["news"]}
    response = await client.put("/v1/push/preferences", json=quiet, headers=resident)
    problem = assert_problem(response, 400, "validation_failed")
    assert problem["errors"] == [
        {"field": "quiet_hours.end", "message": "Expected `str`, got `int`"}
    ]
    muted = {"muted_categories": ["news", "Not A Category"]}
    response = await client.put("/v1/push/preferences", json=muted, headers=resident)
    problem = assert_problem(response, 400, "validation_failed")
    assert [e["field"] for e in problem["errors"]] == ["muted_categories[1]"]


class Holder(msgspec.Struct):
    by_kind: dict[str, dict[str, int]]


@post("/holds")
async def holds(data: JSONBody[Holder]) -> None:
    """Takes an object of any keys whose values are objects."""


async def test_a_value_inside_an_object_of_any_keys_is_named_by_that_object() -> None:
    app = Litestar(
        [holds],
        request_class=JsonRequest,
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
    )
    async with running(app) as client:
        response = await client.post("/holds", json={"by_kind": {"a": {"b": 1}, "c": "d"}})
    problem = assert_problem(response, 400, "validation_failed")
    assert [e["field"] for e in problem["errors"]] == ["by_kind"]


@pytest.mark.parametrize(
    "body", [pytest.param(["13800000001", "123456"], id="a-list"), pytest.param(None, id="null")]
)
async def test_a_body_that_is_not_an_object_is_named_as_a_whole(
    client: Client, body: object
) -> None:
    response = await client.post(LOGIN, json=body)
    problem = assert_problem(response, 400, "validation_failed")
    assert [e["field"] for e in problem["errors"]] == ["$"]


async def test_no_body_where_one_is_needed_is_named(client: Client) -> None:
    response = await client.post(LOGIN, headers=JSON)
    problem = assert_problem(response, 400, "validation_failed")
    assert problem["errors"] == [{"field": "$", "message": "Required, and not sent"}]


async def test_query_parameters_are_named_as_the_request_spells_them(
    client: Client, token_for: TokenFor
) -> None:
    """Missing, malformed, or declared under another name than the handler's argument."""
    official = bearer(await token_for(Role.HEALTH_OFFICIAL))
    missing = await client.get("/v1/miniapps/health_code/risk-level-counts", headers=official)
    problem = assert_problem(missing, 400, "validation_failed")
    assert problem["errors"] == [
        {"field": "district", "message": "Missing required query parameter"}
    ]
    inbox = await client.get("/v1/inbox?limit=1000", headers=official)
    problem = assert_problem(inbox, 400, "validation_failed")
    assert problem["errors"] == [{"field": "limit", "message": "Expected `int` <= 100"}]
    worker = bearer(await token_for(Role.GRID_WORKER))
    events = await client.get("/v1/miniapps/grid_events/events?state=lost", headers=worker)
    problem = assert_problem(events, 400, "validation_failed")
    assert [e["field"] for e in problem["errors"]] == ["state"]
    cursor = await client.get("/v1/inbox?cursor=!!", headers=official)
    problem = assert_problem(cursor, 400, "cursor_invalid")
    assert [e["field"] for e in problem["errors"]] == ["cursor"]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Content-Type": "text/plain"}, id="text-plain"),
        pytest.param({"Content-Type": "application/x-www-form-urlencoded"}, id="form"),
        pytest.param({"Content-Type": "application/jsonx"}, id="lookalike"),
        pytest.param({}, id="missing"),
    ],
)
async def test_a_json_route_refuses_another_media_type(
    client: Client, headers: dict[str, str]
) -> None:
    body = b'{"phone": "13800000001", "code": "123456"}'
    response = await client.post(LOGIN, content=body, headers=headers)
    assert_problem(response, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    "content_type",
    ["application/json; charset=utf-8", "APPLICATION/JSON", "application/problem+json"],
)
async def test_json_media_types_with_parameters_are_json(client: Client, content_type: str) -> None:
    body = b'{"phone": "13800000001", "code": "12"}'
    response = await client.post(LOGIN, content=body, headers={"Content-Type": content_type})
    assert_problem(response, 400, "validation_failed")


async def test_a_body_over_the_limit_is_a_413_problem(client: Client, settings: Settings) -> None:
    body = b'{"phone": "' + b"1" * settings.max_body_bytes + b'"}'
    response = await client.post(LOGIN, content=body, headers=JSON)
    assert_problem(response, 413, "body_too_large")


async def test_the_body_limit_is_counted_when_no_length_is_announced(
    client: Client, settings: Settings
) -> None:
    async def chunks() -> object:
        for _ in range(settings.max_body_bytes // 65536 + 2):
            yield b" " * 65536

    response = await client.post(LOGIN, content=chunks(), headers=JSON)  # type: ignore[arg-type]
    assert_problem(response, 413, "body_too_large")


def test_the_body_limit_is_set_deliberately(settings: Settings) -> None:
    app = create_app(settings)
    assert app.request_max_body_size == settings.max_body_bytes


async def test_unknown_paths_and_methods_are_problems(client: Client) -> None:
    assert_problem(await client.get("/v1/no-such-thing"), 404, "not_found")
    assert_problem(await client.delete("/v1/me"), 405, "method_not_allowed")


@post("/decodes-badly", status_code=200)
async def decodes_badly() -> str:
    return b"\xff".decode()


async def test_a_decoding_bug_of_our_own_stays_a_500() -> None:
    """Only the request body's decoding is the client's fault: a UnicodeDecodeError (a
    ValueError) raised by our code is a bug, and must stay visible as one."""
    app = Litestar(
        [decodes_badly],
        request_class=JsonRequest,
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
    )
    async with running(app) as client:
        response = await client.post("/decodes-badly", json={})
    assert_problem(response, 500, "internal_error")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        pytest.param({"phone": "1380000\u00000001"}, "phone", id="in-a-value"),
        pytest.param({"phone\u0000": "13800000001"}, "$", id="in-a-key"),
        pytest.param({"a": [[{"b": ["\u0000"]}]]}, "a[0][0].b[0]", id="nested"),
    ],
)
async def test_a_nul_character_in_json_is_a_400(client: Client, body: object, where: str) -> None:
    """PostgreSQL cannot store U+0000 in text, and no field of ours holds one."""
    response = await client.post("/v1/auth/otp", json=body)
    problem = assert_problem(response, 400, "text_has_nul")
    assert problem["errors"] == [{"field": where, "message": "holds U+0000"}]


async def test_a_nul_character_in_a_form_is_a_400(client: Client, token_for: TokenFor) -> None:
    form = {"service_code": "dust", "description": "a\x00b", "lat": "34.8", "long": "113.55"}
    resident = bearer(await token_for(Role.RESIDENT))
    response = await client.post("/open311/v2/requests.json", data=form, headers=resident)
    problem = assert_problem(response, 400, "text_has_nul")
    assert problem["errors"] == [{"field": "description", "message": "holds U+0000"}]


@pytest.mark.parametrize(
    "url",
    ["/open311/v2/requests.json?service_code=a%00b", "/open311/v2/services/a%00b"],
    ids=["query", "path"],
)
async def test_a_nul_character_in_the_url_is_a_400(client: Client, url: str) -> None:
    problem = assert_problem(await client.get(url), 400, "text_has_nul")
    where = "service_code" if "?" in url else "path"
    assert problem["errors"] == [{"field": where, "message": "holds U+0000"}]
