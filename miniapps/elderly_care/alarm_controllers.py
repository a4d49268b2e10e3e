"""HTTP of alarms: the elder's SOS, its answers, its timeline; contacts; a community's
alarm timing."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from backend.sdk import (
    AnyRequest,
    PageCursor,
    PageLimit,
    RowId,
    claims_of,
    idempotent,
    problems,
    strictly,
)
from miniapps.elderly_care import alarms, contacts, elders, rules
from miniapps.elderly_care.alarm_views import alarm_view
from miniapps.elderly_care.errors import CareProblem as Problem
from miniapps.elderly_care.runtime import CareRuntime
from miniapps.elderly_care.schemas import (
    ORG_PATH,
    AlarmCloseIn,
    AlarmKind,
    AlarmPage,
    AlarmView,
    ContactList,
    ContactsIn,
    SosIn,
    SosRulesIn,
    SosRulesView,
)

ALARM = "/alarms/{alarm_id:int}"
ANSWERING = problems(
    {403: [Problem.ELDER_CANNOT_ANSWER], 404: [Problem.ALARM_NOT_FOUND], 409: [Problem.ALARM_ENDED]}
)
RULES = problems({403: [Problem.COMMUNITY_NOT_YOURS], 404: [Problem.NOT_A_COMMUNITY]})


@post(
    "/elders/{elder_id:int}/sos",
    operation_id="RaiseSos",
    middleware=[idempotent],
    responses=problems(
        {
            403: [Problem.ELDER_ONLY],
            404: [Problem.ELDER_NOT_FOUND],
            409: [Problem.ALARM_BUSY],
            422: [Problem.HALF_A_LOCATION],
        }
    ),
)
async def raise_sos(
    request: AnyRequest,
    elder_id: FromPath[RowId],
    care: NamedDependency[CareRuntime],
    data: JSONBody[SosIn | None] = None,
) -> Response[AlarmView]:
    """Raise an SOS (一键呼叫), by the elder, with where they are if the phone knows.

    After the community's cancel window (a few seconds, `notify_from`) the elder's contacts
    are rung in order, then the grid worker, then the community's service centre, each
    with an urgent push; with no answer it goes up the org tree. Pressing again while one
    is open answers that one, with 200. The body may be left out."""
    # Read again as sent: a coordinate is a JSON number, never "34.8".
    sos = SosIn() if data is None else strictly(await request.json(), SosIn)
    raised = await alarms.raise_sos(actor=claims_of(request), elder_id=elder_id, sos=sos, care=care)
    return Response(
        await alarm_view(raised.id), status_code=HTTP_201_CREATED if raised.new else HTTP_200_OK
    )


@get(ALARM, operation_id="GetAlarm", responses=problems({404: [Problem.ALARM_NOT_FOUND]}))
async def get_alarm(request: AnyRequest, alarm_id: FromPath[RowId]) -> AlarmView:
    """An alarm and its timeline: raised, whom it rang, who answered, arrived, closed.

    For whoever sees the elder: the elder, their circle, care staff over their grid."""
    alarm, _ = await alarms.alarm_seen_by(claims_of(request), alarm_id)
    return await alarm_view(int(alarm["id"]))


@get(
    "/elders/{elder_id:int}/alarms",
    operation_id="ListElderAlarms",
    responses=problems({404: [Problem.ELDER_NOT_FOUND]}),
)
async def list_alarms(
    request: AnyRequest,
    elder_id: FromPath[RowId],
    cursor: PageCursor = None,
    limit: PageLimit = 20,
    kind: Annotated[
        AlarmKind | None, QueryParameter(description="Only alarms of this kind.")
    ] = None,
    only_open: Annotated[
        bool,
        QueryParameter(
            name="open",
            description="`true`: only alarms still open (raised, acknowledged or arrived),"
            " as an elder's phone picks up its SOS again; `false`, the default, lists all.",
        ),
    ] = False,
) -> AlarmPage:
    """The elder's alarms, newest first, for whoever sees the elder.

    `kind` and `open` narrow the list: `?kind=sos&open=true&limit=1` is the elder's SOS in
    progress, if any, however many device alarms came after it."""
    seen = await elders.elder_seen_by(claims_of(request), elder_id)
    return await alarms.alarms_of(seen, cursor=cursor, limit=limit, kind=kind, only_open=only_open)


@post(
    f"{ALARM}/cancel",
    status_code=200,
    operation_id="CancelAlarm",
    responses=problems(
        {
            403: [Problem.ELDER_ONLY],
            404: [Problem.ALARM_NOT_FOUND],
            409: [Problem.ALARM_ANSWERED, Problem.ALARM_ENDED],
        }
    ),
)
async def cancel(
    request: AnyRequest, alarm_id: FromPath[RowId], care: NamedDependency[CareRuntime]
) -> AlarmView:
    """Call off one's own alarm before anyone has answered: nobody more is rung."""
    await alarms.cancel(actor=claims_of(request), alarm_id=alarm_id, care=care)
    return await alarm_view(alarm_id)


@post(f"{ALARM}/acknowledge", status_code=200, operation_id="AcknowledgeAlarm", responses=ANSWERING)
async def acknowledge(
    request: AnyRequest, alarm_id: FromPath[RowId], care: NamedDependency[CareRuntime]
) -> AlarmView:
    """Answer an alarm: "I am coming".

    The first answer stops the ringing and tells the elder help is coming; a later one
    changes nothing, and the view says who answered first. For whoever sees the elder,
    the elder themselves excepted."""
    await alarms.acknowledge(actor=claims_of(request), alarm_id=alarm_id, care=care)
    return await alarm_view(alarm_id)


@post(f"{ALARM}/arrive", status_code=200, operation_id="ArriveAtAlarm", responses=ANSWERING)
async def arrive(
    request: AnyRequest, alarm_id: FromPath[RowId], care: NamedDependency[CareRuntime]
) -> AlarmView:
    """Say one is with the elder; unanswered until then, it is answered by it too."""
    await alarms.arrive(actor=claims_of(request), alarm_id=alarm_id, care=care)
    return await alarm_view(alarm_id)


@post(f"{ALARM}/close", status_code=200, operation_id="CloseAlarm", responses=ANSWERING)
async def close(
    request: AnyRequest,
    alarm_id: FromPath[RowId],
    data: JSONBody[AlarmCloseIn],
    care: NamedDependency[CareRuntime],
) -> AlarmView:
    """Close an alarm with its outcome and a note.

    The outcome is one of helped, hospital, false alarm or other. For whoever sees the
    elder, the elder themselves excepted; ringing stops, if it had not."""
    await alarms.close(
        actor=claims_of(request), alarm_id=alarm_id, outcome=data.outcome, note=data.note, care=care
    )
    return await alarm_view(alarm_id)


@get(
    "/elders/{elder_id:int}/contacts",
    operation_id="ListElderContacts",
    responses=problems({404: [Problem.ELDER_NOT_FOUND]}),
)
async def list_contacts(request: AnyRequest, elder_id: FromPath[RowId]) -> ContactList:
    """Whom the elder's alarms ring first, in order; for whoever sees the elder."""
    seen = await elders.elder_seen_by(claims_of(request), elder_id)
    return await contacts.contacts_of(seen.id)


@put(
    "/elders/{elder_id:int}/contacts",
    operation_id="SetElderContacts",
    responses=problems(
        {
            403: [Problem.CARE_STAFF_ONLY],
            404: [Problem.ELDER_NOT_FOUND],
            422: [Problem.CONTACT_NOT_IN_CIRCLE, Problem.CONTACT_TWICE],
        }
    ),
)
async def set_contacts(
    request: AnyRequest, elder_id: FromPath[RowId], data: JSONBody[ContactsIn]
) -> ContactList:
    """Order the elder's contacts: accepted members of their circle, first rung first.

    By the elder, or care staff over their grid. An empty list goes back to the whole
    circle in the order it joined."""
    chosen = strictly(await request.json(), ContactsIn)
    seen = await elders.elder_seen_by(claims_of(request), elder_id)
    return await contacts.choose_contacts(seen=seen, member_ids=chosen.member_ids)


@get("/sos-rules", operation_id="GetSosRules", responses=RULES)
async def get_rules(
    request: AnyRequest,
    community: Annotated[
        str,
        QueryParameter(
            description="The community's org path, e.g. zz/gx/fengyang/c03.",
            max_length=200,
            pattern=ORG_PATH,
        ),
    ],
) -> SosRulesView:
    """A community's alarm timing, for the admins over it."""
    return await rules.rules_of(actor=claims_of(request), community=community)


@put("/sos-rules", operation_id="SetSosRules", responses=RULES)
async def set_rules(request: AnyRequest, data: JSONBody[SosRulesIn]) -> SosRulesView:
    """Set a community's alarm timing: cancel window, ring gap, escalation period.

    For the admins over the community. Alarms raised from then on follow it."""
    return await rules.set_rules(
        actor=claims_of(request), rules=strictly(await request.json(), SosRulesIn)
    )


ALARM_ROUTES = [
    raise_sos,
    get_alarm,
    list_alarms,
    cancel,
    acknowledge,
    arrive,
    close,
    list_contacts,
    set_contacts,
    get_rules,
    set_rules,
]
