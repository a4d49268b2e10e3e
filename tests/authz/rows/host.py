"""Rows for the host: health, login, the caller, people and staff, org units, the launcher,
the mini-app switches and the working-day calendar.

People (`/v1/users/{id}`, revoke, and disable/enable once they land): administering a
person needs rank over every role they hold (an admin outranks the roles it may grant, never
its own); an admin never acts on an equal or higher admin; where someone lives confers no
power over them, so a plain resident is administered by the platform admin alone; nobody
grants themselves a role. What an admin may not administer does not exist for it (404).
"""

from __future__ import annotations

import datetime as dt

import httpx

from auth.login import send_code
from backend.directory.users.tables import RoleAssignment, UserAccount
from backend.kernel.paths import is_within
from backend.kernel.roles import ADMIN_ROLES, Role
from backend.kernel.services import services_of
from backend.kernel.workdays import forget_work_calendar
from backend.kernel.workdays.tables import WorkCalendarDay
from tests.authz.city import City
from tests.authz.matrix import (
    ADMINS,
    ADMINS_ABOVE_G07,
    C03,
    C04,
    DEMO,
    EVERYONE,
    G07,
    GX,
    JINSHUI,
    JINSHUI_G01,
    NOTHING,
    SIGNED_IN,
    Caller,
    Outcome,
    Req,
    RequestMaker,
    Row,
    Target,
    TargetMaker,
    each,
    json_body,
    no_request,
    path_ids,
    per_caller,
)
from tests.support import RecordingSms, auth_of, entry_script

ANYONE_200 = {"-": each(EVERYONE, 200)}
SIGNED_IN_200 = {"-": each(SIGNED_IN, 200)}


async def _login_code(city: City, caller: Caller) -> Target:
    phone = city.fresh_phone()
    auth = auth_of(city.app)
    ip = f"10.0.0.{city.number() % 250}"
    await send_code(
        phone=phone,
        ip=ip,
        settings=auth.settings,
        vault=auth.vault,
        limiter=services_of(city.app).limiter,
    )
    sms = services_of(city.app).sms
    assert isinstance(sms, RecordingSms)
    return Target(ids={"phone": phone, "code": await sms.last_code(phone)})


async def _code_request(city: City, caller: Caller) -> Target:
    phone = city.fresh_phone()
    auth = auth_of(city.app)
    ip = f"10.0.1.{city.number() % 250}"
    sent = await send_code(
        phone=phone,
        ip=ip,
        settings=auth.settings,
        vault=auth.vault,
        limiter=services_of(city.app).limiter,
    )
    return Target(ids={"request_id": sent.request_id})


async def _session(city: City, caller: Caller) -> Target:
    return Target(ids={"refresh_token": await city.refresh_token()})


async def _fresh_phone(city: City, caller: Caller) -> Target:
    return Target(ids={"phone": city.fresh_phone()})


def _person(home: str, *roles: tuple[Role, str]) -> TargetMaker:
    async def make(city: City, caller: Caller) -> Target:
        user_id = await city.fresh_user(home=home, roles=roles)
        identity = await city.identity_of(user_id)
        return Target(path=home, ids={"user_id": user_id, "identity": identity})

    return make


@per_caller
async def _self(city: City, caller: Caller) -> Target:
    someone = Caller.RESIDENT if caller is Caller.ANONYMOUS else caller
    return Target(owner=someone, path=DEMO[someone][1], ids={"user_id": city.ids[someone]})


# Fresh accounts in every position that matters, with who administers each.
PEOPLE: dict[str, TargetMaker] = {
    "plain resident of g07": _person(G07),
    "plain resident of jinshui": _person(JINSHUI_G01),
    "grid worker of g07": _person(G07, (Role.GRID_WORKER, G07)),
    "another community admin of c03": _person(C03, (Role.COMMUNITY_ADMIN, C03)),
    "community admin of c04": _person(C04, (Role.COMMUNITY_ADMIN, C04)),
    "district admin of gx": _person(GX, (Role.DISTRICT_ADMIN, GX)),
    "platform admin also granted a g07 worker role": _person(
        "zz", (Role.PLATFORM_ADMIN, "zz"), (Role.GRID_WORKER, G07)
    ),
}


def _administered_by(allowed: Outcome) -> dict[str, dict[Caller, Outcome]]:
    """Who administers each of PEOPLE; every other admin gets 404."""
    by_position: dict[str, tuple[Caller, ...]] = {
        "plain resident of g07": (Caller.PLATFORM,),
        "plain resident of jinshui": (Caller.PLATFORM,),
        "grid worker of g07": ADMINS_ABOVE_G07,
        "another community admin of c03": (Caller.DISTRICT_GX, Caller.PLATFORM),
        "community admin of c04": (Caller.DISTRICT_GX, Caller.PLATFORM),
        "district admin of gx": (Caller.PLATFORM,),
        "platform admin also granted a g07 worker role": (),
    }
    return {
        name: {**each(ADMINS, 404), **each(admins, allowed)} for name, admins in by_position.items()
    }


_user_path = path_ids("user_id")


async def _staff_body(city: City, target: Target, caller: Caller) -> Req:
    phone = target.ids.get("phone") or await city.phone_of(target.ids["user_id"])
    role, scope = target.ids.get("grant", (Role.GRID_WORKER, G07))
    body = {"phone": phone, "name": "冒名顶替", "role": role, "scope_path": scope}
    return Req(json={**body, "id_card": "41010519900307001X"})


# The role each admin could grant over its own unit, were the grantee someone else.
_OWN_GRANT = {
    Caller.ADMIN_C03: (Role.GRID_WORKER, G07),
    Caller.ADMIN_C04: (Role.GRID_WORKER, f"{C04}/g01"),
    Caller.DISTRICT_GX: (Role.HEALTH_OFFICIAL, GX),
    Caller.DISTRICT_JINSHUI: (Role.HEALTH_OFFICIAL, JINSHUI),
    Caller.PLATFORM: (Role.LAWYER, "zz"),
}


@per_caller
async def _themselves(city: City, caller: Caller) -> Target:
    someone = Caller.RESIDENT if caller is Caller.ANONYMOUS else caller
    grant = _OWN_GRANT.get(someone, (Role.GRID_WORKER, G07))
    return Target(owner=someone, path=grant[1], ids={"user_id": city.ids[someone], "grant": grant})


async def _identity_kept(
    city: City, target: Target, caller: Caller, response: httpx.Response
) -> str | None:
    if (
        "identity" in target.ids
        and await city.identity_of(target.ids["user_id"]) != (target.ids["identity"])
    ):
        return "provisioning rewrote the existing account's name or ID-card number"
    return None


async def _drop_self_grants(city: City) -> None:
    """A self-grant that slipped through must not change the callers of later rows."""
    await RoleAssignment.delete().where(
        RoleAssignment.user.is_in(list(city.ids.values())) & RoleAssignment.granted_by.is_not_null()
    )


async def _under_c03(city: City, caller: Caller) -> Target:
    return Target(path=C03, ids={"under": C03})


async def _staff_query(city: City, target: Target, caller: Caller) -> Req:
    return Req(params={"under": target.ids["under"]} if "under" in target.ids else {})


async def _only_staff_below(
    city: City, target: Target, caller: Caller, response: httpx.Response
) -> str | None:
    held = city.claims[caller].paths_for(*ADMIN_ROLES)
    shown = [s["scope_path"] for s in response.json()["items"]]
    outside = [p for p in shown if not any(is_within(p, path) for path in held)]
    return f"the list shows staff outside the admin's units: {outside}" if outside else None


async def _district_gx(city: City, caller: Caller) -> Target:
    return Target(path=GX, ids={"district": GX})


async def _city_wide(city: City, caller: Caller) -> Target:
    return Target(path="zz", ids={})


async def _switch(city: City, target: Target, caller: Caller) -> Req:
    # Switching on what is on: the positive control changes nothing other rows rely on.
    body = {"enabled": True, **({"district": target.ids["district"]} if target.ids else {})}
    return Req(path_params={"app_id": "library"}, json=body)


# A year no notice has reached, which the calendar's rows load and then remove again.
UNLOADED_YEAR = 2040


async def _calendar_year(city: City, target: Target, caller: Caller) -> Req:
    return Req(path_params={"year": 2026})


async def _notice(city: City, target: Target, caller: Caller) -> Req:
    notice = {
        "source": "国办发明电〔2039〕1号",
        "days": [{"date": f"{UNLOADED_YEAR}-01-02", "is_workday": False, "name": "元旦"}],
    }
    return Req(path_params={"year": UNLOADED_YEAR}, json=notice)


async def _unload_year(city: City) -> None:
    """Later rows, and the tests after these, count on the seeded calendar alone."""
    await WorkCalendarDay.delete().where(
        (WorkCalendarDay.date >= dt.date(UNLOADED_YEAR, 1, 1))
        & (WorkCalendarDay.date <= dt.date(UNLOADED_YEAR, 12, 31))
    )
    forget_work_calendar()


_EXISTING_ACCOUNT = {
    # Provisioning an existing account only adds the grant, or is refused; either way the
    # account's identity is kept (checked after every answer).
    **each(ADMINS_ABOVE_G07, (201, 403, 409)),
}


def _built_script(page: str) -> RequestMaker:
    """A request for the page's script, by the hashed name the build gave it."""

    async def request(city: City, target: Target, caller: Caller) -> Req:
        return Req(path_params={"name": entry_script(page)})

    return request


ROWS = [
    Row("GET", "/healthz", NOTHING, ANYONE_200, no_request),
    # The browser pages are public files; everything they show comes through the API.
    Row("GET", "/app", NOTHING, ANYONE_200, no_request),
    Row("GET", "/app/assets/{name:str}", NOTHING, ANYONE_200, _built_script("app")),
    Row("GET", "/console", NOTHING, ANYONE_200, no_request),
    Row("GET", "/console/assets/{name:str}", NOTHING, ANYONE_200, _built_script("console")),
    Row("GET", "/readyz", NOTHING, ANYONE_200, no_request),
    # Open in dev, as the matrix runs; prod needs the metrics token (tests/backend/test_metrics).
    Row("GET", "/metrics", NOTHING, ANYONE_200, no_request),
    Row("GET", "/.well-known/jwks.json", NOTHING, ANYONE_200, no_request),
    Row(
        "POST",
        "/v1/auth/otp",
        {"a phone": _fresh_phone},
        {"a phone": each(EVERYONE, 202)},
        json_body(lambda t: {"phone": t.ids["phone"]}),
    ),
    Row(
        "GET",
        "/v1/auth/otp/{request_id:str}",
        {"a code request": _code_request},
        {"a code request": each(EVERYONE, 200)},
        path_ids("request_id"),
    ),
    Row(
        "POST",
        "/v1/auth/login",
        {"a phone with its code": _login_code},
        {"a phone with its code": each(EVERYONE, 200)},
        json_body(lambda t: {"phone": t.ids["phone"], "code": t.ids["code"]}),
    ),
    Row(
        "POST",
        "/v1/auth/refresh",
        {"a session": _session},
        {"a session": each(EVERYONE, 200)},
        json_body(lambda t: {"refresh_token": t.ids["refresh_token"]}),
    ),
    Row(
        "POST",
        "/v1/auth/logout",
        {"a session": _session},
        {"a session": each(EVERYONE, 204)},
        json_body(lambda t: {"refresh_token": t.ids["refresh_token"]}),
    ),
    Row("GET", "/v1/me", NOTHING, SIGNED_IN_200, no_request),
    Row(
        "PATCH",
        "/v1/me",
        NOTHING,
        SIGNED_IN_200,  # one's own profile only: the route takes no one else's id
        # What every demo user has already: the positive control changes nothing later
        # rows rely on (a home would move a caller's scope).
        json_body(lambda t: {"elder_mode": False}),
    ),
    Row(
        "GET",
        "/v1/users/{user_id:int}",
        {"themselves": _self, **PEOPLE},
        {"themselves": each(SIGNED_IN, 200), **_administered_by(200)},
        _user_path,
        denied=404,
    ),
    Row(
        "POST",
        "/v1/admin/users/{user_id:int}/revoke",
        PEOPLE,
        _administered_by(204),
        _user_path,
        reuse_targets=True,  # revoking twice ends nothing more
    ),
    Row(
        "POST",
        "/v1/staff",
        {
            "a new person, worker of g07": _fresh_phone,
            "the platform admin's account": _person("zz", (Role.PLATFORM_ADMIN, "zz")),
            "a jinshui resident's account": _person(JINSHUI_G01),
            "themselves": _themselves,
        },
        {
            "a new person, worker of g07": each(ADMINS_ABOVE_G07, 201),
            "the platform admin's account": _EXISTING_ACCOUNT,
            "a jinshui resident's account": _EXISTING_ACCOUNT,
        },
        _staff_body,
        check=_identity_kept,
        after=_drop_self_grants,
    ),
    Row(
        "GET",
        "/v1/staff",
        {"what the admin holds": NOTHING["-"], "c03": _under_c03},
        {"what the admin holds": each(ADMINS, 200), "c03": each(ADMINS_ABOVE_G07, 200)},
        _staff_query,
        check=_only_staff_below,
    ),
    Row("GET", "/v1/orgs", NOTHING, SIGNED_IN_200, no_request),
    Row("GET", "/v1/launcher", NOTHING, SIGNED_IN_200, no_request),
    Row(
        "GET",
        "/v1/admin/miniapps",
        NOTHING,
        {"-": each((Caller.DISTRICT_GX, Caller.DISTRICT_JINSHUI, Caller.PLATFORM), 200)},
        no_request,
    ),
    Row(
        "PUT",
        "/v1/admin/miniapps/{app_id:str}/switch",
        {"district gx": _district_gx, "city-wide": _city_wide},
        {
            "district gx": each((Caller.DISTRICT_GX, Caller.PLATFORM), 200),
            "city-wide": {Caller.PLATFORM: 200},
        },
        _switch,
    ),
    # The calendar is public information: anyone signed in reads it; only the catalogue's
    # admins and the platform's load a year, whatever unit they act from.
    Row("GET", "/v1/calendar/years/{year:int}", NOTHING, SIGNED_IN_200, _calendar_year),
    Row(
        "PUT",
        "/v1/calendar/years/{year:int}",
        NOTHING,
        {"-": each((Caller.SERVICE_ADMIN, Caller.PLATFORM), 200)},
        _notice,
        after=_unload_year,
    ),
]


def _disabled(make: TargetMaker) -> TargetMaker:
    async def disabled(city: City, caller: Caller) -> Target:
        target = await make(city, caller)
        await UserAccount.update({UserAccount.active: False}).where(
            UserAccount.id == target.ids["user_id"]
        )
        return target

    return disabled


ROWS += [
    # Disabling and enabling: the same people, the same policy as revoking.
    Row(
        "POST",
        "/v1/admin/users/{user_id:int}/disable",
        PEOPLE,
        _administered_by(204),
        _user_path,
    ),
    Row(
        "POST",
        "/v1/admin/users/{user_id:int}/enable",
        {name: _disabled(make) for name, make in PEOPLE.items()},
        _administered_by(204),
        _user_path,
    ),
]
