"""办件进度 and "my applications": the steps of the pinned version in the resident's
language, the history, the due date as a date in the city; the caller's own cases only, a
page at a time."""

from __future__ import annotations

import datetime as dt

from miniapps.gov_services.tables import Application
from tests.conftest import Client, TokenForPhone, bearer
from tests.miniapps.gov_services.applying_support import (
    APP,
    NEIGHBOUR,
    RESIDENT,
    nothing_required,
    publish,
    start,
    submitted,
)


async def test_progress_tells_each_step_in_the_residents_words(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    await publish("legal_aid", nothing_required("legal_aid"))
    token = await token_for_phone(RESIDENT)
    case = await submitted(client, token)
    # 2026-12-10 00:00 in Shanghai: the last day in time is the 9th.
    due = dt.datetime(2026, 12, 9, 16, 0, tzinfo=dt.UTC)
    await Application.update({Application.due_at: due, Application.due_provisional: True}).where(
        Application.id == case["id"]
    )
    answer = await client.get(
        f"{APP}/applications/{case['id']}/progress",
        headers={**bearer(token), "Accept-Language": "en"},
    )
    assert answer.status_code == 200, answer.text
    progress = answer.json()
    assert (progress["ref"], progress["status"]) == (case["ref"], "submitted")
    assert (progress["due_date"], progress["due_provisional"]) == ("2026-12-09", True)
    assert [(s["code"], s["state"]) for s in progress["steps"]] == [
        ("accept", "current"),
        ("review", "pending"),
        ("decide", "pending"),
        ("deliver", "pending"),
    ]
    assert all(s["resident_text"] for s in progress["steps"])
    assert progress["steps"][0]["resident_text"].isascii()  # English, as asked
    assert [(h["action"], h["status"]) for h in progress["history"]] == [("submit", "submitted")]


async def test_my_applications_are_mine_newest_first_a_page_at_a_time(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    await publish("legal_aid", nothing_required("legal_aid"))
    token = await token_for_phone(RESIDENT)
    ids = [(await start(client, token, "legal_aid"))["id"] for _ in range(3)]
    await start(client, await token_for_phone(NEIGHBOUR), "legal_aid")
    first = await client.get(f"{APP}/applications", params={"limit": 2}, headers=bearer(token))
    assert first.status_code == 200, first.text
    assert [a["id"] for a in first.json()["items"]] == [ids[2], ids[1]]
    second = await client.get(
        f"{APP}/applications",
        params={"limit": 2, "cursor": first.json()["next_cursor"]},
        headers=bearer(token),
    )
    assert [a["id"] for a in second.json()["items"]] == [ids[0]]
    assert second.json()["next_cursor"] is None
    drafts = await client.get(
        f"{APP}/applications", params={"status": "submitted"}, headers=bearer(token)
    )
    assert drafts.json()["items"] == []


async def test_a_case_waiting_for_acceptance_is_due_when_its_first_step_ends(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    """法律援助's 受理 takes 1 working day: submitted on 30 September 2026, the next
    working day is 8 October, after the National Day holiday."""
    await publish("legal_aid", nothing_required("legal_aid"))
    token = await token_for_phone(RESIDENT)
    case = await submitted(client, token)
    at = dt.datetime(2026, 9, 30, 6, 0, tzinfo=dt.UTC)  # 14:00 in Shanghai
    await Application.update({Application.submitted_at: at}).where(Application.id == case["id"])
    progress = (
        await client.get(f"{APP}/applications/{case['id']}/progress", headers=bearer(token))
    ).json()
    assert (progress["due_date"], progress["due_provisional"]) == ("2026-10-08", False)
    view = (await client.get(f"{APP}/applications/{case['id']}", headers=bearer(token))).json()
    assert view["due_date"] == "2026-10-08"
    assert (await Application.select(Application.due_at).first() or {}).get("due_at") is None
