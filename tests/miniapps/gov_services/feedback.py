"""Calling 好差评's routes as the demo people, for the rating tests."""

from __future__ import annotations

from typing import Any

import httpx

from backend.kernel.vault import Vault
from miniapps.gov_services.states import Status
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services import given

APP = "/v1/miniapps/gov_services"


class Desk:
    """The app as each demo person calls it."""

    def __init__(self, client: Client, token_for_phone: TokenForPhone, vault: Vault) -> None:
        self.client = client
        self.mint = token_for_phone
        self.vault = vault
        self.tokens: dict[str, str] = {}

    async def call(
        self,
        phone: str | None,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        headers = {}
        if phone is not None:
            if phone not in self.tokens:
                self.tokens[phone] = await self.mint(phone)
            headers = bearer(self.tokens[phone])
        return await self.client.request(
            method, APP + path, json=json, params=params, headers=headers
        )

    async def closed_case(self, status: Status = Status.DELIVERED, **kwargs: Any) -> int:
        """A case of the demo resident, closed as `status`, handled in fengyang."""
        applicant = await given.user_id(self.vault, given.RESIDENT)
        case = await given.application(status=status, applicant_id=applicant, **kwargs)
        return int(case["id"])

    async def rate(
        self, application_id: int, level: Any, phone: str = given.RESIDENT, **extra: Any
    ) -> httpx.Response:
        body = {"level": level, **extra}
        return await self.call(phone, "POST", f"/applications/{application_id}/rating", json=body)

    async def rated(self, level: int, **kwargs: Any) -> dict[str, Any]:
        """A closed case rated `level` by its applicant: the rating as answered."""
        response = await self.rate(await self.closed_case(**kwargs), level)
        assert response.status_code == 201, response.text
        rating: dict[str, Any] = response.json()
        return rating


def code(response: httpx.Response) -> tuple[int, str | None]:
    """A response's status and, for a problem, its code."""
    body = response.json() if response.content else None
    return response.status_code, body.get("code") if isinstance(body, dict) else None
