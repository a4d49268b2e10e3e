from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from litestar import Litestar

from auth.sessions import grant_for
from backend.app import create_app
from backend.directory.users.service import PHONE_PURPOSE
from backend.directory.users.tables import UserAccount
from backend.kernel.audience import Audience
from backend.kernel.events import unit_of_work
from backend.kernel.settings import Settings
from backend.kernel.templates import Template
from backend.kernel.vault import Vault
from push.fanout import Status
from push.service import record_notification
from push.tables import Delivery
from tests.support import auth_of, eventually, running

DISPATCH = Template(
    key="test.dispatch",
    category="dispatch",
    titles={"zh-CN": "新任务:{what}", "en": "New task: {what}"},
    bodies={"zh-CN": "地点 {where}", "en": "At {where}"},
)
NEWS = Template(
    key="test.news",
    category="news",
    titles={"zh-CN": "社区新闻", "en": "News"},
    bodies={"zh-CN": "{text}", "en": "{text}"},
)


@asynccontextmanager
async def push_app(settings: Settings) -> AsyncIterator[tuple[Litestar, httpx.AsyncClient]]:
    app = create_app(settings)
    async with running(app) as client:
        yield app, client


async def register_phone(
    app: Litestar, client: httpx.AsyncClient, vault: Vault, phone: str, address: str, **extra: str
) -> int:
    """Register a push address for the demo user with this phone number; their user id."""
    lookup = vault.lookup(phone, purpose=PHONE_PURPOSE)
    user = (
        await UserAccount.select(UserAccount.id).where(UserAccount.phone_lookup == lookup).first()
    )
    assert user is not None
    token, _ = auth_of(app).tokens.issue(await grant_for(user["id"]))
    response = await client.post(
        "/v1/devices",
        json={"address": address, "platform": "android", **extra},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code in (200, 201), response.text
    return int(user["id"])


async def tell(
    audience: Audience, template: Template = DISPATCH, *, urgent: bool = False, **data: str
) -> int:
    fields = {"what": "井盖破损", "where": "科学大道", "text": "停水通知", **data}
    async with unit_of_work():
        return await record_notification(
            audience=audience,
            template=template,
            data=fields,
            source="test",
            urgent=urgent,
            collapse_key="c1",
            ttl=600,
        )


async def settled(notification_id: int, seconds: float = 20.0) -> dict[str, int]:
    """Wait until no delivery of the notification is pending or being sent; their tally."""
    busy = [Status.PENDING, Status.SENDING]
    rows: list[dict[str, Any]] = []

    async def done() -> bool:
        nonlocal rows
        rows = await Delivery.select(Delivery.status).where(
            Delivery.notification_id == notification_id
        )
        return bool(rows) and not any(r["status"] in busy for r in rows)

    await eventually(done, seconds, what="deliveries settled")
    return dict(Counter(row["status"] for row in rows))
