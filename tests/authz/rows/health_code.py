"""Rows for the health code: colours, history and tracing for health officials over the
residents of their area (others' records are not found); codes for their holder only; scans
for checkpoint staff; places for their owner and the tracers above them."""

from __future__ import annotations

import httpx

from backend.kernel.paths import Level, ancestors, level_of
from miniapps.health_code.phone import HealthCodePhone
from tests.authz.city import City, window
from tests.authz.matrix import (
    ADMINS,
    ADMINS_ABOVE_G07,
    C03,
    DEMO,
    G07,
    GX,
    JINSHUI_G01,
    NOTHING,
    SIGNED_IN,
    Caller,
    Req,
    Row,
    Target,
    TargetMaker,
    each,
    json_body,
    no_request,
    per_caller,
)

APP = "/v1/miniapps/health_code"
REGISTRARS = (Caller.MERCHANT, *ADMINS)


def _resident(caller: Caller, path: str) -> TargetMaker:
    async def make(city: City, _: Caller) -> Target:
        return Target(path=path, owner=caller, ids={"user_id": city.ids[caller]})

    return make


G07_RESIDENT = _resident(Caller.RESIDENT, G07)
JINSHUI_RESIDENT = _resident(Caller.RESIDENT_JINSHUI, JINSHUI_G01)
RESIDENTS = {"g07 resident": G07_RESIDENT, "jinshui resident": JINSHUI_RESIDENT}


@per_caller
async def _own_code(city: City, caller: Caller) -> Target:
    holder = Caller.RESIDENT if caller is Caller.ANONYMOUS else caller
    return Target(owner=holder, path=DEMO[holder][1], ids={"code": await city.shown_code(holder)})


async def _residents_code(city: City, caller: Caller) -> Target:
    return Target(
        owner=Caller.RESIDENT, path=G07, ids={"code": await city.shown_code(Caller.RESIDENT)}
    )


@per_caller
async def _enrolled(city: City, caller: Caller) -> Target:
    holder = Caller.RESIDENT if caller is Caller.ANONYMOUS else caller
    await city.enrol(holder)
    return Target(owner=holder, path=DEMO[holder][1])


async def _merchants_place(city: City, caller: Caller) -> Target:
    place, code = await city.place(owner=Caller.MERCHANT, org_path=C03)
    return Target(owner=Caller.MERCHANT, path=C03, ids={"place_id": place, "code": code})


async def _only_own_places(
    city: City, target: Target, caller: Caller, response: httpx.Response
) -> str | None:
    listed = {place["id"] for place in response.json()["items"]}
    if (target.ids["place_id"] in listed) != (caller is target.owner):
        return "the list of one's places shows another's, or leaves out one's own"
    return None


async def _with_code(city: City, target: Target, caller: Caller) -> Req:
    return Req(params={"code": target.ids["code"]})


async def _user_in_window(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"user_id": target.ids["user_id"]}, params={**window(), "limit": 1})


async def _place_in_window(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"place_id": target.ids["place_id"]}, params={**window(), "limit": 1})


async def _place_with_visitors(city: City, caller: Caller) -> Target:
    """The c03 merchant's place, where the g07 resident and their family member checked in."""
    target = await _merchants_place(city, caller)
    for visitor in (Caller.RESIDENT, Caller.FAMILY):
        checked_in = await city.send(
            visitor, "POST", f"{APP}/check-ins", Req(json={"code": target.ids["code"]})
        )
        assert checked_in.status_code == 201, checked_in.text
    return target


async def _visitors_named_only_to_officials(
    city: City, target: Target, caller: Caller, response: httpx.Response
) -> str | None:
    """Every page, through its cursor, holds the two visitors; only a health official
    learns who they are."""
    template = f"{APP}/places/{{place_id:int}}/visitors"
    req = await _place_in_window(city, target, caller)
    items = await city.pages(caller, template, req, response)
    if isinstance(items, str):
        return items
    if len(items) != 2:
        return f"the pages show {len(items)} visits, not 2"
    named = [v["user_id"] for v in items if v["user_id"] is not None]
    if caller is Caller.HEALTH:
        return None if len(named) == 2 else "a health official is not told who visited"
    return f"{caller} learns who visited: {named}" if named else None


async def _resident_with_history(city: City, caller: Caller) -> Target:
    """The g07 resident, given two colours by the health official."""
    for colour in ("yellow", "green"):
        made = await city.send(
            Caller.HEALTH,
            "PUT",
            f"{APP}/statuses/{{user_id:int}}",
            Req(path_params={"user_id": city.ids[Caller.RESIDENT]}, json={"colour": colour}),
        )
        assert made.status_code == 200, made.text
    return await G07_RESIDENT(city, caller)


async def _history_a_page(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"user_id": target.ids["user_id"]}, params={"limit": 1})


async def _only_their_history(
    city: City, target: Target, caller: Caller, response: httpx.Response
) -> str | None:
    template = f"{APP}/statuses/{{user_id:int}}/history"
    req = await _history_a_page(city, target, caller)
    items = await city.pages(caller, template, req, response)
    if isinstance(items, str):
        return items
    others = {h["user_id"] for h in items} - {target.ids["user_id"]}
    if others:
        return f"the history shows other people's colours: {others}"
    if target.ids["user_id"] == city.ids[Caller.RESIDENT] and len(items) < 2:
        return f"the pages show {len(items)} of the resident's colours"
    return None


async def _contacts_paged(
    city: City, target: Target, caller: Caller, response: httpx.Response
) -> str | None:
    req = await _user_in_window(city, target, caller)
    items = await city.pages(caller, f"{APP}/contacts/{{user_id:int}}", req, response)
    return items if isinstance(items, str) else None


async def _a_level_a_page(city: City, target: Target, caller: Caller) -> Req:
    return Req(params={"limit": 1})


async def _only_own_communities(
    city: City, target: Target, caller: Caller, response: httpx.Response
) -> str | None:
    """The pages, through their cursors, hold each community the caller lives or works in
    once, and no other."""
    items = await city.pages(caller, f"{APP}/risk-levels", Req(params={"limit": 1}), response)
    if isinstance(items, str):
        return items
    held = sorted(
        {
            path
            for held in city.claims[caller].paths_for()
            for path in ancestors(held)
            if level_of(path) is Level.COMMUNITY
        }
    )
    shown = [level["community"] for level in items]
    return None if shown == held else f"the pages show {shown}, not {held}"


async def _place(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"place_id": target.ids["place_id"]})


async def _colour(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"user_id": target.ids["user_id"]}, json={"colour": "green"})


async def _bulk(city: City, target: Target, caller: Caller) -> Req:
    phone = await city.phone_of(target.ids["user_id"])
    return Req(json={"rows": [{"phone": phone, "colour": "green", "reason": "复核"}]})


async def _resident_scan(city: City, target: Target, caller: Caller) -> Req:
    return Req(json={"text": await city.shown_code(Caller.RESIDENT), "place": "科学大道地铁站"})


def _community(path: str) -> TargetMaker:
    async def make(city: City, caller: Caller) -> Target:
        return Target(path=path, ids={"community": path})

    return make


async def _risk(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"community": target.ids["community"]}, json={"level": "low"})


async def _gx(city: City, target: Target, caller: Caller) -> Req:
    return Req(params={"district": GX})


async def _new_key(city: City, target: Target, caller: Caller) -> Req:
    return Req(json={"public_key": HealthCodePhone().public_key})


OWN_CODE_OR_NOT = {
    "the caller's own code": each(SIGNED_IN, 200),
    "the g07 resident's code": {**each(SIGNED_IN, 422), Caller.RESIDENT: 200},
}
CODES = {"the caller's own code": _own_code, "the g07 resident's code": _residents_code}

ROWS = [
    Row(
        "PUT",
        f"{APP}/statuses/{{user_id:int}}",
        RESIDENTS,
        {"g07 resident": {Caller.HEALTH: 200}, "jinshui resident": {Caller.HEALTH: 404}},
        _colour,
        reuse_targets=True,
    ),
    Row(
        "GET",
        f"{APP}/statuses/{{user_id:int}}/history",
        {"g07 resident": _resident_with_history, "jinshui resident": JINSHUI_RESIDENT},
        {
            "g07 resident": each((Caller.RESIDENT, Caller.HEALTH), 200),
            "jinshui resident": {Caller.RESIDENT_JINSHUI: 200},
        },
        _history_a_page,
        denied=404,
        check=_only_their_history,
    ),
    Row("GET", f"{APP}/status", NOTHING, {"-": each(SIGNED_IN, 200)}, no_request),
    Row("POST", f"{APP}/phone", NOTHING, {"-": each(SIGNED_IN, 204)}, _new_key),
    Row(
        "GET",
        f"{APP}/code",
        {"the caller's enrolled phone": _enrolled},
        {"the caller's enrolled phone": each(SIGNED_IN, 200)},
        no_request,
    ),
    Row("GET", f"{APP}/code/qr.png", CODES, OWN_CODE_OR_NOT, _with_code),
    Row("GET", f"{APP}/code/qr.svg", CODES, OWN_CODE_OR_NOT, _with_code),
    Row(
        "POST",
        f"{APP}/scans",
        {"the g07 resident's code": G07_RESIDENT},
        {"the g07 resident's code": {Caller.CHECKPOINT: 200}},
        _resident_scan,
        reuse_targets=True,
    ),
    Row(
        "POST",
        f"{APP}/places",
        {"a place in c03": _community(C03)},
        {"a place in c03": each((Caller.MERCHANT, *ADMINS_ABOVE_G07), 201)},
        json_body(lambda t: {"name": "西岗超市", "org_path": C03}),
    ),
    Row(
        "GET",
        f"{APP}/places",
        {"the c03 merchant's place": _merchants_place},
        {"the c03 merchant's place": each(REGISTRARS, 200)},
        no_request,
        check=_only_own_places,
    ),
    Row(
        "GET",
        f"{APP}/places/{{place_id:int}}/qr.png",
        {"the c03 merchant's place": _merchants_place},
        {"the c03 merchant's place": {**each(REGISTRARS, 404), Caller.MERCHANT: 200}},
        _place,
    ),
    Row(
        "POST",
        f"{APP}/check-ins",
        {"the c03 merchant's place": _merchants_place},
        {"the c03 merchant's place": each(SIGNED_IN, 201)},
        json_body(lambda t: {"code": t.ids["code"]}),
        reuse_targets=True,
    ),
    Row(
        "GET",
        f"{APP}/places/{{place_id:int}}/visitors",
        {"the c03 merchant's place": _place_with_visitors},
        {
            "the c03 merchant's place": each(
                (Caller.MERCHANT, Caller.HEALTH, Caller.CHECKPOINT), 200
            )
        },
        _place_in_window,
        denied=404,
        check=_visitors_named_only_to_officials,
    ),
    Row(
        "GET",
        f"{APP}/contacts/{{user_id:int}}",
        RESIDENTS,
        {"g07 resident": {Caller.HEALTH: 200}, "jinshui resident": {Caller.HEALTH: 404}},
        _user_in_window,
        check=_contacts_paged,
    ),
    Row(
        "PUT",
        f"{APP}/risk-levels/{{community:path}}",
        {"c03": _community(C03), "jinshui c01": _community("zz/jinshui/wenhua/c01")},
        {"c03": {Caller.HEALTH: 200}},
        _risk,
        reuse_targets=True,
    ),
    Row(
        "GET",
        f"{APP}/risk-levels",
        NOTHING,
        {"-": each(SIGNED_IN, 200)},
        _a_level_a_page,
        check=_only_own_communities,
    ),
    Row(
        "GET",
        f"{APP}/district-risk-levels",
        {"gx": _community(GX)},
        {"gx": each((Caller.HEALTH, Caller.DISTRICT_GX, Caller.PLATFORM), 200)},
        _gx,
    ),
    Row(
        "GET",
        f"{APP}/risk-level-counts",
        {"gx": _community(GX)},
        {"gx": each((Caller.HEALTH, Caller.DISTRICT_GX, Caller.PLATFORM), 200)},
        _gx,
    ),
    Row(
        "POST",
        f"{APP}/statuses/bulk",
        RESIDENTS,
        {"g07 resident": {Caller.HEALTH: 201}, "jinshui resident": {Caller.HEALTH: 422}},
        _bulk,
        reuse_targets=True,
    ),
]
