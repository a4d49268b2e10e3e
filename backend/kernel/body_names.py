"""A body field must not share its name with a dependency of its route.

Litestar tells a client's bad value from a broken dependency by the name of the place that
failed, and names a body's top-level field without its `data.` prefix: a bad value in a body
field called `settings` or `vault` would pass for a failed dependency and answer 500. The
app refuses to start with such a route instead."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar
from litestar.routes import HTTPRoute

from backend.kernel.registry import ManifestError


def refuse_shadowed_body_fields(app: Litestar) -> None:
    """ManifestError naming every route whose body has a field named like a dependency."""
    clashes = [
        f"{method} {route.path}: body field(s) {sorted(shared)}"
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        for method in sorted(handler.http_methods)
        if (shared := _body_fields(handler) & set(handler.resolve_dependencies()))
    ]
    if clashes:
        raise ManifestError(
            "a body field shares its name with a dependency, so a bad value there would "
            "answer 500: rename one of them: " + "; ".join(clashes)
        )


def _body_fields(handler: Any) -> set[str]:
    data = handler.parsed_fn_signature.parameters.get("data")
    body = data.annotation if data is not None else None  # Annotated[...] unwrapped
    if isinstance(body, type) and issubclass(body, msgspec.Struct):
        return set(body.__struct_encode_fields__)
    return set()
