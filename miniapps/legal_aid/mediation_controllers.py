"""HTTP of people's mediation (人民调解)."""

from __future__ import annotations

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from backend.sdk import AnyRequest, Role, RowId, claims_of, problems, requires_role, strictly
from miniapps.legal_aid import mediation, mediation_views, mediation_work
from miniapps.legal_aid.errors import LegalProblem as Problem
from miniapps.legal_aid.mediation_schemas import (
    AgreementConfirmIn,
    AgreementIn,
    FailureIn,
    MediationAnswerIn,
    MediationIn,
    MediationList,
    MediationView,
    MediatorIn,
    RecusalIn,
    SessionIn,
)
from miniapps.legal_aid.runtime import LegalRuntime

MEDIATION = "/mediations/{mediation_id:int}"
UNSEEN = {404: [Problem.MEDIATION_NOT_FOUND]}
NOT_NOW = [Problem.MEDIATION_STATE]
MEDIATOR_WORK = {**UNSEEN, 403: [Problem.NOT_YOUR_MEDIATION], 409: NOT_NOW}


async def _view(request: AnyRequest, mediation_id: int, legal: LegalRuntime) -> MediationView:
    seen = await mediation.seen_by(claims_of(request), mediation_id, legal.services.vault)
    return await mediation_views.view_of(seen)


@post(
    "/mediations",
    operation_id="ApplyForMediation",
    guards=[requires_role(Role.RESIDENT)],
    responses=problems(
        {409: [Problem.MEDIATION_OPEN], 422: [Problem.NO_COMMUNITY, Problem.INVITED_ONESELF]}
    ),
)
async def apply(
    request: AnyRequest, data: JSONBody[MediationIn], legal: NamedDependency[LegalRuntime]
) -> MediationView:
    """Apply for people's mediation (人民调解) of a dispute, by a resident.

    The other party, named by phone, is invited: by push if they use the app, by text
    message if not. They have 5 working days to accept or decline; the mediation committee
    of the applicant's community then assigns a mediator. One open mediation per other
    party, and at most 3 invitations waiting at once."""
    applied = strictly(await request.json(), MediationIn)
    mediation_id = await mediation.apply(
        actor=claims_of(request), applied=applied, legal=legal, vault=legal.services.vault
    )
    return await _view(request, mediation_id, legal)


@get("/mediations/mine", operation_id="ListMyMediations")
async def my_mediations(request: AnyRequest) -> MediationList:
    """The mediations the caller applied for, was invited to, or mediates; newest first."""
    return await mediation_views.mine(claims_of(request))


@get(
    "/mediations/committee",
    operation_id="ListCommitteeMediations",
    guards=[requires_role(Role.MEDIATOR)],
)
async def committee_mediations(request: AnyRequest) -> MediationList:
    """The open mediations of the communities a mediator serves.

    Newest first, bar those they stepped aside from; each read is audited."""
    return await mediation_views.committee(claims_of(request))


@get(MEDIATION, operation_id="GetMediation", responses=problems(UNSEEN))
async def get_mediation(
    request: AnyRequest, mediation_id: FromPath[RowId], legal: NamedDependency[LegalRuntime]
) -> MediationView:
    """One mediation with its sessions and agreement.

    For its two parties, its mediator and its committee; to anyone else it does not exist.
    `agreement.intact` says whether the text still matches the hash both parties
    confirmed. A read by staff is audited."""
    return await _view(request, mediation_id, legal)


@post(
    f"{MEDIATION}/answer",
    status_code=200,
    operation_id="AnswerMediationInvitation",
    responses=problems(
        {
            **UNSEEN,
            403: [Problem.NOT_OTHER_PARTY],
            409: [Problem.INVITE_LAPSED, Problem.MEDIATION_STATE],
        }
    ),
)
async def answer(
    request: AnyRequest,
    mediation_id: FromPath[RowId],
    data: JSONBody[MediationAnswerIn],
    legal: NamedDependency[LegalRuntime],
) -> MediationView:
    """Accept or decline the invitation, by the invited party, while it is open."""
    answered = strictly(await request.json(), MediationAnswerIn)
    await mediation.answer(
        actor=claims_of(request), mediation_id=mediation_id, answered=answered, legal=legal
    )
    return await _view(request, mediation_id, legal)


@post(
    f"{MEDIATION}/mediator",
    status_code=200,
    operation_id="AssignMediator",
    responses=problems(
        {
            **UNSEEN,
            403: [Problem.NOT_ON_COMMITTEE],
            409: NOT_NOW,
            422: [Problem.NOT_A_MEDIATOR, Problem.MEDIATOR_RECUSED],
        }
    ),
)
async def assign(
    request: AnyRequest,
    mediation_id: FromPath[RowId],
    data: JSONBody[MediatorIn],
    legal: NamedDependency[LegalRuntime],
) -> MediationView:
    """Assign (or replace) the mediator, by the committee.

    Once the other party accepted. Never one who stepped aside from it or was asked to,
    nor one of its parties."""
    chosen = strictly(await request.json(), MediatorIn)
    await mediation_work.assign(
        actor=claims_of(request), mediation_id=mediation_id, chosen=chosen, legal=legal
    )
    return await _view(request, mediation_id, legal)


@post(
    f"{MEDIATION}/recusals",
    status_code=200,
    operation_id="RecuseMediator",
    responses=problems(
        {**UNSEEN, 403: [Problem.NOT_A_PARTY], 409: NOT_NOW, 422: [Problem.NOT_A_MEDIATOR]}
    ),
)
async def recuse(
    request: AnyRequest,
    mediation_id: FromPath[RowId],
    data: JSONBody[RecusalIn],
    legal: NamedDependency[LegalRuntime],
) -> dict[str, bool]:
    """A mediator steps aside (回避): their own declaration, or a party's request.

    A party names the mediator; a mediator names none, or themselves. If they were
    assigned, the mediation goes back to the committee, their agreement void and their
    sessions to come called off; they can never be assigned to it again, and no longer see it."""
    recusal = strictly(await request.json(), RecusalIn)
    await mediation_work.recuse(
        actor=claims_of(request), mediation_id=mediation_id, recusal=recusal, legal=legal
    )
    return {"recused": True}


@post(
    f"{MEDIATION}/sessions",
    operation_id="ScheduleMediationSession",
    responses=problems({**MEDIATOR_WORK, 422: [Problem.SESSION_INVALID]}),
)
async def schedule(
    request: AnyRequest,
    mediation_id: FromPath[RowId],
    data: JSONBody[SessionIn],
    legal: NamedDependency[LegalRuntime],
) -> MediationView:
    """Set a session, by the mediator.

    Both parties are told at once, and reminded (with the mediator) the day before."""
    session = strictly(await request.json(), SessionIn)
    await mediation_work.schedule(
        actor=claims_of(request), mediation_id=mediation_id, session=session, legal=legal
    )
    return await _view(request, mediation_id, legal)


@post(
    f"{MEDIATION}/agreement",
    status_code=200,
    operation_id="WriteMediationAgreement",
    responses=problems(MEDIATOR_WORK),
)
async def write_agreement(
    request: AnyRequest,
    mediation_id: FromPath[RowId],
    data: JSONBody[AgreementIn],
    legal: NamedDependency[LegalRuntime],
) -> MediationView:
    """Write or rewrite the agreement, by the mediator, until both parties confirmed it.

    A rewrite voids earlier confirmations; both parties are asked to confirm."""
    agreement = strictly(await request.json(), AgreementIn)
    await mediation_work.write_agreement(
        actor=claims_of(request), mediation_id=mediation_id, agreement=agreement, legal=legal
    )
    return await _view(request, mediation_id, legal)


@post(
    f"{MEDIATION}/agreement/confirm",
    status_code=200,
    operation_id="ConfirmMediationAgreement",
    responses=problems(
        {
            **UNSEEN,
            403: [Problem.PARTIES_ONLY],
            409: [
                Problem.MEDIATION_STATE,
                Problem.NO_AGREEMENT,
                Problem.AGREEMENT_CONFIRMED,
                Problem.AGREEMENT_CHANGED,
            ],
        }
    ),
)
async def confirm(
    request: AnyRequest,
    mediation_id: FromPath[RowId],
    data: JSONBody[AgreementConfirmIn],
    legal: NamedDependency[LegalRuntime],
) -> MediationView:
    """Confirm the agreement as read, by a party, once, naming its `text_hash`.

    The second party's confirmation settles the mediation: the hash is recorded, and a
    court may be asked to confirm the agreement within 30 days (both are reminded)."""
    confirmed = strictly(await request.json(), AgreementConfirmIn)
    await mediation_work.confirm(
        actor=claims_of(request), mediation_id=mediation_id, confirmed=confirmed, legal=legal
    )
    return await _view(request, mediation_id, legal)


@post(
    f"{MEDIATION}/failure",
    status_code=200,
    operation_id="RecordMediationFailure",
    responses=problems(MEDIATOR_WORK),
)
async def fail(
    request: AnyRequest,
    mediation_id: FromPath[RowId],
    data: JSONBody[FailureIn],
    legal: NamedDependency[LegalRuntime],
) -> MediationView:
    """End the mediation without an agreement, by the mediator, saying why."""
    failure = strictly(await request.json(), FailureIn)
    await mediation_work.fail(
        actor=claims_of(request), mediation_id=mediation_id, failure=failure, legal=legal
    )
    return await _view(request, mediation_id, legal)


MEDIATION_ROUTES = [
    apply,
    my_mediations,
    committee_mediations,
    get_mediation,
    answer,
    assign,
    recuse,
    schedule,
    write_agreement,
    confirm,
    fail,
]
