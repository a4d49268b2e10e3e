"""A people's mediation from application to agreement: the other party invited by push and
accepting, the committee assigning a mediator, a session both parties hear of, an
agreement both confirm once as they read it, its hash recorded so that a later change to
its text shows, a failure with its reason, and the justice bureau's figures."""

from __future__ import annotations

import datetime as dt

from backend.kernel.db import fetch_rows
from tests.conftest import Client, TokenForPhone
from tests.miniapps.legal_aid.desk import ADMIN_GX, APP, GX, someone
from tests.miniapps.legal_aid.mediating import (
    OTHER,
    act,
    apply,
    assigned,
    sides,
    told,
)

AGREEMENT = "甲方于本月底前完成装修,每日施工不早于8点、不晚于18点;乙方不再投诉。"


async def test_a_mediation_runs_from_invitation_to_a_settled_agreement(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    s = await sides(client, token_for_phone)
    applied = await apply(client, s.applicant)
    mediation_id = int(applied["id"])
    assert applied["status"] == "invited"
    assert applied["role"] == "applicant"
    assert applied["community"] == "zz/gx/fengyang/c03"
    assert OTHER not in str(applied)  # the phone is never shown back
    assert await told(s.other.user_id, "人民调解邀请") == 1

    accepted = await act(client, s.other, mediation_id, "answer", {"accept": True})
    assert (accepted["status"], accepted["role"]) == ("accepted", "other_party")
    assert await told(s.applicant.user_id, "对方同意调解") == 1
    assert await told(s.mediator.user_id, "待指派调解员") == 1

    queue = await client.get(f"{APP}/mediations/committee", headers=s.mediator.headers)
    assert [m["id"] for m in queue.json()["items"]] == [mediation_id]
    given = await act(
        client, s.mediator, mediation_id, "mediator", {"mediator_id": s.mediator.user_id}
    )
    assert (given["status"], given["role"], given["mediator_id"]) == (
        "assigned",
        "mediator",
        s.mediator.user_id,
    )

    starts = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    met = await act(
        client,
        s.mediator,
        mediation_id,
        "sessions",
        {"starts_at": starts.isoformat(), "place": "凤阳街道调解室"},
    )
    assert [x["place"] for x in met["sessions"]] == ["凤阳街道调解室"]
    for party in (s.applicant, s.other):
        assert await told(party.user_id, "调解时间已确定") == 1

    written = await act(client, s.mediator, mediation_id, "agreement", {"text": AGREEMENT})
    text_hash = written["agreement"]["text_hash"]
    first = await act(
        client, s.applicant, mediation_id, "agreement/confirm", {"text_hash": text_hash}
    )
    assert first["agreement"]["applicant_confirmed"] is True
    assert first["status"] == "assigned"
    settled = await act(
        client, s.other, mediation_id, "agreement/confirm", {"text_hash": text_hash}
    )
    assert settled["status"] == "settled"
    assert settled["agreement"]["recorded_hash"] == text_hash
    assert settled["agreement"]["intact"] is True
    court_due = dt.datetime.fromisoformat(settled["court_due_at"])
    assert (
        dt.timedelta(days=29, hours=23)
        < court_due - dt.datetime.now(dt.UTC)
        <= dt.timedelta(days=30)
    )
    assert await told(s.mediator.user_id, "调解成功") == 1


async def test_an_agreement_changed_after_both_confirmed_no_longer_matches_its_hash(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    s = await sides(client, token_for_phone)
    mediation_id = await assigned(client, s)
    written = await act(client, s.mediator, mediation_id, "agreement", {"text": AGREEMENT})
    text_hash = written["agreement"]["text_hash"]
    for party in (s.applicant, s.other):
        await act(client, party, mediation_id, "agreement/confirm", {"text_hash": text_hash})

    # Through the API the text can no longer change ...
    rewrite = await client.post(
        f"{APP}/mediations/{mediation_id}/agreement",
        json={"text": AGREEMENT + "乙方另行赔偿一万元。"},
        headers=s.mediator.headers,
    )
    assert rewrite.status_code == 409
    assert rewrite.json()["code"] == "legal_mediation_state"
    # ... and a change made behind its back shows to everyone who reads it.
    await fetch_rows(
        "UPDATE legal_aid_mediation SET agreement = $2 WHERE id = $1",
        mediation_id,
        AGREEMENT + "乙方另行赔偿一万元。",
    )
    for reader in (s.applicant, s.other, s.mediator):
        seen = await client.get(f"{APP}/mediations/{mediation_id}", headers=reader.headers)
        agreement = seen.json()["agreement"]
        assert agreement["recorded_hash"] == text_hash
        assert agreement["text_hash"] != text_hash
        assert agreement["intact"] is False


async def test_a_party_confirms_once_and_only_the_text_they_read(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    s = await sides(client, token_for_phone)
    mediation_id = await assigned(client, s)
    confirm = f"{APP}/mediations/{mediation_id}/agreement/confirm"
    early = await client.post(confirm, json={"text_hash": "0" * 64}, headers=s.applicant.headers)
    assert (early.status_code, early.json()["code"]) == (409, "legal_no_agreement")

    first = await act(client, s.mediator, mediation_id, "agreement", {"text": AGREEMENT})
    old_hash = first["agreement"]["text_hash"]
    await act(client, s.applicant, mediation_id, "agreement/confirm", {"text_hash": old_hash})
    twice = await client.post(confirm, json={"text_hash": old_hash}, headers=s.applicant.headers)
    assert (twice.status_code, twice.json()["code"]) == (409, "legal_agreement_confirmed")

    # The mediator rewrites it: the earlier confirmation lapses, and the old text's hash
    # confirms nothing.
    second = await act(client, s.mediator, mediation_id, "agreement", {"text": AGREEMENT + "补充"})
    assert second["agreement"]["applicant_confirmed"] is False
    stale = await client.post(confirm, json={"text_hash": old_hash}, headers=s.other.headers)
    assert (stale.status_code, stale.json()["code"]) == (409, "legal_agreement_changed")
    by_mediator = await client.post(
        confirm, json={"text_hash": second["agreement"]["text_hash"]}, headers=s.mediator.headers
    )
    assert by_mediator.status_code == 403
    after = await client.get(f"{APP}/mediations/{mediation_id}", headers=s.other.headers)
    assert after.json()["agreement"]["other_confirmed"] is False
    assert after.json()["status"] == "assigned"

    new_hash = second["agreement"]["text_hash"]
    for party in (s.applicant, s.other):
        await act(client, party, mediation_id, "agreement/confirm", {"text_hash": new_hash})
    again = await client.post(confirm, json={"text_hash": new_hash}, headers=s.other.headers)
    assert (again.status_code, again.json()["code"]) == (409, "legal_agreement_confirmed")


async def test_a_failed_mediation_says_why_and_counts_in_the_report(
    client: Client, token_for_phone: TokenForPhone
) -> None:
    s = await sides(client, token_for_phone)
    failed_id = await assigned(client, s)
    failed = await act(client, s.mediator, failed_id, "failure", {"reason": "双方分歧过大"})
    assert (failed["status"], failed["failure_reason"]) == ("failed", "双方分歧过大")
    assert await told(s.applicant.user_id, "调解未成功") == 1
    late = await client.post(
        f"{APP}/mediations/{failed_id}/sessions",
        json={
            "starts_at": (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat(),
            "place": "调解室",
        },
        headers=s.mediator.headers,
    )
    assert (late.status_code, late.json()["code"]) == (409, "legal_mediation_state")

    settled_id = await assigned(client, s)
    written = await act(client, s.mediator, settled_id, "agreement", {"text": AGREEMENT})
    for party in (s.applicant, s.other):
        await act(
            client,
            party,
            settled_id,
            "agreement/confirm",
            {"text_hash": written["agreement"]["text_hash"]},
        )
    await apply(client, s.applicant)  # still open: not counted

    admin = await someone(client, token_for_phone, ADMIN_GX)
    report = await client.get(f"{APP}/legal-report", params={"district": GX}, headers=admin.headers)
    figures = report.json()
    assert figures["mediations_ended"] == 2
    assert figures["mediations_settled"] == 1
    assert figures["mediation_success_rate"] == 0.5
    assert figures["mean_assign_minutes"] == 0
