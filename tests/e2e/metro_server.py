"""Zhengzhou Metro's own server, an outside company's, in a process of its own: it speaks to
Yimen only over HTTP, as the publishers' guide tells it to.

    python -m tests.e2e.metro_server PORT YIMEN_URL

Its console routes stand for the metro's developer at work (register, submit, release); its
`/h5/login` for its H5 page handing over a launch code, traded by the guide's own
`who_launched`; `/yimen/hooks` is its webhook, which checks each signature with the guide's
own `verify_webhook`; `/heard` shows what it heard."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import httpx
import msgspec
import uvicorn
from litestar import Litestar, Request, get, post
from litestar.response import Response

from tests.miniapps.open_platform.guide import WhoLaunched, guide_handshake, guide_verifier
from tests.miniapps.open_platform.samples import CREDIT_CODES, icon

OPEN = "/v1/miniapps/open_platform"
MANIFEST: dict[str, Any] = {
    "id": "metro-card",
    "names": {"zh-CN": "郑州地铁", "en": "Zhengzhou Metro"},
    "icon": icon(),
    "entry_url": "https://h5.metro.example.com/app/index.html",
    "allowed_domains": ["h5.metro.example.com", "api.metro.example.com"],
    "permissions": ["profile.read", "notify.send"],
    "data": [
        {"field": "name", "purpose": "实名办理乘车码"},
        {"field": "notifications", "purpose": "告知乘车码开通与充值结果"},
    ],
    "target_roles": ["resident"],
    "webhook": {"url": "https://api.metro.example.com/yimen/hooks", "events": ["consent.revoked"]},
    "templates": [
        {
            "id": "card_ready",
            "titles": {"zh-CN": "乘车码已开通", "en": "Your metro card is ready"},
            "bodies": {"zh-CN": "{name},您的乘车码已开通", "en": "{name}, your card is ready"},
        }
    ],
}
verify_webhook = guide_verifier()


class Metro:
    """What the metro's servers keep: its developer's login, its app's credentials and
    webhook key, and each webhook it heard."""

    def __init__(self, yimen: str) -> None:
        self.http = httpx.AsyncClient(base_url=yimen + OPEN, timeout=30)
        self.developer: dict[str, str] = {}
        self.app_id = self.secret = self.hook_key = ""
        self.version_id = 0
        self.heard: list[dict[str, Any]] = []
        self.who_launched: WhoLaunched | None = None

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = await self.http.request(method, path, **kwargs)
        if answer.is_error:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text}")
        return answer.json() if answer.content else None

    async def open_api(self) -> dict[str, str]:
        """The guide's section 3: the app's id and secret traded for an access token."""
        body = {"app_id": self.app_id, "secret": self.secret}
        issued = await self.call("POST", "/open/token", json=body)
        return {"Authorization": f"Bearer {issued['access_token']}"}


def build(metro: Metro) -> Litestar:
    @post("/console/publisher", status_code=200)
    async def register_publisher(data: dict[str, str]) -> dict[str, Any]:
        metro.developer = {"Authorization": f"Bearer {data['developer_token']}"}
        publisher = {
            "name": "郑州地铁集团",
            "credit_code": CREDIT_CODES[0],
            "contact_email": "dev@metro.example.com",
        }
        made = await metro.call("POST", "/publishers", json=publisher, headers=metro.developer)
        return {"publisher_id": made["id"]}

    @post("/console/app", status_code=200)
    async def register_and_submit() -> dict[str, Any]:
        body = {"label": "1.0.0", "manifest": MANIFEST}
        made = await metro.call("POST", "/apps", json=body, headers=metro.developer)
        metro.app_id, metro.secret = made["app"]["app_id"], made["credentials"]["secret"]
        metro.version_id = made["version_id"]
        key = await metro.call("POST", f"/apps/{metro.app_id}/webhook-key", headers=metro.developer)
        metro.hook_key = key["key"]
        await metro.call(
            "POST", f"/versions/{metro.version_id}/submission", headers=metro.developer
        )
        return {"app_id": metro.app_id, "version_id": metro.version_id}

    @post("/console/release", status_code=200)
    async def release() -> dict[str, Any]:
        path = f"/versions/{metro.version_id}/release"
        return dict(await metro.call("POST", path, headers=metro.developer))

    @post("/h5/login", status_code=200)
    async def login(data: dict[str, str]) -> dict[str, Any]:
        """The H5 page's launch code: who it is (section 7), what they share (section 8),
        and a notification that their card is ready (section 9)."""
        if metro.who_launched is None:
            yimen = str(metro.http.base_url).rstrip("/")
            metro.who_launched = guide_handshake(yimen, metro.app_id, metro.secret)
        # The guide's client is synchronous, as a reader may well write theirs.
        session = await asyncio.to_thread(metro.who_launched, data["code"])
        api = await metro.open_api()
        openid = session["openid"]
        profile = await metro.call("GET", f"/open/users/{openid}/profile", headers=api)
        name = profile["claims"].get("name", "乘客")
        notice = {"template": "card_ready", "values": {"name": name}}
        sent = await metro.http.post(
            f"/open/users/{openid}/notifications", json=notice, headers=api
        )
        return {"session": session, "profile": profile, "notified": [sent.status_code, sent.json()]}

    @post("/yimen/hooks", status_code=204)
    async def hook(request: Request[Any, Any, Any]) -> Response[None]:
        body = await request.body()
        headers = {name.lower(): value for name, value in request.headers.items()}
        verified = verify_webhook(metro.hook_key, headers, body)
        metro.heard.append(
            {
                "verified": verified,
                "url": headers.get("yimen-webhook-url"),
                "body": msgspec.json.decode(body),
            }
        )
        return Response(None, status_code=204 if verified else 401)

    @get("/heard")
    async def heard() -> list[dict[str, Any]]:
        return metro.heard

    return Litestar(
        [register_publisher, register_and_submit, release, login, hook, heard], debug=True
    )


def main() -> None:
    port, yimen = int(sys.argv[1]), sys.argv[2]
    uvicorn.run(build(Metro(yimen)), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
