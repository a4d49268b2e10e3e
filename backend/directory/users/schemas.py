from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from backend.kernel.i18n import Locale
from backend.kernel.roles import Role

Phone = Annotated[str, msgspec.Meta(pattern=r"^1[3-9]\d{9}$", examples=["13800138000"])]
IdCardNumber = Annotated[str, msgspec.Meta(pattern=r"^\d{17}[\dX]$")]
PersonName = Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
OrgPath = Annotated[
    str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*){0,4}$", max_length=200)
]


class StaffCreate(msgspec.Struct, frozen=True, kw_only=True):
    phone: Phone
    name: PersonName
    role: Role
    scope_path: OrgPath
    id_card: IdCardNumber | None = None


class StaffView(msgspec.Struct, frozen=True, kw_only=True):
    assignment_id: int
    user_id: int
    name: str
    phone: str
    role: str
    scope_path: str
    created_at: dt.datetime


class StaffPage(msgspec.Struct, frozen=True):
    items: list[StaffView]
    next_cursor: str | None


class PersonView(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    phone: str
    id_card: str | None
    home_path: str | None
    active: bool
    masked: bool


class HomeIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where the caller lives: a community or a grid chosen from the org tree (`path`), or a
    point (`lat` and `lon`) that is placed into the grid holding it. One of the two."""

    path: OrgPath | None = None
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None


class ProfileUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The settings a person keeps for themselves; a field left out stays as it is. Name,
    phone, ID number and roles are not among them."""

    locale: (
        Annotated[
            Locale | None,
            msgspec.Meta(description="null: no choice, each request's Accept-Language decides"),
        ]
        | UnsetType
    ) = UNSET
    elder_mode: bool | UnsetType = UNSET
    home: HomeIn | UnsetType = UNSET


class MeView(msgspec.Struct, frozen=True, kw_only=True):
    """The caller as their access token says: who, which roles over which paths, and the
    profile it carries (locale, elder mode, and home: the resident scope)."""

    user_id: int
    roles: list[str]
    scope: dict[str, list[str]]
    locale: Annotated[str | None, msgspec.Meta(description="null: none chosen")]
    elder_mode: bool
    home: Annotated[str | None, msgspec.Meta(description="the org path of the caller's home")]
    expires_at: int


class ProfileView(MeView, frozen=True, kw_only=True):
    """The caller with the profile just saved, as the next access token will carry it."""

    token_outdated: Annotated[
        bool,
        msgspec.Meta(
            description="the access token still carries the profile as it was: refresh the "
            "session (POST /v1/auth/refresh) for the launcher and scopes to follow"
        ),
    ]
