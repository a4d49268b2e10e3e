"""An Open311 post as a native report: the spec's form fields, through `ReportIn`'s own
constraints, in a public category only."""

from __future__ import annotations

import re
from typing import Annotated, Any

import msgspec
from litestar.datastructures import FormMultiDict

from backend.sdk import BadRequest, FieldError, KernelCode
from miniapps.grid_events.catalogue import AttributeKind, Category
from miniapps.grid_events.open311.errors import Open311Code
from miniapps.grid_events.open311.published import PUBLIC_CATEGORIES
from miniapps.grid_events.schemas import ReportIn

# Where a `ReportIn` field comes from in the spec's form, to name it in errors.
FORM_FIELDS = {"category": "service_code", "lon": "long", "address": "address_string"}
ERROR_PATH = re.compile(r"^(?P<message>.*) - at `\$\.(?P<field>\w+)")
# Finite and far from overflow, so a number attribute can be stored as JSON.
FormNumber = Annotated[float, msgspec.Meta(ge=-1e15, le=1e15)]


def report_of(form: FormMultiDict) -> ReportIn:
    """The form as a native report, or a 400 naming the form's field."""
    category = PUBLIC_CATEGORIES.get(_text(form, "service_code"))
    if category is None:
        raise BadRequest(
            Open311Code.OPEN311_SERVICE_UNKNOWN,
            errors=[FieldError(field="service_code", message="not a service in services.json")],
        )
    fields = {
        "category": category.code,
        "description": _text(form, "description") or "-",
        "lat": _text(form, "lat") or None,
        "lon": _text(form, "long") or None,
        "address": _text(form, "address_string"),
        "attributes": _attributes(category, form),
    }
    try:
        # Not strict: a form holds text, and msgspec reads "34.8" as the float it names.
        return msgspec.convert(fields, ReportIn, strict=False)
    except msgspec.ValidationError as err:
        raise BadRequest(KernelCode.VALIDATION_FAILED, errors=[_form_error(str(err))]) from err


def _text(form: FormMultiDict, name: str) -> str:
    return _checked_text(name, form.get(name, ""))


def _checked_text(name: str, value: Any) -> str:
    # A file is no text (NUL in a form's text the host refuses before it reaches us).
    if not isinstance(value, str):
        raise BadRequest(
            KernelCode.VALIDATION_FAILED,
            errors=[FieldError(field=name, message="text, not a file")],
        )
    return value


def _attributes(category: Category, form: FormMultiDict) -> dict[str, Any]:
    """`attribute[code]` fields (`attribute[code][]` for a list), typed as the category
    declares them; what does not fit is left as sent, for the report's own check to refuse."""
    kinds = {a.name: a.kind for a in category.attributes}
    values: dict[str, Any] = {}
    for key in form:
        if not (key.startswith("attribute[") and key.endswith("]")):
            continue
        name = key[len("attribute[") : -1].removesuffix("][")
        raw = [_checked_text(key, v) for v in form.getall(key)]
        values[name] = _attribute_value(kinds.get(name), raw)
    return values


def _attribute_value(kind: AttributeKind | None, raw: list[str]) -> Any:
    if kind is AttributeKind.MULTI:
        return raw
    value = raw[-1]
    if kind is AttributeKind.NUMBER:
        try:
            return msgspec.convert(value, FormNumber, strict=False)
        except msgspec.ValidationError:
            return value
    return value


def _form_error(text: str) -> FieldError:
    match = ERROR_PATH.match(text)
    if match is None:
        return FieldError(field="", message=text)
    field = match["field"]
    return FieldError(field=FORM_FIELDS.get(field, field), message=match["message"])
