"""Bodies and answers of bundles (一件事): an admin's versions, the one form a resident fills,
a resident's bundle application and its progress."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

import msgspec

from miniapps.gov_services.bundle_model import BundleDefinition, BundleName
from miniapps.gov_services.resident_schemas import (
    ApplicationView,
    DocumentName,
    ItemCode,
    LicenceRef,
)


class BundleStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class BundleDraftIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A draft's name and definition, replacing those it had."""

    name: BundleName
    definition: BundleDefinition


class BundleVersionView(msgspec.Struct, frozen=True, kw_only=True):
    """One version of a bundle; `revision` is its ETag, for `If-Match` on the next change."""

    id: int
    code: str
    name: str
    version: int
    status: BundleStatus
    definition: BundleDefinition
    sha256: str
    created_at: dt.datetime
    published_at: dt.datetime | None
    revision: int


class SharedFieldView(msgspec.Struct, frozen=True, kw_only=True):
    """A field of the bundle's form given once: its schema (that of the members' fields it
    fills, which publishing checked are the same) and, per member item, the field it fills."""

    field: str
    schema: dict[str, Any]
    members: dict[str, str]


class MemberFormView(msgspec.Struct, frozen=True, kw_only=True):
    """A member item's part of the form: its own form (schema and ui) as its version in force
    has it; the fields listed in `shared` are asked once, among the shared fields."""

    item_code: str
    item_name: str
    depends_on: list[str]
    form: dict[str, Any]
    shared: dict[str, str]  # member field → the bundle field that fills it


class BundleView(msgspec.Struct, frozen=True, kw_only=True):
    """A bundle as a resident applies for it: one form, the shared fields once."""

    code: str
    name: str
    version: int
    promised_limit_wd: int
    shared: list[SharedFieldView]
    members: list[MemberFormView]


class BundleAnswers(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The answers of a bundle's one form: each shared field once, and each member's own
    fields under its item code."""

    shared: Annotated[dict[DocumentName, Any], msgspec.Meta(max_length=200)] = msgspec.field(
        default_factory=dict
    )
    members: Annotated[
        dict[ItemCode, Annotated[dict[DocumentName, Any], msgspec.Meta(max_length=200)]],
        msgspec.Meta(max_length=20),
    ] = msgspec.field(default_factory=dict)


class LicenceUseIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A licence given once for a material of every member that asks for it: one the
    caller holds (`licence_ref`), or the one of `licence_type` a member of this bundle will
    issue them (the 出生医学证明), for the members that wait for it. Exactly one of the two."""

    material_code: DocumentName
    licence_ref: LicenceRef | None = None
    licence_type: DocumentName | None = None


class SubmitBundleIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The bundle's form, and the materials given once as licences (`consent` to their use).
    Named so, and not `licences`, as a route's body field may not share a name with one of
    its dependencies (the licence sources): Litestar would blame a bad value on the source."""

    answers: BundleAnswers = msgspec.field(default_factory=BundleAnswers)
    materials: Annotated[list[LicenceUseIn], msgspec.Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )
    consent: bool = False


class BundleState(enum.StrEnum):
    """Where a bundle application stands, from its members."""

    DRAFT = "draft"  # not submitted yet
    IN_PROGRESS = "in_progress"  # some member is being handled
    NEEDS_YOU = "needs_you"  # some member waits for its applicant (a draft, a 补正)
    WAITING = "waiting"  # no member is being handled; some wait for the members they need
    DONE = "done"  # every member delivered, approved
    ENDED = "ended"  # every member closed, not all of them approved


class BundleMemberView(msgspec.Struct, frozen=True, kw_only=True):
    """A member's application and, while it waits, the members it is waiting for."""

    item_code: str
    depends_on: list[str]
    waiting_for: list[str]
    application: ApplicationView


class BundleApplicationView(msgspec.Struct, frozen=True, kw_only=True):
    """A resident's bundle application (一件事): its members' applications, where the whole
    stands, and its own due date, counted from the first member's 受理 (an Asia/Shanghai
    date, provisional while the year's holidays are not loaded; none before it). `version`
    is its ETag, for `If-Match` on submit."""

    id: int
    bundle_code: str
    bundle_name: str
    bundle_version_id: int
    state: BundleState
    promised_limit_wd: int
    due_date: dt.date | None
    due_provisional: bool
    answers: BundleAnswers
    members: list[BundleMemberView]
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    version: int


__all__ = [
    "BundleAnswers",
    "BundleApplicationView",
    "BundleDraftIn",
    "BundleMemberView",
    "BundleState",
    "BundleStatus",
    "BundleVersionView",
    "BundleView",
    "LicenceUseIn",
    "MemberFormView",
    "SharedFieldView",
    "SubmitBundleIn",
]
