"""Consumption vouchers (消费券), as cities issue them.

A platform admin opens a campaign: face values and counts (满 X 减 Y), who may claim
(residents of some districts, of some age), when, and where a voucher is spent (merchants
of some categories). Its whole budget moves at once from the city's subsidy budget into
the campaign's own pool account, so every voucher is money that is there.

Claims are first come, first served, one per person per campaign: a claim takes one of its
tier's count with one conditional update (`issued < quantity`) that holds the tier's row lock
until the voucher is written, so however many claim at once the count is never passed, and
the voucher's `claim_key` (campaign and person) is unique, so nobody holds two. A voucher
is spent by a payment at an eligible merchant of at least its threshold: the pool pays its
face value to the merchant in the payment's own transfer. An unspent voucher expires at the
campaign's end and its place goes back to the tier.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from backend.sdk import (
    UNIQUE_VIOLATION,
    Claims,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    Unprocessable,
    Vault,
    age_of,
    fetch_rows,
    is_within,
    person,
    unit_exists,
    unit_of_work,
    utc_now,
)
from miniapps.payment.categories import MerchantCategory
from miniapps.payment.days import CITY_TIME
from miniapps.payment.errors import PaymentProblem
from miniapps.payment.ledger import (
    MOST_FEN,
    Leg,
    TransferKind,
    account_of,
    open_account,
    post_transfer,
)
from miniapps.payment.schemas import CampaignIn, CampaignView, TierView, VoucherView

SUBSIDY_BUDGET = "platform:subsidy_budget"  # the city's money for subsidies, outside the ledger


class Spendable(NamedTuple):
    """A voucher a payment can spend: its id, face value and the pool that pays it."""

    id: int
    face_value: int
    pool: int


def pool_holder(campaign_id: int) -> str:
    return f"platform:voucher_pool:{campaign_id}"


async def open_campaign(plan: CampaignIn, *, created_by: int) -> CampaignView:
    """Open a campaign and fund its pool with its whole budget, in one transaction."""
    await _check_plan(plan)
    async with unit_of_work():
        rows = await fetch_rows(
            "INSERT INTO payment_voucher_campaign (name, districts, min_age,"
            " merchant_categories, claim_opens_at, claim_closes_at, spend_until, created_by,"
            " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            plan.name,
            json.dumps(sorted(plan.districts)),
            plan.min_age,
            json.dumps(sorted(plan.merchant_categories)),
            plan.claim_opens_at,
            plan.claim_closes_at,
            plan.spend_until,
            created_by,
            utc_now(),
        )
        campaign_id = int(rows[0]["id"])
        for tier in plan.tiers:
            await fetch_rows(
                "INSERT INTO payment_voucher_tier (campaign_id, face_value, min_spend, quantity,"
                " issued) VALUES ($1, $2, $3, $4, 0)",
                campaign_id,
                tier.face_value_fen,
                tier.min_spend_fen,
                tier.count,
            )
        budget = await open_account(SUBSIDY_BUDGET, overdraw=True)
        pool = await open_account(pool_holder(campaign_id))
        total = sum(tier.face_value_fen * tier.count for tier in plan.tiers)
        await post_transfer(
            kind=TransferKind.VOUCHER,
            legs=[Leg(budget, -total), Leg(pool, total)],
            memo=f"campaign {campaign_id} funded",
        )
    return await campaign_of(campaign_id)


async def _check_plan(plan: CampaignIn) -> None:
    errors = [
        FieldError(field=f"districts[{index}]", message="no such org unit")
        for index, path in enumerate(plan.districts)
        if not await unit_exists(path)
    ]
    errors += [
        FieldError(field=name, message="a time of the years 2000 to 2099")
        for name in ("claim_opens_at", "claim_closes_at", "spend_until")
        if not 2000 <= getattr(plan, name).year <= 2099
    ]
    if not plan.claim_opens_at < plan.claim_closes_at <= plan.spend_until:
        errors.append(
            FieldError(
                field="claim_closes_at",
                message="claims open before they close, and close by the end of spending",
            )
        )
    for index, tier in enumerate(plan.tiers):
        if tier.min_spend_fen <= tier.face_value_fen:
            errors.append(
                FieldError(
                    field=f"tiers[{index}].min_spend_fen",
                    message="a voucher is spent on more than its own face value",
                )
            )
    if sum(tier.face_value_fen * tier.count for tier in plan.tiers) > MOST_FEN:
        errors.append(FieldError(field="tiers", message=f"a budget of at most {MOST_FEN} fen"))
    if errors:
        raise Unprocessable(PaymentProblem.CAMPAIGN_INVALID, errors=errors)


async def campaign_of(campaign_id: int) -> CampaignView:
    rows = await fetch_rows("SELECT * FROM payment_voucher_campaign WHERE id = $1", campaign_id)
    if not rows:
        raise NotFound(PaymentProblem.CAMPAIGN_NOT_FOUND)
    return _campaign_view(rows[0], await _tiers([campaign_id]))


async def current_campaigns() -> list[CampaignView]:
    """Campaigns whose vouchers can still be claimed or spent, soonest first."""
    rows = await fetch_rows(
        "SELECT * FROM payment_voucher_campaign WHERE spend_until > $1"
        " ORDER BY claim_opens_at, id LIMIT 100",
        utc_now(),
    )
    tiers = await _tiers([int(row["id"]) for row in rows])
    return [_campaign_view(row, tiers) for row in rows]


async def claim(*, claims: Claims, campaign_id: int, tier_id: int, vault: Vault) -> VoucherView:
    """One voucher of the tier for the caller, if they may have it and any is left."""
    rows = await fetch_rows("SELECT * FROM payment_voucher_campaign WHERE id = $1", campaign_id)
    if not rows:
        raise NotFound(PaymentProblem.CAMPAIGN_NOT_FOUND)
    campaign, now, user_id = rows[0], utc_now(), claims.user_id
    if not campaign["claim_opens_at"] <= now < campaign["claim_closes_at"]:
        raise Conflict(PaymentProblem.VOUCHER_CLAIMS_CLOSED)
    await _check_eligible(claims, campaign, vault, now)
    key = f"{campaign_id}:{user_id}"
    if await fetch_rows("SELECT id FROM payment_voucher WHERE claim_key = $1", key):
        raise Conflict(PaymentProblem.VOUCHER_ALREADY_CLAIMED)
    async with unit_of_work():
        taken = await fetch_rows(
            "UPDATE payment_voucher_tier SET issued = issued + 1"
            " WHERE id = $1 AND campaign_id = $2 AND issued < quantity"
            " RETURNING face_value, min_spend",
            tier_id,
            campaign_id,
        )
        if not taken:
            await _why_none(tier_id, campaign_id)
        try:
            voucher = await fetch_rows(
                "INSERT INTO payment_voucher (campaign_id, tier_id, user_id, claim_key,"
                " face_value, min_spend, status, claimed_at, valid_until)"
                " VALUES ($1, $2, $3, $4, $5, $6, 'issued', $7, $8) RETURNING *",
                campaign_id,
                tier_id,
                user_id,
                key,
                taken[0]["face_value"],
                taken[0]["min_spend"],
                now,
                campaign["spend_until"],
            )
        except UNIQUE_VIOLATION as err:
            raise Conflict(PaymentProblem.VOUCHER_ALREADY_CLAIMED) from err
    return voucher_view(voucher[0], now)


async def _check_eligible(
    claims: Claims, campaign: Mapping[str, Any], vault: Vault, now: dt.datetime
) -> None:
    districts: list[str] = json.loads(campaign["districts"])
    if districts:
        # Where they live now, as the directory says: a token may be older than a move.
        who = await person(claims.user_id)
        home = who.home_path if who is not None else None
        if home is None or not any(is_within(home, district) for district in districts):
            raise Forbidden(PaymentProblem.VOUCHER_NOT_ELIGIBLE)
    if campaign["min_age"] is not None:
        age = await age_of(claims.user_id, vault=vault, on=now.astimezone(CITY_TIME).date())
        if age is None or age < int(campaign["min_age"]):
            raise Forbidden(PaymentProblem.VOUCHER_NOT_ELIGIBLE)


async def _why_none(tier_id: int, campaign_id: int) -> None:
    rows = await fetch_rows(
        "SELECT id FROM payment_voucher_tier WHERE id = $1 AND campaign_id = $2",
        tier_id,
        campaign_id,
    )
    if not rows:
        raise NotFound(PaymentProblem.CAMPAIGN_NOT_FOUND)
    raise Conflict(PaymentProblem.VOUCHERS_GONE)


async def vouchers_of(user_id: int) -> list[VoucherView]:
    rows = await fetch_rows(
        "SELECT * FROM payment_voucher WHERE user_id = $1 ORDER BY id DESC LIMIT 200", user_id
    )
    now = utc_now()
    return [voucher_view(row, now) for row in rows]


async def best_voucher(*, payer_id: int, merchant_id: int, amount: int) -> Spendable | None:
    """The payer's voucher of the highest face value that a payment of `amount` fen at the
    merchant may spend, if any."""
    rows = await fetch_rows(
        "SELECT v.id, v.face_value, v.campaign_id, c.merchant_categories, m.category"
        " FROM payment_voucher v JOIN payment_voucher_campaign c ON c.id = v.campaign_id"
        " JOIN payment_merchant m ON m.merchant_id = $4"
        " WHERE v.user_id = $1 AND v.status = 'issued' AND v.valid_until > $2"
        " AND v.min_spend <= $3 ORDER BY v.face_value DESC, v.id",
        payer_id,
        utc_now(),
        amount,
        merchant_id,
    )
    for row in rows:
        if row["category"] in json.loads(row["merchant_categories"]):
            pool = await account_of(pool_holder(int(row["campaign_id"])))
            if pool is not None:
                return Spendable(id=int(row["id"]), face_value=int(row["face_value"]), pool=pool)
    return None


async def spend(voucher: Spendable) -> bool:
    """Mark the voucher spent, in the caller's transaction; False if it no longer can be
    (spent at once by another payment, or expired meanwhile)."""
    rows = await fetch_rows(
        "UPDATE payment_voucher SET status = 'spent' WHERE id = $1 AND status = 'issued'"
        " AND valid_until > $2 RETURNING id",
        voucher.id,
        utc_now(),
    )
    return bool(rows)


async def expire_vouchers() -> int:
    """Expire the vouchers unspent at their campaign's end; each one's place goes back to
    its tier. How many."""
    async with unit_of_work():
        rows = await fetch_rows(
            "UPDATE payment_voucher SET status = 'expired'"
            " WHERE status = 'issued' AND valid_until <= $1 RETURNING tier_id",
            utc_now(),
        )
        for tier_id in sorted({int(row["tier_id"]) for row in rows}):
            back = sum(1 for row in rows if int(row["tier_id"]) == tier_id)
            await fetch_rows(
                "UPDATE payment_voucher_tier SET issued = issued - $2 WHERE id = $1",
                tier_id,
                back,
            )
    return len(rows)


async def set_category(*, merchant_id: int, category: MerchantCategory) -> None:
    await fetch_rows(
        "INSERT INTO payment_merchant (merchant_id, category, set_at) VALUES ($1, $2, $3)"
        " ON CONFLICT (merchant_id) DO UPDATE SET category = excluded.category,"
        " set_at = excluded.set_at",
        merchant_id,
        category.value,
        utc_now(),
    )


async def _tiers(campaign_ids: Sequence[int]) -> dict[int, list[TierView]]:
    found: dict[int, list[TierView]] = {campaign_id: [] for campaign_id in campaign_ids}
    for campaign_id in campaign_ids:
        rows = await fetch_rows(
            "SELECT * FROM payment_voucher_tier WHERE campaign_id = $1 ORDER BY id", campaign_id
        )
        found[campaign_id] = [
            TierView(
                id=int(row["id"]),
                face_value_fen=int(row["face_value"]),
                min_spend_fen=int(row["min_spend"]),
                count=int(row["quantity"]),
                left=int(row["quantity"]) - int(row["issued"]),
            )
            for row in rows
        ]
    return found


def _campaign_view(row: Mapping[str, Any], tiers: Mapping[int, list[TierView]]) -> CampaignView:
    return CampaignView(
        id=int(row["id"]),
        name=str(row["name"]),
        districts=json.loads(row["districts"]),
        min_age=row["min_age"],
        merchant_categories=json.loads(row["merchant_categories"]),
        claim_opens_at=row["claim_opens_at"],
        claim_closes_at=row["claim_closes_at"],
        spend_until=row["spend_until"],
        tiers=tiers.get(int(row["id"]), []),
    )


def voucher_view(row: Mapping[str, Any], now: dt.datetime) -> VoucherView:
    status = str(row["status"])
    if status == "issued" and row["valid_until"] <= now:
        status = "expired"  # as the next sweep will write it
    return VoucherView(
        id=int(row["id"]),
        campaign_id=int(row["campaign_id"]),
        face_value_fen=int(row["face_value"]),
        min_spend_fen=int(row["min_spend"]),
        status=status,
        claimed_at=row["claimed_at"],
        valid_until=row["valid_until"],
    )
