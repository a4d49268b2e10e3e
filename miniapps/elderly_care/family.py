"""Family circles (亲情关联): a member asks to join an elder's circle; the elder accepts or
declines, or care staff do on the elder's behalf (代办), with the reason kept; the elder,
staff or the member themselves end it at any time, and the member then sees nothing more.

An elder and a member have at most one open binding (pending or accepted) at a time: a
unique index over the open ones, so two asks at once make one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from backend.sdk import (
    UNIQUE_VIOLATION,
    Audience,
    Claims,
    Conflict,
    NotFound,
    Template,
    Unprocessable,
    Vault,
    fetch_rows,
    notify,
    people,
    unit_of_work,
    utc_now,
)
from miniapps.elderly_care.elders import Seen, elder_invited, elder_seen_by, risk_notes
from miniapps.elderly_care.errors import CareProblem
from miniapps.elderly_care.schemas import (
    BindingStatus,
    ElderView,
    EnrolledAs,
    FamilyBindingView,
    FamilyElder,
    FamilyElderList,
    Worker,
)

ASKED = Template(
    key="elderly_care.family_asked",
    category="elderly_care",
    titles={"zh-CN": "亲情关联申请", "en": "Family circle"},
    bodies={"zh-CN": "{name}申请关联您({relation})", "en": "{name} asks to join your family"},
)
ACCEPTED = Template(
    key="elderly_care.family_accepted",
    category="elderly_care",
    titles={"zh-CN": "亲情关联成功", "en": "Family circle"},
    bodies={"zh-CN": "您已加入{name}的亲情圈", "en": "You are in {name}'s family circle"},
)


def elder_link(elder_id: int) -> str:
    return f"yimen://miniapps/elderly_care/elders/{elder_id}"


async def ask(*, actor: Claims, invite: str, relation: str, vault: Vault) -> FamilyBindingView:
    """The caller asks to join the circle of the elder `invite` was made for; the elder is
    told (one notice for repeated asks of the same member, folded together)."""
    elder = await elder_invited(invite, vault)
    elder_id = int(elder["id"])
    if int(elder["user_id"]) == actor.user_id:
        raise Unprocessable(CareProblem.BINDING_TO_SELF)
    async with unit_of_work():
        try:
            rows = await fetch_rows(
                "INSERT INTO elderly_care_family_binding (elder_id, member_id, relation,"
                " status, asked_at) VALUES ($1, $2, $3, $4, $5) RETURNING *",
                elder_id,
                actor.user_id,
                relation,
                BindingStatus.PENDING.value,
                utc_now(),
            )
        except UNIQUE_VIOLATION as err:
            raise Conflict(CareProblem.BINDING_OPEN) from err
        names = await _names([actor.user_id])
        await notify(
            audience=Audience.users(int(elder["user_id"])),
            template=ASKED,
            data={"name": names[actor.user_id], "relation": relation},
            source="elderly_care",
            collapse_key=f"family-ask-{elder_id}-{actor.user_id}",
            deep_link=elder_link(elder_id),
        )
    return (await _views(rows))[0]


async def decide(
    *, actor: Claims, elder_id: int, binding_id: int, accept: bool, reason: str | None
) -> FamilyBindingView:
    """The elder, or staff for them with a reason, accepts or declines a pending ask."""
    seen = await elder_seen_by(actor, elder_id)
    on_behalf = _on_behalf(seen, reason)
    if int((await _binding_of(elder_id, binding_id))["member_id"]) == actor.user_id:
        # Staff who asked to join do not let themselves in for the elder.
        raise NotFound(CareProblem.BINDING_NOT_FOUND)
    status = BindingStatus.ACCEPTED if accept else BindingStatus.DECLINED
    async with unit_of_work():
        rows = await fetch_rows(
            "UPDATE elderly_care_family_binding SET status = $3, decided_at = $4,"
            " decided_by = $5, on_behalf_reason = $6"
            " WHERE id = $1 AND elder_id = $2 AND status = $7 RETURNING *",
            binding_id,
            elder_id,
            status.value,
            utc_now(),
            actor.user_id,
            reason if on_behalf else None,
            BindingStatus.PENDING.value,
        )
        if not rows:
            await _binding_of(elder_id, binding_id)  # not found, else decided already
            raise Conflict(CareProblem.BINDING_NOT_PENDING)
        if accept:
            names = await _names([int(seen.elder["user_id"])])
            await notify(
                audience=Audience.users(int(rows[0]["member_id"])),
                template=ACCEPTED,
                data={"name": names[int(seen.elder["user_id"])]},
                source="elderly_care",
                deep_link=elder_link(elder_id),
            )
    return (await _views(rows))[0]


async def end(*, actor: Claims, elder_id: int, binding_id: int, reason: str | None) -> None:
    """End an open binding: by the elder, by staff for them with a reason, or by the member
    themselves (leaving, or taking back their ask)."""
    found = await fetch_rows(
        "SELECT member_id FROM elderly_care_family_binding WHERE id = $1 AND elder_id = $2",
        binding_id,
        elder_id,
    )
    on_behalf = False
    leaving = bool(found) and int(found[0]["member_id"]) == actor.user_id
    if not leaving:
        # Not the member's own: the elder's, or staff's for them, once they see the elder.
        on_behalf = _on_behalf(await elder_seen_by(actor, elder_id), reason)
        if not found:
            raise NotFound(CareProblem.BINDING_NOT_FOUND)
    rows = await fetch_rows(
        "UPDATE elderly_care_family_binding SET status = $3, decided_at = $4,"
        " decided_by = $5, on_behalf_reason = $6"
        " WHERE id = $1 AND elder_id = $2 AND status IN ($7, $8) RETURNING id",
        binding_id,
        elder_id,
        BindingStatus.REMOVED.value,
        utc_now(),
        actor.user_id,
        reason if on_behalf else None,
        BindingStatus.PENDING.value,
        BindingStatus.ACCEPTED.value,
    )
    if not rows:
        # To its member an ended binding is gone, as the elder is.
        raise (
            NotFound(CareProblem.BINDING_NOT_FOUND)
            if leaving
            else Conflict(CareProblem.BINDING_NOT_PENDING)
        )


def _on_behalf(seen: Seen, reason: str | None) -> bool:
    """Whether the caller acts for the elder (staff, not the elder): then with a reason. A
    member who sees the elder decides nothing of their circle."""
    if seen.own:
        return False
    if not seen.staff:
        raise NotFound(CareProblem.BINDING_NOT_FOUND)
    if reason is None:
        raise Unprocessable(CareProblem.REASON_REQUIRED)
    return True


async def _binding_of(elder_id: int, binding_id: int) -> Mapping[str, Any]:
    rows = await fetch_rows(
        "SELECT * FROM elderly_care_family_binding WHERE id = $1 AND elder_id = $2",
        binding_id,
        elder_id,
    )
    if not rows:
        raise NotFound(CareProblem.BINDING_NOT_FOUND)
    return rows[0]


async def profile(seen: Seen, vault: Vault) -> ElderView:
    """The elder's profile as the caller may see it."""
    elder = seen.elder
    everyone = seen.own or seen.staff
    rows = await fetch_rows(
        "SELECT * FROM elderly_care_family_binding WHERE elder_id = $1 ORDER BY id",
        seen.id,
    )
    shown = [r for r in rows if everyone or r["status"] == BindingStatus.ACCEPTED.value]
    user_id = int(elder["user_id"])
    workers = [int(w) for w in (elder["care_worker_id"], elder["grid_worker_id"]) if w]
    names = await _names([user_id, *workers])
    return ElderView(
        id=seen.id,
        user_id=user_id,
        name=names[user_id],
        grid_path=str(elder["grid_path"]),
        living_alone=bool(elder["living_alone"]),
        enrolled_as=EnrolledAs(str(elder["enrolled_as"])),
        enrolled_at=elder["enrolled_at"],
        care_worker=_worker(elder["care_worker_id"], names),
        grid_worker=_worker(elder["grid_worker_id"], names),
        risk_notes=risk_notes(seen, vault),
        family=await _views(shown),
    )


def _worker(worker_id: int | None, names: dict[int, str]) -> Worker | None:
    return Worker(id=int(worker_id), name=names[int(worker_id)]) if worker_id else None


async def circle_of(member_id: int) -> FamilyElderList:
    """The elders whose circle the member is in, oldest binding first."""
    rows = await fetch_rows(
        "SELECT b.elder_id, b.relation, b.decided_at, e.user_id"
        " FROM elderly_care_family_binding b JOIN elderly_care_elder e ON e.id = b.elder_id"
        " WHERE b.member_id = $1 AND b.status = $2 ORDER BY b.id",
        member_id,
        BindingStatus.ACCEPTED.value,
    )
    names = await _names([int(r["user_id"]) for r in rows])
    return FamilyElderList(
        items=[
            FamilyElder(
                elder_id=int(r["elder_id"]),
                name=names[int(r["user_id"])],
                relation=str(r["relation"]),
                since=r["decided_at"],
            )
            for r in rows
        ]
    )


async def _views(rows: Sequence[Mapping[str, Any]]) -> list[FamilyBindingView]:
    names = await _names([int(r["member_id"]) for r in rows])
    return [
        FamilyBindingView(
            id=int(r["id"]),
            elder_id=int(r["elder_id"]),
            member_id=int(r["member_id"]),
            member_name=names[int(r["member_id"])],
            relation=str(r["relation"]),
            status=BindingStatus(str(r["status"])),
            asked_at=r["asked_at"],
            decided_at=r["decided_at"],
            on_behalf=r["on_behalf_reason"] is not None,
            on_behalf_reason=r["on_behalf_reason"],
        )
        for r in rows
    ]


async def _names(user_ids: list[int]) -> dict[int, str]:
    found = await people(user_ids)
    return {user_id: found[user_id].name if user_id in found else "" for user_id in user_ids}
