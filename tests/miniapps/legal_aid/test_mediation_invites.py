"""The other party of a mediation with no account is texted through the real Alibaba
Cloud SDK (to a stand-in on 127.0.0.1) once, a vendor's passing fault tried again; once
they sign up they are told by push and are known by their account, and nobody else with
the invitation's link is."""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec
import pytest
from litestar import Litestar

from backend.app import create_app
from backend.kernel.contract import JobContext
from backend.kernel.services import services_of
from backend.kernel.settings import Settings, SmsVendor
from miniapps.legal_aid.mediation_sweep import sweep_mediations
from miniapps.legal_aid.tables import Mediation
from tests.auth.sms_standin import AliyunStandIn
from tests.auth.test_sms_delivery import THROTTLE, vendor_settings
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.legal_aid.desk import APP
from tests.miniapps.legal_aid.mediating import apply, sides, told
from tests.miniapps.payment.helpers import user_id_of
from tests.support import eventually, running

NEWCOMER = "13900000230"
INVITE_TEMPLATE = "SMS_154950931"


@pytest.fixture
async def aliyun() -> AsyncIterator[AliyunStandIn]:
    standin = AliyunStandIn()
    await standin.start()
    yield standin
    await standin.stop()


@pytest.fixture
def app(settings: Settings, aliyun: AliyunStandIn) -> Litestar:
    texting = vendor_settings(settings, SmsVendor.ALIYUN, aliyun.url)
    return create_app(msgspec.structs.replace(texting, sms_invite_template_code=INVITE_TEMPLATE))


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[Client]:
    """The app texting through the vendor's SDK, not a recorder."""
    async with running(app) as test_client:
        yield test_client


def _texts(aliyun: AliyunStandIn, template: str) -> list[dict[str, object]]:
    return [t for t in aliyun.sent_to(NEWCOMER) if t["template"] == template]


async def _sign_up(client: Client, aliyun: AliyunStandIn) -> str:
    asked = await client.post("/v1/auth/otp", json={"phone": NEWCOMER})
    assert asked.status_code == 202, asked.text

    async def coded() -> bool:
        return bool(_texts(aliyun, "SMS_154950909"))

    await eventually(coded, what="the login code")
    code = _texts(aliyun, "SMS_154950909")[-1]["params"]
    assert isinstance(code, dict)
    login = await client.post("/v1/auth/login", json={"phone": NEWCOMER, "code": code["code"]})
    assert login.status_code == 200, login.text
    return str(login.json()["access_token"])


async def test_a_party_with_no_account_is_texted_then_told_once_they_sign_up(
    app: Litestar, client: Client, token_for_phone: TokenForPhone, aliyun: AliyunStandIn
) -> None:
    s = await sides(client, token_for_phone)
    aliyun.answer(NEWCOMER, THROTTLE[SmsVendor.ALIYUN])  # the vendor's passing refusal
    applied = await apply(client, s.applicant, NEWCOMER)
    mediation_id = int(applied["id"])

    async def texted() -> bool:
        row = (
            await Mediation.select(Mediation.invite_outcome)
            .where(Mediation.id == mediation_id)
            .first()
        )
        return row is not None and row["invite_outcome"] == "sent"

    await eventually(texted, 30, what="the invitation's text")
    tries = _texts(aliyun, INVITE_TEMPLATE)
    assert [t["answer"] for t in tries] == [THROTTLE[SmsVendor.ALIYUN], "OK"]
    assert tries[-1]["params"] == {"name": "王**"}  # the applicant, masked; nothing of the dispute

    # Someone else who has the link knows nothing of it.
    assert (
        await client.get(f"{APP}/mediations/{mediation_id}", headers=s.other.headers)
    ).status_code == 404

    token = await _sign_up(client, aliyun)
    job = JobContext(app_id="legal_aid", services=services_of(app))
    assert await sweep_mediations(job) == 1
    assert await sweep_mediations(job) == 0
    newcomer_id = await user_id_of(client, token)
    assert await told(newcomer_id, "人民调解邀请") == 1
    mine = await client.get(f"{APP}/mediations/mine", headers=bearer(token))
    assert [m["role"] for m in mine.json()["items"]] == ["other_party"]
    answered = await client.post(
        f"{APP}/mediations/{mediation_id}/answer", json={"accept": True}, headers=bearer(token)
    )
    assert answered.json()["status"] == "accepted"
    assert len(_texts(aliyun, INVITE_TEMPLATE)) == 2  # never texted again


async def test_an_invited_newcomer_is_known_on_their_first_read(
    client: Client, token_for_phone: TokenForPhone, aliyun: AliyunStandIn
) -> None:
    s = await sides(client, token_for_phone)
    mediation_id = int((await apply(client, s.applicant, NEWCOMER))["id"])
    token = await _sign_up(client, aliyun)
    seen = await client.get(f"{APP}/mediations/{mediation_id}", headers=bearer(token))
    assert (seen.status_code, seen.json()["role"]) == (200, "other_party")
