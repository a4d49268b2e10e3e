from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

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


class MeView(msgspec.Struct, frozen=True, kw_only=True):
    user_id: int
    roles: list[str]
    scope: dict[str, list[str]]
    locale: str
    elder_mode: bool
    expires_at: int
