"""A catalogue to test with: a publishable document, the admin's and a resident's calls, and
the row counts a refused request must leave as they were."""

from __future__ import annotations

import copy
import itertools
from typing import Any

import httpx

from backend.directory.users.tables import AuditEntry
from backend.kernel.roles import Role
from miniapps.gov_services.tables import ItemDistrict, ItemVersion, ServiceItem
from tests.conftest import Client, TokenFor, bearer

ADMIN_API = "/v1/miniapps/gov_services/admin"
API = "/v1/miniapps/gov_services"
_CODES = itertools.count(1)


def texts(zh: str, en: str) -> dict[str, str]:
    return {"zh-CN": zh, "en": en}


def _step(code: str, kind: str, days: int) -> dict[str, Any]:
    return {
        "code": code,
        "name": texts(code, code),
        "resident_text": texts(f"{code} 中", f"At {code}"),
        "kind": kind,
        "role": "service_officer",
        "org_level": "district",
        "time_limit_wd": days,
    }


ELDER_CARD: dict[str, Any] = {
    "form": {
        "schema": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 50},
                "phone": {"type": "string", "pattern": "^1[3-9][0-9]{9}$"},
                "delivery": {"enum": ["pickup", "post"]},
                "address": {"type": "string", "minLength": 1},
            },
            "required": ["name", "phone", "delivery", "address"],
        },
        "ui": {
            "pages": [
                {
                    "id": "applicant",
                    "title": texts("申请人", "Applicant"),
                    "fields": ["name", "phone", "delivery", "address"],
                }
            ],
            "rules": [
                {
                    "field": "address",
                    "effect": "SHOW",
                    "condition": {
                        "scope": "#/properties/delivery",
                        "schema": {"const": "post"},
                    },
                }
            ],
        },
    },
    "materials": [
        {
            "code": "id_card",
            "name": texts("身份证", "ID card"),
            "sources": ["e_license:id_card", "upload"],
            "mime": ["image/jpeg"],
        },
        {
            "code": "post_receipt",
            "name": texts("邮寄回执", "Postage receipt"),
            "sources": ["upload"],
            "mime": ["image/jpeg"],
            "required_when": {
                "properties": {"delivery": {"const": "post"}},
                "required": ["delivery"],
            },
        },
    ],
    "eligibility": [
        {
            "id": "age_60",
            "predicate": {
                "properties": {
                    "profile": {"properties": {"age": {"minimum": 60}}, "required": ["age"]}
                },
                "required": ["profile"],
            },
            "message": texts("年满 60 周岁方可申领", "Only for those aged 60 or over"),
        }
    ],
    "prefill": [{"field": "name", "licence": "id_card", "licence_field": "name"}],
    "steps": [
        _step("accept", "accept", 1),
        _step("decide", "decide", 2),
        _step("deliver", "deliver", 1),
    ],
    "promised_limit_wd": 5,
    "legal_limit_wd": 20,
    "implementing_orgs": [{"district": "zz/gx", "org": "zz/gx"}],
    "retention_days": 3650,
}


def document(**changes: Any) -> dict[str, Any]:
    """The elder card's document with top-level `changes`."""
    return {**copy.deepcopy(ELDER_CARD), **changes}


def item_body(*, code: str | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "code": code or f"T{next(_CODES):04d}",
        "name": "老年人优待证办理",
        "dept": "民政",
        "category": "养老",
        "keywords": ["老年", "优待证"],
        "document": document(),
        **fields,
    }


async def row_counts() -> dict[str, int]:
    """The catalogue's rows and its audit rows, table by table."""
    return {
        "items": await ServiceItem.count(),
        "versions": await ItemVersion.count(),
        "districts": await ItemDistrict.count(),
        "audit": await AuditEntry.count(),
    }


class Catalogue:
    """The catalogue's admin (蒋事项, service_admin) and a resident, over HTTP."""

    def __init__(self, client: Client, token_for: TokenFor) -> None:
        self.client = client
        self._mint = token_for
        self._tokens: dict[Role, str] = {}

    async def headers(self, role: Role, **more: str) -> dict[str, str]:
        if role not in self._tokens:
            self._tokens[role] = await self._mint(role)
        return {**bearer(self._tokens[role]), **more}

    async def admin(
        self, method: str, path: str, *, role: Role = Role.SERVICE_ADMIN, **kwargs: Any
    ) -> httpx.Response:
        headers = await self.headers(role, **kwargs.pop("headers", {}))
        return await self.client.request(method, ADMIN_API + path, headers=headers, **kwargs)

    async def resident(self, path: str, **params: Any) -> httpx.Response:
        headers = await self.headers(Role.RESIDENT)
        return await self.client.get(API + path, params=params, headers=headers)

    async def create(self, **fields: Any) -> dict[str, Any]:
        """A new item; its answer (`item`, `draft`)."""
        response = await self.admin("POST", "/items", json=item_body(**fields))
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def publish(self, version_id: int) -> dict[str, Any]:
        response = await self.admin("POST", f"/versions/{version_id}/publish")
        assert response.status_code == 200, response.text
        published: dict[str, Any] = response.json()
        return published

    async def published_item(self, **fields: Any) -> dict[str, Any]:
        """A new item whose version 1 is published; its `item` with `version` (v1)."""
        created = await self.create(**fields)
        version = await self.publish(created["draft"]["id"])
        return {**created["item"], "version": version}
