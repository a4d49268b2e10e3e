"""The committee's and the mediator's work on a mediation: a mediator assigned (never one
who must step aside), sessions, and an agreement both parties confirm, or a failure."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from backend.sdk import (
    Audience,
    Claims,
    Conflict,
    Forbidden,
    Role,
    Template,
    Unprocessable,
    fetch_rows,
    is_within,
    notify,
    scopes_held,
    unit_of_work,
)
from miniapps.legal_aid.errors import LegalProblem
from miniapps.legal_aid.mediation import is_recused, seen_by, tell_committee
from miniapps.legal_aid.mediation_notices import (
    AGREEMENT_READY,
    ASSIGNED,
    FAILED,
    SESSION_SET,
    SETTLED,
    mediation_link,
    shown,
)
from miniapps.legal_aid.mediation_schemas import (
    AgreementConfirmIn,
    AgreementIn,
    FailureIn,
    MediationStatus,
    MediatorIn,
    RecusalIn,
    SessionIn,
)
from miniapps.legal_aid.notices import PART
from miniapps.legal_aid.runtime import LegalRuntime

COURT_DAYS = dt.timedelta(days=30)  # 人民调解法 Art. 33: a court is asked within 30 days
FURTHEST_SESSION = dt.timedelta(days=180)
PARTIES = ("applicant", "other_party")
OPEN = (MediationStatus.INVITED, MediationStatus.ACCEPTED, MediationStatus.ASSIGNED)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def assign(
    *, actor: Claims, mediation_id: int, chosen: MediatorIn, legal: LegalRuntime
) -> None:
    """The committee assigns a mediator of the community who has not stepped aside and is
    no party to it; a mediator assigned already is replaced."""
    seen = await seen_by(actor, mediation_id, legal.services.vault)
    if seen.role not in ("committee", "mediator"):
        raise Forbidden(LegalProblem.NOT_ON_COMMITTEE)
    row = seen.row
    mediator = chosen.mediator_id
    if mediator in (row["applicant_id"], row["other_id"]):
        raise Unprocessable(LegalProblem.MEDIATOR_RECUSED)
    if not await _mediates_in(mediator, str(row["community"])):
        raise Unprocessable(LegalProblem.NOT_A_MEDIATOR)
    async with unit_of_work():
        locked = await _locked(mediation_id, MediationStatus.ACCEPTED, MediationStatus.ASSIGNED)
        # Read after the lock: a recusal committed while this waited for it is seen.
        if await is_recused(mediation_id, mediator):
            raise Unprocessable(LegalProblem.MEDIATOR_RECUSED)
        now = legal.clock()
        if locked["mediator_id"] != mediator:
            await _hand_over(mediation_id, mediator, now)
        await fetch_rows(
            "UPDATE legal_aid_mediation SET assigned_at = COALESCE(assigned_at, $2) WHERE id = $1",
            mediation_id,
            now,
        )
        await _tell(ASSIGNED, [mediator], locked, category=str(locked["category"]))


async def _mediates_in(user_id: int, community: str) -> bool:
    return any(is_within(community, s) for s in await scopes_held(user_id, Role.MEDIATOR))


async def _locked(mediation_id: int, *statuses: MediationStatus) -> Mapping[str, Any]:
    """The mediation, locked to the end of the transaction, if it is at one of `statuses`."""
    rows = await fetch_rows(
        "UPDATE legal_aid_mediation SET status = status WHERE id = $1 RETURNING *", mediation_id
    )
    if rows[0]["status"] not in {s.value for s in statuses}:
        raise Conflict(LegalProblem.MEDIATION_STATE, status=str(rows[0]["status"]))
    return rows[0]


async def recuse(
    *, actor: Claims, mediation_id: int, recusal: RecusalIn, legal: LegalRuntime
) -> None:
    """A mediator steps aside (回避), of their own accord or at a party's request; if they
    were assigned, the mediation goes back to the committee."""
    seen = await seen_by(actor, mediation_id, legal.services.vault)
    mediator = recusal.mediator_id or actor.user_id
    if seen.role in PARTIES and recusal.mediator_id is None:
        raise Unprocessable(LegalProblem.NOT_A_MEDIATOR)
    # A mediator steps aside only of their own accord: one cannot push another out.
    if seen.role not in PARTIES and mediator != actor.user_id:
        raise Forbidden(LegalProblem.NOT_A_PARTY)
    if not await _mediates_in(mediator, str(seen.row["community"])):
        raise Unprocessable(LegalProblem.NOT_A_MEDIATOR)
    async with unit_of_work():
        locked = await _locked(mediation_id, *OPEN)
        if not await is_recused(mediation_id, mediator):
            await fetch_rows(
                "INSERT INTO legal_aid_recusal (mediation_id, mediator_id, asked_by, reason, at)"
                " VALUES ($1, $2, $3, $4, $5)",
                mediation_id,
                mediator,
                actor.user_id,
                recusal.reason,
                legal.clock(),
            )
        if locked["mediator_id"] is not None and int(locked["mediator_id"]) == mediator:
            await _hand_over(mediation_id, None, legal.clock())
            await tell_committee(locked)


async def _hand_over(mediation_id: int, mediator: int | None, now: dt.datetime) -> None:
    """The mediation passes to `mediator` (none: back to the committee). What the one
    before wrote and set goes with them: their agreement, and any confirmation of it, is
    void, and their sessions yet to come are called off; the next mediator starts anew."""
    await fetch_rows(
        "UPDATE legal_aid_mediation SET mediator_id = $2, status = $3, agreement = NULL,"
        " applicant_confirmed = NULL, other_confirmed = NULL WHERE id = $1",
        mediation_id,
        mediator,
        (MediationStatus.ACCEPTED if mediator is None else MediationStatus.ASSIGNED).value,
    )
    await fetch_rows(
        "DELETE FROM legal_aid_session WHERE mediation_id = $1 AND starts_at > $2",
        mediation_id,
        now,
    )


async def _assigned_work(
    actor: Claims, mediation_id: int, legal: LegalRuntime
) -> Mapping[str, Any]:
    seen = await seen_by(actor, mediation_id, legal.services.vault)
    if seen.role != "mediator":
        raise Forbidden(LegalProblem.NOT_YOUR_MEDIATION)
    return seen.row


async def schedule(
    *, actor: Claims, mediation_id: int, session: SessionIn, legal: LegalRuntime
) -> int:
    """The mediator sets a session; both parties are told, and reminded the day before."""
    await _assigned_work(actor, mediation_id, legal)
    now = legal.clock()
    if not now < session.starts_at <= now + FURTHEST_SESSION:
        raise Unprocessable(LegalProblem.SESSION_INVALID)
    async with unit_of_work():
        locked = await _still_mediated_by(actor, mediation_id)
        rows = await fetch_rows(
            "INSERT INTO legal_aid_session (mediation_id, starts_at, place, reminded,"
            " scheduled_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            mediation_id,
            session.starts_at,
            session.place,
            False,
            actor.user_id,
        )
        await _tell(
            SESSION_SET, parties(locked), locked, when=shown(session.starts_at), place=session.place
        )
    return int(rows[0]["id"])


async def _still_mediated_by(actor: Claims, mediation_id: int) -> Mapping[str, Any]:
    locked = await _locked(mediation_id, MediationStatus.ASSIGNED)
    if locked["mediator_id"] is None or int(locked["mediator_id"]) != actor.user_id:
        raise Forbidden(LegalProblem.NOT_YOUR_MEDIATION)
    return locked


async def write_agreement(
    *, actor: Claims, mediation_id: int, agreement: AgreementIn, legal: LegalRuntime
) -> str:
    """The mediator writes (or rewrites) the agreement; confirmations of an earlier text
    lapse, and both parties are asked to confirm. Its hash."""
    await _assigned_work(actor, mediation_id, legal)
    async with unit_of_work():
        locked = await _still_mediated_by(actor, mediation_id)
        await fetch_rows(
            "UPDATE legal_aid_mediation SET agreement = $2, applicant_confirmed = NULL,"
            " other_confirmed = NULL WHERE id = $1",
            mediation_id,
            agreement.text,
        )
        await _tell(AGREEMENT_READY, parties(locked), locked)
    return text_hash(agreement.text)


async def confirm(
    *, actor: Claims, mediation_id: int, confirmed: AgreementConfirmIn, legal: LegalRuntime
) -> None:
    """A party confirms the agreement as they read it, once. The second confirmation
    settles the mediation: the hash is recorded and the 30 days to ask a court run."""
    seen = await seen_by(actor, mediation_id, legal.services.vault)
    if seen.role not in PARTIES:
        raise Forbidden(LegalProblem.PARTIES_ONLY)
    mine, theirs = (
        ("applicant_confirmed", "other_confirmed")
        if seen.role == "applicant"
        else ("other_confirmed", "applicant_confirmed")
    )
    now = legal.clock()
    async with unit_of_work():
        # A settled mediation was confirmed by both: a second confirmation says so.
        locked = await _locked(mediation_id, MediationStatus.ASSIGNED, MediationStatus.SETTLED)
        if locked["agreement"] is None:
            raise Conflict(LegalProblem.NO_AGREEMENT)
        if locked[mine] is not None:
            raise Conflict(LegalProblem.AGREEMENT_CONFIRMED)
        if text_hash(str(locked["agreement"])) != confirmed.text_hash:
            raise Conflict(LegalProblem.AGREEMENT_CHANGED)
        await fetch_rows(
            f"UPDATE legal_aid_mediation SET {mine} = $2 WHERE id = $1",  # noqa: S608 - own names
            mediation_id,
            confirmed.text_hash,
        )
        if locked[theirs] == confirmed.text_hash:
            await _settle(locked, confirmed.text_hash, now)


async def _settle(row: Mapping[str, Any], recorded: str, now: dt.datetime) -> None:
    due = now + COURT_DAYS
    await fetch_rows(
        "UPDATE legal_aid_mediation SET status = $2, agreement_hash = $3, closed_at = $4,"
        " court_due_at = $5 WHERE id = $1",
        row["id"],
        MediationStatus.SETTLED.value,
        recorded,
        now,
        due,
    )
    await _tell(SETTLED, [*parties(row), int(row["mediator_id"])], row, due=shown(due))


async def fail(
    *, actor: Claims, mediation_id: int, failure: FailureIn, legal: LegalRuntime
) -> None:
    """The mediator ends it without an agreement, saying why; both parties are told."""
    await _assigned_work(actor, mediation_id, legal)
    async with unit_of_work():
        locked = await _still_mediated_by(actor, mediation_id)
        await fetch_rows(
            "UPDATE legal_aid_mediation SET status = $2, failure_reason = $3, closed_at = $4"
            " WHERE id = $1",
            mediation_id,
            MediationStatus.FAILED.value,
            failure.reason,
            legal.clock(),
        )
        await _tell(FAILED, parties(locked), locked, reason=failure.reason)


def parties(row: Mapping[str, Any]) -> list[int]:
    return [int(row["applicant_id"]), *([int(row["other_id"])] if row["other_id"] else [])]


async def _tell(template: Template, users: list[int], row: Mapping[str, Any], **data: str) -> None:
    await notify(
        audience=Audience.users(*users),
        template=template,
        data=data,
        source=PART,
        deep_link=mediation_link(int(row["id"])),
    )
