from __future__ import annotations

from typing import Annotated

import msgspec

from backend.users.schemas import Phone

OneTimeCodeText = Annotated[str, msgspec.Meta(pattern=r"^\d{6}$")]
RefreshTokenText = Annotated[str, msgspec.Meta(min_length=16, max_length=128)]


class CodeRequest(msgspec.Struct, frozen=True):
    phone: Phone


class LoginRequest(msgspec.Struct, frozen=True):
    phone: Phone
    code: OneTimeCodeText


class RefreshRequest(msgspec.Struct, frozen=True):
    refresh_token: RefreshTokenText
