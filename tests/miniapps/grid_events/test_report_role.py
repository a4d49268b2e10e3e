"""Reporting is for residents and grid workers. A caller holding neither is refused before
the body is read, as a guard refuses: 403 whatever was sent, and nothing is written."""

from __future__ import annotations

from litestar import Litestar

from auth.tokens import Grant
from backend.kernel.roles import Role
from miniapps.grid_events.tables import GridEvent
from tests.conftest import Client, bearer
from tests.support import auth_of

EVENTS = "/v1/miniapps/grid_events/events"


def _merchant_only(app: Litestar) -> dict[str, str]:
    """A service account's token: a merchant of c03, and no resident of anywhere."""
    grant = Grant(
        user_id=424242,
        roles=[Role.MERCHANT],
        scope={Role.MERCHANT: ["zz/gx/fengyang/c03"]},
        locale=None,
        elder_mode=False,
    )
    token, _ = auth_of(app).tokens.issue(grant)
    return bearer(str(token))


async def test_a_caller_without_the_role_is_refused_whatever_the_body(
    app: Litestar, client: Client, demo: None
) -> None:
    headers = _merchant_only(app)
    sent = [
        {"content": b"{not json", "headers": {**headers, "Content-Type": "application/json"}},
        {"content": b"category=x", "headers": {**headers, "Content-Type": "text/plain"}},
        {"json": {"category": "no_such_category"}, "headers": headers},
        {"json": {"category": "street_vending", "description": "占道"}, "headers": headers},
    ]
    for request in sent:
        answer = await client.post(EVENTS, **request)
        assert (answer.status_code, answer.json()["code"]) == (403, "forbidden"), request
    assert await GridEvent.count() == 0
