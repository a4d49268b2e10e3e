"""Random top-ups, payments, refunds, voucher campaigns, claims and spends, one at a time and
in bursts at once, keep the ledger's invariants after every step: no wallet, merchant or
voucher pool below zero, the ledger sums to zero, every balance equals its entries, no tier
issues past its count and nobody holds two vouchers of one campaign, no payment is refunded
past what its payer paid; and each balance is what a plain model of the same operations says.

Everything goes through the mini-app's own services, below the HTTP layer, so that the
operations of a burst overlap in the database as they would across API processes."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from backend.directory.users.service import set_home
from backend.kernel.claims import Claims
from backend.kernel.db import fetch_rows, transaction
from backend.kernel.errors import YimenError
from backend.kernel.roles import Role
from backend.kernel.vault import Vault
from miniapps.payment.categories import MerchantCategory
from miniapps.payment.channel import ChannelNotice, ChannelResult
from miniapps.payment.ledger import ledger_total, mismatched_accounts
from miniapps.payment.payments import Method, pay
from miniapps.payment.refunds import refund
from miniapps.payment.schemas import CampaignIn, TierIn
from miniapps.payment.tables import Payment, Voucher, VoucherCampaign
from miniapps.payment.top_ups import TOP_UP_CLEARING, open_top_up, take_notice
from miniapps.payment.vouchers import (
    SUBSIDY_BUDGET,
    claim,
    expire_vouchers,
    open_campaign,
    pool_holder,
    set_category,
)
from miniapps.payment.wallets import merchant_holder, wallet_holder
from tests.miniapps.payment.helpers import residents

PAYERS, MERCHANTS = 3, 2
OUTSIDER = PAYERS - 1  # lives outside the district a campaign names, so may not claim there
DISTRICT, ELSEWHERE = "zz/gx", "zz/jinshui/wenhua/c01/g01"
TRADES = (MerchantCategory.CATERING, MerchantCategory.RETAIL)  # merchant m's is TRADES[m]
TABLES = (
    "payment_entry",
    "payment_transfer",
    "payment_account",
    "payment_top_up",
    "payment_payment",
    "payment_refund",
    "payment_merchant",
    "payment_voucher_campaign",
    "payment_voucher_tier",
    "payment_voucher",
)


class TopUp(NamedTuple):
    payer: int
    fen: int
    deliveries: int  # the channel's notice of payment, told this many times at once


class Pay(NamedTuple):
    payer: int
    merchant: int
    fen: int
    times: int  # this many of the same payment at once


class Refunds(NamedTuple):
    payment: int  # which of the payments made so far, modulo their number
    # Of those a voucher paid part of (not refunded yet, if any are), if there are any: they
    # are fewer, and refunded by stricter rules.
    subsidised: bool
    # One refund each, all at once, of that many eighths of what is left to refund: 8 is
    # the whole rest, more is past it.
    eighths: tuple[int, ...]


class Open(NamedTuple):
    tiers: tuple[tuple[int, int, int], ...]  # face value, threshold above it, count
    trades: tuple[MerchantCategory, ...]
    everyone: bool  # no district named: the outsider may claim too


class ClaimBurst(NamedTuple):
    campaign: int  # which of the campaigns opened so far, modulo their number
    tier: int
    who: tuple[int, ...]  # payers claiming at once, some more than once


class End(NamedTuple):
    campaign: int


Operation = TopUp | Pay | Refunds | Open | ClaimBurst | End

payer = st.integers(0, PAYERS - 1)
merchant = st.integers(0, MERCHANTS - 1)
pick = st.integers(0, 50)


def _fen(most_yuan: int) -> st.SearchStrategy[int]:
    """Amounts of any fen, and of whole yuan as prices mostly are."""
    return st.integers(1, most_yuan * 100) | st.integers(1, most_yuan).map(lambda y: y * 100)


def _claim_bursts(everyone: bool) -> st.SearchStrategy[ClaimBurst]:
    """Claims at once, often more than the tier has left, some by one person twice; with
    `everyone`, each payer's among them."""
    who = st.lists(payer, min_size=0 if everyone else 1, max_size=4).map(
        lambda more: (*range(PAYERS), *more) if everyone else tuple(more)
    )
    return st.builds(ClaimBurst, pick, pick, who)


top_up = st.builds(TopUp, payer, _fen(500), st.integers(1, 3))
paying = st.builds(Pay, payer, merchant, _fen(60), st.just(1))
# Several payments of one wallet at once: no more pass than it affords, and no voucher pays
# for two.
bursting = st.builds(Pay, payer, merchant, _fen(60), st.integers(2, 6))
# Whole refunds as often as parts and excesses: a payment a voucher paid part of is only
# ever refunded whole.
refunding = st.builds(
    Refunds,
    pick,
    st.booleans(),
    st.lists(st.just(8) | st.integers(1, 10), min_size=1, max_size=3).map(tuple),
)
opening = st.builds(
    Open,
    st.lists(
        st.tuples(st.integers(1, 1_000), st.integers(1, 1_000), st.integers(1, 3)),
        min_size=1,
        max_size=2,
    ).map(tuple),
    # Both trades half the time, so that more payments find a voucher to spend.
    st.sampled_from([TRADES, TRADES, TRADES[:1], TRADES[1:]]),
    st.booleans(),
)
# Payments and refunds come most often, a campaign's opening and its end seldom, or few of
# its vouchers would live to be spent. (`one_of` would weigh each strategy once however
# often it is named.)
step = st.sampled_from(
    [top_up, _claim_bursts(everyone=False)] * 2
    + [paying, bursting, refunding] * 3
    + [opening, st.builds(End, pick)]
).flatmap(lambda kind: kind)
# Campaigns, money and vouchers first, so that the steps after have them to spend.
operations = st.tuples(
    st.lists(opening, min_size=1, max_size=2),
    st.lists(top_up, min_size=2, max_size=6),
    st.lists(_claim_bursts(everyone=True), min_size=1, max_size=2),
    st.lists(step, min_size=10, max_size=30),
).map(lambda parts: [op for part in parts for op in part])


@dataclass
class Tier:
    id: int
    face: int
    min_spend: int
    count: int
    issued: int = 0


@dataclass
class Campaign:
    id: int
    trades: frozenset[str]
    everyone: bool
    tiers: list[Tier]
    ended: bool = False

    @property
    def pool(self) -> str:
        return pool_holder(self.id)


@dataclass
class Held:
    """A voucher as the model has it."""

    id: int
    campaign: Campaign
    tier: Tier
    holder: int  # which payer
    status: str = "issued"


@dataclass
class Paid:
    id: int
    payer: int
    merchant: int
    amount: int
    subsidy: int
    voucher: Held | None
    refunded: int = 0

    @property
    def left(self) -> int:
        """What may still be refunded: the payer's part, less what went back already."""
        return self.amount - self.subsidy - self.refunded


def _code(outcome: BaseException) -> str:
    """The code of a refusal; anything else is no refusal, and fails the test as itself."""
    if not isinstance(outcome, YimenError):
        raise outcome
    return str(outcome.code)


def _claims(user_id: int) -> Claims:
    """A resident's token, as `claim` is handed it: where they live, it asks the directory."""
    now = int(time.time())
    return Claims(
        sub=str(user_id), iss="", aud="", exp=now + 600, iat=now, jti="", roles=[Role.RESIDENT]
    )


class Books:
    """The people of the test, and what a plain model says of the money and the vouchers."""

    def __init__(self, payers: list[int], merchants: list[int], vault: Vault) -> None:
        self.payers, self.merchants, self.vault = payers, merchants, vault
        self.expected: defaultdict[str, int] = defaultdict(int)  # balance by holder
        self.campaigns: list[Campaign] = []
        self.vouchers: list[Held] = []
        self.payments: list[Paid] = []

    async def run(self, op: Operation) -> None:
        match op:
            case TopUp():
                await self.top_up(op)
            case Pay():
                await self.pay(op)
            case Refunds():
                await self.refund(op)
            case Open():
                await self.open(op)
            case ClaimBurst():
                await self.claim(op)
            case End():
                await self.end(op)

    async def top_up(self, op: TopUp) -> None:
        user = self.payers[op.payer]
        order = await open_top_up(user_id=user, amount=op.fen)
        notice = ChannelNotice(
            out_trade_no=order.out_trade_no,
            amount_fen=op.fen,
            result=ChannelResult.PAID,
            channel_txn=f"CH{order.id}",
        )
        told = await asyncio.gather(*(take_notice(notice) for _ in range(op.deliveries)))
        assert {answer.status for answer in told} == {"paid"}
        self.expected[TOP_UP_CLEARING] -= op.fen
        self.expected[wallet_holder(user)] += op.fen

    def _usable(self, op: Pay) -> list[Held]:
        """The payer's vouchers the payment may spend, the one `pay` takes first."""
        trade = TRADES[op.merchant].value
        return sorted(
            (
                v
                for v in self.vouchers
                if v.holder == op.payer
                and v.status == "issued"
                and not v.campaign.ended
                and v.tier.min_spend <= op.fen
                and trade in v.campaign.trades
            ),
            key=lambda v: (-v.tier.face, v.id),
        )

    def _serially(self, op: Pay, usable: list[Held]) -> list[int]:
        """The subsidies of the payments that pass, made one after another."""
        balance, best, passed = self.expected[wallet_holder(self.payers[op.payer])], usable, []
        for _ in range(op.times):
            off = best[0].tier.face if best else 0
            if balance < op.fen - off:
                break  # and so would every one after it
            balance -= op.fen - off
            best = best[1:]
            passed.append(off)
        return passed

    async def pay(self, op: Pay) -> None:
        payer_id, merchant_id = self.payers[op.payer], self.merchants[op.merchant]
        wallet = wallet_holder(payer_id)
        usable = self._usable(op)
        serial = self._serially(op, usable)
        outcomes = await asyncio.gather(
            *(
                pay(
                    payer_id=payer_id,
                    merchant_id=merchant_id,
                    amount=op.fen,
                    method=Method.COLLECTION_CODE,
                    without_pin=False,
                )
                for _ in range(op.times)
            ),
            return_exceptions=True,
        )
        refused = [_code(o) for o in outcomes if isinstance(o, BaseException)]
        assert set(refused) <= {"insufficient_funds"}, refused
        made = [o for o in outcomes if not isinstance(o, BaseException)]
        spent_by = {
            int(row["id"]): row["voucher_id"]
            for row in await Payment.select(Payment.id, Payment.voucher_id).where(
                Payment.id.is_in([m.id for m in made] or [0])
            )
        }
        by_id = {v.id: v for v in usable}
        spent = {int(v) for v in spent_by.values() if v is not None}
        assert spent <= set(by_id), "spent a voucher the payment may not"
        used = [by_id[int(spent_by[m.id])] for m in made if spent_by[m.id] is not None]
        assert len({v.id for v in used}) == len(used), "a voucher paid twice"
        for m in made:
            voucher = by_id[int(spent_by[m.id])] if spent_by[m.id] is not None else None
            assert m.status == "paid"
            assert m.subsidy_fen == (voucher.tier.face if voucher else 0)
            self.expected[wallet] -= op.fen - m.subsidy_fen
            self.expected[merchant_holder(merchant_id)] += op.fen
            if voucher is not None:
                self.expected[voucher.campaign.pool] -= m.subsidy_fen
                voucher.status = "spent"
            self.payments.append(Paid(m.id, op.payer, op.merchant, op.fen, m.subsidy_fen, voucher))
        if op.times == 1 or len(usable) <= 1:
            assert sorted(m.subsidy_fen for m in made) == sorted(serial)
        else:
            # Payments at once each pick the best voucher before any is spent: one whose
            # pick another spent first pays in full rather than take the next best, so
            # no more pass than one after another, and the first to pass took a voucher.
            assert len(made) <= len(serial)
            assert used or not made
        if refused:
            assert self.expected[wallet] < op.fen

    @staticmethod
    def _part(paid: Paid, eighths: int) -> int:
        """A refund's amount: never none, even of a payment refunded whole already."""
        if eighths > 8:
            return paid.left + eighths - 8
        return max(1, paid.left * eighths // 8)

    @staticmethod
    def _refunded_in_turn(
        paid: Paid, amounts: Sequence[int], order: Sequence[int]
    ) -> tuple[str, ...]:
        """What each refund comes to, made in `order`."""
        refunded, result = paid.refunded, [""] * len(amounts)
        for index in order:
            amount, left = amounts[index], paid.amount - paid.subsidy - refunded
            if amount <= left and (not paid.subsidy or (refunded == 0 and amount == left)):
                refunded += amount
                result[index] = "refunded"
            elif amount <= left:
                result[index] = "voucher_payment_refunded_whole"
            else:
                result[index] = "refund_exceeds_payment"
        return tuple(result)

    async def refund(self, op: Refunds) -> None:
        subsidised = [p for p in self.payments if p.subsidy]
        unrefunded = [p for p in subsidised if not p.refunded]
        among = (unrefunded or subsidised) if op.subsidised and subsidised else self.payments
        if not among:
            return
        paid = among[op.payment % len(among)]
        amounts = [self._part(paid, eighths) for eighths in op.eighths]
        possible = {
            self._refunded_in_turn(paid, amounts, order)
            for order in itertools.permutations(range(len(amounts)))
        }
        merchant_id = self.merchants[paid.merchant]
        outcomes = await asyncio.gather(
            *(refund(merchant_id=merchant_id, payment_id=paid.id, amount=a) for a in amounts),
            return_exceptions=True,
        )
        came = tuple(_code(o) if isinstance(o, BaseException) else "refunded" for o in outcomes)
        assert came in possible, (came, possible)
        for amount, outcome in zip(amounts, came, strict=True):
            if outcome == "refunded":
                paid.refunded += amount
                self.expected[wallet_holder(self.payers[paid.payer])] += amount
                self.expected[merchant_holder(merchant_id)] -= amount + paid.subsidy
                if paid.voucher is not None:
                    self.expected[paid.voucher.campaign.pool] += paid.subsidy

    async def open(self, op: Open) -> None:
        now = dt.datetime.now(dt.UTC)
        plan = CampaignIn(
            name=f"消费券第 {len(self.campaigns) + 1} 期",
            tiers=[
                TierIn(face_value_fen=face, min_spend_fen=face + above, count=count)
                for face, above, count in op.tiers
            ],
            districts=[] if op.everyone else [DISTRICT],
            merchant_categories=list(op.trades),
            claim_opens_at=now - dt.timedelta(minutes=1),
            claim_closes_at=now + dt.timedelta(days=1),
            spend_until=now + dt.timedelta(days=7),
        )
        opened = await open_campaign(plan, created_by=1)
        tiers = [Tier(t.id, t.face_value_fen, t.min_spend_fen, t.count) for t in opened.tiers]
        assert [(t.face, t.min_spend - t.face, t.count) for t in tiers] == list(op.tiers)
        campaign = Campaign(opened.id, frozenset(op.trades), op.everyone, tiers)
        self.campaigns.append(campaign)
        budget = sum(t.face * t.count for t in tiers)
        self.expected[SUBSIDY_BUDGET] -= budget
        self.expected[campaign.pool] += budget

    async def claim(self, op: ClaimBurst) -> None:
        if not self.campaigns:
            return
        campaign = self.campaigns[op.campaign % len(self.campaigns)]
        tier = campaign.tiers[op.tier % len(campaign.tiers)]
        outcomes = await asyncio.gather(
            *(
                claim(
                    claims=_claims(self.payers[who]),
                    campaign_id=campaign.id,
                    tier_id=tier.id,
                    vault=self.vault,
                )
                for who in op.who
            ),
            return_exceptions=True,
        )
        holding = {v.holder for v in self.vouchers if v.campaign is campaign}
        fresh = {
            who for who in op.who if (campaign.everyone or who != OUTSIDER) and who not in holding
        }
        got = {
            who: o
            for who, o in zip(op.who, outcomes, strict=True)
            if not isinstance(o, BaseException)
        }
        assert len(got) == sum(not isinstance(o, BaseException) for o in outcomes), (
            "one person got two"
        )
        assert set(got) <= fresh
        left = tier.count - tier.issued
        assert len(got) == (0 if campaign.ended else min(left, len(fresh)))
        for who, outcome in zip(op.who, outcomes, strict=True):
            if not isinstance(outcome, BaseException):
                continue
            code = _code(outcome)
            if campaign.ended:
                assert code == "voucher_claims_closed"
            elif not campaign.everyone and who == OUTSIDER:
                assert code == "voucher_not_eligible"
            elif who in holding or who in got:
                assert code in {"voucher_already_claimed", "vouchers_gone"}
                assert who in got or code == "voucher_already_claimed"
            else:
                assert code == "vouchers_gone"
        for who, voucher in got.items():
            assert (voucher.face_value_fen, voucher.min_spend_fen) == (tier.face, tier.min_spend)
            self.vouchers.append(Held(voucher.id, campaign, tier, who))
            tier.issued += 1

    async def end(self, op: End) -> None:
        """The campaign's end comes, and the sweep expires its unspent vouchers, their places
        back to their tiers. The services read the clock themselves, so the campaign's window
        is moved behind now instead, as time passing would leave it."""
        if not self.campaigns:
            assert await expire_vouchers() == 0
            return
        campaign = self.campaigns[op.campaign % len(self.campaigns)]
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        await VoucherCampaign.update(
            {
                VoucherCampaign.claim_opens_at: past - dt.timedelta(days=1),
                VoucherCampaign.claim_closes_at: past,
                VoucherCampaign.spend_until: past,
            }
        ).where(VoucherCampaign.id == campaign.id)
        await Voucher.update({Voucher.valid_until: past}).where(Voucher.campaign_id == campaign.id)
        campaign.ended = True
        lapsing = [v for v in self.vouchers if v.campaign is campaign and v.status == "issued"]
        assert await expire_vouchers() == len(lapsing)
        for voucher in lapsing:
            voucher.status = "expired"
            voucher.tier.issued -= 1

    async def check(self) -> None:
        """Every invariant, and every balance, voucher and payment as the model has it: read
        in one transaction, on one connection (SQLite would open one a statement) and as of
        one moment."""
        async with transaction():
            await self._check()

    async def _check(self) -> None:
        accounts = await fetch_rows("SELECT holder, balance, overdraw FROM payment_account")
        balances = {str(r["holder"]): int(r["balance"]) for r in accounts}
        assert {h: b for h, b in balances.items() if b} == {
            h: b for h, b in self.expected.items() if b
        }
        # Only the clearing account and the subsidy budget stand for money outside the
        # ledger; wallets, merchants and voucher pools alike stop at zero.
        outside = {TOP_UP_CLEARING, SUBSIDY_BUDGET}
        assert {str(r["holder"]) for r in accounts if r["overdraw"]} <= outside
        assert {h for h, b in balances.items() if b < 0 and h not in outside} == set()
        assert await ledger_total() == 0
        assert await mismatched_accounts() == []

        tiers = await fetch_rows("SELECT id, quantity, issued FROM payment_voucher_tier")
        vouchers = await fetch_rows(
            "SELECT id, campaign_id, tier_id, user_id, status FROM payment_voucher"
        )
        held = Counter(int(r["tier_id"]) for r in vouchers if r["status"] != "expired")
        for row in tiers:
            assert int(row["issued"]) == held[int(row["id"])] <= int(row["quantity"])
        assert {int(r["id"]): int(r["issued"]) for r in tiers} == {
            t.id: t.issued for c in self.campaigns for t in c.tiers
        }
        per_person = Counter((int(r["campaign_id"]), int(r["user_id"])) for r in vouchers)
        assert max(per_person.values(), default=0) <= 1
        assert {int(r["id"]): str(r["status"]) for r in vouchers} == {
            v.id: v.status for v in self.vouchers
        }

        payments = await fetch_rows(
            "SELECT p.id, p.amount, p.subsidy, p.refunded, COALESCE(SUM(r.amount), 0) AS given"
            " FROM payment_payment p LEFT JOIN payment_refund r ON r.payment_id = p.id"
            " GROUP BY p.id, p.amount, p.subsidy, p.refunded"
        )
        for row in payments:
            paid_by_payer = int(row["amount"]) - int(row["subsidy"])
            assert int(row["refunded"]) == int(row["given"]) <= paid_by_payer
        assert {int(r["id"]): (int(r["subsidy"]), int(r["refunded"])) for r in payments} == {
            p.id: (p.subsidy, p.refunded) for p in self.payments
        }


@pytest.fixture
async def people(vault: Vault, demo: None) -> tuple[list[int], list[int]]:
    """Payers, the last living outside the campaigns' district, and merchants: their ids.
    The demo city gives the district."""
    ids = await residents(vault, PAYERS + MERCHANTS)
    await set_home(user_id=ids[OUTSIDER], home_path=ELSEWHERE)
    return ids[:PAYERS], ids[PAYERS:]


async def _books(people: tuple[list[int], list[int]], vault: Vault) -> Books:
    async with transaction():
        for table in TABLES:
            await fetch_rows(f"DELETE FROM {table}")
    payers, merchants = people
    for merchant_id, trade in zip(merchants, TRADES, strict=True):
        await set_category(merchant_id=merchant_id, category=trade)
    return Books(payers, merchants, vault)


# No shrinking: an example takes a good part of a second on SQLite, and shrinking one would
# outlast the suite's timeout. Each step is noted instead, so that a failure shows the steps
# up to the one that broke an invariant (and the example database replays it).
@settings(
    max_examples=30,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(script=operations)
async def test_any_mix_of_money_and_vouchers_keeps_every_invariant(
    people: tuple[list[int], list[int]], vault: Vault, script: list[Operation]
) -> None:
    books = await _books(people, vault)
    for op in script:
        note(repr(op))
        await books.run(op)
        await books.check()
