"""A draft's materials: files within the material's size and types, licences only the
caller's and only with consent, commitments with their statement; every refusal leaves the
rows as they were."""

from __future__ import annotations

from typing import Any

import pytest

from miniapps.gov_services.tables import MaterialItem
from tests.authz.city import png
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services.applying_support import APP, counts, publish, start

SENIOR = "senior_preferential_card"  # photo: an upload, JPEG or PNG, 2 MiB, one file
MOTHER = "13800000002"  # 王家属, 69, with an identity card
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def _draft(
    client: Client, token_for_phone: TokenForPhone, code: str = SENIOR
) -> tuple[dict[str, str], dict[str, Any]]:
    await publish(code)
    token = await token_for_phone(MOTHER)
    return bearer(token), await start(client, token, code)


async def _upload(
    client: Client, headers: dict[str, str], draft: dict[str, Any], code: str, data: bytes
) -> Any:
    return await client.post(
        f"{APP}/applications/{draft['id']}/materials/files",
        data={"material_code": code},
        files={"file": ("scan", data, "application/octet-stream")},
        headers=headers,
    )


async def test_an_upload_is_kept_by_its_hash_type_and_size(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    headers, draft = await _draft(client, token_for_phone)
    answer = await _upload(client, headers, draft, "photo", png())
    assert answer.status_code == 201, answer.text
    [given] = answer.json()["materials"]
    assert (given["material_code"], given["source"], given["mime"]) == (
        "photo",
        "upload",
        "image/png",
    )
    assert given["size"] == len(png())
    assert answer.json()["version"] == draft["version"] + 1
    row = await MaterialItem.select().first()
    assert row is not None
    assert row["file_key"].endswith(".png")


@pytest.mark.parametrize(
    ("code", "data", "status", "problem"),
    [
        ("photo", b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024), 413, "material_too_large"),
        ("photo", PDF, 415, "material_type_unsupported"),
        ("no_such_material", png(), 422, "material_unknown"),
        ("photo", b"", 422, "material_upload_invalid"),
    ],
)
async def test_a_file_the_material_does_not_take_is_refused(
    client: Client,
    token_for_phone: TokenForPhone,
    code: str,
    data: bytes,
    status: int,
    problem: str,
) -> None:
    headers, draft = await _draft(client, token_for_phone)
    before = await counts()
    answer = await _upload(client, headers, draft, code, data)
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == problem
    assert await counts() == before


async def test_a_material_takes_no_more_files_than_it_allows(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    headers, draft = await _draft(client, token_for_phone)
    assert (await _upload(client, headers, draft, "photo", png())).status_code == 201
    before = await counts()
    again = await _upload(client, headers, draft, "photo", png())
    assert again.status_code == 422, again.text
    assert again.json()["code"] == "material_too_many"
    assert await counts() == before


async def test_an_upload_that_is_no_multipart_form_is_415(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    headers, draft = await _draft(client, token_for_phone)
    answer = await client.post(
        f"{APP}/applications/{draft['id']}/materials/files",
        content=png(),
        headers={**headers, "Content-Type": "image/png"},
    )
    assert answer.status_code == 415, answer.text


async def test_a_licence_is_given_by_reference_with_consent(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    headers, draft = await _draft(client, token_for_phone)
    answer = await client.post(
        f"{APP}/applications/{draft['id']}/materials/licences",
        json={
            "material_code": "id_card",
            "licence_ref": "demo:id_card:wang-jiashu",
            "consent": True,
        },
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    [given] = answer.json()["materials"]
    assert given["licence_ref"] == "demo:id_card:wang-jiashu"
    assert given["consent_at"] is not None
    row = await MaterialItem.select().first()
    assert row is not None
    assert (row["file_key"], row["source"], len(row["sha256"])) == (None, "e_license", 64)


@pytest.mark.parametrize(
    ("ref", "consent", "problem"),
    [
        ("demo:id_card:wang-jiashu", False, "licence_consent_required"),
        ("demo:id_card:wang-jumin", True, "licence_not_yours"),  # her son's
        ("demo:id_card:nobody", True, "licence_not_yours"),
    ],
)
async def test_a_licence_without_consent_or_of_someone_else_is_403(
    client: Client, token_for_phone: TokenForPhone, ref: str, consent: bool, problem: str
) -> None:
    headers, draft = await _draft(client, token_for_phone)
    before = await counts()
    answer = await client.post(
        f"{APP}/applications/{draft['id']}/materials/licences",
        json={"material_code": "id_card", "licence_ref": ref, "consent": consent},
        headers=headers,
    )
    assert answer.status_code == 403, answer.text
    assert answer.json()["code"] == problem
    assert await counts() == before


async def test_a_material_that_takes_no_licence_is_refused_one(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    headers, draft = await _draft(client, token_for_phone)
    before = await counts()
    answer = await client.post(
        f"{APP}/applications/{draft['id']}/materials/licences",
        json={"material_code": "photo", "licence_ref": "demo:id_card:wang-jiashu", "consent": True},
        headers=headers,
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "material_source_refused"
    assert await counts() == before


async def test_a_commitment_keeps_the_statement_signed(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    headers, draft = await _draft(client, token_for_phone, "legal_aid")
    path = f"{APP}/applications/{draft['id']}/materials/commitments"
    before = await counts()
    unsigned = await client.post(
        path, json={"material_code": "financial_hardship", "signed": False}, headers=headers
    )
    assert unsigned.status_code == 422
    assert unsigned.json()["code"] == "commitment_unsigned"
    assert await counts() == before
    signed = await client.post(
        path, json={"material_code": "financial_hardship", "signed": True}, headers=headers
    )
    assert signed.status_code == 201, signed.text
    [given] = signed.json()["materials"]
    assert given["statement"].startswith("本人承诺家庭经济困难状况属实")
    assert given["source"] == "commitment"
    assert given["consent_at"] is not None


async def test_a_material_taken_off_a_draft_is_gone(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    headers, draft = await _draft(client, token_for_phone)
    given = (await _upload(client, headers, draft, "photo", png())).json()["materials"][0]
    path = f"{APP}/applications/{draft['id']}/materials"
    removed = await client.delete(f"{path}/{given['id']}", headers=headers)
    assert removed.status_code == 200, removed.text
    assert removed.json()["materials"] == []
    before = await counts()
    again = await client.delete(f"{path}/{given['id']}", headers=headers)
    assert again.status_code == 404
    assert again.json()["code"] == "material_not_found"
    assert await counts() == before
