"""Bodies and answers of a resident's side of an application: start, answers, materials,
submit, withdraw, progress and the list of their own applications."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

import msgspec

from miniapps.gov_services.staff_schemas import MissingField, MissingMaterial
from miniapps.gov_services.states import Status

# As the catalogue spells an item's code (事项编码).
ItemCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_.:-]{3,64}$")]
# A name inside an item's document: a field, a material, a step.
DocumentName = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
# A licence source's reference to one licence; never the holder's ID number.
LicenceRef = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_:.\-]+$", max_length=200)]
Reason = Annotated[str, msgspec.Meta(max_length=500)]


class StartIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    item_code: ItemCode


class AnswersIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Every answer of the draft, replacing those saved; a prefilled field left out keeps
    its licence's value."""

    answers: dict[DocumentName, Any]


class LicenceMaterialIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A licence (电子证照) the caller holds, given as a material with their consent."""

    material_code: DocumentName
    licence_ref: LicenceRef
    consent: bool


class CommitmentIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The caller signs the material's commitment (告知承诺) in its place."""

    material_code: DocumentName
    signed: bool


class WithdrawIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Reason = ""


class MaterialView(msgspec.Struct, frozen=True, kw_only=True):
    """One material given: a file (by its hash, type and size), a licence (by reference
    and hash, with the time of consent) or a signed commitment (its statement)."""

    id: int
    material_code: str
    source: str  # upload | e_license | commitment
    sha256: str
    mime: str
    size: int
    licence_ref: str | None
    consent_at: dt.datetime | None
    statement: str | None
    added_at: dt.datetime


class MaterialNeed(msgspec.Struct, frozen=True, kw_only=True):
    """A material the item asks for, as the draft stands: whether its answers require it,
    how it may be given, and the caller's licences that would do."""

    code: str
    name: str
    required: bool
    sources: list[str]
    mime: list[str]
    max_bytes: int
    max_files: int
    given: int
    licences: list[str]
    commitment: str | None


class ApplicationView(msgspec.Struct, frozen=True, kw_only=True):
    """An application as its applicant sees it. `ref` (办件编号) is given at submit;
    `version` is its ETag, for `If-Match` on the next change."""

    id: int
    ref: str | None
    item_id: int
    item_code: str
    item_name: str
    item_version_id: int
    status: Status
    current_step: str | None
    place_path: str
    answers: dict[str, Any]
    prefilled: dict[str, str]
    materials: list[MaterialView]
    needs: list[MaterialNeed]
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    due_date: dt.date | None
    due_provisional: bool
    version: int


class ApplicationSummary(msgspec.Struct, frozen=True, kw_only=True):
    """One application in a list; `due_date` is that of its clock, which runs from 受理."""

    id: int
    ref: str | None
    item_code: str
    item_name: str
    status: Status
    current_step: str | None
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    due_date: dt.date | None


class ApplicationPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ApplicationSummary]
    next_cursor: str | None


class StepState(enum.StrEnum):
    DONE = "done"
    CURRENT = "current"
    PENDING = "pending"
    NOT_REACHED = "not_reached"  # the application closed before it got here


class StepProgress(msgspec.Struct, frozen=True, kw_only=True):
    """One step of the item, with the text the resident reads while the case is at it."""

    code: str
    name: str
    resident_text: str
    state: StepState
    time_limit_wd: int


class Missing(msgspec.Struct, frozen=True, kw_only=True):
    """What a return for 补正 asked for, all at once (一次性告知): the answers to correct and
    the materials to provide, each with what is wrong with it."""

    fields: list[MissingField]
    materials: list[MissingMaterial]


class HistoryEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One change of the application; `reason` as its author gave it (why it was returned,
    rejected or withdrawn); `missing`, for a return for 补正, what the resident must give."""

    action: str
    step: str | None
    status: str
    reason: str
    at: dt.datetime
    missing: Missing | None = None


class ProgressView(msgspec.Struct, frozen=True, kw_only=True):
    """办件进度: the steps of the item the case was started on, where it stands, and its
    due date (an Asia/Shanghai date; `due_provisional` while the year's holidays are not
    loaded)."""

    id: int
    ref: str | None
    status: Status
    current_step: str | None
    due_date: dt.date | None
    due_provisional: bool
    steps: list[StepProgress]
    history: list[HistoryEntry]
