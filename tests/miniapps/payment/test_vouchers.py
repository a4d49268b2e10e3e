"""Consumption vouchers: a campaign funded at once, claimed first come first served and never
past its count however many claim together, one a person, spent by a payment at a merchant
of the campaign's trades, expired back to the campaign when unspent."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import Counter

import pytest

from backend.directory.users.service import open_account as open_user
from backend.directory.users.service import set_home
from backend.kernel.claims import Claims
from backend.kernel.roles import Role
from backend.kernel.vault import Vault
from miniapps.payment.categories import MerchantCategory
from miniapps.payment.ledger import account_of, ledger_total, mismatched_accounts
from miniapps.payment.payments import Method, pay
from miniapps.payment.refunds import refund
from miniapps.payment.schemas import CampaignIn
from miniapps.payment.tables import Account, Voucher, VoucherCampaign, VoucherTier
from miniapps.payment.vouchers import (
    claim,
    expire_vouchers,
    open_campaign,
    pool_holder,
    set_category,
)
from tests.conftest import Client, TokenFor, bearer
from tests.miniapps.payment.helpers import APP, fund, residents, user_id_of, wallet_balance

GX = "zz/gx"
G07 = "zz/gx/fengyang/c03/g07"
JINSHUI_G01 = "zz/jinshui/wenhua/c01/g01"


@pytest.fixture(autouse=True)
def _city(demo: None) -> None:
    """The demo city: campaigns name its districts."""


def _plan(**changes: object) -> dict[str, object]:
    now = dt.datetime.now(dt.UTC)
    plan: dict[str, object] = {
        "name": "金水消费券第一期",
        "tiers": [{"face_value_fen": 2_000, "min_spend_fen": 10_000, "count": 100}],
        "districts": [GX],
        "merchant_categories": ["catering", "retail"],
        "claim_opens_at": (now - dt.timedelta(minutes=1)).isoformat(),
        "claim_closes_at": (now + dt.timedelta(days=1)).isoformat(),
        "spend_until": (now + dt.timedelta(days=7)).isoformat(),
    }
    return {**plan, **changes}


async def _campaign(count: int = 100, **changes: object) -> tuple[int, int]:
    """A campaign opened below the HTTP layer: its id and its one tier's id."""
    import msgspec

    plan = _plan(
        tiers=[{"face_value_fen": 2_000, "min_spend_fen": 10_000, "count": count}], **changes
    )
    opened = await open_campaign(msgspec.convert(plan, CampaignIn, strict=False), created_by=1)
    return opened.id, opened.tiers[0].id


def _claims(user_id: int, home: str = G07) -> Claims:
    now = int(time.time())
    return Claims(
        sub=str(user_id),
        iss="",
        aud="",
        exp=now + 600,
        iat=now,
        jti="",
        roles=[Role.RESIDENT],
        scope={Role.RESIDENT: [home]},
    )


async def test_a_campaign_moves_its_whole_budget_into_its_pool(
    client: Client, token_for: TokenFor
) -> None:
    admin = await token_for(Role.PLATFORM_ADMIN)
    opened = await client.post(f"{APP}/voucher-campaigns", json=_plan(), headers=bearer(admin))
    assert opened.status_code == 201, opened.text
    campaign = opened.json()
    assert campaign["tiers"][0]["left"] == 100
    pool = await Account.select(Account.balance).where(
        Account.holder == pool_holder(campaign["id"])
    )
    assert pool == [{"balance": 200_000}]
    assert await ledger_total() == 0
    listed = await client.get(
        f"{APP}/voucher-campaigns", headers=bearer(await token_for(Role.RESIDENT))
    )
    assert [c["id"] for c in listed.json()["items"]] == [campaign["id"]]


async def test_five_hundred_claims_at_once_issue_exactly_the_hundred(vault: Vault) -> None:
    campaign_id, tier_id = await _campaign(count=100)
    people = await residents(vault, 500)
    # The first ten people three times over, all at once: below the HTTP layer, so the
    # claims' transactions overlap as they would across API processes.
    racing = await asyncio.gather(
        *(
            claim(claims=_claims(user), campaign_id=campaign_id, tier_id=tier_id, vault=vault)
            for n, user in enumerate(people)
            for _ in range(3 if n < 10 else 1)
        ),
        return_exceptions=True,
    )
    given = [r for r in racing if not isinstance(r, BaseException)]
    refused = Counter(getattr(r, "code", repr(r)) for r in racing if isinstance(r, BaseException))
    assert len(given) == 100
    assert set(refused) <= {"vouchers_gone", "voucher_already_claimed"}
    holders = Counter(row["user_id"] for row in await Voucher.select(Voucher.user_id))
    assert len(holders) == 100
    assert max(holders.values()) == 1
    assert await VoucherTier.select(VoucherTier.issued).first() == {"issued": 100}


async def test_only_the_campaigns_residents_may_claim(vault: Vault) -> None:
    campaign_id, tier_id = await _campaign()
    [outsider] = await residents(vault, 1, home=JINSHUI_G01)
    # Its token still says g07, from before a move: where the directory says counts.
    with pytest.raises(Exception, match="voucher_not_eligible"):
        await claim(
            claims=_claims(outsider, G07),
            campaign_id=campaign_id,
            tier_id=tier_id,
            vault=vault,
        )
    assert await Voucher.count() == 0


async def test_an_age_is_read_off_the_identity_card(vault: Vault) -> None:
    campaign_id, tier_id = await _campaign(min_age=60)
    elder, _ = await open_user(phone="13600000001", vault=vault, id_card="110101195003078058")
    younger, _ = await open_user(phone="13600000002", vault=vault, id_card="11010119900307803X")
    unknown, _ = await open_user(phone="13600000003", vault=vault)
    for user in (elder, younger, unknown):
        await set_home(user_id=user, home_path=G07)
    await claim(claims=_claims(elder), campaign_id=campaign_id, tier_id=tier_id, vault=vault)
    for user in (younger, unknown):
        with pytest.raises(Exception, match="voucher_not_eligible"):
            await claim(claims=_claims(user), campaign_id=campaign_id, tier_id=tier_id, vault=vault)
    assert await Voucher.count() == 1


async def test_claims_are_taken_only_while_the_campaign_takes_them(vault: Vault) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    campaign_id, tier_id = await _campaign(
        claim_opens_at=later.isoformat(),
        claim_closes_at=(later + dt.timedelta(hours=1)).isoformat(),
    )
    [user] = await residents(vault, 1)
    with pytest.raises(Exception, match="voucher_claims_closed"):
        await claim(claims=_claims(user), campaign_id=campaign_id, tier_id=tier_id, vault=vault)


async def _voucher_holder(
    client: Client, token_for: TokenFor, vault: Vault, category: MerchantCategory
) -> tuple[str, int, int, int]:
    """A resident holding a 20-yuan voucher (from 100 yuan), 500 yuan in their wallet, and a
    merchant of `category`: the resident's token, ids and the campaign's."""
    campaign_id, tier_id = await _campaign()
    payer = await token_for(Role.RESIDENT)
    payer_id = await user_id_of(client, payer)
    await fund(payer_id, 50_000)
    merchant_id = await user_id_of(client, await token_for(Role.MERCHANT))
    await set_category(merchant_id=merchant_id, category=category)
    await claim(claims=_claims(payer_id), campaign_id=campaign_id, tier_id=tier_id, vault=vault)
    return payer, payer_id, merchant_id, campaign_id


async def _pool(campaign_id: int) -> int:
    rows = await Account.select(Account.balance).where(Account.holder == pool_holder(campaign_id))
    return int(rows[0]["balance"])


async def test_a_voucher_pays_its_part_from_the_pool(
    client: Client, token_for: TokenFor, vault: Vault
) -> None:
    payer, payer_id, merchant_id, campaign_id = await _voucher_holder(
        client, token_for, vault, MerchantCategory.CATERING
    )
    under = await pay(
        payer_id=payer_id,
        merchant_id=merchant_id,
        amount=9_999,
        method=Method.COLLECTION_CODE,
        without_pin=False,
    )
    assert under.subsidy_fen == 0  # below the threshold: the voucher waits
    paid = await pay(
        payer_id=payer_id,
        merchant_id=merchant_id,
        amount=15_000,
        method=Method.COLLECTION_CODE,
        without_pin=False,
    )
    assert paid.subsidy_fen == 2_000
    assert await wallet_balance(client, payer) == 50_000 - 9_999 - 13_000
    assert await _pool(campaign_id) == 200_000 - 2_000
    merchant = await account_of(f"merchant:{merchant_id}")
    assert await Account.select(Account.balance).where(Account.id == merchant) == [
        {"balance": 24_999}
    ]
    assert await Voucher.select(Voucher.status, Voucher.payment_id) == [
        {"status": "spent", "payment_id": paid.id}
    ]
    again = await pay(
        payer_id=payer_id,
        merchant_id=merchant_id,
        amount=15_000,
        method=Method.COLLECTION_CODE,
        without_pin=False,
    )
    assert again.subsidy_fen == 0
    assert await ledger_total() == 0
    assert await mismatched_accounts() == []


async def test_a_merchant_of_another_trade_takes_no_voucher(
    client: Client, token_for: TokenFor, vault: Vault
) -> None:
    _, payer_id, merchant_id, campaign_id = await _voucher_holder(
        client, token_for, vault, MerchantCategory.HOME_APPLIANCE
    )
    paid = await pay(
        payer_id=payer_id,
        merchant_id=merchant_id,
        amount=15_000,
        method=Method.COLLECTION_CODE,
        without_pin=False,
    )
    assert paid.subsidy_fen == 0
    assert await _pool(campaign_id) == 200_000


async def test_a_voucher_payment_is_refunded_whole_and_the_subsidy_goes_back(
    client: Client, token_for: TokenFor, vault: Vault
) -> None:
    payer, payer_id, merchant_id, campaign_id = await _voucher_holder(
        client, token_for, vault, MerchantCategory.RETAIL
    )
    paid = await pay(
        payer_id=payer_id,
        merchant_id=merchant_id,
        amount=15_000,
        method=Method.COLLECTION_CODE,
        without_pin=False,
    )
    with pytest.raises(Exception, match="refund_exceeds_payment"):
        await refund(merchant_id=merchant_id, payment_id=paid.id, amount=13_001)
    # A part would leave the voucher paying for goods that went back: refused.
    with pytest.raises(Exception, match="voucher_payment_refunded_whole"):
        await refund(merchant_id=merchant_id, payment_id=paid.id, amount=12_999)
    assert await _pool(campaign_id) == 198_000
    await refund(merchant_id=merchant_id, payment_id=paid.id, amount=13_000)
    assert await _pool(campaign_id) == 200_000
    with pytest.raises(Exception, match="refund_exceeds_payment"):
        await refund(merchant_id=merchant_id, payment_id=paid.id, amount=1)
    assert await wallet_balance(client, payer) == 50_000
    merchant = await account_of(f"merchant:{merchant_id}")
    assert await Account.select(Account.balance).where(Account.id == merchant) == [{"balance": 0}]
    assert await ledger_total() == 0
    assert await mismatched_accounts() == []


async def test_an_unspent_voucher_expires_and_its_place_goes_back(vault: Vault) -> None:
    campaign_id, tier_id = await _campaign(count=1)
    first, second = await residents(vault, 2)
    await claim(claims=_claims(first), campaign_id=campaign_id, tier_id=tier_id, vault=vault)
    with pytest.raises(Exception, match="vouchers_gone"):
        await claim(claims=_claims(second), campaign_id=campaign_id, tier_id=tier_id, vault=vault)
    await Voucher.update(
        {Voucher.valid_until: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}, force=True
    )
    assert await expire_vouchers() == 1
    assert await expire_vouchers() == 0
    assert await Voucher.select(Voucher.status).first() == {"status": "expired"}
    await claim(claims=_claims(second), campaign_id=campaign_id, tier_id=tier_id, vault=vault)
    assert await VoucherTier.select(VoucherTier.issued).first() == {"issued": 1}


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"tiers": [{"face_value_fen": 2_000, "min_spend_fen": 2_000, "count": 1}]}, 422),
        (
            {"tiers": [{"face_value_fen": 100_000, "min_spend_fen": 100_001, "count": 10**7}] * 2},
            422,
        ),
        ({"claim_closes_at": "2020-01-01T00:00:00Z"}, 422),
        ({"tiers": []}, 400),
        ({"tiers": [{"face_value_fen": 20.5, "min_spend_fen": 10_000, "count": 1}]}, 400),
        ({"merchant_categories": ["casino"]}, 400),
        ({"districts": ["not a path"]}, 400),
        ({"districts": ["zz/nowhere"]}, 422),
    ],
    ids=[
        "threshold-not-above-face",
        "budget-past-the-ledgers-bound",
        "closes-before-opens",
        "no-tiers",
        "fractional",
        "category",
        "path",
        "no-such-district",
    ],
)
async def test_a_plan_that_does_not_hold_is_refused_and_funds_nothing(
    client: Client, token_for: TokenFor, changes: dict[str, object], status: int
) -> None:
    admin = await token_for(Role.PLATFORM_ADMIN)
    answer = await client.post(
        f"{APP}/voucher-campaigns", json=_plan(**changes), headers=bearer(admin)
    )
    assert answer.status_code == status, answer.text
    assert await VoucherCampaign.count() == 0
    assert await Account.count() == 0


async def test_payments_at_once_spend_a_voucher_once(
    client: Client, token_for: TokenFor, vault: Vault
) -> None:
    """Four payments at once, each able to spend the one voucher: below the HTTP layer, so
    their transactions overlap; one takes the subsidy."""
    _, payer_id, merchant_id, campaign_id = await _voucher_holder(
        client, token_for, vault, MerchantCategory.CATERING
    )
    made = await asyncio.gather(
        *(
            pay(
                payer_id=payer_id,
                merchant_id=merchant_id,
                amount=10_000,
                method=Method.COLLECTION_CODE,
                without_pin=False,
            )
            for _ in range(4)
        )
    )
    assert sorted(payment.subsidy_fen for payment in made) == [0, 0, 0, 2_000]
    assert await _pool(campaign_id) == 198_000
    assert await ledger_total() == 0
    assert await mismatched_accounts() == []


async def test_a_merchant_pays_no_one_but_others(client: Client, token_for: TokenFor) -> None:
    merchant = await token_for(Role.MERCHANT)
    merchant_id = await user_id_of(client, merchant)
    await fund(merchant_id, 10_000)
    with pytest.raises(Exception, match="payment_to_self"):
        await pay(
            payer_id=merchant_id,
            merchant_id=merchant_id,
            amount=1_000,
            method=Method.COLLECTION_CODE,
            without_pin=False,
        )
    assert await wallet_balance(client, merchant) == 10_000
