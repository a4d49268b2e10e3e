"""People's mediation (人民调解): a resident applies naming the other party by phone, the
other party is invited and accepts or declines in time, and the mediation committee of the
applicant's community takes it up. Seen by its two parties, its mediator and the
committee (the mediators over the community, and the district's supervisors); to anyone
else, the other party's other disputes included, it does not exist. Every read by staff is
audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import msgspec

from backend.sdk import (
    Audience,
    Claims,
    Conflict,
    Forbidden,
    Level,
    NotFound,
    Role,
    Unprocessable,
    Vault,
    ancestors,
    audit,
    district_of,
    emit,
    fetch_rows,
    holders_above,
    is_postgres,
    level_of,
    mask_name,
    notify,
    person,
    person_by_phone,
    unit_of_work,
    work_calendar,
)
from miniapps.legal_aid.directory import SUPERVISORS
from miniapps.legal_aid.errors import LegalProblem
from miniapps.legal_aid.hours import CITY_TIME
from miniapps.legal_aid.mediation_notices import (
    INVITED,
    MEDIATION_ACCEPTED,
    MEDIATION_DECLINED,
    TO_ASSIGN,
    mediation_link,
    shown,
)
from miniapps.legal_aid.mediation_schemas import MediationAnswerIn, MediationIn, MediationStatus
from miniapps.legal_aid.notices import PART
from miniapps.legal_aid.runtime import LegalRuntime

READ = "legal_aid.mediation_read"
PHONE_PURPOSE = "legal_aid.other_party_phone"
INVITED_EVENT = "legal_aid.party_invited"
ANSWER_DAYS = 5  # working days the other party has to answer
_INVITING = "legal_aid.invite:"
MOST_WAITING = 3  # invitations of one applicant waiting for an answer at once
OPEN_STATUSES = (
    MediationStatus.INVITED.value,
    MediationStatus.ACCEPTED.value,
    MediationStatus.ASSIGNED.value,
)


class PartyInvited(msgspec.Struct, frozen=True, kw_only=True):
    """The other party of a mediation, who has no account yet, is to be texted."""

    mediation_id: int


class Seen(msgspec.Struct, frozen=True, kw_only=True):
    """A mediation and how the caller takes part in it."""

    row: Mapping[str, Any]
    role: str  # applicant, other_party, mediator or committee


def community_of(home_path: str | None) -> str | None:
    """The community (社区) a home lies in, whose mediation committee hears its disputes."""
    if not home_path:
        return None
    found = [p for p in [*ancestors(home_path), home_path] if level_of(p) is Level.COMMUNITY]
    return found[0] if found else None


async def apply(*, actor: Claims, applied: MediationIn, legal: LegalRuntime, vault: Vault) -> int:
    """Open the application and invite the other party: by push if they have an account,
    by text message (after the commit, retried) if not."""
    me = await person(actor.user_id)
    community = community_of(me.home_path if me else None)
    district = district_of(community) if community else None
    if me is None or community is None or district is None:
        raise Unprocessable(LegalProblem.NO_COMMUNITY)
    other = await person_by_phone(applied.other_phone, vault)
    if other is not None and other.id == actor.user_id:
        raise Unprocessable(LegalProblem.INVITED_ONESELF)
    now = legal.clock()
    due = await answer_due(now)
    lookup = vault.lookup(applied.other_phone, purpose=PHONE_PURPOSE)
    async with unit_of_work():
        await _may_invite(actor.user_id, lookup)
        rows = await fetch_rows(
            "INSERT INTO legal_aid_mediation (applicant_id, other_id, other_phone_sealed,"
            " other_phone_lookup, other_name, community, district, category, summary, status,"
            " invited_by, applied_at, answer_due_at, court_reminded)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
            " RETURNING id",
            actor.user_id,
            other.id if other else None,
            vault.seal(applied.other_phone, purpose=PHONE_PURPOSE),
            lookup,
            applied.other_name,
            community,
            district,
            applied.category.value,
            applied.summary,
            MediationStatus.INVITED.value,
            "push" if other else "sms",
            now,
            due,
            False,
        )
        mediation_id = int(rows[0]["id"])
        if other is None:
            await emit(INVITED_EVENT, PartyInvited(mediation_id=mediation_id))
        else:
            await tell_invited(mediation_id, other.id, me.name, due)
    return mediation_id


async def _may_invite(applicant_id: int, lookup: str) -> None:
    """One open mediation with the same party, and a few invitations waiting at once: an
    applicant cannot have the city text a phone over and over. Two applications of one
    applicant at once are counted one after the other."""
    if is_postgres():
        await fetch_rows("SELECT pg_advisory_xact_lock(hashtext($1))", f"{_INVITING}{applicant_id}")
    else:  # a write takes SQLite's one write lock before the count below is read
        await fetch_rows(
            "UPDATE legal_aid_mediation SET status = status WHERE applicant_id = $1", applicant_id
        )
    rows = await fetch_rows(
        "SELECT status, other_phone_lookup FROM legal_aid_mediation WHERE applicant_id = $1"
        " AND status IN ($2, $3, $4)",
        applicant_id,
        *OPEN_STATUSES,
    )
    waiting = [r for r in rows if r["status"] == MediationStatus.INVITED.value]
    if any(r["other_phone_lookup"] == lookup for r in rows) or len(waiting) >= MOST_WAITING:
        raise Conflict(LegalProblem.MEDIATION_OPEN, most=MOST_WAITING)


async def answer_due(now: dt.datetime) -> dt.datetime:
    """The end, in the city's time, of the fifth working day after `now`: a holiday in
    between does not count."""
    calendar = await work_calendar()
    last = calendar.add_working_days(now.astimezone(CITY_TIME).date(), ANSWER_DAYS).date
    midnight = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), CITY_TIME)
    return midnight.astimezone(dt.UTC)


async def tell_invited(mediation_id: int, other_id: int, applicant: str, due: dt.datetime) -> None:
    await notify(
        audience=Audience.users(other_id),
        template=INVITED,
        data={"name": mask_name(applicant), "due": shown(due)},
        source=PART,
        deep_link=mediation_link(mediation_id),
    )


async def seen_by(actor: Claims, mediation_id: int, vault: Vault) -> Seen:
    """The mediation, for those who take part in it; a read by staff is audited. An invited
    party with no account when invited is known by their phone on their first read."""
    rows = await fetch_rows("SELECT * FROM legal_aid_mediation WHERE id = $1", mediation_id)
    if not rows:
        raise NotFound(LegalProblem.MEDIATION_NOT_FOUND)
    row = rows[0]
    if int(row["applicant_id"]) == actor.user_id:
        return Seen(row=row, role="applicant")
    if row["other_id"] is None and await _is_invited(actor, row, vault):
        row = await _bind(row, actor.user_id)
    if row["other_id"] is not None and int(row["other_id"]) == actor.user_id:
        return Seen(row=row, role="other_party")
    role = await _staff_role(actor, row)
    if role is None:
        raise NotFound(LegalProblem.MEDIATION_NOT_FOUND)
    await audit(actor, READ, int(row["applicant_id"]), {"id": row["id"]})
    return Seen(row=row, role=role)


async def _is_invited(actor: Claims, row: Mapping[str, Any], vault: Vault) -> bool:
    if row["status"] != MediationStatus.INVITED.value:
        return False
    phone = vault.open(str(row["other_phone_sealed"]), purpose=PHONE_PURPOSE)
    found = await person_by_phone(phone, vault)
    return found is not None and found.id == actor.user_id


async def _bind(row: Mapping[str, Any], user_id: int) -> Mapping[str, Any]:
    """The invited party, found to have an account, is known by it from now on."""
    bound = await fetch_rows(
        "UPDATE legal_aid_mediation SET other_id = $2 WHERE id = $1 AND other_id IS NULL"
        " RETURNING *",
        row["id"],
        user_id,
    )
    return bound[0] if bound else row


async def _staff_role(actor: Claims, row: Mapping[str, Any]) -> str | None:
    """The assigned mediator; the committee (mediators over the community who have not
    stepped aside from it, and the district's supervisors)."""
    if actor.covers(str(row["district"]), *SUPERVISORS):
        return "committee"
    if not actor.covers(str(row["community"]), Role.MEDIATOR):
        return None
    if await is_recused(int(row["id"]), actor.user_id):
        return None
    assigned = row["mediator_id"] is not None and int(row["mediator_id"]) == actor.user_id
    return "mediator" if assigned else "committee"


async def is_recused(mediation_id: int, mediator_id: int) -> bool:
    return bool(
        await fetch_rows(
            "SELECT id FROM legal_aid_recusal WHERE mediation_id = $1 AND mediator_id = $2",
            mediation_id,
            mediator_id,
        )
    )


async def answer(
    *, actor: Claims, mediation_id: int, answered: MediationAnswerIn, legal: LegalRuntime
) -> None:
    """The invited party takes part, or declines, before the answer is due; the applicant
    is told, and on an acceptance the committee too."""
    seen = await seen_by(actor, mediation_id, legal.services.vault)
    if seen.role != "other_party":
        raise Forbidden(LegalProblem.NOT_OTHER_PARTY)
    now = legal.clock()
    status = MediationStatus.ACCEPTED if answered.accept else MediationStatus.DECLINED
    async with unit_of_work():
        rows = await fetch_rows(
            "UPDATE legal_aid_mediation SET status = $2, answered_at = $3,"
            " closed_at = $4 WHERE id = $1 AND status = $5 AND answer_due_at > $3 RETURNING *",
            mediation_id,
            status.value,
            now,
            None if answered.accept else now,
            MediationStatus.INVITED.value,
        )
        if not rows:
            raise _not_answerable(seen.row, now)
        row = rows[0]
        await notify(
            audience=Audience.users(int(row["applicant_id"])),
            template=MEDIATION_ACCEPTED if answered.accept else MEDIATION_DECLINED,
            data={},
            source=PART,
            deep_link=mediation_link(mediation_id),
        )
        if answered.accept:
            await tell_committee(row)


def _not_answerable(row: Mapping[str, Any], now: dt.datetime) -> Conflict:
    if row["status"] == MediationStatus.INVITED.value and row["answer_due_at"] <= now:
        return Conflict(LegalProblem.INVITE_LAPSED)
    return Conflict(LegalProblem.MEDIATION_STATE, status=str(row["status"]))


async def tell_committee(row: Mapping[str, Any]) -> None:
    """The mediators over the community, bar those who stepped aside from it and the
    parties themselves, are told a mediation waits for one of them."""
    committee = await holders_above(Role.MEDIATOR, str(row["community"]))
    stepped_aside = await fetch_rows(
        "SELECT mediator_id FROM legal_aid_recusal WHERE mediation_id = $1", row["id"]
    )
    parties = {int(row["applicant_id"]), *([int(row["other_id"])] if row["other_id"] else [])}
    told = committee - {int(r["mediator_id"]) for r in stepped_aside} - parties
    if not told:
        return
    await notify(
        audience=Audience.users(*sorted(told)),
        template=TO_ASSIGN,
        data={"category": str(row["category"])},
        source=PART,
        deep_link=mediation_link(int(row["id"])),
    )
