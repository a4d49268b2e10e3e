"""Dispatch rules: an admin sends a category in a place to one worker first; rules stay in
the admin's subtree, the deepest one wins, and a worker off duty is passed over."""

from __future__ import annotations

from typing import Any

from miniapps.grid_events.tables import DispatchRule
from tests.conftest import bearer
from tests.miniapps.grid_events.test_chain import (
    C03_ADMIN,
    C04_ADMIN,
    G07_WORKER,
    G08_WORKER,
    RESIDENT,
    People,
    _act,
    _report,
    alert,
)

C03, G07 = "zz/gx/fengyang/c03", "zz/gx/fengyang/c03/g07"
RULES = "/v1/miniapps/grid_events/rules"


async def _rule(people: People, admin: str, **rule: Any) -> Any:
    return await people.client.put(
        RULES, json={"category": "elderly_alert", **rule}, headers=bearer(await people.token(admin))
    )


async def test_a_rule_sends_its_category_to_its_worker_first(people: People, demo: None) -> None:
    g08 = await people.id(G08_WORKER)
    made = await _rule(people, C03_ADMIN, place_path=G07, handler_id=g08)
    assert made.status_code == 200, made.text
    assert await alert(people, 0) == g08
    again = await _rule(people, C03_ADMIN, place_path=G07, handler_id=await people.id(G07_WORKER))
    assert again.json()["id"] == made.json()["id"]  # one rule per category and place
    assert await DispatchRule.count() == 1
    assert await alert(people, 1) == await people.id(G07_WORKER)


async def test_the_deepest_rule_wins_and_off_duty_is_passed_over(
    people: People, demo: None
) -> None:
    g07, g08 = await people.id(G07_WORKER), await people.id(G08_WORKER)
    await _rule(people, C03_ADMIN, place_path=C03, handler_id=g07)
    await _rule(people, C03_ADMIN, place_path=G07, handler_id=g08)
    assert await alert(people, 0) == g08
    await people.client.put(
        "/v1/miniapps/grid_events/duty",
        json={"on_duty": False},
        headers=bearer(await people.token(G08_WORKER)),
    )
    assert await alert(people, 1) == g07  # the grid's own worker, on duty


async def test_rules_stay_in_the_admins_subtree(people: People, demo: None) -> None:
    g08 = await people.id(G08_WORKER)
    assert (await _rule(people, C04_ADMIN, place_path=G07, handler_id=g08)).status_code == 403
    outsider = await _rule(people, C04_ADMIN, place_path="zz/gx/fengyang/c04", handler_id=g08)
    assert outsider.status_code == 422  # g08's worker does not work under c04
    unknown = await _rule(people, C03_ADMIN, place_path=G07, handler_id=g08, category="ufo")
    assert unknown.status_code == 422
    assert await DispatchRule.count() == 0
    made = (await _rule(people, C03_ADMIN, place_path=G07, handler_id=g08)).json()
    c04 = bearer(await people.token(C04_ADMIN))
    none = {"items": [], "next_cursor": None}
    assert (await people.client.get(RULES, headers=c04)).json() == none
    assert (await people.client.delete(f"{RULES}/{made['id']}", headers=c04)).status_code == 404
    c03 = bearer(await people.token(C03_ADMIN))
    shown = (await people.client.get(RULES, headers=c03)).json()
    assert [r["id"] for r in shown["items"]] == [made["id"]]
    assert (await people.client.delete(f"{RULES}/{made['id']}", headers=c03)).status_code == 204
    assert await alert(people, 0) == await people.id(G07_WORKER)


async def test_workers_and_residents_cannot_set_rules(people: People, demo: None) -> None:
    for phone in (G07_WORKER, RESIDENT):
        response = await _rule(people, phone, place_path=G07, handler_id=1)
        assert response.status_code == 403


# Demo users who hold a role inside c03 that is not a handler's: a merchant, a care worker,
# a family member.
NOT_HANDLERS = ("13800000011", "13800000010", "13800000002")


async def test_events_go_only_to_holders_of_the_handler_role(people: People, demo: None) -> None:
    """A role inside the admin's subtree is not enough: a merchant named as handler would
    read an elder's alert, with its phone number and the flat's address."""
    event = await _report(people)
    assert (await _act(people, C03_ADMIN, event, "register")).status_code == 200
    for phone in NOT_HANDLERS:
        someone = await people.id(phone)
        refused = await _act(people, C03_ADMIN, event, "dispatch", handler_id=someone)
        assert (refused.status_code, refused.json()["code"]) == (422, "event_no_handler")
        rule = await _rule(people, C03_ADMIN, place_path=G07, handler_id=someone)
        assert (rule.status_code, rule.json()["code"]) == (422, "event_no_handler")
    assert await DispatchRule.count() == 0
    g08 = await people.id(G08_WORKER)
    dispatched = await _act(people, C03_ADMIN, event, "dispatch", handler_id=g08)
    assert dispatched.json()["handler_id"] == g08  # a grid worker of the community may cover
    for phone in NOT_HANDLERS:
        someone = await people.id(phone)
        refused = await _act(people, C03_ADMIN, event, "reassign", handler_id=someone)
        assert refused.status_code == 422
    assert (
        await people.client.get(
            f"/v1/miniapps/grid_events/events/{event}",
            headers=bearer(await people.token(C03_ADMIN)),
        )
    ).json()["handler_id"] == g08
