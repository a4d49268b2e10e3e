"""The bodies and answers of the catalogue: items and their versions as residents find them
and as the catalogue's admins write, publish and retire them."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

import msgspec

from miniapps.gov_services.document.canonical import Change
from miniapps.gov_services.document.model import ItemDocument, Material

# 事项编码: letters, digits and `_ . : -`, as the national and provincial item lists write them.
ItemCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_.:-]{3,64}$")]
Keyword = Annotated[str, msgspec.Meta(pattern=r"^\S{1,32}$")]
Keywords = Annotated[list[Keyword], msgspec.Meta(max_length=20)]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
# A document as JSON: its shape is checked against the document's JSON Schema, each
# departure listed, rather than stopping at the first as a typed body would.
DocumentJson = Annotated[
    dict[str, Any],
    msgspec.Meta(description="The item document (see GetItemDocumentSchema for its JSON Schema)."),
]


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"  # edited by the catalogue's admins, seen by no one else
    PUBLISHED = "published"  # frozen; the current one is what new applications start on
    RETIRED = "retired"  # withdrawn: no new applications, those pinned to it go on


class ItemIn(msgspec.Struct, frozen=True, kw_only=True):
    """A new item with the document of its first draft."""

    code: ItemCode
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    dept: Label
    category: Label
    keywords: Keywords = []
    document: DocumentJson


class DraftIn(msgspec.Struct, frozen=True, kw_only=True):
    """The draft's document, whole: it replaces the one stored."""

    document: DocumentJson


class VersionSummary(msgspec.Struct, frozen=True, kw_only=True):
    """A version of an item, without its document."""

    id: int
    item_id: int
    version: int
    status: VersionStatus
    sha256: Annotated[
        str, msgspec.Meta(description="The canonical document's hex sha256; empty for a draft.")
    ]
    revision: Annotated[
        int, msgspec.Meta(description="Bumped by every edit of the draft: its ETag, for If-Match.")
    ]
    valid_from: dt.datetime | None
    valid_to: Annotated[
        dt.datetime | None,
        msgspec.Meta(description="Since when new applications no longer start on it."),
    ]
    created_by: int
    created_at: dt.datetime
    published_by: int | None
    published_at: dt.datetime | None


class VersionView(VersionSummary, frozen=True, kw_only=True):
    """A version of an item with its document."""

    document: ItemDocument


class VersionPage(msgspec.Struct, frozen=True):
    """An item's versions, newest first; the next page is the one after `next_cursor`."""

    items: list[VersionSummary]
    next_cursor: str | None


class ItemView(msgspec.Struct, frozen=True, kw_only=True):
    """An item as its admins see it: which version applications start on, which is drafted."""

    id: int
    code: str
    name: str
    dept: str
    category: str
    keywords: list[str]
    created_at: dt.datetime
    current_version_id: Annotated[
        int | None,
        msgspec.Meta(description="The published version new applications start on, if any."),
    ]
    draft_version_id: int | None


class ItemPage(msgspec.Struct, frozen=True):
    """Items by id; the next page is the one after `next_cursor`."""

    items: list[ItemView]
    next_cursor: str | None


class ItemCreated(msgspec.Struct, frozen=True, kw_only=True):
    item: ItemView
    draft: VersionView


class CatalogueEntry(msgspec.Struct, frozen=True, kw_only=True):
    """An item as a line of the catalogue; its document is in the item itself."""

    id: int
    code: str
    name: str
    dept: str
    category: str
    keywords: list[str]
    version_id: int
    version: int


class CataloguePage(msgspec.Struct, frozen=True):
    """Published items by id; the next page is the one after `next_cursor`."""

    items: list[CatalogueEntry]
    next_cursor: str | None


class PublishedVersion(msgspec.Struct, frozen=True, kw_only=True):
    """A version as it was published: applications started on it are held to this document."""

    id: int
    item_id: int
    version: int
    status: VersionStatus
    sha256: str
    published_at: dt.datetime
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    document: ItemDocument


class CatalogueItem(msgspec.Struct, frozen=True, kw_only=True):
    """A published item and the version new applications start on."""

    id: int
    code: str
    name: str
    dept: str
    category: str
    keywords: list[str]
    version: PublishedVersion


class DiffView(msgspec.Struct, frozen=True, kw_only=True):
    """What changed from the `base` version to this one, value by value."""

    base_version_id: int
    version_id: int
    changes: list[Change]


class PreviewIn(msgspec.Struct, frozen=True, kw_only=True):
    """Sample data to try a version with: answers as a resident would give them, and the
    facts eligibility is judged on (profile, licences by type). Nothing is stored."""

    answers: dict[str, Any] = {}
    profile: dict[str, Any] = {}
    licences: dict[str, dict[str, Any]] = {}
    complete: Annotated[
        bool,
        msgspec.Meta(description="Check the answers as a submit would (else as a draft)."),
    ] = True


class Finding(msgspec.Struct, frozen=True, kw_only=True):
    """One answer refused (`field` is its JSON pointer) or one eligibility rule failed
    (`field` is the rule's id), with the message a resident would read."""

    field: str
    message: str


class PreviewView(msgspec.Struct, frozen=True, kw_only=True):
    """What a resident giving the sample data would see and be told."""

    visible_fields: Annotated[
        list[str], msgspec.Meta(description="The fields shown, in the order the pages show them.")
    ]
    answers_kept: Annotated[
        dict[str, Any], msgspec.Meta(description="The answers stored: those of shown fields.")
    ]
    answer_problems: list[Finding]
    eligible: bool
    eligibility_failed: list[Finding]
    required_materials: list[Material]
