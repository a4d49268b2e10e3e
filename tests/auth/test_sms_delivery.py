"""Login codes through the real Alibaba Cloud and Tencent Cloud SDKs to stand-ins on
127.0.0.1: what each SDK sends, what the vendors' refusals become, and that no vendor is
waited for by the login request."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest

from auth.code_delivery import CODE_REQUESTED, MAX_SENDS, SEAL_PURPOSE
from auth.tables import OneTimeCode
from backend.app import create_app
from backend.kernel.db import json_value
from backend.kernel.events.tables import OutboxEvent
from backend.kernel.settings import Settings, SmsVendor
from backend.kernel.vault import Vault
from tests.auth.sms_standin import STANDINS, SmsStandIn
from tests.conftest import Client
from tests.support import eventually, running

PHONE = "13800138123"
SIGN = "一门"
TEMPLATE = {SmsVendor.ALIYUN: "SMS_154950909", SmsVendor.TENCENT: "2084411"}
KEY_ID = "LTAI5tTestKeyId"
RETRY = 0.2

# Each vendor's own codes for a throttle, a bad number and a refused template.
THROTTLE = {
    SmsVendor.ALIYUN: "isv.BUSINESS_LIMIT_CONTROL",
    SmsVendor.TENCENT: "LimitExceeded.PhoneNumberOneHourLimit",
}
BAD_NUMBER = {
    SmsVendor.ALIYUN: "isv.MOBILE_NUMBER_ILLEGAL",
    SmsVendor.TENCENT: "InvalidParameterValue.IncorrectPhoneNumber",
}
TEMPLATE_REFUSED = {
    SmsVendor.ALIYUN: "isv.SMS_TEMPLATE_ILLEGAL",
    SmsVendor.TENCENT: "FailedOperation.TemplateIncorrectOrUnapproved",
}

VENDORS = [SmsVendor.ALIYUN, SmsVendor.TENCENT]


def vendor_settings(settings: Settings, vendor: SmsVendor, url: str) -> Settings:
    return msgspec.structs.replace(
        settings,
        sms_provider=vendor,
        sms_access_key_id=KEY_ID,
        sms_access_key_secret="test-secret",
        sms_sign_name=SIGN,
        sms_template_code=TEMPLATE[vendor],
        sms_sdk_app_id="1400006666",
        aliyun_sms_endpoint=url,
        tencent_sms_endpoint=url,
        sms_retry_seconds=RETRY,
    )


def at_vendor(vendor: SmsVendor, phone: str) -> str:
    """The phone as the vendor's API carries it."""
    return "+86" + phone if vendor is SmsVendor.TENCENT else phone


class Vendor(msgspec.Struct):
    kind: SmsVendor
    standin: SmsStandIn
    client: Client

    def received(self, phone: str = PHONE) -> list[dict[str, Any]]:
        return self.standin.sent_to(at_vendor(self.kind, phone))

    def answer(self, *replies: str, phone: str = PHONE) -> None:
        self.standin.answer(at_vendor(self.kind, phone), *replies)

    async def request_code(self, phone: str = PHONE) -> str:
        response = await self.client.post("/v1/auth/otp", json={"phone": phone})
        assert response.status_code == 202, response.text
        assert "dev_code" not in response.json(), "a vendor's code is shown only by the phone"
        return str(response.json()["request_id"])

    async def status(self, request_id: str) -> dict[str, Any]:
        response = await self.client.get(f"/v1/auth/otp/{request_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def settled(self, request_id: str) -> dict[str, Any]:
        async def done() -> bool:
            return (await self.status(request_id))["status"] in ("sent", "failed")

        await eventually(done, 20, what="the code's delivery to settle")
        return await self.status(request_id)


@pytest.fixture(params=VENDORS, ids=[v.value for v in VENDORS])
async def vendor(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[Vendor]:
    kind: SmsVendor = request.param
    standin = STANDINS[kind.value]()
    await standin.start()
    app = create_app(vendor_settings(settings, kind, standin.url))
    try:
        async with running(app) as client:
            yield Vendor(kind=kind, standin=standin, client=client)
    finally:
        await standin.stop()


async def test_the_real_sdk_texts_the_code_with_sign_name_and_template(vendor: Vendor) -> None:
    request_id = await vendor.request_code()
    assert await vendor.settled(request_id) == {"status": "sent", "problem": None}
    [sent] = vendor.received()
    assert sent["sign_name"] == SIGN
    assert sent["template"] == TEMPLATE[vendor.kind]
    assert sent["access_key_id"] == KEY_ID
    code = sent["params"]["code"] if vendor.kind is SmsVendor.ALIYUN else sent["params"][0]
    login = await vendor.client.post("/v1/auth/login", json={"phone": PHONE, "code": code})
    assert login.status_code == 200, login.text


async def test_a_vendor_throttle_is_tried_again_later(vendor: Vendor) -> None:
    vendor.answer(THROTTLE[vendor.kind], THROTTLE[vendor.kind])
    request_id = await vendor.request_code()
    assert (await vendor.settled(request_id))["status"] == "sent"
    tries = vendor.received()
    assert [t["answer"] for t in tries] == [THROTTLE[vendor.kind]] * 2 + ["OK"]
    assert len({str(t["params"]) for t in tries}) == 1, "every try carries the one code"


async def test_a_throttle_past_the_last_try_ends_the_attempt(vendor: Vendor) -> None:
    vendor.answer(*[THROTTLE[vendor.kind]] * MAX_SENDS)
    request_id = await vendor.request_code()
    assert await vendor.settled(request_id) == {"status": "failed", "problem": "sms_throttled"}
    assert len(vendor.received()) == MAX_SENDS


async def test_a_bad_number_ends_the_attempt_with_a_clear_answer(vendor: Vendor) -> None:
    vendor.answer(BAD_NUMBER[vendor.kind])
    request_id = await vendor.request_code()
    assert await vendor.settled(request_id) == {"status": "failed", "problem": "sms_bad_number"}
    login = await vendor.client.post("/v1/auth/login", json={"phone": PHONE, "code": "123456"})
    assert login.status_code == 422, login.text
    assert login.json()["code"] == "sms_bad_number"
    await asyncio.sleep(4 * RETRY)  # a retry would have come by now
    assert len(vendor.received()) == 1, "a bad number is not tried again"


async def test_a_refused_template_ends_the_attempt(vendor: Vendor) -> None:
    vendor.answer(TEMPLATE_REFUSED[vendor.kind])
    request_id = await vendor.request_code()
    assert await vendor.settled(request_id) == {
        "status": "failed",
        "problem": "sms_template_rejected",
    }
    await asyncio.sleep(4 * RETRY)
    assert len(vendor.received()) == 1


async def test_a_stalled_vendor_does_not_hold_the_login_request(vendor: Vendor) -> None:
    vendor.standin.stall()
    started = time.monotonic()
    first = await vendor.request_code()

    async def on_the_wire() -> bool:
        return len(vendor.received()) == 1

    await eventually(on_the_wire, 20, what="the first text at the stalled vendor")
    other = "13800138124"
    second = await vendor.request_code(other)
    assert (await vendor.status(first))["status"] == "queued"
    answered = time.monotonic() - started
    vendor.standin.release()
    assert (await vendor.settled(first))["status"] == "sent"
    assert (await vendor.settled(second))["status"] == "sent"
    # The loaded test machine makes absolute times loose; the stall itself was unbounded.
    assert answered < 5, f"two code requests took {answered:.2f} s behind a stalled vendor"


async def test_an_unknown_request_is_a_404(client: Client) -> None:
    response = await client.get("/v1/auth/otp/AAAAAAAAAAAAAAAAAAAAAA")
    assert response.status_code == 404
    assert response.json()["code"] == "otp_request_unknown"


async def test_the_code_waits_sealed_and_the_outbox_names_only_its_row(
    vendor: Vendor, vault: Vault
) -> None:
    vendor.standin.stall()
    request_id = await vendor.request_code()

    async def on_the_wire() -> bool:
        return len(vendor.received()) == 1

    await eventually(on_the_wire, 20, what="the text at the stalled vendor")
    sent = vendor.received()[0]["params"]
    code = sent["code"] if vendor.kind is SmsVendor.ALIYUN else sent[0]
    [row] = await OneTimeCode.select().where(OneTimeCode.request_key == request_id)
    assert row["code_sealed"] != code
    assert vault.open(row["code_sealed"], purpose=SEAL_PURPOSE) == code
    assert PHONE not in row["phone_sealed"]
    [event] = await OutboxEvent.select().where(OutboxEvent.name == CODE_REQUESTED)
    assert json_value(event["payload"]) == {"code_id": row["id"]}
    vendor.standin.release()
    assert (await vendor.settled(request_id))["status"] == "sent"
    [row] = await OneTimeCode.select().where(OneTimeCode.request_key == request_id)
    assert (row["code_sealed"], row["phone_sealed"]) == (None, None)
