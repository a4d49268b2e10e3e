"""HTTP for devices, the inbox, push preferences and the operators' delivery views."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from backend.kernel.codes import KernelCode
from backend.kernel.guards import claims_of, requires_role
from backend.kernel.params import PageCursor, RowId
from backend.kernel.problems import problems
from backend.kernel.requests import AnyRequest
from backend.kernel.roles import Role
from push import devices, inbox, operations, preferences
from push.errors import PushCode
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

    @post(
        "/",
        operation_id="RegisterDevice",
        responses={
            200: ResponseSpec(
                data_container=DeviceView,
                description="The push address was known: its registration is refreshed",
                generate_examples=False,
            )
        },
    )
    async def register(
        self, request: AnyRequest, data: JSONBody[DeviceIn], push: NamedDependency[PushRuntime]
    ) -> Response[DeviceView]:
        """Register this phone for pushes, or refresh its registration.

        201 when the push address is new, 200 when it is known. An address registered by
        someone else before moves to the caller: a phone has one owner at a time."""
        view, created = await devices.register_device(
            user_id=claims_of(request).user_id, device=data, push=push
        )
        return Response(view, status_code=201 if created else 200)

    @get("/", operation_id="ListDevices")
    async def list_devices(
        self,
        request: AnyRequest,
        cursor: PageCursor = None,
        limit: FromQuery[PageLimit] = 50,
    ) -> DevicePage:
        """The caller's active devices, oldest first, a page at a time.

        A device not seen for a long while is dropped."""
        return await devices.devices_of(
            user_id=claims_of(request).user_id, cursor=cursor, limit=limit
        )

    @delete(
        "/{device_id:int}",
        operation_id="UnregisterDevice",
        responses=problems({404: [PushCode.DEVICE_NOT_FOUND]}),
    )
    async def unregister(
        self, request: AnyRequest, device_id: FromPath[RowId], push: NamedDependency[PushRuntime]
    ) -> None:
        """Stop pushes to one of the caller's devices.

        Another person's device is not found."""
        await devices.unregister_device(
            user_id=claims_of(request).user_id, device_id=device_id, push=push
        )


class InboxController(Controller):
    path = "/v1/inbox"
    tags = ["push"]

    @get(
        "/",
        operation_id="ListInbox",
        responses=problems({400: [KernelCode.CURSOR_INVALID]}),
    )
    async def list_inbox(
        self,
        request: AnyRequest,
        cursor: PageCursor = None,
        limit: FromQuery[PageLimit] = 20,
    ) -> InboxPage:
        """The caller's notifications, newest first, a page at a time.

        With the count of those unread; the next page is the one after `next_cursor`."""
        return await inbox.inbox_page(
            user_id=claims_of(request).user_id, cursor=cursor, limit=limit
        )

    @post(
        "/{item_id:int}/read",
        status_code=HTTP_204_NO_CONTENT,
        operation_id="MarkInboxRead",
        responses=problems({404: [PushCode.INBOX_ITEM_NOT_FOUND]}),
    )
    async def mark_read(self, request: AnyRequest, item_id: FromPath[RowId]) -> None:
        """Mark one of the caller's notifications read."""
        await inbox.mark_read(user_id=claims_of(request).user_id, item_id=item_id)

    @post("/read-all", status_code=HTTP_204_NO_CONTENT, operation_id="MarkInboxAllRead")
    async def mark_all_read(self, request: AnyRequest) -> None:
        """Mark every notification of the caller read."""
        await inbox.mark_all_read(user_id=claims_of(request).user_id)


class PreferenceController(Controller):
    path = "/v1/push/preferences"
    tags = ["push"]

    @get("/", operation_id="GetPushPreferences")
    async def read(self, request: AnyRequest) -> Preferences:
        """The caller's quiet hours and muted categories.

        Urgent notifications ignore both."""
        return await preferences.preferences_of(claims_of(request).user_id)

    @put("/", operation_id="SetPushPreferences")
    async def write(self, request: AnyRequest, data: JSONBody[Preferences]) -> Preferences:
        """Set the caller's quiet hours and muted categories.

        Quiet hours (HH:MM, local time, and they may span midnight) and muted categories
        keep pushes off the phone; the notifications still reach the inbox. Urgent
        notifications ignore both."""
        return await preferences.set_preferences(claims_of(request).user_id, data)


class DeliveryReportController(Controller):
    path = "/v1/admin/notifications"
    tags = ["push"]
    guards = [requires_role(Role.PLATFORM_ADMIN)]

    @get(
        "/{notification_id:int}/deliveries",
        operation_id="GetDeliveryStats",
        responses=problems({404: [PushCode.NOTIFICATION_NOT_FOUND]}),
    )
    async def stats(self, notification_id: FromPath[RowId]) -> DeliveryStats:
        """How many deliveries of a notification ended in each status.

        For platform admins watching the push channels."""
        return await operations.delivery_stats(notification_id)

    @get(
        "/{notification_id:int}/failures",
        operation_id="ListFailedDeliveries",
        responses=problems({404: [PushCode.NOTIFICATION_NOT_FOUND]}),
    )
    async def failures(
        self,
        notification_id: FromPath[RowId],
        cursor: PageCursor = None,
        limit: FromQuery[PageLimit] = 50,
    ) -> FailedDeliveryPage:
        """The deliveries of a notification that failed or stayed unconfirmed.

        Each with the provider's reason, a page at a time; the next page is the one after
        `next_cursor`."""
        return await operations.failed_deliveries(
            notification_id=notification_id, cursor=cursor, limit=limit
        )


ROUTES = [DeviceController, InboxController, PreferenceController, DeliveryReportController]
