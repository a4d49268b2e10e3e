"""Serving the built pages: each page's `index.html`, never cached without asking, and its
assets, named by their content's hash and so cached for good; all under a content security
policy that lets a page load and reach nothing but this origin."""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from litestar import Response, get
from litestar.params import FromPath

from backend.kernel.codes import KernelCode
from backend.kernel.errors import NotFound

BUILT = Path(__file__).resolve().parent / "built"
PAGES = ("app", "console")

# No inline script or style, no other origin: what an injected tag could load or send is
# refused by the browser. `blob:` and `data:` images are the photos picked and the QR drawn
# in the page; frames are only the sandboxed third-party mini-apps (their own origins).
POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob: data:",
        "connect-src 'self'",
        "frame-src https:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
NO_CACHE = "no-cache"
FOREVER = "public, max-age=31536000, immutable"
# Vite names each asset `<name>-<hash>.<ext>`, the hash eight characters of base64url.
_HASHED = re.compile(r"^[\w.-]+-[A-Za-z0-9_-]{8}\.(?:js|css|png|svg|woff2)$")


def _page_file(page: str, path: str) -> Path:
    root = BUILT / page
    target = (root / path).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise NotFound(KernelCode.NOT_FOUND)
    return target


def _served(target: Path, cache: str) -> Response[bytes]:
    media_type, _ = mimetypes.guess_type(target.name)
    return Response(
        target.read_bytes(),
        media_type=media_type or "application/octet-stream",
        headers={**HEADERS, "Cache-Control": cache},
    )


def _index(page: str) -> Response[bytes]:
    return _served(_page_file(page, "index.html"), NO_CACHE)


def _asset(page: str, name: str) -> Response[bytes]:
    if not _HASHED.match(name):
        raise NotFound(KernelCode.NOT_FOUND)
    return _served(_page_file(page, f"assets/{name}"), FOREVER)


@get("/app/", include_in_schema=False)
async def app_page() -> Response[bytes]:
    """The mobile-web shell."""
    return _index("app")


@get("/app/assets/{name:str}", include_in_schema=False)
async def app_asset(name: FromPath[str]) -> Response[bytes]:
    """One hashed file of the shell."""
    return _asset("app", name)


@get("/console/", include_in_schema=False)
async def console_page() -> Response[bytes]:
    """The governance console."""
    return _index("console")


@get("/console/assets/{name:str}", include_in_schema=False)
async def console_asset(name: FromPath[str]) -> Response[bytes]:
    """One hashed file of the console."""
    return _asset("console", name)


ROUTES = [app_page, app_asset, console_page, console_asset]
