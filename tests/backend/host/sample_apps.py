"""Small mini-apps built in the tests, one per kind of user, to drive the host."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Router, get

from backend.kernel.claims import Claims
from backend.kernel.contract import Event, JobContext, Manifest, Section, Subscription, Tile
from backend.kernel.guards import requires_role
from backend.kernel.registry import Installed
from backend.kernel.roles import Role


def tile(tile_id: str, *roles: Role, **extra: Any) -> Tile:
    return Tile(
        id=tile_id,
        titles={"zh-CN": f"{tile_id}-中", "en": f"{tile_id}-en"},
        icon=tile_id,
        target=f"native:{tile_id}",
        roles=frozenset(roles),
        **extra,
    )


def app(app_id: str, *tiles: Tile, router: Router | None = None, **extra: Any) -> Installed:
    fields: dict[str, Any] = {
        "version": "1.0.0",
        "names": {"zh-CN": app_id, "en": app_id},
        "descriptions": {},
        "icon": app_id,
        **extra,
    }
    manifest = Manifest(id=app_id, tiles=list(tiles), router=router, **fields)
    return Installed(package=f"yimen-{app_id}", manifest=manifest)


def guarded_router(role: Role) -> Router:
    @get("/ping", guards=[requires_role(role)], operation_id=f"Ping{role.title().replace('_', '')}")
    async def ping() -> str:
        return "pong"

    return Router(path="/", route_handlers=[ping])


async def patrol_tasks(claims: Claims) -> int:
    return 3 if claims.has_role(Role.GRID_WORKER) else 0


class PermitIssued(msgspec.Struct, frozen=True):
    permit_id: int


handled: list[Event] = []


async def remember(event: Event, job: JobContext) -> None:
    handled.append(event)


def sample_apps() -> list[Installed]:
    return [
        app(
            "permits",
            tile("apply", Role.RESIDENT, section=Section.SERVICES),
            tile("promo", Role.RESIDENT, section=Section.PROMOTIONS, elder=False),
            router=guarded_router(Role.RESIDENT),
            emits={"permits.issued": PermitIssued},
            subscribes=[Subscription("permits.issued", remember, "permits.remember")],
        ),
        app(
            "patrol",
            tile("tasks", Role.GRID_WORKER, section=Section.WORK, badge="patrol.tasks"),
            router=guarded_router(Role.GRID_WORKER),
            badges={"patrol.tasks": patrol_tasks},
        ),
        app(
            "council",
            tile("staff", Role.COMMUNITY_ADMIN, section=Section.ADMIN),
            router=guarded_router(Role.COMMUNITY_ADMIN),
        ),
        app(
            "shopfront",
            tile("orders", Role.MERCHANT, section=Section.WORK),
            router=guarded_router(Role.MERCHANT),
        ),
        app("jinshui_only", tile("local", Role.RESIDENT, within="zz/jinshui")),
    ]
