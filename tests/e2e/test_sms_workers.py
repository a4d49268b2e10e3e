"""Login codes through a real arq worker on a real Redis to the Alibaba Cloud stand-in: the
API process (this test) only writes the code and hands the event on; the worker texts it
through the real SDK, tries a throttled one again later, and ends a bad number's."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from auth.code_delivery import delivery_status
from auth.login import redeem_code, send_code
from backend.host import Host
from backend.kernel.settings import Settings
from backend.kernel.vault import Vault
from tests.auth.sms_standin import AliyunStandIn
from tests.e2e.processes import RedisServer, api_host, fleet, postgres_url_or_skip, redis_server
from tests.support import eventually

__all__ = ["api_host", "redis_server"]

TEXTED = "13700000001"
THROTTLED = "13700000002"
BAD = "13700000003"


@pytest.fixture
async def aliyun() -> AsyncIterator[AliyunStandIn]:
    postgres_url_or_skip()
    standin = AliyunStandIn()
    await standin.start()
    yield standin
    await standin.stop()


def aliyun_env(standin: AliyunStandIn) -> dict[str, str]:
    return {
        "SMS_PROVIDER": "aliyun",
        "SMS_ACCESS_KEY_ID": "LTAI5tWorkerKey",
        "SMS_ACCESS_KEY_SECRET": "worker-secret",
        "SMS_SIGN_NAME": "一门",
        "SMS_TEMPLATE_CODE": "SMS_154950909",
        "ALIYUN_SMS_ENDPOINT": standin.url,
        "SMS_RETRY_SECONDS": "0.5",
    }


async def test_a_worker_texts_retries_a_throttle_and_ends_a_bad_number(
    settings: Settings,
    redis_server: RedisServer,
    api_host: Host,
    aliyun: AliyunStandIn,
    vault: Vault,
) -> None:
    aliyun.answer(THROTTLED, "isv.BUSINESS_LIMIT_CONTROL")
    aliyun.answer(BAD, "isv.MOBILE_NUMBER_ILLEGAL")
    api, limiter = api_host.services.settings, api_host.services.limiter
    async with fleet(settings.database_url, redis_server.url, aliyun_env(aliyun)) as group:
        await group.worker()
        requests = {
            phone: await send_code(
                phone=phone, ip="10.9.0.1", settings=api, vault=vault, limiter=limiter
            )
            for phone in (TEXTED, THROTTLED, BAD)
        }

        async def settled() -> bool:
            statuses = [await delivery_status(request_key=r.request_id) for r in requests.values()]
            return all(s.status in ("sent", "failed") for s in statuses)

        await eventually(settled, 60, what="every code's delivery to settle")
    status = {p: await delivery_status(request_key=r.request_id) for p, r in requests.items()}
    assert status[TEXTED].status == status[THROTTLED].status == "sent"
    assert (status[BAD].status, status[BAD].problem) == ("failed", "sms_bad_number")
    answers = {p: [r["answer"] for r in aliyun.sent_to(p)] for p in requests}
    assert answers == {
        TEXTED: ["OK"],
        THROTTLED: ["isv.BUSINESS_LIMIT_CONTROL", "OK"],
        BAD: ["isv.MOBILE_NUMBER_ILLEGAL"],
    }
    assert {r["sign_name"] for r in aliyun.received} == {"一门"}
    assert {r["template"] for r in aliyun.received} == {"SMS_154950909"}
    for phone in (TEXTED, THROTTLED):
        code = aliyun.sent_to(phone)[-1]["params"]["code"]
        await redeem_code(
            phone=phone, code=code, ip="10.9.0.1", settings=api, vault=vault, limiter=limiter
        )
