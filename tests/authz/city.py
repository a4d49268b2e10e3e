"""The seeded demo city the matrix is walked against, and the resources its rows act on."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import secrets
import struct
import zlib
from typing import Any

import httpx
from litestar import Litestar

from auth.sessions import grant_for, start_session
from backend.directory.users.service import PHONE_PURPOSE, account_for_phone, assign_role, set_home
from backend.directory.users.tables import UserAccount
from backend.kernel.audience import Audience
from backend.kernel.claims import Claims
from backend.kernel.events import unit_of_work
from backend.kernel.roles import Role
from backend.kernel.services import services_of
from backend.kernel.templates import Template
from backend.kernel.vault import Vault
from miniapps.grid_events import sensors
from miniapps.grid_events.tables import DispatchRule, GridEvent, Sensor
from miniapps.health_code import codes as health_code
from miniapps.health_code.phone import HealthCodePhone
from miniapps.health_code.places import place_code
from miniapps.health_code.tables import Place
from push.devices import register_device
from push.schemas import DeviceIn, Platform
from push.sending import PushRuntime
from push.service import record_notification
from push.tables import InboxItem
from tests.authz.matrix import DEMO, Caller, Req
from tests.support import auth_of

NEWS = Template(
    key="authz.news",
    category="news",
    titles={"zh-CN": "社区新闻", "en": "News"},
    bodies={"zh-CN": "{text}", "en": "{text}"},
)
_CONVERTER = re.compile(r"\{(\w+)(?::\w+)?\}")


def png() -> bytes:
    """A real, decodable 1×1 PNG: photo checks may look past the magic bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x80\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


class City:
    """The demo city with a token for every caller, and factories for fresh resources."""

    def __init__(self, app: Litestar, client: httpx.AsyncClient, vault: Vault) -> None:
        self.app = app
        self.client = client
        self.vault = vault
        self.ids: dict[Caller, int] = {}
        self.tokens: dict[Caller, str] = {}
        self.claims: dict[Caller, Claims] = {}
        self._numbers = itertools.count(1)

    async def sign_in_everyone(self) -> None:
        for caller, (phone, _) in DEMO.items():
            lookup = self.vault.lookup(phone, purpose=PHONE_PURPOSE)
            row = await UserAccount.select(UserAccount.id).where(UserAccount.phone_lookup == lookup)
            self.ids[caller] = int(row[0]["id"])
            token, _ = auth_of(self.app).tokens.issue(await grant_for(self.ids[caller]))
            self.tokens[caller] = str(token)
            self.claims[caller] = await auth_of(self.app).tokens.verify(self.tokens[caller])

    async def send(self, caller: Caller, method: str, template: str, req: Req) -> httpx.Response:
        path = _CONVERTER.sub(lambda m: str(req.path_params[m.group(1)]), template)
        headers = dict(req.headers)
        # A row may bring the caller's token of a fresh login, where a route asks for one.
        if caller is not Caller.ANONYMOUS and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.tokens[caller]}"
        return await self.client.request(
            method,
            path,
            params=dict(req.params),
            json=req.json,
            content=req.content,
            data=dict(req.form) if req.form is not None else None,
            headers=headers,
        )

    async def pages(
        self, caller: Caller, template: str, req: Req, first: httpx.Response
    ) -> list[Any] | str:
        """Every item of a list, from its first page on through each `next_cursor`; or what
        went wrong, if a page is not `{items, next_cursor}` or a cursor leads nowhere."""
        items: list[Any] = []
        cursors: set[str] = set()
        page = first
        while True:
            body = page.json()
            if not isinstance(body, dict) or not {"items", "next_cursor"} <= set(body):
                return f"a page is not {{items, next_cursor}}: {str(body)[:120]}"
            items += body["items"]
            if body["next_cursor"] is None:
                return items
            if body["next_cursor"] in cursors:
                return "a cursor leads back to a page already shown"
            cursors.add(body["next_cursor"])
            after = Req(
                path_params=req.path_params,
                params={**req.params, "cursor": body["next_cursor"]},
            )
            page = await self.send(caller, "GET", template, after)
            if page.status_code != 200:
                return f"the page after a cursor the list gave is a {page.status_code}"

    def number(self) -> int:
        return next(self._numbers)

    def fresh_phone(self) -> str:
        return f"139{self.number():08d}"

    async def fresh_user(
        self, *, home: str, roles: tuple[tuple[Role, str], ...] = (), active: bool = True
    ) -> int:
        """A new account living at `home` and holding `roles`, as an admin left them."""
        user_id = await account_for_phone(
            phone=self.fresh_phone(), vault=self.vault, name=f"用户{self.number()}"
        )
        await set_home(user_id=user_id, home_path=home)
        for role, path in roles:
            await assign_role(user_id=user_id, role=role, scope_path=path)
        if not active:
            await UserAccount.update({UserAccount.active: False}).where(UserAccount.id == user_id)
        return user_id

    async def phone_of(self, user_id: int) -> str:
        row = await UserAccount.select(UserAccount.phone_sealed).where(UserAccount.id == user_id)
        return self.vault.open(row[0]["phone_sealed"], purpose=PHONE_PURPOSE)

    async def identity_of(self, user_id: int) -> tuple[str, str | None]:
        row = await UserAccount.select(UserAccount.name, UserAccount.id_card_sealed).where(
            UserAccount.id == user_id
        )
        return row[0]["name"], row[0]["id_card_sealed"]

    async def fresh_login(self, caller: Caller) -> str:
        """The caller's access token of a login by one-time code just now."""
        auth = auth_of(self.app)
        pair = await start_session(
            user_id=self.ids[caller], tokens=auth.tokens, settings=auth.settings
        )
        return pair.access_token

    async def refresh_token(self) -> str:
        """The refresh token of a new session of a fresh user (never a caller's own)."""
        user_id = await self.fresh_user(home="zz/gx/fengyang/c03/g07")
        auth = auth_of(self.app)
        pair = await start_session(user_id=user_id, tokens=auth.tokens, settings=auth.settings)
        return pair.refresh_token

    async def event(
        self,
        *,
        grid: str,
        reporter: Caller,
        state: str = "reported",
        handler: Caller | None = None,
        category: str = "street_vending",
    ) -> int:
        rows = await GridEvent.insert(
            GridEvent(
                category=category,
                description="占道经营" if category != "elderly_alert" else "独居老人摔倒,电话139",
                grid_path=grid,
                reporter_id=self.ids[reporter],
                state=state,
                handler_id=self.ids[handler] if handler else None,
                address="科学大道 100 号 3 单元",
                lat=34.805,
                lon=113.555,
            )
        ).returning(GridEvent.id)
        return int(rows[0]["id"])

    async def photo(self, event_id: int) -> int:
        """A photo of the event, uploaded by the platform admin, who sees every event."""
        response = await self.send(
            Caller.PLATFORM,
            "POST",
            "/v1/miniapps/grid_events/events/{event_id}/photos",
            Req(path_params={"event_id": event_id}, params={"stage": "before"}, content=png()),
        )
        assert response.status_code == 201, response.text
        return int(response.json()["photo_id"])

    async def device(self, owner: Caller) -> int:
        device = DeviceIn(address=f"fcm-token-{secrets.token_hex(8)}", platform=Platform.ANDROID)
        push = services_of(self.app).runtime(PushRuntime)
        view, _ = await register_device(user_id=self.ids[owner], device=device, push=push)
        return view.id

    async def inbox_item(self, owner: Caller) -> int:
        rows = await InboxItem.insert(
            InboxItem(
                user_id=self.ids[owner], notification_id=0, category="news", title="t", body="b"
            )
        ).returning(InboxItem.id)
        return int(rows[0]["id"])

    async def notification(self, to: Caller) -> int:
        async with unit_of_work():
            return await record_notification(
                audience=Audience.users(self.ids[to]),
                template=NEWS,
                data={"text": "停水通知"},
                source="authz",
            )

    async def rule(self, *, place: str, handler: Caller, category: str = "dust") -> int:
        await DispatchRule.delete().where(
            (DispatchRule.category == category) & (DispatchRule.place_path == place)
        )
        rows = await DispatchRule.insert(
            DispatchRule(
                category=category,
                place_path=place,
                handler_id=self.ids[handler],
                set_by=self.ids[Caller.PLATFORM],
            )
        ).returning(DispatchRule.id)
        return int(rows[0]["id"])

    async def sensor(self, grid: str) -> tuple[str, str]:
        device, secret = f"authz-{self.number()}", secrets.token_urlsafe(16)
        await Sensor.insert(
            Sensor(
                device=device,
                secret_sealed=self.vault.seal(secret, purpose=sensors.SEAL),
                grid_path=grid,
                category="manhole_cover",
                threshold=100.0,
            )
        )
        return device, secret

    async def place(self, *, owner: Caller, org_path: str) -> tuple[int, str]:
        rows = await Place.insert(
            Place(name=f"场所{self.number()}", org_path=org_path, owner_id=self.ids[owner])
        ).returning(Place.id)
        place_id = int(rows[0]["id"])
        return place_id, place_code(place_id, auth_of(self.app).keys)

    async def shown_code(self, holder: Caller) -> str:
        """The holder's health code as their enrolled phone shows it, with a fresh proof."""
        phone = HealthCodePhone()
        user_id = self.ids[holder]
        await health_code.enrol_phone(
            user_id=user_id, public_key=phone.public_key, vault=self.vault
        )
        issued = await health_code.issue_code(user_id=user_id, keys=auth_of(self.app).keys)
        return phone.show(issued.credential)

    async def enrol(self, holder: Caller) -> None:
        await health_code.enrol_phone(
            user_id=self.ids[holder], public_key=HealthCodePhone().public_key, vault=self.vault
        )


def window() -> dict[str, Any]:
    """A tracing window of the last day, with zones."""
    now = dt.datetime.now(dt.UTC)
    return {"since": (now - dt.timedelta(days=1)).isoformat(), "until": now.isoformat()}
