"""Mediations as their parties, mediators and committees read them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from backend.sdk import Claims, Role, audit, fetch_rows, people, unit_of_work
from miniapps.legal_aid.mediation import READ, Seen
from miniapps.legal_aid.mediation_schemas import (
    AgreementView,
    MediationList,
    MediationStatus,
    MediationView,
    SessionView,
)
from miniapps.legal_aid.mediation_work import text_hash

MOST_LISTED = 100
LIVE = (MediationStatus.INVITED, MediationStatus.ACCEPTED, MediationStatus.ASSIGNED)


async def view_of(seen: Seen) -> MediationView:
    """One mediation with its sessions and its agreement."""
    row = seen.row
    sessions = await fetch_rows(
        "SELECT id, starts_at, place FROM legal_aid_session WHERE mediation_id = $1"
        " ORDER BY starts_at",
        row["id"],
    )
    [view] = await _views([(row, seen.role)])
    return msgspec.structs.replace(
        view,
        sessions=[
            SessionView(id=int(s["id"]), starts_at=s["starts_at"], place=str(s["place"]))
            for s in sessions
        ],
        agreement=_agreement(row),
    )


def _agreement(row: Mapping[str, Any]) -> AgreementView | None:
    recorded = row["agreement_hash"]
    if row["agreement"] is None and recorded is None:
        return None
    text = None if row["agreement"] is None else str(row["agreement"])
    now = None if text is None else text_hash(text)
    return AgreementView(
        text=text,
        text_hash=now,
        applicant_confirmed=row["applicant_confirmed"] is not None,
        other_confirmed=row["other_confirmed"] is not None,
        recorded_hash=recorded,
        intact=None if recorded is None else recorded == now,
    )


async def _views(rows: Sequence[tuple[Mapping[str, Any], str]]) -> list[MediationView]:
    named = await people({int(r["mediator_id"]) for r, _ in rows if r["mediator_id"]})
    return [
        MediationView(
            id=int(r["id"]),
            role=role,
            category=r["category"],
            summary=str(r["summary"]),
            status=MediationStatus(r["status"]),
            other_name=str(r["other_name"]),
            community=str(r["community"]),
            applied_at=r["applied_at"],
            answer_due_at=r["answer_due_at"],
            mediator_id=r["mediator_id"],
            mediator_name=named[int(r["mediator_id"])].name
            if r["mediator_id"] and int(r["mediator_id"]) in named
            else None,
            failure_reason=r["failure_reason"],
            court_due_at=r["court_due_at"],
        )
        for r, role in rows
    ]


async def mine(actor: Claims) -> MediationList:
    """The mediations the caller applied for, was invited to (and is known by their
    account in), or mediates: newest first."""
    me = actor.user_id
    rows = await fetch_rows(
        "SELECT * FROM legal_aid_mediation WHERE applicant_id = $1 OR other_id = $1"
        " OR mediator_id = $1 ORDER BY id DESC LIMIT $2",
        me,
        MOST_LISTED,
    )
    listed = [(r, _role_of(r, me)) for r in rows]
    # A mediator's own cases are a staff read: kept while they still mediate there, and
    # audited.
    listed = [
        (r, role)
        for r, role in listed
        if role != "mediator" or actor.covers(str(r["community"]), Role.MEDIATOR)
    ]
    async with unit_of_work():
        for row, role in listed:
            if role == "mediator":
                await audit(actor, READ, int(row["applicant_id"]), {"id": row["id"]})
    return MediationList(items=await _views(listed))


def _role_of(row: Mapping[str, Any], me: int) -> str:
    if int(row["applicant_id"]) == me:
        return "applicant"
    return "other_party" if row["other_id"] == me else "mediator"


async def committee(actor: Claims) -> MediationList:
    """The live mediations of the communities the caller mediates in, bar those they
    stepped aside from: newest first, each read audited."""
    found: dict[int, Mapping[str, Any]] = {}
    for scope in actor.paths_for(Role.MEDIATOR):
        rows = await fetch_rows(
            "SELECT m.* FROM legal_aid_mediation AS m WHERE (m.community = $1"
            " OR m.community LIKE $2) AND m.status IN ($3, $4, $5) AND NOT EXISTS (SELECT 1"
            " FROM legal_aid_recusal AS r WHERE r.mediation_id = m.id AND r.mediator_id = $6)"
            " ORDER BY m.id DESC LIMIT $7",
            scope,
            scope + "/%",
            *(s.value for s in LIVE),
            actor.user_id,
            MOST_LISTED,
        )
        found.update({int(r["id"]): r for r in rows})
    rows = [found[k] for k in sorted(found, reverse=True)[:MOST_LISTED]]
    me = actor.user_id
    listed = [(r, "mediator" if r["mediator_id"] == me else "committee") for r in rows]
    async with unit_of_work():  # the list's audit entries in one statement
        for row in rows:
            await audit(actor, READ, int(row["applicant_id"]), {"id": row["id"]})
    return MediationList(items=await _views(listed))
