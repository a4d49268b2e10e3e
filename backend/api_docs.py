"""The interactive API docs at /schema, served with Swagger UI's files from the
`swagger-ui-bundle-v2` package: an intranet has no CDN, so the page names no other host."""

from __future__ import annotations

import html
from typing import Any

from litestar import Request, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.middleware import DefineMiddleware
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.params import FromPath
from litestar.response import File
from litestar.types import ASGIApp, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path

from backend.kernel.codes import KernelCode
from backend.kernel.errors import NotFound
from backend.kernel.ratelimit import Quota
from backend.kernel.ratelimit.middleware import rate_limited

# The files of Swagger UI the page loads, and their types.
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
ASSET_DIRECTORY = "assets"

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<style>body {{ margin: 0 }}</style>
</head>
<body>
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({{
  url: "{document}",
  dom_id: "#swagger-ui",
  deepLinking: true,
  showExtensions: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"
}});
</script>
</body>
</html>
"""


@get(
    f"/{ASSET_DIRECTORY}/{{name:str}}",
    include_in_schema=False,
    cache_control=CacheControlHeader(max_age=86400, public=True),
)
async def swagger_asset(name: FromPath[str]) -> File:
    """One file of Swagger UI, from the installed package."""
    media_type = ASSETS.get(name)
    if media_type is None:
        raise NotFound(KernelCode.NOT_FOUND)
    return File(
        path=str(swagger_ui_path / name), media_type=media_type, content_disposition_type="inline"
    )


class LocalSwagger(OpenAPIRenderPlugin):
    """Swagger UI at /schema (and /schema/swagger), reading the document from
    /schema/openapi.json and its own files from /schema/assets."""

    def __init__(self) -> None:
        super().__init__(path="/swagger")
        self.assets = f"/{ASSET_DIRECTORY}"

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        page = _PAGE.format(
            title=html.escape(str(openapi_schema["info"]["title"])),
            assets=html.escape(self.assets),
            document=html.escape(self.get_openapi_json_route(request)),
        )
        return page.encode()

    def receive_router(self, router: Router) -> None:
        self.assets = f"{router.path.rstrip('/')}/{ASSET_DIRECTORY}"
        router.register(swagger_asset)


class DocsPagesOnly:
    """Litestar answers an unknown page under the docs' path with an HTML 404 of its own, from
    a route at `<path>/{path}`; ours is a problem, like every other unknown path."""

    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app = app
        self.catch_all = f"{path.rstrip('/')}/{{path}}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("path_template") == self.catch_all:
            raise NotFound(KernelCode.NOT_FOUND)
        await self.app(scope, receive, send)


def docs_router(path: str) -> Router:
    """The router Litestar's OpenAPI plugin fills with the docs pages and the document."""
    return Router(
        path,
        route_handlers=[],
        include_in_schema=False,
        middleware=[DefineMiddleware(DocsPagesOnly, path=path), rate_limited(Quota.PUBLIC)],
    )


__all__ = ["ASSETS", "DocsPagesOnly", "LocalSwagger", "docs_router", "swagger_asset"]
