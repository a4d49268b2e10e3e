"""A route whose body has a field named like one of its dependencies is refused at start:
Litestar would take a bad value in that field for a broken dependency and answer 500."""

from __future__ import annotations

import msgspec
import pytest
from litestar import Litestar, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from backend.kernel.body_names import refuse_shadowed_body_fields
from backend.kernel.registry import ManifestError


class Body(msgspec.Struct):
    vault: dict[str, int]
    note: str = ""


class Other(msgspec.Struct):
    keys: dict[str, int]


def _vault() -> str:
    return "sealed"


@post("/shadowed", sync_to_thread=False)
def shadowed(data: JSONBody[Body], vault: NamedDependency[str]) -> str:
    return vault


@post("/apart", sync_to_thread=False)
def apart(data: JSONBody[Other], vault: NamedDependency[str]) -> str:
    return vault


def _app(*handlers: object) -> Litestar:
    return Litestar(
        route_handlers=list(handlers), dependencies={"vault": Provide(_vault, sync_to_thread=False)}
    )


def test_a_body_field_named_like_a_dependency_stops_the_start() -> None:
    with pytest.raises(ManifestError, match=r"POST /shadowed: body field\(s\) \['vault'\]"):
        refuse_shadowed_body_fields(_app(shadowed, apart))


def test_bodies_apart_from_their_dependencies_pass() -> None:
    refuse_shadowed_body_fields(_app(apart))


def test_the_app_has_no_such_route() -> None:
    from backend.app import create_app
    from backend.kernel.settings import get_settings

    create_app(get_settings())  # refuses to build with one
