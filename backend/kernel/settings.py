"""One settings object, read once from the environment."""

from __future__ import annotations

import base64
import enum
import functools
import ipaddress
import os
from collections.abc import Mapping
from typing import Annotated

import msgspec


class Mode(enum.StrEnum):
    DEV = "dev"
    PROD = "prod"


class SigningAlgorithm(enum.StrEnum):
    ES256 = "ES256"
    EDDSA = "EdDSA"


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable."""


_DEV_SECRET = base64.urlsafe_b64encode(b"yimen-development-secret-32bytes").decode()


def _env(name: str, description: str) -> msgspec.Meta:
    return msgspec.Meta(description=description, extra={"env": name})


# A rate limit: requests allowed, then per second, minute, hour or day ("5/h", "10/30s").
RATE_PATTERN = r"^[1-9][0-9]*/([1-9][0-9]*)?[smhd]$"


def _rate(name: str, description: str) -> msgspec.Meta:
    return msgspec.Meta(
        pattern=RATE_PATTERN,
        description=f"{description}, as count/period (e.g. 5/h, 10/30s)",
        extra={"env": name},
    )


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    mode: Annotated[Mode, _env("YIMEN_ENV", "dev or prod; prod refuses dev conveniences")] = (
        Mode.DEV
    )
    database_url: Annotated[
        str, _env("DATABASE_URL", "postgresql://… for PostgreSQL, else a SQLite file path")
    ] = ""
    sqlite_path: Annotated[
        str, _env("YIMEN_SQLITE_PATH", "SQLite file used when DATABASE_URL is not postgres")
    ] = "yimen.sqlite3"
    redis_url: Annotated[
        str, _env("REDIS_URL", "redis://… for arq jobs and cross-process sync; empty: in-process")
    ] = ""
    firebase_credentials: Annotated[
        str, _env("FIREBASE_CREDENTIALS", "service-account JSON path; empty: inbox only")
    ] = ""
    firebase_project_id: Annotated[
        str, _env("FIREBASE_PROJECT_ID", "FCM project; read from a service-account file if empty")
    ] = ""
    fcm_endpoint: Annotated[
        str, _env("FCM_ENDPOINT", "base URL of the FCM v1 API (a relay or a stand-in)")
    ] = "https://fcm.googleapis.com"
    secret_key: Annotated[
        str,
        _env("YIMEN_SECRET_KEY", "urlsafe base64 of at least 32 random bytes; required in prod"),
    ] = ""
    issuer: Annotated[str, _env("YIMEN_JWT_ISSUER", "the iss claim of access tokens")] = (
        "https://yimen.local"
    )
    audience: Annotated[str, _env("YIMEN_JWT_AUDIENCE", "the aud claim of access tokens")] = (
        "yimen-app"
    )
    signing_algorithm: Annotated[
        SigningAlgorithm, _env("YIMEN_SIGNING_ALG", "ES256 or EdDSA for new signing keys")
    ] = SigningAlgorithm.ES256
    access_token_ttl: Annotated[
        int, msgspec.Meta(ge=60, le=3600), _env("YIMEN_ACCESS_TTL", "access token life, seconds")
    ] = 900
    refresh_token_ttl: Annotated[
        int, msgspec.Meta(ge=3600), _env("YIMEN_REFRESH_TTL", "refresh token life, seconds")
    ] = 30 * 24 * 3600
    otp_ttl: Annotated[
        int, msgspec.Meta(ge=60, le=900), _env("YIMEN_OTP_TTL", "one-time code life, seconds")
    ] = 300
    otp_max_attempts: Annotated[
        int, msgspec.Meta(ge=1, le=10), _env("YIMEN_OTP_MAX_ATTEMPTS", "wrong guesses per code")
    ] = 5
    otp_per_phone_per_hour: Annotated[
        int, msgspec.Meta(ge=1), _env("YIMEN_OTP_PER_PHONE_PER_HOUR", "codes sent to one phone")
    ] = 5
    otp_per_ip_per_hour: Annotated[
        int, msgspec.Meta(ge=1), _env("YIMEN_OTP_PER_IP_PER_HOUR", "codes asked from one address")
    ] = 30
    otp_resend_interval: Annotated[
        int, msgspec.Meta(ge=0), _env("YIMEN_OTP_RESEND_INTERVAL", "seconds between two codes")
    ] = 60
    rate_login_per_phone: Annotated[
        str, _rate("YIMEN_RATE_LOGIN_PER_PHONE", "login attempts (code verifications) per phone")
    ] = "30/h"
    rate_login_per_address: Annotated[
        str, _rate("YIMEN_RATE_LOGIN_PER_ADDRESS", "login attempts from one address")
    ] = "300/h"
    rate_reports_per_user: Annotated[
        str, _rate("YIMEN_RATE_REPORTS_PER_USER", "event reports (Open311's too) by one user")
    ] = "60/h"
    rate_reports_per_address: Annotated[
        str,
        _rate("YIMEN_RATE_REPORTS_PER_ADDRESS", "reports from one address"),
    ] = "600/h"
    rate_scans_per_user: Annotated[
        str, _rate("YIMEN_RATE_SCANS_PER_USER", "health code scans by one member of staff")
    ] = "120/m"
    rate_scans_per_address: Annotated[
        str, _rate("YIMEN_RATE_SCANS_PER_ADDRESS", "health code scans from one address")
    ] = "1200/m"
    rate_public_per_address: Annotated[
        str, _rate("YIMEN_RATE_PUBLIC_PER_ADDRESS", "requests to routes open without a login")
    ] = "600/m"
    trusted_proxies: Annotated[
        str,
        _env(
            "YIMEN_TRUSTED_PROXIES",
            "comma-separated addresses or networks of the proxies in front; only their "
            "X-Forwarded-For names the client",
        ),
    ] = ""
    media_dir: Annotated[
        str, _env("YIMEN_MEDIA_DIR", "where uploaded photos are kept on the local disk")
    ] = "var/media"
    max_body_bytes: Annotated[
        int,
        msgspec.Meta(ge=64 * 1024, le=64 * 1024 * 1024),
        _env(
            "YIMEN_MAX_BODY_BYTES",
            "largest request body accepted, bytes; above it a 413 (photos are up to 5 MiB)",
        ),
    ] = 6 * 1024 * 1024
    log_level: Annotated[str, _env("YIMEN_LOG_LEVEL", "DEBUG, INFO, WARNING or ERROR")] = "INFO"
    access_log: Annotated[
        bool | None,
        _env(
            "YIMEN_ACCESS_LOG",
            "true or false: a line per request served (method, path, status, duration); "
            "unset: on in dev, off in prod",
        ),
    ] = None

    @property
    def is_dev(self) -> bool:
        return self.mode is Mode.DEV

    @property
    def logs_access(self) -> bool:
        return self.is_dev if self.access_log is None else self.access_log

    @property
    def uses_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def secret(self) -> bytes:
        return base64.urlsafe_b64decode(self.secret_key or _DEV_SECRET)


def _fields() -> list[tuple[str, str]]:
    info = msgspec.inspect.type_info(Settings)
    assert isinstance(info, msgspec.inspect.StructType)
    return [(field.name, _env_of(field.type)) for field in info.fields]


def _env_of(field_type: msgspec.inspect.Type) -> str:
    assert isinstance(field_type, msgspec.inspect.Metadata)
    assert field_type.extra
    return str(field_type.extra["env"])


def env_names() -> dict[str, str]:
    """Field name → environment variable, for every setting."""
    return dict(_fields())


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and check every setting; a bad one raises SettingsError naming its variable."""
    environ = os.environ if environ is None else environ
    raw = {field: environ[var] for field, var in _fields() if environ.get(var, "") != ""}
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as err:
        raise SettingsError(_name_variable(str(err))) from err
    _check(settings)
    return settings


def _name_variable(message: str) -> str:
    for field, var in _fields():
        if f"`$.{field}`" in message:
            return f"{var}: {message.split(' - at ')[0]}"
    return message


def _check(settings: Settings) -> None:
    if settings.secret_key:
        try:
            key = base64.urlsafe_b64decode(settings.secret_key.encode())
        except ValueError as err:
            raise SettingsError("YIMEN_SECRET_KEY: not urlsafe base64") from err
        if len(key) < 32:
            raise SettingsError("YIMEN_SECRET_KEY: needs at least 32 bytes")
    elif not settings.is_dev:
        raise SettingsError("YIMEN_SECRET_KEY: required when YIMEN_ENV=prod")
    if settings.redis_url and not settings.redis_url.startswith(("redis://", "rediss://")):
        raise SettingsError("REDIS_URL: must start with redis:// or rediss://")
    if settings.firebase_credentials and not os.path.isfile(settings.firebase_credentials):
        raise SettingsError("FIREBASE_CREDENTIALS: no such file")
    _check_proxies(settings.trusted_proxies)
    if settings.log_level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise SettingsError("YIMEN_LOG_LEVEL: must be DEBUG, INFO, WARNING or ERROR")


def _check_proxies(value: str) -> None:
    for item in filter(None, (part.strip() for part in value.split(","))):
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError as err:
            raise SettingsError(
                f"YIMEN_TRUSTED_PROXIES: {item!r} is no address or network"
            ) from err


@functools.cache
def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return load_settings()
