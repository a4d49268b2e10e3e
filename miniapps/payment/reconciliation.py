"""The daily reconciliation (日终对账): the ledger against itself, the top-up orders against
their credits, and the bank channel's statement against the orders.

Run each night for the city's day before. Every finding is kept once (its day, kind and
subject), listed for platform admins, and pushed to them when it is new.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from backend.sdk import (
    Audience,
    Role,
    Template,
    fetch_rows,
    holders_of,
    notify,
    unit_of_work,
    utc_now,
)
from miniapps.payment.channel import PaymentChannel
from miniapps.payment.days import CITY_TIME
from miniapps.payment.ledger import ledger_total, mismatched_accounts
from miniapps.payment.schemas import DiscrepancyView

FOUND = Template(
    key="payment.reconciliation",
    category="payment",
    titles={"zh-CN": "对账发现差错", "en": "Reconciliation found discrepancies"},
    bodies={
        "zh-CN": "{day} 对账发现 {count} 处差错,请核查",
        "en": "{count} discrepancies in the books of {day}: please look into them",
    },
)


class Finding(NamedTuple):
    kind: str
    subject: str
    detail: str


def city_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(day.year, day.month, day.day, tzinfo=CITY_TIME)
    return start.astimezone(dt.UTC), (start + dt.timedelta(days=1)).astimezone(dt.UTC)


async def reconcile(day: dt.date, channel: PaymentChannel) -> list[Finding]:
    """Everything that does not add up for `day`, kept and told; what was found."""
    findings = await _ledger_findings() + await _top_up_findings(day, channel)
    admins = await holders_of(Role.PLATFORM_ADMIN)
    # The findings kept and the push that tells of them commit together.
    async with unit_of_work():
        new = [finding for finding in findings if await _keep(day, finding)]
        if new and admins:
            await notify(
                audience=Audience.users(*sorted(admins)),
                template=FOUND,
                data={"day": day.isoformat(), "count": str(len(new))},
                source="payment",
                deep_link="yimen://console/payment/discrepancies",
            )
    return findings


async def reconcile_yesterday(channel: PaymentChannel) -> int:
    yesterday = utc_now().astimezone(CITY_TIME).date() - dt.timedelta(days=1)
    return len(await reconcile(yesterday, channel))


async def _ledger_findings() -> list[Finding]:
    findings = [
        Finding("account_balance", m.holder, f"kept {m.balance}, entries add up to {m.entries}")
        for m in await mismatched_accounts()
    ]
    total = await ledger_total()
    if total:
        findings.append(Finding("ledger_total", "ledger", f"entries add up to {total}, not 0"))
    return findings


async def _top_up_findings(day: dt.date, channel: PaymentChannel) -> list[Finding]:
    """The channel's paid orders of the day against ours, and ours of the day against it."""
    start, end = city_day_bounds(day)
    settled = {line.out_trade_no: line for line in await channel.statement(start, end)}
    ours = await fetch_rows(
        "SELECT out_trade_no, amount, transfer_id FROM payment_top_up"
        " WHERE status = 'paid' AND finished_at >= $1 AND finished_at < $2",
        start,
        end,
    )
    findings = [
        Finding("top_up_not_settled", str(row["out_trade_no"]), "paid here, not in the statement")
        for row in ours
        if row["out_trade_no"] not in settled
    ]
    for line in settled.values():
        rows = await fetch_rows(
            "SELECT amount, status, transfer_id FROM payment_top_up WHERE out_trade_no = $1",
            line.out_trade_no,
        )
        if not rows:
            findings.append(Finding("top_up_unknown", line.out_trade_no, "settled, no such order"))
        elif rows[0]["status"] != "paid":
            findings.append(
                Finding(
                    "top_up_not_credited", line.out_trade_no, f"settled, {rows[0]['status']} here"
                )
            )
        elif int(rows[0]["amount"]) != line.amount:
            findings.append(
                Finding(
                    "top_up_amount",
                    line.out_trade_no,
                    f"settled {line.amount}, ordered {rows[0]['amount']}",
                )
            )
        elif await _credited(int(rows[0]["transfer_id"])) != line.amount:
            findings.append(
                Finding("top_up_credit", line.out_trade_no, "the wallet's credit differs")
            )
    return findings


async def _credited(transfer_id: int) -> int:
    rows = await fetch_rows(
        "SELECT COALESCE(SUM(amount), 0) AS credited FROM payment_entry"
        " WHERE transfer_id = $1 AND amount > 0",
        transfer_id,
    )
    return int(rows[0]["credited"])


async def _keep(day: dt.date, finding: Finding) -> bool:
    """Keep the finding unless it was found before; whether it is new."""
    rows = await fetch_rows(
        "INSERT INTO payment_discrepancy (day, kind, subject, detail, finding_key, found_at)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (finding_key) DO NOTHING RETURNING id",
        day.isoformat(),
        finding.kind,
        finding.subject[:80],
        finding.detail[:200],
        f"{day.isoformat()}:{finding.kind}:{finding.subject}"[:120],
        utc_now(),
    )
    return bool(rows)


async def discrepancies(limit: int = 200) -> list[DiscrepancyView]:
    rows = await fetch_rows("SELECT * FROM payment_discrepancy ORDER BY id DESC LIMIT $1", limit)
    return [
        DiscrepancyView(
            id=int(r["id"]),
            day=str(r["day"]),
            kind=str(r["kind"]),
            subject=str(r["subject"]),
            detail=str(r["detail"]),
            found_at=r["found_at"],
        )
        for r in rows
    ]
