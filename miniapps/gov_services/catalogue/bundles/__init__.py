"""The demo catalogue's bundles (一件事): one JSON file per bundle beside this module, each a
bundle version as an admin would write it (`BundleIn`). Its members are items of the demo
catalogue one folder up."""

from __future__ import annotations

import functools
from importlib import resources

import msgspec

from miniapps.gov_services.bundle_model import BundleIn


@functools.cache
def demo_bundles() -> tuple[BundleIn, ...]:
    """Every bundle of the demo catalogue, by file name."""
    files = sorted(
        (f for f in resources.files(__name__).iterdir() if f.name.endswith(".json")),
        key=lambda f: f.name,
    )
    return tuple(msgspec.json.decode(f.read_bytes(), type=BundleIn) for f in files)


__all__ = ["demo_bundles"]
