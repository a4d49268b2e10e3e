"""What the routes of legal services take and give."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

import msgspec

from backend.sdk import AwareDatetime

ORG_PATH = r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*){0,4}(?!\n)$"
# Something besides spaces: a question, a reply or a name of blanks says nothing.
SAYS_SOMETHING = r"\S"
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=SAYS_SOMETHING)]


class StationKind(enum.StrEnum):
    CENTRE = "centre"  # 法律援助中心: the district's; a question with nobody on duty waits here
    STATION = "station"  # 法律服务站, in a street or community
    FIRM = "firm"  # 律师事务所


class Speciality(enum.StrEnum):
    """What a question is about, and what a lawyer knows."""

    FAMILY = "family"  # 婚姻家庭
    LABOUR = "labour"  # 劳动争议
    CONTRACT = "contract"  # 合同纠纷
    PROPERTY = "property"  # 房产物业
    TRAFFIC = "traffic"  # 交通事故
    CRIMINAL = "criminal"  # 刑事
    ADMINISTRATIVE = "administrative"  # 行政
    OTHER = "other"


class StationIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Name
    kind: StationKind
    org_path: Annotated[
        str,
        msgspec.Meta(
            max_length=200,
            pattern=ORG_PATH,
            description="The org unit it serves: a district, or a street or community in it.",
        ),
    ]
    head_id: (
        Annotated[
            int,
            msgspec.Meta(
                ge=1, le=2**63 - 1, description="Who heads it; they supervise its consultations."
            ),
        ]
        | None
    ) = None


class StationView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    kind: StationKind
    org_path: str
    district: str
    head_id: int | None


class StationList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[StationView]


class LawyerIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    user_id: Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]
    specialities: Annotated[
        frozenset[Speciality], msgspec.Meta(min_length=1, max_length=len(Speciality))
    ]


class LawyerView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    user_id: int
    name: str
    station_id: int
    specialities: list[Speciality]
    open_consultations: int
    on_duty: bool


class LawyerList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[LawyerView]


class ShiftIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """On duty from `starts_at` until `ends_at`: in the future, at most 14 days long."""

    starts_at: AwareDatetime
    ends_at: AwareDatetime


class ShiftView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    lawyer_id: int
    district: str
    starts_at: dt.datetime
    ends_at: dt.datetime


class ConsultIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    category: Speciality
    question: Annotated[str, msgspec.Meta(min_length=10, max_length=2000, pattern=SAYS_SOMETHING)]


class ConsultStatus(enum.StrEnum):
    WAITING = "waiting"  # asked, no answer yet
    ANSWERED = "answered"
    CLOSED = "closed"


class ConsultMessageView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    by_lawyer: bool
    text: str
    at: dt.datetime


class ConsultationView(msgspec.Struct, frozen=True, kw_only=True):
    """A consultation with its thread. `lawyer_id` is null while it waits in its station's
    pool; `escalated` is 1 once its station's head was told it waits, 2 once the district
    was. A list leaves out the thread and the attachments: read the one consultation."""

    id: int
    asker_id: int
    district: str
    category: Speciality
    question: str
    status: ConsultStatus
    station_id: int | None
    lawyer_id: int | None
    lawyer_name: str | None
    asked_at: dt.datetime
    answer_due_at: dt.datetime
    answered_at: dt.datetime | None
    escalated: int
    rating: int | None
    messages: list[ConsultMessageView] = []
    attachments: Annotated[
        list[int],
        msgspec.Meta(
            description="The ids of the asker's attachments; each is the image at "
            "`/consultations/{id}/attachments/{attachment_id}`."
        ),
    ] = []


class ConsultationPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ConsultationView]
    next_cursor: str | None


class ConsultReplyIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=SAYS_SOMETHING)]


class ConsultRatingIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    stars: Annotated[int, msgspec.Meta(ge=1, le=5)]
    comment: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class LegalReport(msgspec.Struct, frozen=True, kw_only=True):
    """Consultations in a district over the last `days`: asked, answered, answered before
    their deadline, the median working-time-blind minutes to the first answer, the mean
    rating; its people's mediations: how many ended, how many settled, how fast a mediator
    was assigned; and its legal-aid cases: how many were granted, how fast a lawyer was
    assigned."""

    district: str
    days: int
    asked: int
    answered: int
    answered_in_time: int
    in_time_rate: float | None
    median_answer_minutes: int | None
    mean_rating: float | None
    mediations_ended: Annotated[
        int, msgspec.Meta(description="Mediations settled or failed in the period.")
    ] = 0
    mediations_settled: int = 0
    mediation_success_rate: Annotated[
        float | None, msgspec.Meta(description="Settled of those ended.")
    ] = None
    cases_granted: Annotated[
        int, msgspec.Meta(description="Legal-aid cases granted in the period.")
    ] = 0
    mean_case_assign_minutes: Annotated[
        int | None,
        msgspec.Meta(
            description="Mean minutes from a legal-aid grant to its first lawyer, over the "
            "cases first assigned in the period."
        ),
    ] = None
    mean_assign_minutes: Annotated[
        int | None,
        msgspec.Meta(
            description="Mean minutes from the other party's acceptance to a mediator's "
            "first assignment, over the mediations first assigned in the period."
        ),
    ] = None
