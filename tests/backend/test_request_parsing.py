"""Whatever bytes arrive, a JSON route answers a 4xx problem, never a 500: the body is read
and decoded once, in the kernel, for every route."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar, post

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


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"phone": "\xff"}', id="invalid-utf8-in-a-string"),
        pytest.param(b"\xff\xfe{}", id="invalid-utf8-outside-strings"),
        pytest.param(b"[" * 100_000, id="nested-100000-deep"),
        pytest.param(b'{"a":' * 5_000 + b"1" + b"}" * 5_000, id="objects-5000-deep"),
        pytest.param(b'{"phone": "138', id="cut-short"),
        pytest.param(b"NaN", id="not-json"),
    ],
)
async def test_a_body_that_is_not_json_is_a_400(client: Client, body: bytes) -> None:
    response = await client.post(LOGIN, content=body, headers=JSON)
    assert_problem(response, 400, "body_not_json")


async def test_json_of_the_wrong_shape_names_the_field(client: Client) -> None:
    response = await client.post(LOGIN, json={"phone": 13800000001, "code": "123456"})
    problem = assert_problem(response, 400, "validation_failed")
    assert problem["errors"] == [{"field": "phone", "message": "Expected `str`, got `int`"}]


async def test_a_body_that_is_not_an_object_is_a_400(client: Client) -> None:
    response = await client.post(LOGIN, json=["13800000001", "123456"])
    assert_problem(response, 400, "validation_failed")


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
    "body",
    [
        pytest.param({"phone": "1380000\u00000001"}, id="in-a-value"),
        pytest.param({"phone\u0000": "13800000001"}, id="in-a-key"),
        pytest.param({"a": [[{"b": ["\u0000"]}]]}, id="nested"),
    ],
)
async def test_a_nul_character_in_json_is_a_400(client: Client, body: object) -> None:
    """PostgreSQL cannot store U+0000 in text, and no field of ours holds one."""
    response = await client.post("/v1/auth/otp", json=body)
    assert_problem(response, 400, "text_has_nul")


async def test_a_nul_character_in_a_form_is_a_400(client: Client, token_for: TokenFor) -> None:
    form = {"service_code": "dust", "description": "a\x00b", "lat": "34.8", "long": "113.55"}
    resident = bearer(await token_for(Role.RESIDENT))
    response = await client.post("/open311/v2/requests.json", data=form, headers=resident)
    assert_problem(response, 400, "text_has_nul")


@pytest.mark.parametrize(
    "url",
    ["/open311/v2/requests.json?service_code=a%00b", "/open311/v2/services/a%00b"],
    ids=["query", "path"],
)
async def test_a_nul_character_in_the_url_is_a_400(client: Client, url: str) -> None:
    assert_problem(await client.get(url), 400, "text_has_nul")
