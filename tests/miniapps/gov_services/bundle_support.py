"""The demo bundle 新生儿出生一件事 put in place, its one form as a resident fills it, and its
members driven through 受理, 决定 and 送达 with the staff service functions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from backend.kernel.events.tables import OutboxEvent
from backend.kernel.vault import Vault
from miniapps.gov_services import bundle_admin, handling
from miniapps.gov_services.bundle_model import BundleIn
from miniapps.gov_services.catalogue.bundles import demo_bundles
from miniapps.gov_services.staff_schemas import DecideIn, DeliverIn
from miniapps.gov_services.states import APPLICATION_MOVED
from miniapps.gov_services.tables import (
    Application,
    BundleApplication,
    BundleVersion,
    IssuedLicence,
)
from tests.authz.city import png
from tests.conftest import Client
from tests.miniapps.gov_services.applying_support import APP, counts, publish
from tests.miniapps.gov_services.given import user_id
from tests.miniapps.gov_services.staff_support import claims
from tests.support import eventually

NEWBORN = "newborn_birth"
CERTIFICATE = "birth_medical_certificate"  # 出生医学证明签发
HOUSEHOLD = "birth_household_registration"  # 出生登记(户口)
INSURANCE = "resident_medical_insurance"  # 城乡居民医保参保登记
CARD = "social_security_card"  # 社会保障卡申领
MEMBERS = (CERTIFICATE, HOUSEHOLD, INSURANCE, CARD)
DISTRICT_OFFICER = "13800000020"  # service_officer at zz/gx: the certificate's every step

# The one form of the demo bundle as 王居民 (13800000001) fills it for his newborn son.
FORM: dict[str, Any] = {
    "shared": {
        "child_name": "王小宝",
        "child_sex": "男",
        "child_birth_date": "2026-11-20",
        "mother_name": "李静",
        "mother_id_card": "410102199307160048",
        "father_name": "王居民",
        "father_id_card": "41010219910512003X",
        "phone": "13800000001",
    },
    "members": {
        CERTIFICATE: {"birth_hospital": "郑州大学第一附属医院", "birth_weight_g": 3350},
        HOUSEHOLD: {"relation_to_head": "子"},
        INSURANCE: {"is_newborn": True, "contribution_category": "学生儿童"},
        CARD: {
            "identity_document": "出生医学证明",
            "bank_name": "郑州银行",
            "collect_method": "窗口领取",
        },
    },
}
# Licences given once: three he holds, and the birth certificate the first member issues.
LICENCES: list[dict[str, str]] = [
    {"material_code": "parents_id_cards", "licence_ref": "demo:id_card:wang-jumin"},
    {
        "material_code": "marriage_certificate",
        "licence_ref": "demo:marriage_certificate:wang-jumin",
    },
    {"material_code": "household_register", "licence_ref": "demo:household_register:wang-jumin"},
    {"material_code": "birth_certificate", "licence_type": "birth_certificate"},
    {"material_code": "identity_proof", "licence_type": "birth_certificate"},
]
SUBMIT: dict[str, Any] = {"answers": FORM, "materials": LICENCES, "consent": True}


def newborn_bundle() -> BundleIn:
    return next(b for b in demo_bundles() if b.code == NEWBORN)


async def publish_members() -> dict[str, int]:
    """The four member items published as their version 1: code → version id."""
    return {code: (await publish(code))[1] for code in MEMBERS}


async def publish_bundle(bundle: BundleIn | None = None) -> int:
    """The bundle (the demo's by default) created and published as the platform; its id."""
    draft = await bundle_admin.create_version(actor=None, bundle=bundle or newborn_bundle())
    published = await bundle_admin.publish(actor=None, version_id=draft.id, expected=None)
    return published.id


async def start_bundle(client: Client, headers: dict[str, str]) -> dict[str, Any]:
    answer = await client.post(f"{APP}/bundles/{NEWBORN}/applications", headers=headers)
    assert answer.status_code == 201, answer.text
    started: dict[str, Any] = answer.json()
    return started


def member_ids(view: dict[str, Any]) -> dict[str, int]:
    return {m["item_code"]: m["application"]["id"] for m in view["members"]}


async def give_photo(client: Client, headers: dict[str, str], application_id: int) -> None:
    """The 社保卡's photo, a file, given to its member's draft like any upload."""
    answer = await client.post(
        f"{APP}/applications/{application_id}/materials/files",
        data={"material_code": "photo"},
        files={"file": ("baby.png", png(), "image/png")},
        headers=headers,
    )
    assert answer.status_code == 201, answer.text


async def submitted_bundle(
    client: Client, headers: dict[str, str], body: Any = None
) -> dict[str, Any]:
    """The demo bundle started, its photo given and submitted with `body` (the full form)."""
    started = await start_bundle(client, headers)
    await give_photo(client, headers, member_ids(started)[CARD])
    answer = await client.post(
        f"{APP}/bundle-applications/{started['id']}/submit", json=body or SUBMIT, headers=headers
    )
    assert answer.status_code == 200, answer.text
    view: dict[str, Any] = answer.json()
    return view


async def status_of(application_id: int) -> str:
    row = (
        await Application.select(Application.status).where(Application.id == application_id).first()
    )
    assert row is not None
    return str(row["status"])


async def moved_handled() -> None:
    """Every application_moved so far delivered to its handlers (releases included)."""

    async def none_waiting() -> bool:
        waiting = await OutboxEvent.count().where(
            (OutboxEvent.name == APPLICATION_MOVED) & OutboxEvent.dispatched_at.is_null()
        )
        return waiting == 0

    await eventually(none_waiting, what="application_moved handled")


class Office:
    """The district's officer taking a member through its steps with the staff service
    functions, as the staff routes do."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    async def _claims(self) -> Any:
        return claims(await user_id(self.vault, DISTRICT_OFFICER), service_officer="zz/gx")

    async def accept(self, application_id: int, at: dt.datetime) -> None:
        await handling.accept(
            actor=await self._claims(),
            application_id=application_id,
            expected_version=None,
            note="",
            at=at,
        )

    async def decide(self, application_id: int, outcome: str = "approved") -> None:
        await handling.decide(
            actor=await self._claims(),
            application_id=application_id,
            expected_version=None,
            data=msgspec.convert({"outcome": outcome}, DecideIn),
            at=dt.datetime.now(dt.UTC),
        )

    async def deliver(self, application_id: int) -> None:
        await handling.deliver(
            actor=await self._claims(),
            application_id=application_id,
            expected_version=None,
            data=msgspec.convert({"method": "electronic"}, DeliverIn),
            at=dt.datetime.now(dt.UTC),
        )


async def bundle_counts() -> dict[str, int]:
    """The rows a refused bundle request must leave as they were."""
    return {
        **await counts(),
        "bundle_versions": await BundleVersion.count(),
        "bundle_applications": await BundleApplication.count(),
        "bundles_submitted": await BundleApplication.count().where(
            BundleApplication.submitted_at.is_not_null()
        ),
        "issued": await IssuedLicence.count(),
    }
