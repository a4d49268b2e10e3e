"""The publishers' guide's own code, run as an outside developer would copy it."""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

GUIDE = Path(__file__).parents[3] / "docs" / "publish-a-miniapp.md"
Verify = Callable[..., bool]
WhoLaunched = Callable[[str], dict[str, Any]]


def snippet(marker: str) -> str:
    """The Python block after `<!-- marker -->` in the guide."""
    pattern = rf"<!-- {re.escape(marker)} -->\n```python\n(.*?)```"
    found = re.search(pattern, GUIDE.read_text(encoding="utf-8"), re.S)
    assert found, f"the guide lost its {marker} snippet"
    return found.group(1)


def _run(marker: str) -> dict[str, Any]:
    scope: dict[str, Any] = {}
    exec(snippet(marker), scope)  # noqa: S102 - the guide's own code, run as a reader would
    return scope


def guide_verifier() -> Verify:
    """`verify_webhook` exactly as the guide prints it."""
    verify: Verify = _run("verify-webhook")["verify_webhook"]
    return verify


def guide_handshake(yimen: str, app_id: str, secret: str) -> WhoLaunched:
    """`who_launched` as the guide prints it, on the guide's own `OpenApi` client (section
    3) kept in the module `open_api`, as the guide says, for the open platform at `yimen`."""
    client = _run("open-api-client")
    client["YIMEN"] = yimen
    open_api = types.ModuleType("open_api")
    open_api.YIMEN = yimen  # type: ignore[attr-defined]
    open_api.api = client["OpenApi"](app_id, secret)  # type: ignore[attr-defined]
    sys.modules["open_api"] = open_api
    who_launched: WhoLaunched = _run("who-launched")["who_launched"]
    return who_launched
