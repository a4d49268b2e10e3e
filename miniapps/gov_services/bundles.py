"""A resident's side of a bundle (一件事): the one form it is applied for on, and starting a
bundle application, whose members are drafts of the member items (each pinned to the item's
version in force, as a single application is) that the bundle's one submit sends in.

The members are drafts before the submit so that what a form cannot carry has a place to
go: a member's upload (the 社保卡's photo) is given to its draft through the ordinary
material routes. Everything else, the answers and the licences, is given once, at submit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from backend.sdk import (
    Claims,
    Conflict,
    FieldError,
    NotFound,
    Unprocessable,
    transaction,
)
from miniapps.gov_services.applying import new_draft, the_applicant
from miniapps.gov_services.bundle_admin import definition_of
from miniapps.gov_services.bundle_model import BundleDefinition, bundle_problems
from miniapps.gov_services.bundle_progress import bundle_application_view
from miniapps.gov_services.bundle_schemas import (
    BundleApplicationView,
    BundleStatus,
    BundleView,
    MemberFormView,
    SharedFieldView,
)
from miniapps.gov_services.document import ItemDocument, document_json
from miniapps.gov_services.document.pointers import pointer
from miniapps.gov_services.errors import GovServicesCode as Code
from miniapps.gov_services.licences.provider import Licences
from miniapps.gov_services.offered import offered_version
from miniapps.gov_services.tables import BundleApplication, BundleVersion

Row = dict[str, Any]


class Member(NamedTuple):
    """A member item as applications start on it now: its row, version in force, document."""

    code: str
    item: Row
    version_id: int
    doc: ItemDocument


async def offered_bundle(code: str) -> Row:
    """The published version of the bundle `code`; `bundle_not_offered` for an unknown
    code and for one with only drafts or retired versions."""
    row = (
        await BundleVersion.select()
        .where((BundleVersion.code == code) & (BundleVersion.status == BundleStatus.PUBLISHED))
        .order_by(BundleVersion.version, ascending=False)
        .first()
    )
    if row is None:
        raise NotFound(Code.BUNDLE_NOT_OFFERED)
    return row


async def members_in_force(definition: BundleDefinition) -> list[Member]:
    """Each member item's version in force. A member withdrawn since the bundle was
    published, or republished with a field the shared map no longer fits, leaves the bundle
    unusable until an admin publishes a version that fits (`bundle_out_of_date`)."""
    members = []
    for code in definition.codes:
        try:
            item, version_id, doc = await offered_version(code)
        except NotFound as err:
            raise Conflict(Code.BUNDLE_OUT_OF_DATE, extensions={"item_code": code}) from err
        members.append(Member(code=code, item=item, version_id=version_id, doc=doc))
    if bundle_problems(definition, {m.code: m.doc for m in members}):
        raise Conflict(Code.BUNDLE_OUT_OF_DATE)
    return members


async def bundle_form(*, code: str) -> BundleView:
    """The bundle's one form: each shared field once, then each member's own form."""
    row = await offered_bundle(code)
    definition = definition_of(row)
    members = await members_in_force(definition)
    docs = {m.code: m.doc for m in members}
    shared = []
    for name, mapped in definition.shared.items():
        code_, field = next(iter(mapped.items()))
        schema = docs[code_].form.schema["properties"][field]
        shared.append(SharedFieldView(field=name, schema=schema, members=dict(mapped)))
    return BundleView(
        code=row["code"],
        name=row["name"],
        version=row["version"],
        promised_limit_wd=row["promised_limit_wd"],
        shared=shared,
        members=[
            MemberFormView(
                item_code=m.code,
                item_name=m.item["name"],
                depends_on=list(definition.depends_on(m.code)),
                form=document_json(m.doc)["form"],
                shared=definition.shared_of(m.code),
            )
            for m in members
        ],
    )


async def start(
    *, actor: Claims, code: str, licences: Licences, locale: str | None
) -> BundleApplicationView:
    """Start a bundle application: a draft of each member, filled in from the caller's
    licences, in one transaction. The caller must meet every member's conditions: a 422
    `not_eligible` lists each rule failed, at `/members/<item>/eligibility/<rule>`."""
    row = await offered_bundle(code)
    members = await members_in_force(definition_of(row))
    who = await the_applicant(actor, licences)
    async with transaction():
        created = await BundleApplication.insert(
            BundleApplication(bundle_version_id=row["id"], applicant_id=actor.user_id)
        ).returning(BundleApplication.id)
        bundle_id = int(created[0]["id"])
        problems: list[FieldError] = []
        for member in members:
            try:
                await new_draft(
                    item_id=member.item["id"],
                    version_id=member.version_id,
                    doc=member.doc,
                    who=who,
                    locale=locale,
                    bundle_id=bundle_id,
                )
            except Unprocessable as refused:
                problems.extend(_at_member(member.code, "eligibility", refused.errors or []))
        if problems:
            raise Unprocessable(Code.NOT_ELIGIBLE, errors=problems)
    return await bundle_application_view(
        actor=actor, bundle_id=bundle_id, licences=licences, locale=locale
    )


def _at_member(code: str, part: str, errors: Sequence[FieldError]) -> list[FieldError]:
    return [
        FieldError(field=pointer("/members", code, part, e.field), message=e.message)
        for e in errors
    ]


__all__ = ["Member", "bundle_form", "members_in_force", "offered_bundle", "start"]
