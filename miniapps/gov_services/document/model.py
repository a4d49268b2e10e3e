"""The item document: everything that makes one 政务服务事项, as data.

A published version of a document never changes; an application pins the version it was
started on. What the structs here cannot say alone (fields named by rules exist, the steps
form one chain, promised ≤ legal ...) `problems_in` checks before a version is published."""

from __future__ import annotations

import enum
import functools
from typing import Annotated

import msgspec

from backend.sdk import Level
from miniapps.gov_services.document.form import Form, JsonSchema, Name, Texts
from miniapps.gov_services.states import Action

WorkingDays = Annotated[int, msgspec.Meta(ge=0, le=365)]
# Where a material may come from: a licence of a type (电子证照), an upload, or the
# resident's signed commitment (告知承诺) in its place.
Source = Annotated[
    str, msgspec.Meta(pattern=r"^(upload|commitment|e_license:[a-z][a-z0-9_]{0,63})$")
]
Mime = Annotated[str, msgspec.Meta(pattern=r"^[a-z]+/[a-z0-9][a-z0-9.+-]{0,99}$")]
OrgPath = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]

UPLOAD = "upload"
COMMITMENT = "commitment"
E_LICENSE = "e_license:"
MAX_MATERIAL_BYTES = 50 * 1024 * 1024


class Material(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A material the application needs; any one of `sources` provides it. Required always,
    or only when the answers match `required_when` (a JSON Schema over the answers)."""

    code: Name
    name: Texts
    sources: Annotated[tuple[Source, ...], msgspec.Meta(min_length=1, max_length=8)]
    required_when: JsonSchema | None = None
    mime: tuple[Mime, ...] = ()
    max_bytes: Annotated[int, msgspec.Meta(ge=1, le=MAX_MATERIAL_BYTES)] = 10 * 1024 * 1024
    max_files: Annotated[int, msgspec.Meta(ge=1, le=20)] = 1
    commitment: Texts | None = None  # what a resident promises when committing instead

    @property
    def licence_types(self) -> tuple[str, ...]:
        """The licence types (证照类型) that provide this material."""
        return tuple(s.removeprefix(E_LICENSE) for s in self.sources if s.startswith(E_LICENSE))

    @property
    def accepts_upload(self) -> bool:
        return UPLOAD in self.sources

    @property
    def accepts_commitment(self) -> bool:
        return COMMITMENT in self.sources


class EligibilityRule(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A condition of applying: `predicate` is a JSON Schema the facts document
    `{profile, licences, answers}` must match; `message` says why when it does not."""

    id: Name
    predicate: JsonSchema
    message: Texts


class Prefill(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The field's answer is the value of `licence_field` in the applicant's licence of
    type `licence`; read-only once filled, and checked again at submit."""

    field: Name
    licence: Name
    licence_field: Name


class StepKind(enum.StrEnum):
    """The stages of the chain: 受理 accept → 审核 review (none or more) → 决定 decide → 送达
    deliver."""

    ACCEPT = "accept"
    REVIEW = "review"
    DECIDE = "decide"
    DELIVER = "deliver"


# What staff may do at a step of each kind; `states.TAKEN_FROM` says in which statuses.
ACTIONS_OF: dict[StepKind, tuple[Action, ...]] = {
    StepKind.ACCEPT: (Action.ACCEPT, Action.RETURN_FOR_SUPPLEMENT, Action.REJECT),
    StepKind.REVIEW: (Action.ADVANCE, Action.RETURN_FOR_SUPPLEMENT, Action.REJECT, Action.EXTEND),
    StepKind.DECIDE: (Action.DECIDE, Action.EXTEND),
    StepKind.DELIVER: (Action.DELIVER,),
}


class Step(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One step of the chain, taken by holders of `role` at an org of `org_level`; the
    resident sees `resident_text` while the case is at it (and is told, if `notify`)."""

    code: Name
    name: Texts
    resident_text: Texts
    kind: StepKind
    role: Name
    org_level: Level
    time_limit_wd: WorkingDays
    notify: bool = True


class ImplementingOrg(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The org that runs the item for applicants of a district (实施机构)."""

    district: OrgPath
    org: OrgPath


class ItemDocument(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, dict=True
):
    """One version of a service item: form, materials, eligibility, prefill, steps and
    limits. Limits count working days (行政许可法 Art. 82); `legal_limit_wd` is None when
    the law gives no limit in working days (it counts calendar days, or sets none), and
    `legal_limit_note` then says what it gives."""

    form: Form
    steps: Annotated[tuple[Step, ...], msgspec.Meta(min_length=1, max_length=20)]
    promised_limit_wd: WorkingDays  # 承诺时限; 0: 即办
    implementing_orgs: Annotated[tuple[ImplementingOrg, ...], msgspec.Meta(max_length=100)]
    retention_days: Annotated[int, msgspec.Meta(ge=1, le=36500)]
    materials: Annotated[tuple[Material, ...], msgspec.Meta(max_length=50)] = ()
    eligibility: Annotated[tuple[EligibilityRule, ...], msgspec.Meta(max_length=50)] = ()
    prefill: Annotated[tuple[Prefill, ...], msgspec.Meta(max_length=100)] = ()
    legal_limit_wd: WorkingDays | None = None  # 法定时限
    legal_limit_note: Texts | None = None
    pause_allowed: bool = True  # 补正 stops the clock
    extension_wd: WorkingDays = 0  # one extension, approved; 0: none
    fee: Annotated[int, msgspec.Meta(ge=0, le=10**9)] = 0  # fen; 0: free

    @functools.cached_property
    def fields(self) -> tuple[str, ...]:
        """The form's fields: the top-level properties of its schema, in schema order."""
        properties = self.form.schema.get("properties")
        return tuple(properties) if isinstance(properties, dict) else ()

    @functools.cached_property
    def implementing(self) -> dict[str, str]:
        """District path → the org that runs the item there (实施机构)."""
        return {entry.district: entry.org for entry in self.implementing_orgs}

    def step(self, code: str) -> Step | None:
        return next((s for s in self.steps if s.code == code), None)


__all__ = [
    "ACTIONS_OF",
    "COMMITMENT",
    "E_LICENSE",
    "UPLOAD",
    "EligibilityRule",
    "ImplementingOrg",
    "ItemDocument",
    "Material",
    "Prefill",
    "Step",
    "StepKind",
]
