"""Drafts of 居住证申领 ready to submit, one per submit the load makes, and the check that
every submit wrk counted made a submitted application.

One draft is made through the API as the resident would: start (the id card fills in name
and number), the answers, then the two licences the smallest valid application needs (the
id card, and the property certificate as proof of residence), each with consent. The rest
are copies of its rows, the application's and its materials', which is what the same
requests would have written for each: the same answers, prefilled fields and their licence
references, the same licence hashes and consent, the same version; only the placeholder
reference a draft holds until submit is new (`draft_ref`)."""

from __future__ import annotations

import asyncio
import http.client
import json
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlparse

RESIDENT = "13800000001"  # 王居民, of zz/gx/fengyang/c03/g07: id card and property licences
ITEM = "residence_permit_apply"
APP = "/v1/miniapps/gov_services"
ANSWERS = {
    "phone": "13800000001",
    "residence_address": "高新区枫杨街道西岗社区8号楼2单元301",
    "residence_since": "2019-03-01",
    "housing_type": "自有住房",
    "residence_reason": "投靠亲属",
    "collect_method": "窗口领取",
}
LICENCES = {
    "id_card": "demo:id_card:wang-jumin",
    "residence_proof": "demo:property_certificate:wang-jumin",
}


class Template(NamedTuple):
    """The draft made through the API: its id, version (the If-Match of its copies'
    submits) and the answers it holds, prefilled ones included."""

    id: int
    version: int
    answers: dict[str, Any]


def call(
    base: str, method: str, path: str, token: str, body: Any = None, if_match: int | None = None
) -> dict[str, Any]:
    """One request as the app makes it; anything but a 2xx stops the run."""
    url = urlparse(base)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if if_match is not None:
        headers["If-Match"] = f'"{if_match}"'
    try:
        connection.request(method, path, json.dumps(body) if body is not None else None, headers)
        answer = connection.getresponse()
        text = answer.read().decode()
    finally:
        connection.close()
    if not 200 <= answer.status < 300:
        raise SystemExit(f"gov_services: {method} {path} answered {answer.status}: {text}")
    found: dict[str, Any] = json.loads(text)
    return found


def make_template(base: str, token: str) -> Template:
    """A draft ready to submit, made through the API."""
    view = call(base, "POST", f"{APP}/applications", token, {"item_code": ITEM})
    one = f"{APP}/applications/{view['id']}"
    view = call(base, "PUT", f"{one}/answers", token, {"answers": ANSWERS}, view["version"])
    for material, ref in LICENCES.items():
        given = {"material_code": material, "licence_ref": ref, "consent": True}
        view = call(base, "POST", f"{one}/materials/licences", token, given, view["version"])
    return Template(view["id"], view["version"], view["answers"])


async def copy_drafts(template: int, count: int) -> list[int]:
    """`count` copies of the draft `template` with its materials, in one transaction; their
    ids. Run while nothing else starts applications (the new rows are those after the
    last id). Then ANALYZE, as autovacuum does once that many rows have come: the server's
    plans are made again for tables of their new size (on a database whose autovacuum is
    off, a plan made when the table was small would read it whole at every ask)."""
    from backend.kernel.db import fetch_rows, insert_rows, is_postgres, transaction
    from miniapps.gov_services.resident_views import draft_ref
    from miniapps.gov_services.tables import Application, MaterialItem

    app_columns = [c for c in Application.all_columns() if c is not Application.id]
    material_columns = [c for c in MaterialItem.all_columns() if c is not MaterialItem.id]
    draft = await _row("gov_services_application", "id", template)
    materials = await fetch_rows(
        "SELECT * FROM gov_services_material WHERE application_id = $1 ORDER BY id", template
    )
    async with transaction():
        last = await fetch_rows("SELECT max(id) AS last FROM gov_services_application")
        rows = [
            [draft_ref() if c is Application.ref_no else draft[_name(c)] for c in app_columns]
            for _ in range(count)
        ]
        await insert_rows(Application, app_columns, rows)
        made = await fetch_rows(
            "SELECT id FROM gov_services_application WHERE id > $1 ORDER BY id", last[0]["last"]
        )
        ids = [int(row["id"]) for row in made]
        given = [
            [
                new if c is MaterialItem.application_id else material[_name(c)]
                for c in material_columns
            ]
            for new in ids
            for material in materials
        ]
        await insert_rows(MaterialItem, material_columns, given)
    tables = "gov_services_application, gov_services_material"
    await fetch_rows(f"ANALYZE {tables}" if is_postgres() else "ANALYZE")
    if len(ids) != count:
        raise SystemExit(f"gov_services: {len(ids)} drafts copied of {count}")
    return ids


def _name(column: Any) -> str:
    return str(column._meta.db_column_name)


async def _row(table: str, key: str, value: int) -> dict[str, Any]:
    from backend.kernel.db import fetch_rows

    rows = await fetch_rows(f"SELECT * FROM {table} WHERE {key} = $1", value)  # noqa: S608
    return dict(rows[0])


def submit_script(ids: Sequence[int], version: int, token: str) -> Path:
    """A wrk script that submits each of `ids` once, in turn, with its If-Match."""
    path = Path(tempfile.mkdtemp()) / "submits.lua"
    path.write_text(
        "local ids = {" + ",".join(str(i) for i in ids) + "}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i + 1\n"
        "  if i > #ids then i = 1 end\n"  # a second submit is a 409: the run fails
        f'  return wrk.format("POST", "{APP}/applications/" .. ids[i] .. "/submit", '
        f'{{["Authorization"] = "Bearer {token}", ["If-Match"] = \'"{version}"\'}})\n'
        "end\n"
        # The first refusals in wrk's output, should there be any: they fail the run.
        "local refused = 0\n"
        "response = function(status, headers, body)\n"
        "  if status >= 300 and refused < 3 then\n"
        "    refused = refused + 1\n"
        '    io.write("refused ", status, " ", body, "\\n")\n'
        "  end\n"
        "end\n",
        encoding="utf-8",
    )
    return path


class Submitted(NamedTuple):
    """What became of the drafts the load was given."""

    submitted: int  # status submitted, with its 办件编号
    with_history: int  # of those, with exactly one submit row in their history
    still_drafts: int


async def submitted_of(ids: Sequence[int]) -> Submitted:
    """How many of `ids` were submitted (a real ref, the first step, one history row)."""
    from backend.kernel.db import fetch_rows

    submitted = with_history = drafts = 0
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ", ".join(f"${n}" for n in range(1, len(chunk) + 1))
        rows = await fetch_rows(
            "SELECT a.status, a.current_step, a.ref_no,"  # noqa: S608
            " (SELECT count(*) FROM gov_services_status s"
            "  WHERE s.application_id = a.id AND s.action = 'submit') AS submits"
            f" FROM gov_services_application a WHERE a.id IN ({marks})",
            *chunk,
        )
        for row in rows:
            if row["status"] == "draft":
                drafts += 1
            elif row["status"] == "submitted" and row["current_step"] == "accept":
                submitted += 1
                with_history += int(row["submits"]) == 1 and str(row["ref_no"]).isdigit()
    return Submitted(submitted, with_history, drafts)


async def settle(ids: Sequence[int]) -> float:
    """Wait until the submits of `ids` the server still had in hand when wrk stopped are
    written and every event waiting in the outbox is delivered (at most 30 s), so that the
    next measurement finds the server idle; the seconds that took."""
    from backend.kernel.db import fetch_rows

    started = time.perf_counter()
    last = None
    while time.perf_counter() - started < 30:
        rows = await fetch_rows(
            "SELECT (SELECT count(*) FROM gov_services_application"
            "  WHERE id BETWEEN $1 AND $2 AND status <> 'draft') AS moved,"
            " (SELECT count(*) FROM event_outbox WHERE dispatched_at IS NULL) AS waiting",
            min(ids),
            max(ids),
        )
        now = (int(rows[0]["moved"]), int(rows[0]["waiting"]))
        if now[1] == 0 and now == last:
            break
        last = now
        await asyncio.sleep(0.2)
    return time.perf_counter() - started
