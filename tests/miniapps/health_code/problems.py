"""What every refused request must look like: a problem document with a stable code."""

from __future__ import annotations

import httpx

from backend.kernel.errors import PROBLEM_MEDIA_TYPE


def assert_problem(response: httpx.Response, status: int | set[int], code: str | None) -> None:
    """`response` is a problem+json refusal with `status` (one of them) and, if given, `code`."""
    allowed = {status} if isinstance(status, int) else status
    assert response.status_code in allowed, response.text
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE), response.text
    if code is not None:
        assert response.json()["code"] == code, response.text
