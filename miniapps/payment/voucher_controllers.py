"""HTTP of consumption vouchers: campaigns opened by platform admins, claimed by residents,
spent by payments at merchants of the campaign's categories."""

from __future__ import annotations

from litestar import get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from backend.sdk import (
    AnyRequest,
    Role,
    RowId,
    Vault,
    claims_of,
    idempotent,
    problems,
    requires_role,
)
from miniapps.payment import vouchers
from miniapps.payment.errors import PaymentProblem as Problem
from miniapps.payment.schemas import (
    CampaignIn,
    CampaignList,
    CampaignView,
    CategoryIn,
    ClaimIn,
    VoucherList,
    VoucherView,
)


@post(
    "/voucher-campaigns",
    operation_id="OpenVoucherCampaign",
    guards=[requires_role(Role.PLATFORM_ADMIN)],
    middleware=[idempotent],
    responses=problems({422: [Problem.CAMPAIGN_INVALID]}),
)
async def open_campaign(request: AnyRequest, data: JSONBody[CampaignIn]) -> CampaignView:
    """Open a consumption-voucher campaign (消费券) and fund its pool.

    Its whole budget (each tier's face value times its count) moves from the city's subsidy
    budget into the campaign's own pool account at once. Send an `Idempotency-Key`: a
    retry then answers the campaign opened instead of opening and funding another."""
    return await vouchers.open_campaign(data, created_by=claims_of(request).user_id)


@get(
    "/voucher-campaigns",
    operation_id="ListVoucherCampaigns",
    guards=[requires_role(Role.RESIDENT)],
)
async def list_campaigns() -> CampaignList:
    """The campaigns whose vouchers can still be claimed or spent, and what is left.

    Whether the caller may claim is the campaign's to say: its districts and its age."""
    return CampaignList(items=await vouchers.current_campaigns())


@post(
    "/voucher-campaigns/{campaign_id:int}/claims",
    operation_id="ClaimVoucher",
    guards=[requires_role(Role.RESIDENT)],
    responses=problems(
        {
            403: [Problem.VOUCHER_NOT_ELIGIBLE],
            404: [Problem.CAMPAIGN_NOT_FOUND],
            409: [
                Problem.VOUCHER_CLAIMS_CLOSED,
                Problem.VOUCHER_ALREADY_CLAIMED,
                Problem.VOUCHERS_GONE,
            ],
        }
    ),
)
async def claim_voucher(
    request: AnyRequest,
    campaign_id: FromPath[RowId],
    data: JSONBody[ClaimIn],
    vault: NamedDependency[Vault],
) -> VoucherView:
    """Claim a voucher of one of the campaign's tiers: first come, first served.

    One a person a campaign; a claim again is `voucher_already_claimed`. The voucher is
    spent by itself on a payment at a merchant of the campaign's categories of at least
    its threshold, the largest that fits first."""
    return await vouchers.claim(
        claims=claims_of(request), campaign_id=campaign_id, tier_id=data.tier_id, vault=vault
    )


@get("/vouchers", operation_id="ListMyVouchers", guards=[requires_role(Role.RESIDENT)])
async def my_vouchers(request: AnyRequest) -> VoucherList:
    """The caller's vouchers, newest first: issued, spent or expired."""
    return VoucherList(items=await vouchers.vouchers_of(claims_of(request).user_id))


@put(
    "/merchants/{merchant_id:int}/category",
    operation_id="SetMerchantCategory",
    guards=[requires_role(Role.PLATFORM_ADMIN)],
    status_code=HTTP_204_NO_CONTENT,
)
async def set_category(merchant_id: FromPath[RowId], data: JSONBody[CategoryIn]) -> None:
    """Say which trade a merchant is in, as voucher campaigns name trades.

    A merchant without one takes no voucher."""
    await vouchers.set_category(merchant_id=merchant_id, category=data.category)


VOUCHER_ROUTES = [open_campaign, list_campaigns, claim_voucher, my_vouchers, set_category]
