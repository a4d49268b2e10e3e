"""What staff send and see: the worklist, a case as its handlers see it, the bodies of the
actions, and the resident's answer to a 补正."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

import msgspec

from backend.sdk import AwareDatetime, BodyRowId
from miniapps.gov_services.states import Action, Outcome

Note = Annotated[str, msgspec.Meta(max_length=1000)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=1000, pattern=r"\S")]
FieldName = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class WorkItem(msgspec.Struct, frozen=True, kw_only=True):
    """A case in a worklist. `due_date` is the last day of its limit in the city's time
    (overdue from the next day), None before 受理; `due_provisional` says it was counted
    over a year whose holidays are not loaded yet."""

    id: int
    ref: str
    item_id: int
    status: str
    step: str | None
    assignee_org: str
    claimed_by: int | None
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    due_at: dt.datetime | None
    due_date: dt.date | None
    due_provisional: bool
    version: int


class WorkPage(msgspec.Struct, frozen=True):
    items: list[WorkItem]
    next_cursor: str | None


class WorkPosition(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """Where a page of work ended: cases run by due time, then by id; those without one
    (not yet accepted) come last."""

    due_at: AwareDatetime | None
    id: BodyRowId


class DueFilter(enum.StrEnum):
    SOON = "soon"  # due within two working days, not yet overdue
    OVERDUE = "overdue"


class HistoryEntry(msgspec.Struct, frozen=True, kw_only=True):
    action: str
    step: str | None
    from_status: str | None
    to_status: str
    reason: str
    detail: dict[str, Any]
    set_by: int
    set_at: dt.datetime


class MaterialView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    material_code: str
    source: str
    licence_ref: str | None
    mime: str
    size: int
    sha256: str
    added_at: dt.datetime


class CaseView(msgspec.Struct, frozen=True, kw_only=True):
    """A case as its handlers see it: the answers and materials to review, its history,
    its clock, and the actions the caller may take now. Its `version` is its ETag."""

    id: int
    ref: str
    applicant_id: int
    item_id: int
    item_version_id: int
    status: str
    step: str | None
    assignee_org: str
    claimed_by: int | None
    answers: dict[str, Any]
    materials: list[MaterialView]
    history: list[HistoryEntry]
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    due_at: dt.datetime | None
    due_date: dt.date | None
    due_provisional: bool
    wd_used: int
    extended: bool
    outcome: str | None
    allowed_actions: list[Action]
    version: int


class NoteIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What the officer records with the action (受理意见, 审核意见), if anything."""

    note: Note = ""


class MissingField(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    field: FieldName
    note: Note = ""


class MissingMaterial(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    code: FieldName
    note: Note = ""


class SupplementRequestIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Everything missing at once (一次性告知): the answers to correct and the materials to
    provide, each with what is wrong with it."""

    fields: Annotated[list[MissingField], msgspec.Meta(max_length=100)] = []
    materials: Annotated[list[MissingMaterial], msgspec.Meta(max_length=100)] = []
    note: Note = ""


class RejectReason(enum.StrEnum):
    NOT_ELIGIBLE = "not_eligible"  # 不符合申请条件
    NOT_OUR_MATTER = "not_our_matter"  # 不属于本机关职权范围
    FALSE_MATERIALS = "false_materials"  # 材料虚假
    SUPPLEMENT_REFUSED = "supplement_refused"  # 逾期未补正或补正不全
    OTHER = "other"


class RejectIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason_code: RejectReason
    text: Reason


class ExtendIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Reason


class DecideIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    outcome: Outcome
    text: Note = ""


class DeliveryMethod(enum.StrEnum):
    ELECTRONIC = "electronic"  # 电子送达: the result in the app (电子证照 or document)
    WINDOW = "window"  # 窗口领取
    MAIL = "mail"  # 邮寄


class DeliverIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    method: DeliveryMethod
    note: Note = ""


class SupplementIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The resident's answer to a 补正: the answers as they now stand (all of them, checked
    as at submit), and the materials of the application that provide what was asked for."""

    answers: dict[str, Any]
    material_ids: Annotated[list[BodyRowId], msgspec.Meta(max_length=100)] = []


class ProgressState(msgspec.Struct, frozen=True, kw_only=True):
    """Where the resident's application stands after their answer: its status and step,
    and its due date (None while it waits for 受理). Its `version` is its ETag."""

    id: int
    ref: str
    status: str
    step: str | None
    due_at: dt.datetime | None
    due_date: dt.date | None
    due_provisional: bool
    version: int
