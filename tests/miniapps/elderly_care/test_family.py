"""Family circles: a member asks, the elder (or staff for them, with a reason) accepts;
until then, and once removed, the member gets 404 on every elder route."""

from __future__ import annotations

import asyncio

import httpx

from backend.kernel.roles import Role
from miniapps.elderly_care.tables import FamilyBinding
from push.tables import InboxItem, Notification
from tests.conftest import Client, TokenFor, TokenForPhone, bearer
from tests.miniapps.payment.helpers import user_id_of
from tests.support import notices_recorded

APP = "/v1/miniapps/elderly_care"
WORKER_G08 = "13800000004"


async def _elder(client: Client, token_for: TokenFor) -> tuple[dict[str, str], int]:
    elder = bearer(await token_for(Role.RESIDENT))
    answer = await client.post(f"{APP}/elders", json={}, headers=elder)
    assert answer.status_code == 201, answer.text
    return elder, int(answer.json()["id"])


async def _invite(client: Client, token_for: TokenFor, elder_id: int) -> str:
    """The invite as the elder's app shows it."""
    elder = bearer(await token_for(Role.RESIDENT))
    shown = await client.get(f"{APP}/elders/{elder_id}/invite", headers=elder)
    assert shown.status_code == 200, shown.text
    return str(shown.json()["invite"])


async def _asked(
    client: Client, member: dict[str, str], invite: str, relation: str = "女儿"
) -> httpx.Response:
    return await client.post(
        f"{APP}/family/asks", json={"invite": invite, "relation": relation}, headers=member
    )


async def _ask(client: Client, token_for: TokenFor, member: dict[str, str], elder_id: int) -> int:
    asked = await _asked(client, member, await _invite(client, token_for, elder_id))
    assert asked.status_code == 201, asked.text
    assert asked.json()["status"] == "pending"
    return int(asked.json()["id"])


async def _member_sees(client: Client, member: dict[str, str], elder_id: int) -> bool:
    seen = await client.get(f"{APP}/elders/{elder_id}", headers=member)
    listed = await client.get(f"{APP}/family/elders", headers=member)
    ids = [item["elder_id"] for item in listed.json()["items"]]
    assert (seen.status_code == 200) == (elder_id in ids)
    if seen.status_code != 200:
        assert seen.json()["code"] == "elder_not_found"
    return seen.status_code == 200


async def test_an_accepted_member_sees_the_elder_until_removed(
    client: Client, token_for: TokenFor
) -> None:
    elder, elder_id = await _elder(client, token_for)
    member = bearer(await token_for(Role.FAMILY_MEMBER))
    binding = await _ask(client, token_for, member, elder_id)
    await notices_recorded()
    elder_user = await user_id_of(client, elder["Authorization"].removeprefix("Bearer "))
    assert await InboxItem.count().where(InboxItem.user_id == elder_user) == 1
    assert not await _member_sees(client, member, elder_id)

    accepted = await client.post(
        f"{APP}/elders/{elder_id}/family/{binding}/accept", json={}, headers=elder
    )
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["status"], accepted.json()["on_behalf"]) == ("accepted", False)
    assert await _member_sees(client, member, elder_id)

    removed = await client.post(
        f"{APP}/elders/{elder_id}/family/{binding}/remove", json={}, headers=elder
    )
    assert removed.status_code == 204
    assert not await _member_sees(client, member, elder_id)
    again = await client.post(
        f"{APP}/elders/{elder_id}/family/{binding}/accept", json={}, headers=elder
    )
    assert again.json()["code"] == "binding_not_pending"


async def test_staff_accept_for_the_elder_only_with_a_reason_and_it_is_kept(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    _, elder_id = await _elder(client, token_for)
    member = bearer(await token_for(Role.FAMILY_MEMBER))
    binding = await _ask(client, token_for, member, elder_id)
    path = f"{APP}/elders/{elder_id}/family/{binding}/accept"
    care = bearer(await token_for(Role.CARE_WORKER))
    bare = await client.post(path, json={}, headers=care)
    assert bare.status_code == 422
    assert bare.json()["code"] == "reason_required"
    other_grid = await client.post(
        path, json={"reason": "代办"}, headers=bearer(await token_for_phone(WORKER_G08))
    )
    assert other_grid.json()["code"] == "elder_not_found"
    assert await FamilyBinding.select(FamilyBinding.status).first() == {"status": "pending"}
    reason = "老人不会使用手机,电话确认后代为同意"
    accepted = await client.post(path, json={"reason": reason}, headers=care)
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["on_behalf"], accepted.json()["on_behalf_reason"]) == (True, reason)
    assert await _member_sees(client, member, elder_id)


async def test_a_member_decides_nothing_of_the_circle_and_sees_only_its_accepted_members(
    client: Client, token_for: TokenFor, token_for_phone: TokenForPhone
) -> None:
    elder, elder_id = await _elder(client, token_for)
    member = bearer(await token_for(Role.FAMILY_MEMBER))
    first = await _ask(client, token_for, member, elder_id)
    await client.post(f"{APP}/elders/{elder_id}/family/{first}/accept", json={}, headers=elder)
    other = bearer(await token_for(Role.MERCHANT))
    pending = await _ask(client, token_for, other, elder_id)
    by_member = await client.post(
        f"{APP}/elders/{elder_id}/family/{pending}/accept", json={}, headers=member
    )
    assert by_member.status_code == 404
    assert by_member.json()["code"] == "binding_not_found"
    seen = (await client.get(f"{APP}/elders/{elder_id}", headers=member)).json()
    assert [b["id"] for b in seen["family"]] == [first]
    by_elder = (await client.get(f"{APP}/elders/{elder_id}", headers=elder)).json()
    assert [b["id"] for b in by_elder["family"]] == [first, pending]


async def test_a_member_leaves_and_may_ask_again_but_never_twice_at_once(
    client: Client, token_for: TokenFor
) -> None:
    _, elder_id = await _elder(client, token_for)
    member = bearer(await token_for(Role.FAMILY_MEMBER))
    binding = await _ask(client, token_for, member, elder_id)
    twice = await _asked(client, member, await _invite(client, token_for, elder_id), "儿子")
    assert twice.status_code == 409
    assert twice.json()["code"] == "binding_open"
    left = await client.post(
        f"{APP}/elders/{elder_id}/family/{binding}/remove", json={}, headers=member
    )
    assert left.status_code == 204
    assert await _ask(client, token_for, member, elder_id) != binding
    assert await FamilyBinding.count() == 2


async def test_asks_that_make_no_sense_are_refused_and_write_nothing(
    client: Client, token_for: TokenFor
) -> None:
    elder, elder_id = await _elder(client, token_for)
    invite = await _invite(client, token_for, elder_id)
    to_self = await _asked(client, elder, invite, "本人")
    assert to_self.status_code == 422
    assert to_self.json()["code"] == "binding_to_self"
    member = bearer(await token_for(Role.FAMILY_MEMBER))
    # An id alone, or an invite made up for an elder who exists or not, is no elder:
    # trying ids one after another tells nothing.
    for forged in (f"{elder_id}-{'0' * 24}", f"{elder_id + 1}-{invite[-24:]}"):
        unknown = await _asked(client, member, forged)
        assert unknown.status_code == 404
        assert unknown.json()["code"] == "elder_not_found"
    blank = await _asked(client, member, invite, "   ")
    assert blank.status_code == 400
    assert await FamilyBinding.count() == 0


async def test_a_declined_ask_gives_the_member_nothing(client: Client, token_for: TokenFor) -> None:
    elder, elder_id = await _elder(client, token_for)
    member = bearer(await token_for(Role.FAMILY_MEMBER))
    binding = await _ask(client, token_for, member, elder_id)
    declined = await client.post(
        f"{APP}/elders/{elder_id}/family/{binding}/decline", json={}, headers=elder
    )
    assert declined.json()["status"] == "declined"
    assert not await _member_sees(client, member, elder_id)
    late = await client.post(
        f"{APP}/elders/{elder_id}/family/{binding}/remove", json={}, headers=member
    )
    assert late.status_code == 404
    assert late.json()["code"] == "binding_not_found"


async def test_asks_sent_at_once_open_one_binding(client: Client, token_for: TokenFor) -> None:
    _, elder_id = await _elder(client, token_for)
    member = bearer(await token_for(Role.FAMILY_MEMBER))
    invite = await _invite(client, token_for, elder_id)
    answers = await asyncio.gather(*(_asked(client, member, invite) for _ in range(5)))
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409, 409]
    assert await FamilyBinding.count() == 1


async def test_staff_who_asked_to_join_do_not_let_themselves_in(
    client: Client, token_for: TokenFor
) -> None:
    _, elder_id = await _elder(client, token_for)
    care = bearer(await token_for(Role.CARE_WORKER))
    binding = await _ask(client, token_for, care, elder_id)
    for action in ("accept", "decline"):
        own = await client.post(
            f"{APP}/elders/{elder_id}/family/{binding}/{action}",
            json={"reason": "本人是老人的儿子"},
            headers=care,
        )
        assert own.status_code == 404
        assert own.json()["code"] == "binding_not_found"
    assert await FamilyBinding.select(FamilyBinding.status).first() == {"status": "pending"}


async def test_asks_again_and_again_fold_into_one_notice_on_the_elders_phone(
    client: Client, token_for: TokenFor
) -> None:
    _, elder_id = await _elder(client, token_for)
    member = bearer(await token_for(Role.FAMILY_MEMBER))
    for _ in range(3):
        binding = await _ask(client, token_for, member, elder_id)
        await client.post(
            f"{APP}/elders/{elder_id}/family/{binding}/remove", json={}, headers=member
        )
    await notices_recorded()
    notices = await Notification.select(Notification.collapse_key).where(
        Notification.template == "elderly_care.family_asked"
    )
    assert len(notices) == 3
    keys = {n["collapse_key"] for n in notices}
    assert len(keys) == 1
    assert None not in keys
