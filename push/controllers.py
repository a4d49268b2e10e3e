"""HTTP for devices, the inbox, push preferences and the operators' delivery views."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from backend.kernel.guards import claims_of, requires_role
from backend.kernel.params import RowId
from backend.kernel.requests import AnyRequest
from backend.kernel.roles import Role
from push import devices, inbox, operations, preferences
from push.schemas import (
    DeliveryStats,
    DeviceIn,
    DevicePage,
    DeviceView,
    FailedDeliveryPage,
    InboxPage,
    PageLimit,
    Preferences,
)
from push.sending import PushRuntime


class DeviceController(Controller):
    path = "/v1/devices"
    tags = ["push"]

    @post("/", operation_id="RegisterDevice")
    async def register(
        self, request: AnyRequest, data: JSONBody[DeviceIn], push: NamedDependency[PushRuntime]
    ) -> Response[DeviceView]:
        """Register this phone for pushes, or refresh it (201 when new, 200 when known)."""
        view, created = await devices.register_device(
            user_id=claims_of(request).user_id, device=data, push=push
        )
        return Response(view, status_code=201 if created else 200)

    @get("/", operation_id="ListDevices")
    async def list_devices(
        self,
        request: AnyRequest,
        cursor: FromQuery[str | None] = None,
        limit: FromQuery[PageLimit] = 50,
    ) -> DevicePage:
        """The caller's active devices, oldest first."""
        return await devices.devices_of(
            user_id=claims_of(request).user_id, cursor=cursor, limit=limit
        )

    @delete("/{device_id:int}", operation_id="UnregisterDevice")
    async def unregister(
        self, request: AnyRequest, device_id: FromPath[RowId], push: NamedDependency[PushRuntime]
    ) -> None:
        """Stop pushes to one of the caller's devices."""
        await devices.unregister_device(
            user_id=claims_of(request).user_id, device_id=device_id, push=push
        )


class InboxController(Controller):
    path = "/v1/inbox"
    tags = ["push"]

    @get("/", operation_id="ListInbox")
    async def list_inbox(
        self,
        request: AnyRequest,
        cursor: FromQuery[str | None] = None,
        limit: FromQuery[PageLimit] = 20,
    ) -> InboxPage:
        """The caller's notifications, newest first, with the unread count."""
        return await inbox.inbox_page(
            user_id=claims_of(request).user_id, cursor=cursor, limit=limit
        )

    @post("/{item_id:int}/read", status_code=HTTP_204_NO_CONTENT, operation_id="MarkInboxRead")
    async def mark_read(self, request: AnyRequest, item_id: FromPath[RowId]) -> None:
        """Mark one notification read."""
        await inbox.mark_read(user_id=claims_of(request).user_id, item_id=item_id)

    @post("/read-all", status_code=HTTP_204_NO_CONTENT, operation_id="MarkInboxAllRead")
    async def mark_all_read(self, request: AnyRequest) -> None:
        """Mark every notification read."""
        await inbox.mark_all_read(user_id=claims_of(request).user_id)


class PreferenceController(Controller):
    path = "/v1/push/preferences"
    tags = ["push"]

    @get("/", operation_id="GetPushPreferences")
    async def read(self, request: AnyRequest) -> Preferences:
        """Quiet hours and muted categories; urgent notifications ignore both."""
        return await preferences.preferences_of(claims_of(request).user_id)

    @put("/", operation_id="SetPushPreferences")
    async def write(self, request: AnyRequest, data: JSONBody[Preferences]) -> Preferences:
        """Set quiet hours (local time) and muted categories."""
        return await preferences.set_preferences(claims_of(request).user_id, data)


class DeliveryReportController(Controller):
    path = "/v1/admin/notifications"
    tags = ["push"]
    guards = [requires_role(Role.PLATFORM_ADMIN)]

    @get("/{notification_id:int}/deliveries", operation_id="GetDeliveryStats")
    async def stats(self, notification_id: FromPath[RowId]) -> DeliveryStats:
        """How many deliveries of a notification ended in each status."""
        return await operations.delivery_stats(notification_id)

    @get("/{notification_id:int}/failures", operation_id="ListFailedDeliveries")
    async def failures(
        self,
        notification_id: FromPath[RowId],
        cursor: FromQuery[str | None] = None,
        limit: FromQuery[PageLimit] = 50,
    ) -> FailedDeliveryPage:
        """Deliveries that failed or stayed unconfirmed, with the provider's reason."""
        return await operations.failed_deliveries(
            notification_id=notification_id, cursor=cursor, limit=limit
        )


ROUTES = [DeviceController, InboxController, PreferenceController, DeliveryReportController]
