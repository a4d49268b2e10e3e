"""Place codes (场所码): venues check residents in; officials trace who was where."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jwt
import msgspec
from piccolo.query import Select

from backend.sdk import (
    BadRequest,
    Claims,
    DirectoryCode,
    FieldError,
    Forbidden,
    KernelCode,
    NotFound,
    PlatformKeys,
    Role,
    Unprocessable,
    audit,
    decode_cursor,
    decode_position,
    encode_cursor,
    encode_position,
    is_valid,
    people,
    person,
    unit_exists,
)
from miniapps.health_code.errors import HealthProblem
from miniapps.health_code.passes import met_at_checkpoints
from miniapps.health_code.residents import masked_name
from miniapps.health_code.schemas import (
    CheckInView,
    PlaceIn,
    PlacePage,
    PlaceView,
    Via,
    Visit,
    VisitPage,
    VisitPosition,
)
from miniapps.health_code.status import status_of
from miniapps.health_code.tables import CheckIn, Place

PLACE_PREFIX = "YMP."
PLACE_CODE: Via = "place_code"
MAX_WINDOW = dt.timedelta(days=28)
REGISTRARS = (Role.MERCHANT, Role.COMMUNITY_ADMIN, Role.DISTRICT_ADMIN, Role.PLATFORM_ADMIN)
TRACERS = (Role.HEALTH_OFFICIAL, Role.CHECKPOINT_STAFF)


def place_code(place_id: int, keys: PlatformKeys) -> str:
    """A static code: the platform's signature over the place id, checkable offline too."""
    signer = keys.signer
    token = jwt.encode(
        {"p": place_id},
        signer.private,
        algorithm=signer.algorithm,
        headers={"kid": signer.kid, "typ": None},
    )
    return PLACE_PREFIX + token


async def register_place(*, actor: Claims, place: PlaceIn, keys: PlatformKeys) -> PlaceView:
    if not is_valid(place.org_path):
        raise Unprocessable(DirectoryCode.ORG_UNKNOWN)
    if not actor.covers(place.org_path, *REGISTRARS):
        raise Forbidden(KernelCode.SCOPE_NOT_ALLOWED)
    if not await unit_exists(place.org_path):
        raise Unprocessable(DirectoryCode.ORG_UNKNOWN)
    rows = await Place.insert(
        Place(name=place.name, org_path=place.org_path, owner_id=actor.user_id)
    ).returning(Place.id)
    place_id = int(rows[0]["id"])
    return PlaceView(
        id=place_id, name=place.name, org_path=place.org_path, code=place_code(place_id, keys)
    )


async def places_of(
    *, actor: Claims, cursor: str | None, limit: int, keys: PlatformKeys
) -> PlacePage:
    """The places the caller registered, with their codes, oldest first, a page at a time."""
    where: Any = Place.owner_id == actor.user_id
    if cursor:
        where &= Place.id > decode_cursor(cursor)
    rows = await Place.select().where(where).order_by(Place.id).limit(limit + 1)
    items = [
        PlaceView(
            id=row["id"],
            name=row["name"],
            org_path=row["org_path"],
            code=place_code(row["id"], keys),
        )
        for row in rows[:limit]
    ]
    more = len(rows) > limit
    return PlacePage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)


async def code_of(*, actor: Claims, place_id: int, keys: PlatformKeys) -> str:
    place = await _place(place_id)
    if place["owner_id"] != actor.user_id:
        raise NotFound(HealthProblem.PLACE_NOT_FOUND)
    return place_code(place_id, keys)


async def check_in(*, user_id: int, code: str, keys: PlatformKeys) -> CheckInView:
    """A resident scans a place code: the visit is recorded and their own colour shown."""
    place = await _place(_place_id(code, keys))
    status = await status_of(user_id)
    now = dt.datetime.now(dt.UTC)
    await CheckIn.insert(
        CheckIn(place_id=place["id"], user_id=user_id, colour=status.colour, at=now)
    )
    return CheckInView(place=place["name"], colour=status.colour, at=now)


def _place_id(code: str, keys: PlatformKeys) -> int:
    token = code.removeprefix(PLACE_PREFIX)
    try:
        key = keys.get(jwt.get_unverified_header(token).get("kid", ""))
        if key is None or not code.startswith(PLACE_PREFIX):
            raise Unprocessable(HealthProblem.PLACE_CODE_INVALID)
        return int(jwt.decode(token, key.public, algorithms=[key.algorithm])["p"])
    except (jwt.PyJWTError, KeyError, ValueError) as err:
        raise Unprocessable(HealthProblem.PLACE_CODE_INVALID) from err


async def _place(place_id: int) -> dict[str, Any]:
    place = await Place.select().where(Place.id == place_id).first()
    if place is None:
        raise NotFound(HealthProblem.PLACE_NOT_FOUND)
    return place


async def visitors(
    *,
    actor: Claims,
    place_id: int,
    since: dt.datetime,
    until: dt.datetime,
    cursor: str | None,
    limit: int,
) -> VisitPage:
    """Who checked in at a place, in time order, a page at a time: for its owner and for
    tracers whose scope holds it. Only a health official in scope learns who they are; the
    others see masked names."""
    place = await _place(place_id)
    if place["owner_id"] != actor.user_id and not actor.covers(place["org_path"], *TRACERS):
        raise NotFound(HealthProblem.PLACE_NOT_FOUND)
    since, until = _window(since, until)
    after = _position(cursor) if cursor else None
    rows = await visits_at(place_id, since, until, after=after, limit=limit + 1)
    await audit(
        actor,
        "health_code.place_visitors",
        None,
        {"place": place_id, "since": since.isoformat(), "until": until.isoformat()},
    )
    named = actor.covers(place["org_path"], Role.HEALTH_OFFICIAL)
    return await _page(rows, {place_id: place["name"]}, named=named, limit=limit)


def visits_at(
    place_id: int,
    since: dt.datetime,
    until: dt.datetime,
    *,
    after: VisitPosition | None,
    limit: int,
) -> Select:
    """A place's check-ins in the window, in time order, after a page's last one; bounded in
    time, so on PostgreSQL only the months of the window are read."""
    where: Any = (CheckIn.place_id == place_id) & (CheckIn.at >= since) & (CheckIn.at <= until)
    if after is not None:
        where &= (CheckIn.at > after.at) | ((CheckIn.at == after.at) & (CheckIn.id > after.row))
    return CheckIn.select().where(where).order_by(CheckIn.at, CheckIn.id).limit(limit)


async def contacts(
    *,
    actor: Claims,
    user_id: int,
    since: dt.datetime,
    until: dt.datetime,
    minutes: int,
    cursor: str | None,
    limit: int,
) -> VisitPage:
    """Who was at the same places, or passed the same checkpoints, as a person within
    `minutes` of them (health officials), in time order, a page at a time. Each contact is
    found from every stay of the person's, so the page is cut from them all; the window
    bounds them to 28 days."""
    traced = await person(user_id)
    if (
        traced is None
        or not traced.home_path
        or not actor.covers(traced.home_path, Role.HEALTH_OFFICIAL)
    ):
        raise NotFound(HealthProblem.HOLDER_NOT_FOUND)
    since, until = _window(since, until)
    after = _position(cursor) if cursor else None
    stays = await CheckIn.select().where(
        (CheckIn.user_id == user_id) & (CheckIn.at >= since) & (CheckIn.at <= until)
    )
    margin = dt.timedelta(minutes=minutes)
    met: list[dict[str, Any]] = []
    for stay in stays:
        met += await CheckIn.select().where(
            (CheckIn.place_id == stay["place_id"])
            & (CheckIn.user_id != user_id)
            & (CheckIn.at >= stay["at"] - margin)
            & (CheckIn.at <= stay["at"] + margin)
        )
    met += await met_at_checkpoints(user_id, since, until, margin)
    await audit(
        actor,
        "health_code.contacts",
        user_id,
        {"since": since.isoformat(), "until": until.isoformat(), "minutes": minutes},
    )
    names = {
        p["id"]: p["name"]
        for p in await Place.select().where(Place.id.is_in([s["place_id"] for s in stays] or [0]))
    }
    # A check-in near two of the person's stays is found twice: it is one contact.
    ordered = sorted({_key(row): row for row in met}.items())
    page = [row for key, row in ordered if after is None or key > _key_of(after)]
    return await _page(page, names, named=True, limit=limit)


def _key(row: dict[str, Any]) -> tuple[dt.datetime, Via, int]:
    """A visit's place in the order of pages: its time, how it was recorded, its row."""
    return (row["at"], row.get("via", PLACE_CODE), int(row["id"]))


def _key_of(position: VisitPosition) -> tuple[dt.datetime, Via, int]:
    return (position.at, position.via, position.row)


def _position(cursor: str) -> VisitPosition:
    """The cursor's visit, its time in UTC as stored; a time with no UTC date (before year 1
    or after 9999 once its zone is taken off) was never a cursor of ours."""
    position = decode_position(cursor, VisitPosition)
    try:
        return msgspec.structs.replace(position, at=position.at.astimezone(dt.UTC))
    except OverflowError as err:
        culprit = FieldError(field="cursor", message="not a next_cursor this list gave")
        raise BadRequest(KernelCode.CURSOR_INVALID, errors=[culprit]) from err


def _window(since: dt.datetime, until: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The window in UTC, as stored; a time whose UTC date is before year 1 or after 9999
    has none, and is refused like any other window that cannot be searched."""
    try:
        since, until = since.astimezone(dt.UTC), until.astimezone(dt.UTC)
    except OverflowError as err:
        raise Unprocessable(HealthProblem.TRACE_WINDOW_INVALID) from err
    if until <= since or until - since > MAX_WINDOW:
        raise Unprocessable(HealthProblem.TRACE_WINDOW_INVALID)
    return since, until


async def _page(
    rows: list[dict[str, Any]], places: dict[int, str], *, named: bool, limit: int
) -> VisitPage:
    """The first `limit` of `rows` (in page order) as visits, and the cursor after them."""
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = None
    if last is not None:
        at, via, row = _key(last)
        next_cursor = encode_position(VisitPosition(at=at, via=via, row=row))
    items = await _visits(rows[:limit], places, named=named)
    return VisitPage(items=items, next_cursor=next_cursor)


async def _visits(
    rows: list[dict[str, Any]], places: dict[int, str], *, named: bool
) -> list[Visit]:
    """The visits as shown: with names and account ids when `named`, else masked names."""
    names = {
        user_id: visitor.name
        for user_id, visitor in (await people(r["user_id"] for r in rows)).items()
    }
    return [
        Visit(
            user_id=r["user_id"] if named else None,
            name=names.get(r["user_id"], "") if named else masked_name(names.get(r["user_id"])),
            colour=r["colour"],
            place_id=r["place_id"],
            place=r.get("place") or places.get(r["place_id"], ""),
            at=r["at"],
            via=r.get("via", PLACE_CODE),
        )
        for r in rows
    ]
