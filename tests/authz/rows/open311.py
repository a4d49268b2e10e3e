"""Rows for Open311: reads are anonymous and show only public categories (a person-related
one such as `elderly_alert` is never public, whoever asks); creating needs a login."""

from __future__ import annotations

import httpx

from tests.authz.city import City
from tests.authz.matrix import (
    EVERYONE,
    G07,
    NOTHING,
    SIGNED_IN,
    Caller,
    Req,
    Row,
    Target,
    each,
    no_request,
)

OPEN311 = "/open311/v2"
PRIVATE_CATEGORIES = {"elderly_alert"}


async def _public_request(city: City, caller: Caller) -> Target:
    event = await city.event(grid=G07, reporter=Caller.RESIDENT)
    return Target(path=G07, owner=Caller.RESIDENT, ids={"name": f"{event}.json"})


async def _elderly_alert(city: City, caller: Caller) -> Target:
    event = await city.event(
        grid=G07,
        reporter=Caller.RESIDENT,
        state="dispatched",
        handler=Caller.WORKER_G07,
        category="elderly_alert",
    )
    return Target(path=G07, owner=Caller.RESIDENT, ids={"name": f"{event}.json"})


async def _both_kinds(city: City, caller: Caller) -> Target:
    await _public_request(city, caller)
    return await _elderly_alert(city, caller)


async def _no_private_category(
    city: City, target: Target, caller: Caller, response: httpx.Response
) -> str | None:
    shown = {r["service_code"] for r in response.json()} & PRIVATE_CATEGORIES
    return f"public list shows private categories {sorted(shown)}" if shown else None


async def _by_name(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"name": target.ids["name"]})


async def _service(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"name": "street_vending.json"})


async def _form(city: City, target: Target, caller: Caller) -> Req:
    form = {"service_code": "street_vending", "description": "占道", "lat": "34.805"}
    return Req(form={**form, "long": "113.555", "address_string": "科学大道"})


ROWS = [
    Row("GET", f"{OPEN311}/services.json", NOTHING, {"-": each(EVERYONE, 200)}, no_request),
    Row("GET", f"{OPEN311}/services/{{name:str}}", NOTHING, {"-": each(EVERYONE, 200)}, _service),
    Row(
        "GET",
        f"{OPEN311}/requests.json",
        {"a public request and an elderly alert": _both_kinds},
        {"a public request and an elderly alert": each(EVERYONE, 200)},
        no_request,
        check=_no_private_category,
    ),
    Row(
        "GET",
        f"{OPEN311}/requests/{{name:str}}",
        {"public request in g07": _public_request, "elderly alert in g07": _elderly_alert},
        {"public request in g07": each(EVERYONE, 200)},
        _by_name,
        denied=404,
        anonymous=404,
    ),
    Row("POST", f"{OPEN311}/requests.json", NOTHING, {"-": each(SIGNED_IN, 201)}, _form),
]
