"""HTTP of an app's webhooks: the key they are signed with, their deliveries and tries, and
a delivery sent again by hand."""

from __future__ import annotations

from typing import Annotated

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from backend.sdk import ROW_ID_MAX, AnyRequest, RowId, Services, Vault, claims_of, problems
from miniapps.open_platform import apps, deliveries
from miniapps.open_platform.app_controllers import APP, OWNED_APP, UNSEEN_APP, AppId
from miniapps.open_platform.errors import OpenProblem as Problem
from miniapps.open_platform.schemas import (
    WebhookDeliveryList,
    WebhookDeliveryView,
    WebhookKeyIssued,
)

DELIVERY = f"{APP}/webhook-deliveries/{{delivery_id:int}}"
SEEN_DELIVERY = {404: [Problem.APP_NOT_FOUND, Problem.DELIVERY_NOT_FOUND]}
Before = Annotated[
    int | None,
    QueryParameter(
        ge=1, le=ROW_ID_MAX, description="Only deliveries older than this id: the next page."
    ),
]


@post(
    f"{APP}/webhook-key",
    status_code=200,
    operation_id="IssueOpenAppWebhookKey",
    responses=problems(OWNED_APP),
)
async def issue_webhook_key(
    request: AnyRequest, app_id: FromPath[AppId], vault: NamedDependency[Vault]
) -> WebhookKeyIssued:
    """Issue the key the app's webhooks are signed with, shown once, by its publisher.

    Until `previous_until`, a day on, each webhook carries a signature by the key before
    it too; a webhook made while the app has no key is not sent, and fails."""
    return await apps.rotate_webhook_key(claims_of(request), app_id, vault)


@get(
    f"{APP}/webhook-deliveries",
    operation_id="ListOpenAppWebhookDeliveries",
    responses=problems(UNSEEN_APP),
)
async def list_deliveries(
    request: AnyRequest, app_id: FromPath[AppId], before: Before = None
) -> WebhookDeliveryList:
    """The app's webhook deliveries with their tries, the newest first, fifty at a time.

    For its publisher and the platform's admins. Pass the last `id` seen as `before` for
    the next page."""
    return await deliveries.deliveries(claims_of(request), app_id, before)


@get(DELIVERY, operation_id="GetOpenAppWebhookDelivery", responses=problems(SEEN_DELIVERY))
async def get_delivery(
    request: AnyRequest, app_id: FromPath[AppId], delivery_id: FromPath[RowId]
) -> WebhookDeliveryView:
    """One webhook delivery of the app and each of its tries."""
    return await deliveries.delivery(claims_of(request), app_id, delivery_id)


@post(
    f"{DELIVERY}/redeliver",
    operation_id="RedeliverOpenAppWebhook",
    responses=problems(
        {
            **SEEN_DELIVERY,
            403: [Problem.NOT_YOUR_APP],
            409: [Problem.DELIVERY_PENDING, Problem.WEBHOOK_MISSING],
        }
    ),
)
async def redeliver(
    request: AnyRequest,
    app_id: FromPath[AppId],
    delivery_id: FromPath[RowId],
    services: NamedDependency[Services],
) -> WebhookDeliveryView:
    """Send a finished delivery's event again, by the app's publisher: a new delivery.

    It goes to the webhook the app has for the event now, with the same body and event id,
    so a receiver that handled it already can tell. While a delivery of the event is
    still being tried, it is not sent again."""
    return await deliveries.redeliver(claims_of(request), app_id, delivery_id, services)


WEBHOOK_ROUTES = [issue_webhook_key, list_deliveries, get_delivery, redeliver]
