"""HTTP of consultations (法律咨询) and of the justice bureau's report."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.sdk import (
    AnyRequest,
    KernelCode,
    PageCursor,
    PageLimit,
    PhotoImage,
    PhotoUpload,
    Role,
    RowId,
    Storage,
    claims_of,
    photo_response,
    picture_sent,
    problems,
    requires_role,
    strictly,
)
from miniapps.legal_aid import attachments, consultations, report
from miniapps.legal_aid.directory import LEGAL_ROLES
from miniapps.legal_aid.errors import LegalProblem as Problem
from miniapps.legal_aid.runtime import LegalRuntime
from miniapps.legal_aid.schemas import (
    ORG_PATH,
    ConsultationPage,
    ConsultationView,
    ConsultIn,
    ConsultRatingIn,
    ConsultReplyIn,
    LegalReport,
)

UNSEEN = {404: [Problem.CONSULTATION_NOT_FOUND]}
CONSULTATION = "/consultations/{consultation_id:int}"


@post(
    "/consultations",
    operation_id="AskLegalQuestion",
    guards=[requires_role(Role.RESIDENT)],
    responses=problems({422: [Problem.NO_DISTRICT]}),
)
async def ask(
    request: AnyRequest, data: JSONBody[ConsultIn], legal: NamedDependency[LegalRuntime]
) -> ConsultationView:
    """Ask a legal question (法律咨询), by a resident.

    It goes to an on-duty lawyer of the asker's home district, one who knows its category
    first and the least loaded of them; with nobody on duty it waits in the pool of the
    district's legal-aid centre. Unanswered within 4 working hours it escalates to the
    station's head, then to the district."""
    asked = strictly(await request.json(), ConsultIn)
    return await consultations.ask(actor=claims_of(request), asked=asked, legal=legal)


@get("/consultations/mine", operation_id="ListMyConsultations")
async def my_consultations(
    request: AnyRequest, cursor: PageCursor = None, limit: PageLimit = 20
) -> ConsultationPage:
    """The caller's own questions, newest first."""
    return await consultations.mine(actor=claims_of(request), cursor=cursor, limit=limit)


@get(
    "/consultations/queue",
    operation_id="ListLawyerQueue",
    guards=[requires_role(*LEGAL_ROLES)],
)
async def lawyer_queue(
    request: AnyRequest, cursor: PageCursor = None, limit: PageLimit = 20
) -> ConsultationPage:
    """A lawyer's open questions and their station's pool, newest first."""
    return await consultations.queue(actor=claims_of(request), cursor=cursor, limit=limit)


@get(CONSULTATION, operation_id="GetConsultation", responses=problems(UNSEEN))
async def get_consultation(
    request: AnyRequest, consultation_id: FromPath[RowId]
) -> ConsultationView:
    """One consultation with its thread.

    For its asker, its lawyer (or, while it waits in a pool, that station's lawyers), the
    station's head and the district's admins; to anyone else it does not exist. A read by
    staff is audited."""
    row = await consultations.seen_by(claims_of(request), consultation_id)
    return await consultations.view_of(row)


@post(
    f"{CONSULTATION}/messages",
    operation_id="ReplyInConsultation",
    responses=problems(
        {
            **UNSEEN,
            403: [Problem.NOT_YOUR_CONSULTATION],
            409: [Problem.CONSULTATION_CLOSED],
        }
    ),
)
async def reply(
    request: AnyRequest,
    consultation_id: FromPath[RowId],
    data: JSONBody[ConsultReplyIn],
    legal: NamedDependency[LegalRuntime],
) -> ConsultationView:
    """Write in the thread, by the asker or the lawyer; the other side is told.

    The lawyer's first message answers the question and stops its escalation."""
    said = strictly(await request.json(), ConsultReplyIn)
    actor = claims_of(request)
    await consultations.reply(actor=actor, consultation_id=consultation_id, said=said, legal=legal)
    return await consultations.view_of(await consultations.seen_by(actor, consultation_id))


@post(
    f"{CONSULTATION}/take",
    status_code=200,
    operation_id="TakeConsultation",
    guards=[requires_role(*LEGAL_ROLES)],
    responses=problems({**UNSEEN, 409: [Problem.NOT_IN_POOL]}),
)
async def take(request: AnyRequest, consultation_id: FromPath[RowId]) -> ConsultationView:
    """Take a question waiting in the pool of the caller's station, by a lawyer there."""
    actor = claims_of(request)
    await consultations.take_from_pool(actor=actor, consultation_id=consultation_id)
    return await consultations.view_of(await consultations.seen_by(actor, consultation_id))


@post(
    f"{CONSULTATION}/rating",
    status_code=200,
    operation_id="RateConsultation",
    responses=problems(
        {
            **UNSEEN,
            403: [Problem.NOT_YOUR_CONSULTATION],
            409: [Problem.NOT_ANSWERED, Problem.RATED],
        }
    ),
)
async def rate(
    request: AnyRequest,
    consultation_id: FromPath[RowId],
    data: JSONBody[ConsultRatingIn],
    legal: NamedDependency[LegalRuntime],
) -> ConsultationView:
    """Rate the answer, by the asker, once; it closes the consultation."""
    rating = strictly(await request.json(), ConsultRatingIn)
    actor = claims_of(request)
    await consultations.rate(
        actor=actor, consultation_id=consultation_id, rating=rating, legal=legal
    )
    return await consultations.view_of(await consultations.seen_by(actor, consultation_id))


@post(
    f"{CONSULTATION}/attachments",
    operation_id="AttachToConsultation",
    operation_class=PhotoUpload,
    responses=problems(
        {
            **UNSEEN,
            403: [Problem.NOT_YOUR_CONSULTATION],
            409: [Problem.CONSULTATION_CLOSED, Problem.ATTACHMENTS_FULL],
            413: [KernelCode.BODY_TOO_LARGE],
            415: [KernelCode.PHOTO_TYPE_UNSUPPORTED],
            422: [KernelCode.PHOTO_INVALID],
        }
    ),
)
async def attach(
    request: AnyRequest,
    consultation_id: FromPath[RowId],
    storage: NamedDependency[Storage],
    legal: NamedDependency[LegalRuntime],
) -> dict[str, int]:
    """Attach a photo to a question (a contract, a payslip), by its asker.

    Five at most, while it is open. A JPEG or PNG of 5 MB at most, as the raw body or as
    the one file part of a multipart form; it is redrawn before it is kept, which drops
    what else the file carried."""
    picture = await picture_sent(
        request.headers.get("content-type"), await request.body(), request.form
    )
    attachment_id = await attachments.attach(
        actor=claims_of(request),
        consultation_id=consultation_id,
        data=picture,
        storage=storage,
        legal=legal,
    )
    return {"attachment_id": attachment_id}


@get(
    f"{CONSULTATION}/attachments/{{attachment_id:int}}",
    operation_id="GetConsultationAttachment",
    operation_class=PhotoImage,
    responses=problems({404: [Problem.CONSULTATION_NOT_FOUND, Problem.ATTACHMENT_NOT_FOUND]}),
)
async def get_attachment(
    request: AnyRequest,
    consultation_id: FromPath[RowId],
    attachment_id: FromPath[RowId],
    storage: NamedDependency[Storage],
) -> Response[bytes]:
    """One attachment of a consultation, as the image it is, for whoever sees it."""
    data, content_type = await attachments.attachment_bytes(
        actor=claims_of(request),
        consultation_id=consultation_id,
        attachment_id=attachment_id,
        storage=storage,
    )
    return photo_response(data, content_type)


@get(
    "/legal-report",
    operation_id="GetLegalReport",
    responses=problems({403: [Problem.NOT_DISTRICT_ADMIN]}),
)
async def legal_report(
    request: AnyRequest,
    district: Annotated[
        str,
        QueryParameter(
            description="The district's org path, e.g. zz/gx.", max_length=200, pattern=ORG_PATH
        ),
    ],
    legal: NamedDependency[LegalRuntime],
    days: Annotated[
        int, QueryParameter(description="How many days back the report looks.", ge=1, le=90)
    ] = 30,
) -> LegalReport:
    """Consultations in a district, for the justice bureau: its district admins.

    Asked, answered, answered before their deadline and the rate, the median minutes to
    the first answer and the mean rating."""
    return await report.legal_report(
        actor=claims_of(request), district=district, days=days, legal=legal
    )


CONSULT_ROUTES = [
    ask,
    my_consultations,
    lawyer_queue,
    get_consultation,
    reply,
    take,
    rate,
    attach,
    get_attachment,
    legal_report,
]
