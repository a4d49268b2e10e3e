"""One settings object, read once from the environment."""

from __future__ import annotations

import base64
import enum
import functools
import ipaddress
import os
import re
import urllib.parse
from collections.abc import Mapping
from typing import Annotated

import msgspec

from backend.kernel.partitions.declaration import parse_retentions


class Mode(enum.StrEnum):
    DEV = "dev"
    PROD = "prod"


class LogFormat(enum.StrEnum):
    JSON = "json"
    TEXT = "text"


class SigningAlgorithm(enum.StrEnum):
    ES256 = "ES256"
    EDDSA = "EdDSA"


class SmsVendor(enum.StrEnum):
    CONSOLE = "console"  # development only: codes go to the log
    ALIYUN = "aliyun"  # Alibaba Cloud SMS (dysmsapi 2017-05-25)
    TENCENT = "tencent"  # Tencent Cloud SMS (sms 2021-01-11)


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable."""


# RFC 6750's token68: what a bearer token may be made of; long enough not to be guessed.
_METRICS_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]{32,}=*")
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


class UnpaidBookings(enum.StrEnum):
    FREE = "free"
    REFUSE = "refuse"


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
    sms_provider: Annotated[
        SmsVendor | None,
        _env("SMS_PROVIDER", "aliyun, tencent or console; required in prod (not console)"),
    ] = None
    sms_access_key_id: Annotated[
        str, _env("SMS_ACCESS_KEY_ID", "the vendor's AccessKey ID (Tencent: SecretId)")
    ] = ""
    sms_access_key_secret: Annotated[
        str, _env("SMS_ACCESS_KEY_SECRET", "the vendor's AccessKey secret (Tencent: SecretKey)")
    ] = ""
    sms_sign_name: Annotated[str, _env("SMS_SIGN_NAME", "the approved SMS sign name (签名)")] = ""
    sms_template_code: Annotated[
        str,
        _env(
            "SMS_TEMPLATE_CODE",
            "the approved login-code template: SMS_… on Alibaba Cloud, a number on Tencent "
            "Cloud; its one variable is the code (${code} or {1})",
        ),
    ] = ""
    sms_invite_template_code: Annotated[
        str,
        _env(
            "SMS_INVITE_TEMPLATE_CODE",
            "the approved template inviting someone with no account to a matter in the app (a "
            "mediation); its one variable is who invites them (${name} or {1}); empty: with "
            "a vendor, such a person is not texted",
        ),
    ] = ""
    sms_sdk_app_id: Annotated[
        str, _env("SMS_SDK_APP_ID", "Tencent Cloud's SmsSdkAppId (1400…); Tencent only")
    ] = ""
    sms_region: Annotated[
        str, _env("SMS_REGION", "the vendor's region; empty: cn-hangzhou or ap-guangzhou")
    ] = ""
    aliyun_sms_endpoint: Annotated[
        str, _env("ALIYUN_SMS_ENDPOINT", "base URL of Alibaba Cloud SMS (a relay or a stand-in)")
    ] = "https://dysmsapi.aliyuncs.com"
    tencent_sms_endpoint: Annotated[
        str, _env("TENCENT_SMS_ENDPOINT", "base URL of Tencent Cloud SMS (a relay or a stand-in)")
    ] = "https://sms.tencentcloudapi.com"
    sms_retry_seconds: Annotated[
        float,
        msgspec.Meta(ge=0, le=300),
        _env(
            "SMS_RETRY_SECONDS",
            "wait before sending a code again after a vendor throttle or fault; doubles each try",
        ),
    ] = 20.0
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
    rate_pin_per_user: Annotated[
        str, _rate("YIMEN_RATE_PIN_PER_USER", "payment PIN tries by one user, each an Argon2 hash")
    ] = "60/m"
    rate_pin_per_address: Annotated[
        str, _rate("YIMEN_RATE_PIN_PER_ADDRESS", "payment PIN tries from one address")
    ] = "600/m"
    rate_launches_per_user: Annotated[
        str, _rate("YIMEN_RATE_LAUNCHES_PER_USER", "third-party app launches by one user")
    ] = "120/h"
    rate_launches_per_address: Annotated[
        str, _rate("YIMEN_RATE_LAUNCHES_PER_ADDRESS", "third-party app launches from one address")
    ] = "1200/h"
    rate_open_api_per_app: Annotated[
        str,
        _rate("YIMEN_RATE_OPEN_API_PER_APP", "open-API calls by one third-party app's servers"),
    ] = "1200/m"
    rate_open_notices_per_user: Annotated[
        str,
        _rate("YIMEN_RATE_OPEN_NOTICES_PER_USER", "notifications of one third-party app to a user"),
    ] = "5/h"
    rate_open_notices_per_app: Annotated[
        str,
        _rate("YIMEN_RATE_OPEN_NOTICES_PER_APP", "notifications of one third-party app in all"),
    ] = "10000/d"
    open_webhook_relay: Annotated[
        str,
        _env(
            "YIMEN_OPEN_WEBHOOK_RELAY",
            "URL third-party webhooks are POSTed to instead, with the app's own URL in the "
            "Yimen-Webhook-Url header: an egress gateway (or a local stand-in); empty: direct",
        ),
    ] = ""
    open_webhook_timeout: Annotated[
        int,
        msgspec.Meta(ge=1, le=60),
        _env("YIMEN_OPEN_WEBHOOK_TIMEOUT", "seconds a third party gets to answer a webhook"),
    ] = 10
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
    log_format: Annotated[
        LogFormat | None,
        _env(
            "YIMEN_LOG_FORMAT",
            "json (one object per line, with the request id) or text; unset: json in prod, "
            "text in dev",
        ),
    ] = None
    metrics_token: Annotated[
        str,
        _env(
            "YIMEN_METRICS_TOKEN",
            "bearer token a scrape of /metrics must send (at least 32 characters); unset: "
            "/metrics is open in dev and answers 404 in prod",
        ),
    ] = ""
    metrics_dir: Annotated[
        str,
        _env(
            "YIMEN_METRICS_DIR",
            "directory where the API and worker processes of one host pool their counters; "
            "unset: a fresh one per `yimen serve`, and a worker's counts are not shown",
        ),
    ] = ""
    metrics_port: Annotated[
        int,
        msgspec.Meta(ge=0, le=65535),
        _env(
            "YIMEN_METRICS_PORT",
            "a port of its own where `yimen serve` and `yimen worker` serve their host's "
            "counters to Prometheus, without a token; 0: none (the API's /metrics only)",
        ),
    ] = 0
    metrics_host: Annotated[
        str,
        _env(
            "YIMEN_METRICS_HOST",
            "the address YIMEN_METRICS_PORT listens on: one the monitoring network reaches",
        ),
    ] = "127.0.0.1"
    access_log: Annotated[
        bool | None,
        _env(
            "YIMEN_ACCESS_LOG",
            "true or false: a line per request served (method, path, status, duration); "
            "unset: on in dev, off in prod",
        ),
    ] = None

    crons: Annotated[
        bool,
        _env(
            "YIMEN_CRONS",
            "true or false: on the embedded default (no REDIS_URL), whether `yimen serve` runs "
            "the crons on their timer; false for a second process on the same database, whose "
            "crons the first one runs",
        ),
    ] = True
    partitions_ahead: Annotated[
        int,
        msgspec.Meta(ge=1, le=24),
        _env(
            "YIMEN_PARTITIONS_AHEAD",
            "months of partitions made ahead of time for the tables split by month (PostgreSQL)",
        ),
    ] = 3
    care_unpaid_bookings: Annotated[
        UnpaidBookings,
        _env(
            "YIMEN_CARE_UNPAID_BOOKINGS",
            "with no payment mini-app installed, whether an elderly care booking that costs "
            "money is let go free (free) or refused (refuse)",
        ),
    ] = UnpaidBookings.REFUSE
    retention: Annotated[
        str,
        _env(
            "YIMEN_RETENTION",
            "how long rows of the tables split by month are kept, overriding each table's own "
            "keep: comma-separated table=<days>d, table=<months>m or table=forever",
        ),
    ] = ""

    @property
    def is_dev(self) -> bool:
        return self.mode is Mode.DEV

    @property
    def texts_invitations(self) -> bool:
        """Whether an invitation can be texted: the console prints any; a vendor sends only
        an approved template."""
        console = self.sms_provider in (None, SmsVendor.CONSOLE)
        return console or bool(self.sms_invite_template_code)

    @property
    def logs_access(self) -> bool:
        return self.is_dev if self.access_log is None else self.access_log

    @property
    def logs_as(self) -> LogFormat:
        if self.log_format is not None:
            return self.log_format
        return LogFormat.TEXT if self.is_dev else LogFormat.JSON

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
    try:
        parse_retentions(settings.retention)
    except ValueError as err:
        raise SettingsError(f"YIMEN_RETENTION: {err}") from err
    if settings.metrics_token and not _METRICS_TOKEN.fullmatch(settings.metrics_token):
        raise SettingsError(
            "YIMEN_METRICS_TOKEN: needs at least 32 characters, letters, digits and -._~+/= only"
        )
    _check_proxies(settings.trusted_proxies)
    try:
        ipaddress.ip_address(settings.metrics_host)
    except ValueError as err:
        raise SettingsError("YIMEN_METRICS_HOST: an IP address, such as 0.0.0.0") from err
    if settings.log_level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise SettingsError("YIMEN_LOG_LEVEL: must be DEBUG, INFO, WARNING or ERROR")
    _check_sms(settings)


# What each vendor needs, and the form of what it needs; an unapproved value is for the
# vendor to refuse, a malformed one stops start-up here.
_SMS_REQUIRED = ("SMS_ACCESS_KEY_ID", "SMS_ACCESS_KEY_SECRET", "SMS_SIGN_NAME", "SMS_TEMPLATE_CODE")
_TEMPLATE_FORM = {
    SmsVendor.ALIYUN: (r"SMS_\d+", "an Alibaba Cloud template code such as SMS_154950909"),
    SmsVendor.TENCENT: (r"\d+", "a Tencent Cloud template id (digits)"),
}


def _check_sms(settings: Settings) -> None:
    vendor = settings.sms_provider
    if vendor is None or vendor is SmsVendor.CONSOLE:
        if not settings.is_dev:
            raise SettingsError(
                "SMS_PROVIDER: required when YIMEN_ENV=prod (aliyun or tencent): "
                "without one nobody can log in"
            )
        return
    fields = env_names()
    values = {var: getattr(settings, field) for field, var in fields.items()}
    needed = (*_SMS_REQUIRED, "SMS_SDK_APP_ID") if vendor is SmsVendor.TENCENT else _SMS_REQUIRED
    for var in needed:
        if not values[var].strip():
            raise SettingsError(f"{var}: required when SMS_PROVIDER={vendor}")
    pattern, form = _TEMPLATE_FORM[vendor]
    if not re.fullmatch(pattern, settings.sms_template_code):
        raise SettingsError(f"SMS_TEMPLATE_CODE: must be {form}")
    invite = settings.sms_invite_template_code
    if invite and not re.fullmatch(pattern, invite):
        raise SettingsError(f"SMS_INVITE_TEMPLATE_CODE: must be {form}")
    if vendor is SmsVendor.TENCENT and not re.fullmatch(r"\d+", settings.sms_sdk_app_id):
        raise SettingsError("SMS_SDK_APP_ID: must be Tencent Cloud's SmsSdkAppId (digits)")
    endpoint = "ALIYUN_SMS_ENDPOINT" if vendor is SmsVendor.ALIYUN else "TENCENT_SMS_ENDPOINT"
    url = urllib.parse.urlsplit(values[endpoint])
    if url.scheme not in ("http", "https") or not url.hostname or url.path not in ("", "/"):
        raise SettingsError(f"{endpoint}: must be a base URL such as https://host[:port]")


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
