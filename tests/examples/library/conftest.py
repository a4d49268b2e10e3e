"""The book corner on the demo city: its admins and residents, and fresh residents on demand."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar import Litestar

from auth.sessions import grant_for
from backend.directory.users.service import account_for_phone, set_home
from backend.kernel.vault import Vault
from tests.conftest import Client, TokenForPhone, bearer
from tests.support import auth_of

APP = "/v1/miniapps/library"
C03, C04 = "zz/gx/fengyang/c03", "zz/gx/fengyang/c04"
RESIDENT = "13800000001"  # lives in c03's grid g07
ADMIN_C03 = "13800000005"
ADMIN_C04 = "13800000015"
RESIDENT_JINSHUI = "13800000016"


class Library:
    """Calls to the book corner as one demo user or another."""

    def __init__(
        self, client: Client, app: Litestar, vault: Vault, token_for_phone: TokenForPhone
    ) -> None:
        self.client = client
        self.app = app
        self.vault = vault
        self.token_for_phone = token_for_phone
        self._fresh = 0

    async def headers(self, phone: str, **extra: str) -> dict[str, str]:
        return {**bearer(await self.token_for_phone(phone)), **extra}

    async def add(self, phone: str = ADMIN_C03, **book: Any) -> httpx.Response:
        body = {"title": "红楼梦", "community": C03, "copies": 1, **book}
        return await self.client.post(f"{APP}/books", json=body, headers=await self.headers(phone))

    async def book(self, *, copies: int = 1, community: str = C03) -> int:
        admin = ADMIN_C04 if community == C04 else ADMIN_C03
        added = await self.add(admin, copies=copies, community=community)
        assert added.status_code == 201, added.text
        return int(added.json()["id"])

    async def borrow(self, token: str, book: int) -> httpx.Response:
        return await self.client.post(f"{APP}/books/{book}/borrow", headers=bearer(token))

    async def give_back(self, token: str, loan: int) -> httpx.Response:
        return await self.client.post(f"{APP}/loans/{loan}/return", headers=bearer(token))

    async def resident_token(self, home: str = f"{C03}/g07") -> str:
        """A token for a new resident living at `home`."""
        self._fresh += 1
        user_id = await account_for_phone(phone=f"1370000{self._fresh:04d}", vault=self.vault)
        await set_home(user_id=user_id, home_path=home)
        token, _ = auth_of(self.app).tokens.issue(await grant_for(user_id))
        return str(token)


@pytest.fixture
def library(
    client: Client, app: Litestar, vault: Vault, token_for_phone: TokenForPhone, demo: None
) -> Library:
    return Library(client, app, vault, token_for_phone)


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    return body
