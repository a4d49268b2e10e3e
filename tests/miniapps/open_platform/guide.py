"""The publishers' guide's own code, run as an outside developer would copy it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

GUIDE = Path(__file__).parents[3] / "docs" / "publish-a-miniapp.md"
Verify = Callable[..., bool]


def guide_verifier() -> Verify:
    """`verify_webhook` exactly as the guide prints it."""
    found = re.search(r"<!-- verify-webhook -->\n```python\n(.*?)```", GUIDE.read_text(), re.S)
    assert found, "the guide lost its verification snippet"
    scope: dict[str, Any] = {}
    exec(found.group(1), scope)  # noqa: S102 - the guide's own code, run as a reader would
    verify: Verify = scope["verify_webhook"]
    return verify
