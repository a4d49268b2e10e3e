"""What a manifest must be beyond its types: https on the app's own domains, a real square
PNG for its icon, each data field asked once and only with the permission to read it, and
notification templates with plain placeholders, only with the permission to send them."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import string
import struct
import zlib
from urllib.parse import urlsplit

from backend.sdk import FieldError, Unprocessable
from miniapps.open_platform.errors import OpenProblem
from miniapps.open_platform.schemas import (
    BODY_PLACEHOLDERS,
    ICON_BYTES,
    PLACEHOLDER,
    PROFILE_FIELDS,
    TITLE_PLACEHOLDERS,
    AppManifest,
    DataField,
    NoticeTemplate,
    Permission,
)
from miniapps.open_platform.shown import shown, unshown

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
# A name in DNS with at least two labels and a top-level label of letters (or an IDN's
# `xn--`): so no IPv4 literal, no port, no upper case to compare two ways.
_HOSTNAME = re.compile(rf"^({_LABEL}\.)+([a-z]{{2,63}}|xn--[a-z0-9-]{{1,59}})$")
_PNG = b"\x89PNG\r\n\x1a\n"
_IEND = b"\x00\x00\x00\x00IEND\xaeB`\x82"
ICON_SIDE = (48, 512)
_FORMATTER = string.Formatter()
MIN_WORDS = 2  # characters a template's text shows of its own, beside its placeholders


def check_manifest(manifest: AppManifest, *, slug: str | None = None, at: str = "") -> None:
    """Refuse `manifest` with every culprit named (under `at`, its place in the body); a
    later version keeps the app's `slug`."""
    errors = [
        *_domains(manifest.allowed_domains),
        *_url("entry_url", manifest.entry_url, manifest.allowed_domains),
        *_icon(manifest.icon),
        *_data(manifest),
        *_templates(manifest.templates),
    ]
    if manifest.webhook is not None:
        errors += _url("webhook.url", manifest.webhook.url, manifest.allowed_domains)
    if slug is not None and manifest.id != slug:
        errors.append(FieldError(field="id", message=f"an app's id stays {slug}"))
    if errors:
        raise Unprocessable(
            OpenProblem.MANIFEST_INVALID,
            errors=[FieldError(field=at + e.field, message=e.message) for e in errors],
        )


def _domains(domains: frozenset[str]) -> list[FieldError]:
    return [
        FieldError(field="allowed_domains", message=f"{domain}: {why}")
        for domain in sorted(domains)
        if (why := _not_a_host(domain))
    ]


def _not_a_host(host: str) -> str | None:
    if _is_ip(host.strip("[]")):
        return "an IP address is not a domain"
    if ":" in host:
        return "a domain has no port"
    if not _HOSTNAME.fullmatch(host):
        return "not a domain name in lower case, such as h5.example.com"
    return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _url(field: str, url: str, domains: frozenset[str]) -> list[FieldError]:
    # urlsplit drops tabs and newlines and skips leading blanks, so the URL kept would not
    # be the one checked.
    if any(c.isspace() or not c.isprintable() for c in url):
        return [FieldError(field=field, message="must not hold blanks or control characters")]
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return [FieldError(field=field, message="not a URL")]
    host = parts.hostname or ""
    why = None
    if parts.scheme != "https":
        why = "must be https"
    elif parts.username is not None or parts.password is not None:
        why = "must not carry a user or password"
    elif _is_ip(host):
        why = "must name a domain, not an IP address"
    elif port is not None or parts.netloc.endswith(":"):
        why = "must not name a port"
    elif host not in domains:
        why = f"{host or 'no host'} is not one of allowed_domains"
    return [] if why is None else [FieldError(field=field, message=why)]


def _icon(icon: str) -> list[FieldError]:
    try:
        image = base64.b64decode(icon, validate=True)
    except (binascii.Error, ValueError):
        return [FieldError(field="icon", message="not base64")]
    if len(image) > ICON_BYTES:
        return [FieldError(field="icon", message=f"larger than {ICON_BYTES} bytes")]
    side = _png_side(image)
    if side is None:
        return [FieldError(field="icon", message="not a square PNG")]
    low, high = ICON_SIDE
    if not low <= side <= high:
        return [FieldError(field="icon", message=f"{side} pixels a side, not {low} to {high}")]
    return []


def _png_side(image: bytes) -> int | None:
    """The side of a square PNG: its signature, a whole IHDR chunk first (13 bytes, its CRC
    right) and the IEND chunk last."""
    if len(image) < 45 or not image.startswith(_PNG) or not image.endswith(_IEND):
        return None
    length, kind = struct.unpack(">I4s", image[8:16])
    header, (crc,) = image[12:29], struct.unpack(">I", image[29:33])
    if length != 13 or kind != b"IHDR" or zlib.crc32(header) != crc:
        return None
    width, height = struct.unpack(">II", image[16:24])
    return width if width == height else None


def _data(manifest: AppManifest) -> list[FieldError]:
    fields = [ask.field for ask in manifest.data]
    errors = [
        FieldError(field=f"data[{n}].field", message=f"{field} is asked for twice")
        for n, field in enumerate(fields)
        if field in fields[:n]
    ]
    if PROFILE_FIELDS.intersection(fields) and Permission.PROFILE not in manifest.permissions:
        errors.append(FieldError(field="data", message="asking for data needs profile.read"))
    notifies = Permission.NOTIFY in manifest.permissions
    if notifies != (DataField.NOTIFICATIONS in fields):
        errors.append(
            FieldError(
                field="data",
                message="notify.send and asking consent to notifications go together",
            )
        )
    if notifies != bool(manifest.templates):
        errors.append(
            FieldError(field="templates", message="notify.send and templates go together")
        )
    return errors


def _templates(templates: list[NoticeTemplate]) -> list[FieldError]:
    ids = [template.id for template in templates]
    errors = [
        FieldError(field=f"templates[{n}].id", message=f"{id_} is used twice")
        for n, id_ in enumerate(ids)
        if id_ in ids[:n]
    ]
    for n, template in enumerate(templates):
        texts = {
            "titles.zh-CN": template.titles.zh_cn,
            "titles.en": template.titles.en,
            "bodies.zh-CN": template.bodies.zh_cn,
            "bodies.en": template.bodies.en,
        }
        errors += [
            FieldError(field=f"templates[{n}].{where}", message=why)
            for where, text in texts.items()
            if text is not None and (why := _not_a_template(text, where.startswith("titles")))
        ]
    return errors


def _not_a_template(text: str, title: bool) -> str | None:
    """Why `text` is not words of its own with a few plain `{name}` placeholders (`{{` and
    `}}` for braces): no attribute, index, conversion or format, which would let a value
    reach past itself, and not so few words that the values would say it all."""
    try:
        parts = list(_FORMATTER.parse(text))
    except ValueError:
        return "a brace without its pair: write {{ and }} for braces"
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if not re.fullmatch(PLACEHOLDER, name) or spec or conversion:
            return f"{{{name}}}: a placeholder is a plain name such as {{date}}"
    most = TITLE_PLACEHOLDERS if title else BODY_PLACEHOLDERS
    if sum(1 for _, name, _, _ in parts if name is not None) > most:
        return f"more than {most} placeholders"
    words = "".join(literal for literal, _, _, _ in parts)
    if shown(words) < MIN_WORDS:
        return f"fewer than {MIN_WORDS} characters of its own beside its placeholders"
    return unshown(words)


def placeholders(template: NoticeTemplate) -> frozenset[str]:
    """The names a notification's data must fill in every language of the template."""
    texts = (template.titles.zh_cn, template.titles.en, template.bodies.zh_cn, template.bodies.en)
    return frozenset(
        name for text in texts if text for _, name, _, _ in _FORMATTER.parse(text) if name
    )
