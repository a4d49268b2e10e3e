"""Rows for people's mediation. A resident homed in a community applies against another
party by phone (never themselves). A mediation is seen by its two parties, the mediators
over its community and the district's supervisors, and by nobody else, who is told it
does not exist. Only the invited party answers; the committee assigns; a party asks a
mediator to step aside, or a mediator steps aside; only the assigned mediator sets
sessions, writes the agreement or ends it; only the parties confirm the agreement."""

from __future__ import annotations

import datetime as dt
from typing import Any

from miniapps.legal_aid.mediation import community_of
from miniapps.legal_aid.tables import Mediation, MediationRecusal, MediationSession
from tests.authz.city import City
from tests.authz.matrix import (
    DEMO,
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

APP = "/v1/miniapps/legal_aid"
MEDIATION = f"{APP}/mediations/{{mediation_id:int}}"
C03 = "zz/gx/fengyang/c03"
SUPERVISORS = (Caller.DISTRICT_GX, Caller.PLATFORM)
PARTIES = (Caller.RESIDENT, Caller.FAMILY)
COMMITTEE = (Caller.MEDIATOR, *SUPERVISORS)
SEE_IT = (*PARTIES, *COMMITTEE)
OTHER_PHONE = DEMO[Caller.FAMILY][0]
# Who may apply: a resident homed in a community, naming someone else.
APPLIERS = {
    caller: 201 if community_of(DEMO[caller][1]) and caller is not Caller.FAMILY else 422
    for caller in SIGNED_IN
}


async def _tidy(city: City) -> None:
    for table in (MediationSession, MediationRecusal, Mediation):
        await table.delete(force=True)


async def _step(city: City, caller: Caller, mediation_id: int, step: str, body: Any) -> Any:
    done = await city.send(
        caller,
        "POST",
        f"{MEDIATION}/{step}",
        Req(path_params={"mediation_id": mediation_id}, json=body),
    )
    assert done.status_code in (200, 201), done.text
    return done.json()


async def _cleared(city: City, caller: Caller) -> Target:
    await _tidy(city)
    return Target()


async def _invited(city: City, caller: Caller) -> Target:
    """The g07 resident's application against the family member of g07."""
    await _tidy(city)
    applied = await city.send(
        Caller.RESIDENT,
        "POST",
        f"{APP}/mediations",
        Req(
            json={
                "other_phone": OTHER_PHONE,
                "other_name": "王五",
                "category": "property",
                "summary": "邻居装修噪音扰民,协商未果",
            }
        ),
    )
    assert applied.status_code == 201, applied.text
    return Target(path=C03, owner=Caller.RESIDENT, ids={"mediation_id": applied.json()["id"]})


async def _accepted(city: City, caller: Caller) -> Target:
    target = await _invited(city, caller)
    await _step(city, Caller.FAMILY, target.ids["mediation_id"], "answer", {"accept": True})
    return target


async def _assigned(city: City, caller: Caller) -> Target:
    target = await _accepted(city, caller)
    mediator = {"mediator_id": city.ids[Caller.MEDIATOR]}
    await _step(city, Caller.MEDIATOR, target.ids["mediation_id"], "mediator", mediator)
    return target


async def _agreed(city: City, caller: Caller) -> Target:
    """Assigned, with an agreement written; its hash among the ids."""
    target = await _assigned(city, caller)
    text = {"text": "双方同意按本协议履行各自义务。"}
    written = await _step(city, Caller.MEDIATOR, target.ids["mediation_id"], "agreement", text)
    return Target(
        path=target.path,
        owner=target.owner,
        ids={**target.ids, "text_hash": written["agreement"]["text_hash"]},
    )


def _in_two_days() -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()


def _on(body: Any) -> RequestMaker:
    async def request(city: City, target: Target, caller: Caller) -> Req:
        made = body(city, target) if callable(body) else body
        return Req(path_params={"mediation_id": target.ids["mediation_id"]}, json=made)

    return request


def _row(
    method: str,
    path: str,
    fixture: TargetMaker,
    expect: dict[Caller, int],
    request: RequestMaker,
    *,
    denied: int = 404,
) -> Row:
    return Row(method, path, {"-": fixture}, {"-": expect}, request, denied=denied, after=_tidy)


ROWS = [
    _row(
        "POST",
        f"{APP}/mediations",
        _cleared,
        APPLIERS,
        json_body(
            lambda t: {
                "other_phone": OTHER_PHONE,
                "other_name": "王五",
                "category": "property",
                "summary": "邻居装修噪音扰民,协商未果",
            }
        ),
    ),
    Row("GET", f"{APP}/mediations/mine", NOTHING, {"-": each(SIGNED_IN, 200)}, no_request),
    _row(
        "GET",
        f"{APP}/mediations/committee",
        _invited,
        {Caller.MEDIATOR: 200},
        no_request,
        denied=403,
    ),
    _row("GET", MEDIATION, _invited, each(SEE_IT, 200), path_ids("mediation_id")),
    _row(
        "POST",
        f"{MEDIATION}/answer",
        _invited,
        {Caller.FAMILY: 200, **each((Caller.RESIDENT, *COMMITTEE), 403)},
        _on({"accept": True}),
    ),
    _row(
        "POST",
        f"{MEDIATION}/mediator",
        _accepted,
        {**each(COMMITTEE, 200), **each(PARTIES, 403)},
        _on(lambda city, t: {"mediator_id": city.ids[Caller.MEDIATOR]}),
    ),
    _row(
        "POST",
        f"{MEDIATION}/recusals",
        _accepted,
        # A party asks the mediator to step aside, the mediator steps aside; a supervisor
        # pushes nobody out.
        {**each((*PARTIES, Caller.MEDIATOR), 200), **each(SUPERVISORS, 403)},
        _on(lambda city, t: {"mediator_id": city.ids[Caller.MEDIATOR], "reason": "亲属关系"}),
    ),
    _row(
        "POST",
        f"{MEDIATION}/sessions",
        _assigned,
        {Caller.MEDIATOR: 201, **each((*PARTIES, *SUPERVISORS), 403)},
        _on(lambda city, t: {"starts_at": _in_two_days(), "place": "调解室"}),
    ),
    _row(
        "POST",
        f"{MEDIATION}/agreement",
        _assigned,
        {Caller.MEDIATOR: 200, **each((*PARTIES, *SUPERVISORS), 403)},
        _on({"text": "双方同意按本协议履行各自义务。"}),
    ),
    _row(
        "POST",
        f"{MEDIATION}/agreement/confirm",
        _agreed,
        {**each(PARTIES, 200), **each(COMMITTEE, 403)},
        _on(lambda city, t: {"text_hash": t.ids["text_hash"]}),
    ),
    _row(
        "POST",
        f"{MEDIATION}/failure",
        _assigned,
        {Caller.MEDIATOR: 200, **each((*PARTIES, *SUPERVISORS), 403)},
        _on({"reason": "双方分歧过大"}),
    ),
]
