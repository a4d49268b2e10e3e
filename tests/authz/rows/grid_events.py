"""Rows for grid events. An event, its timeline and its photos exist only for those who see
it: its reporter, its handler, the grid workers of its grid and the admins above it. Seeing
is not acting: each step of the chain belongs to the admins above, the handler or a
verifier (see `miniapps/grid_events/states.py`)."""

from __future__ import annotations

import time

import httpx

from backend.kernel.paths import is_within
from backend.kernel.roles import ADMIN_ROLES, Role
from miniapps.grid_events.sensors import signature
from tests.authz.city import City, png
from tests.authz.matrix import (
    ADMINS,
    ADMINS_ABOVE_G07,
    C03,
    G07,
    G08,
    JINSHUI_G01,
    NOTHING,
    SIGNED_IN,
    Caller,
    Req,
    RequestMaker,
    Row,
    Target,
    TargetMaker,
    each,
    json_body,
    no_request,
    path_ids,
)

APP = "/v1/miniapps/grid_events"
INSIDE_G07 = {"lat": 34.805, "lon": 113.555}
SEES_G07 = (Caller.RESIDENT, Caller.WORKER_G07, *ADMINS_ABOVE_G07)
SEES_G08 = (Caller.RESIDENT, Caller.WORKER_G08, *ADMINS_ABOVE_G07)
SEES_JINSHUI = (Caller.RESIDENT_JINSHUI, Caller.DISTRICT_JINSHUI, Caller.PLATFORM)
WORKERS = (Caller.WORKER_G07, Caller.WORKER_G08)


async def g07_event(city: City, caller: Caller, state: str = "dispatched") -> Target:
    """Reported in g07 by the g07 resident, dispatched to the g07 worker."""
    handler = None if state in ("reported", "registered") else Caller.WORKER_G07
    event = await city.event(grid=G07, reporter=Caller.RESIDENT, state=state, handler=handler)
    return Target(path=G07, owner=Caller.RESIDENT, ids={"event_id": event})


async def g08_event(city: City, caller: Caller) -> Target:
    """Reported in g08 by the g07 resident, not yet dispatched."""
    event = await city.event(grid=G08, reporter=Caller.RESIDENT)
    return Target(path=G08, owner=Caller.RESIDENT, ids={"event_id": event})


async def jinshui_event(city: City, caller: Caller) -> Target:
    event = await city.event(grid=JINSHUI_G01, reporter=Caller.RESIDENT_JINSHUI)
    return Target(path=JINSHUI_G01, owner=Caller.RESIDENT_JINSHUI, ids={"event_id": event})


async def _g07_photo(city: City, caller: Caller) -> Target:
    target = await g07_event(city, caller)
    photo = await city.photo(target.ids["event_id"])
    return Target(path=G07, owner=Caller.RESIDENT, ids={**target.ids, "photo_id": photo})


async def _jinshui_photo(city: City, caller: Caller) -> Target:
    target = await jinshui_event(city, caller)
    photo = await city.photo(target.ids["event_id"])
    return Target(
        path=JINSHUI_G01, owner=Caller.RESIDENT_JINSHUI, ids={**target.ids, "photo_id": photo}
    )


async def _jinshui_photo_via_g07(city: City, caller: Caller) -> Target:
    """A jinshui event's photo asked for under a g07 event the g07 callers see."""
    g07 = await g07_event(city, caller)
    photo = (await _jinshui_photo(city, caller)).ids["photo_id"]
    return Target(path=JINSHUI_G01, ids={"event_id": g07.ids["event_id"], "photo_id": photo})


# Each step of the chain (states.MOVES): the state it is taken from, and who may take it
# on a g07 event reported by the g07 resident and, once dispatched, handled by the g07
# worker. Everyone else who sees the event gets 403; those who do not see it, 404.
HANDLER = (Caller.WORKER_G07,)
STEPS: dict[str, tuple[str, tuple[Caller, ...]]] = {
    "register": ("reported", ADMINS_ABOVE_G07),
    "dispatch": ("registered", ADMINS_ABOVE_G07),
    "reassign": ("handling", ADMINS_ABOVE_G07),
    "start": ("dispatched", HANDLER),
    "feed_back": ("handling", HANDLER),
    "verify": ("fed_back", ADMINS_ABOVE_G07),  # a verifier is never the handler
    "close": ("verified", ADMINS_ABOVE_G07),
    "return": ("fed_back", (*ADMINS_ABOVE_G07, *HANDLER)),
    "suspend": ("dispatched", ADMINS_ABOVE_G07),
    "resume": ("suspended", ADMINS_ABOVE_G07),
    "cancel": ("reported", ADMINS_ABOVE_G07),
}
NEEDS_A_REASON = {"return", "suspend", "cancel"}


def _event_in(state: str) -> TargetMaker:
    async def make(city: City, caller: Caller) -> Target:
        return await g07_event(city, caller, state)

    return make


async def _events_everywhere(city: City, caller: Caller) -> Target:
    """Two rounds, so that between the pages of what a caller sees lie events they do not."""
    for make in (jinshui_event, g08_event, g07_event) * 2:
        await make(city, caller)
    return Target()


async def _first_page(city: City, target: Target, caller: Caller) -> Req:
    return Req(params={"limit": 1})  # an event a page, so the check follows the cursor


async def _only_events_seen(
    city: City, target: Target, caller: Caller, response: httpx.Response
) -> str | None:
    """No page, the first or any its cursor leads to, shows an event the caller may not see."""
    claims = city.claims[caller]
    held = claims.paths_for(Role.GRID_WORKER, *ADMIN_ROLES)
    shown, cursor = response.json()["items"], response.json()["next_cursor"]
    while cursor is not None:
        page = await city.send(
            caller, "GET", f"{APP}/events", Req(params={"limit": 1, "cursor": cursor})
        )
        if page.status_code != 200:
            return f"the page after a cursor the list gave is a {page.status_code}"
        shown, cursor = shown + page.json()["items"], page.json()["next_cursor"]
    unseen = [
        e["id"]
        for e in shown
        if claims.user_id not in (e["reporter_id"], e["handler_id"])
        and not any(is_within(e["grid_path"], path) for path in held)
    ]
    return f"the list shows events the caller may not see: {unseen}" if unseen else None


def _act(action: str) -> RequestMaker:
    async def request(city: City, target: Target, caller: Caller) -> Req:
        body = {"action": action, **({"reason": "复核"} if action in NEEDS_A_REASON else {})}
        return Req(path_params={"event_id": target.ids["event_id"]}, json=body)

    return request


def _action_row(action: str, state: str, takers: tuple[Caller, ...]) -> Row:
    name = f"{state} g07 event"
    return Row(
        "POST",
        f"{APP}/events/{{event_id:int}}/actions",
        {name: _event_in(state)},
        {name: {**each(SEES_G07, 403), **each(takers, 200)}},
        _act(action),
        denied=404,
        variant=action,
    )


async def _photo(city: City, target: Target, caller: Caller) -> Req:
    return Req(
        path_params={"event_id": target.ids["event_id"]},
        params={"stage": "before"},
        content=png(),
        headers={"Content-Type": "image/png"},
    )


async def _photo_as_form(city: City, target: Target, caller: Caller) -> Req:
    """The photo as a mobile SDK sends a file: one part of a multipart form."""
    boundary = "yimen-authz-boundary"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="photo"; filename="scene.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + png()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return Req(
        path_params={"event_id": target.ids["event_id"]},
        params={"stage": "before"},
        content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )


async def _contact_for_the_handler_only(
    city: City, target: Target, caller: Caller, response: httpx.Response
) -> str | None:
    """The reporter's masked contact reaches the worker handling the event, and nobody else
    who sees it."""
    contact = response.json()["reporter_contact"]
    handles = response.json()["handler_id"] == city.ids[caller]
    if handles and contact is None:
        return "the handler is not shown the reporter's contact"
    if not handles and contact is not None:
        return f"a caller who does not handle the event sees the reporter's contact: {contact}"
    return None


async def _rule(city: City, caller: Caller) -> Target:
    rule = await city.rule(place=G07, handler=Caller.WORKER_G07)
    return Target(path=G07, ids={"rule_id": rule})


async def _rules_everywhere(city: City, caller: Caller) -> Target:
    await city.rule(place=G07, handler=Caller.WORKER_G07, category="group_renting")
    await city.rule(place=JINSHUI_G01, handler=Caller.RESIDENT_JINSHUI, category="group_renting")
    return Target()


async def _only_rules_held(
    city: City, target: Target, caller: Caller, response: httpx.Response
) -> str | None:
    held = city.claims[caller].paths_for(*ADMIN_ROLES)
    shown = [r["place_path"] for r in response.json()["items"]]
    outside = [p for p in shown if not any(is_within(p, path) for path in held)]
    return f"the list shows rules outside the admin's units: {outside}" if outside else None


async def _g07_place(city: City, caller: Caller) -> Target:
    return Target(path=G07, ids={"handler_id": city.ids[Caller.WORKER_G07]})


async def _new_sensor(city: City, target: Target, caller: Caller) -> Req:
    device = f"authz-new-{city.number()}"
    body = {"device": device, "grid_path": G07, "category": "manhole_cover", "threshold": 5.0}
    return Req(json=body)


async def _g07_sensor(city: City, caller: Caller) -> Target:
    device, secret = await city.sensor(G07)
    return Target(path=G07, ids={"device": device, "secret": secret})


async def _g07_sensor_other_secret(city: City, caller: Caller) -> Target:
    device, _ = await city.sensor(G07)
    return Target(path=G07, ids={"device": device, "secret": "not-the-devices-secret"})


async def _reading(city: City, target: Target, caller: Caller) -> Req:
    body, stamp = b'{"value": 1.0}', str(int(time.time()))
    signed = signature(target.ids["secret"], stamp, body)
    return Req(
        path_params={"device": target.ids["device"]},
        content=body,
        headers={"X-Yimen-Timestamp": stamp, "X-Yimen-Signature": signed},
    )


ROWS = [
    Row("GET", f"{APP}/categories", NOTHING, {"-": each(SIGNED_IN, 200)}, no_request),
    Row(
        "POST",
        f"{APP}/events",
        NOTHING,
        {"-": each(SIGNED_IN, 201)},
        json_body(lambda t: {"category": "street_vending", "description": "占道", **INSIDE_G07}),
    ),
    Row(
        "GET",
        f"{APP}/events",
        {"events in g07, g08 and jinshui": _events_everywhere},
        {"events in g07, g08 and jinshui": each(SIGNED_IN, 200)},
        _first_page,
        check=_only_events_seen,
    ),
    Row(
        "GET",
        f"{APP}/events/{{event_id:int}}",
        {"g07 event": g07_event, "g08 event": g08_event, "jinshui event": jinshui_event},
        {
            "g07 event": each(SEES_G07, 200),
            "g08 event": each(SEES_G08, 200),
            "jinshui event": each(SEES_JINSHUI, 200),
        },
        path_ids("event_id"),
        denied=404,
        check=_contact_for_the_handler_only,
    ),
    *(_action_row(action, state, takers) for action, (state, takers) in STEPS.items()),
    Row(
        "POST",
        f"{APP}/events/{{event_id:int}}/photos",
        {"g07 event": g07_event, "g08 event": g08_event, "jinshui event": jinshui_event},
        {
            "g07 event": each(SEES_G07, 201),
            "g08 event": each(SEES_G08, 201),
            "jinshui event": each(SEES_JINSHUI, 201),
        },
        _photo,
        reuse_targets=True,
        denied=404,
    ),
    Row(
        "POST",
        f"{APP}/events/{{event_id:int}}/photos",
        {"g07 event": g07_event, "jinshui event": jinshui_event},
        {"g07 event": each(SEES_G07, 201), "jinshui event": each(SEES_JINSHUI, 201)},
        _photo_as_form,
        reuse_targets=True,
        denied=404,
        variant="multipart",
    ),
    Row(
        "GET",
        f"{APP}/events/{{event_id:int}}/photos/{{photo_id:int}}",
        {
            "photo of a g07 event": _g07_photo,
            "photo of a jinshui event": _jinshui_photo,
            "jinshui photo under a g07 event": _jinshui_photo_via_g07,
        },
        {
            "photo of a g07 event": each(SEES_G07, 200),
            "photo of a jinshui event": each(SEES_JINSHUI, 200),
        },
        path_ids("event_id", "photo_id"),
        denied=404,
    ),
    Row("GET", f"{APP}/duty", NOTHING, {"-": each(WORKERS, 200)}, no_request),
    Row(
        "PUT",
        f"{APP}/duty",
        NOTHING,
        {"-": each(WORKERS, 200)},
        json_body(lambda t: {"on_duty": True}),
    ),
    Row(
        "GET",
        f"{APP}/rules",
        {"rules in g07 and jinshui": _rules_everywhere},
        {"rules in g07 and jinshui": each(ADMINS, 200)},
        no_request,
        check=_only_rules_held,
    ),
    Row(
        "PUT",
        f"{APP}/rules",
        {"a rule for g07": _g07_place},
        {"a rule for g07": each(ADMINS_ABOVE_G07, 200)},
        json_body(lambda t: {"category": "dust", "place_path": G07, **t.ids}),
    ),
    Row(
        "DELETE",
        f"{APP}/rules/{{rule_id:int}}",
        {"a rule for g07": _rule},
        {
            "a rule for g07": {
                **each((Caller.ADMIN_C04, Caller.DISTRICT_JINSHUI), 404),
                **each(ADMINS_ABOVE_G07, 204),
            }
        },
        path_ids("rule_id"),
    ),
    Row(
        "GET",
        f"{APP}/stats",
        {"c03": lambda city, caller: _at(C03)},
        {"c03": each(ADMINS_ABOVE_G07, 200)},
        lambda city, t, c: _query(under=C03),
    ),
    Row(
        "POST",
        f"{APP}/sensors",
        {"a sensor in g07": lambda city, caller: _at(G07)},
        {"a sensor in g07": each(ADMINS_ABOVE_G07, 201)},
        _new_sensor,
    ),
    Row(
        "POST",
        f"{APP}/sensors/{{device:str}}/readings",
        {"signed by the device": _g07_sensor, "signed with another key": _g07_sensor_other_secret},
        # The device's signature is the only credential: a bearer token adds nothing.
        {"signed by the device": each(tuple(Caller), 200)},
        _reading,
        denied=401,
    ),
]


async def _at(path: str) -> Target:
    return Target(path=path)


async def _query(**params: str) -> Req:
    return Req(params=params)
