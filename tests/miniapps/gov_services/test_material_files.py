"""The staff who handle a case open its uploaded materials, each read audited; no one else
does, and a material of another case, or one that is no file, is not found."""

from __future__ import annotations

from litestar import Litestar

from backend.directory.users.tables import AuditEntry
from backend.kernel.services import services_of
from miniapps.gov_services.tables import MaterialItem
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services.staff_support import G07, published, submitted

WORK = "/v1/miniapps/gov_services/work"
STREET_OFFICER = "13800000019"  # zz/gx/fengyang: the residence permit's 受理 is theirs
JINSHUI_OFFICER = "13800000022"
JPEG = b"\xff\xd8\xff\xe0" + b"photo of a lease" * 8


async def _case_with_a_file(app: Litestar) -> tuple[int, int]:
    item = await published("residence_permit_apply")
    case_id = await submitted(item, applicant_id=1, place=G07)
    key = await services_of(app).storage.put(JPEG, suffix=".jpg")
    row = MaterialItem(
        application_id=case_id,
        material_code="photo",
        source="upload",
        file_key=key,
        sha256="0" * 64,
        mime="image/jpeg",
        size=len(JPEG),
        added_by=1,
    )
    await row.save()
    return case_id, int(row.id)


async def test_the_officer_of_the_case_opens_its_file_and_the_read_is_audited(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    case_id, material_id = await _case_with_a_file(app)
    answer = await client.get(
        f"{WORK}/{case_id}/materials/{material_id}/file",
        headers=bearer(await token_for_phone(STREET_OFFICER)),
    )
    assert answer.status_code == 200, answer.text
    assert answer.content == JPEG
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["x-content-type-options"] == "nosniff"
    reads = await AuditEntry.count().where(AuditEntry.action == "gov_services.read_material")
    assert reads == 1


async def test_an_officer_of_another_district_is_refused_and_nothing_is_audited(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    case_id, material_id = await _case_with_a_file(app)
    answer = await client.get(
        f"{WORK}/{case_id}/materials/{material_id}/file",
        headers=bearer(await token_for_phone(JINSHUI_OFFICER)),
    )
    assert answer.status_code == 403
    assert answer.json()["code"] == "application_outside_scope"
    assert await AuditEntry.count().where(AuditEntry.action == "gov_services.read_material") == 0


async def test_a_material_of_another_case_or_with_no_file_is_not_found(
    app: Litestar, client: Client, token_for_phone: TokenForPhone
) -> None:
    case_id, material_id = await _case_with_a_file(app)
    other_id, _ = await _case_with_a_file(app)
    licence = MaterialItem(
        application_id=case_id,
        material_code="id_card",
        source="e_license",
        licence_ref="demo:id_card:wang-jumin",
        sha256="1" * 64,
        added_by=1,
    )
    await licence.save()
    officer = bearer(await token_for_phone(STREET_OFFICER))
    for case, material in ((other_id, material_id), (case_id, licence.id), (case_id, 10**9)):
        answer = await client.get(f"{WORK}/{case}/materials/{material}/file", headers=officer)
        assert answer.status_code == 404, (case, material)
        assert answer.json()["code"] == "material_not_found"
