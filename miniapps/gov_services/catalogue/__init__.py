"""The demo catalogue: one JSON file per service item beside this module, each its catalogue
entry and its document. Items are data: adding one is adding a file."""

from __future__ import annotations

import functools
from importlib import resources
from typing import NamedTuple

import msgspec

from miniapps.gov_services.document import ItemDocument


class CatalogueEntry(NamedTuple):
    code: str  # 事项编码
    name: str
    dept: str
    category: str
    keywords: str  # space-separated, as the item's row keeps them
    document: ItemDocument


class _ItemFile(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    code: str
    name: str
    dept: str
    category: str
    keywords: list[str]
    document: ItemDocument


@functools.cache
def demo_catalogue() -> tuple[CatalogueEntry, ...]:
    """Every item of the demo catalogue, by code."""
    files = sorted(
        (f for f in resources.files(__name__).iterdir() if f.name.endswith(".json")),
        key=lambda f: f.name,
    )
    entries = []
    for file in files:
        item = msgspec.json.decode(file.read_bytes(), type=_ItemFile)
        entries.append(
            CatalogueEntry(
                code=item.code,
                name=item.name,
                dept=item.dept,
                category=item.category,
                keywords=" ".join(item.keywords),
                document=item.document,
            )
        )
    return tuple(entries)


__all__ = ["CatalogueEntry", "demo_catalogue"]
