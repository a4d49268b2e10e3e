"""FCM through firebase-admin: one app per process, async sends, errors sorted for retry.

firebase-admin has no setting for the FCM address: the class attribute FCM_URL is read when
an app's messaging service is first made, and topic calls use the instance's topic URL. So
the app is made here, once, with both pointed at FCM_ENDPOINT (Google's, a relay, or a
stand-in). The async HTTP client binds to the first event loop that uses it, and
`delete_app` cannot run inside a running loop: `close` shuts the client on its own loop and
then lets firebase-admin forget the app from a thread.
"""

from __future__ import annotations

import asyncio
import json
import os
import warnings
from typing import Any

import firebase_admin
from firebase_admin import _http_client, credentials, exceptions, messaging
from firebase_admin._retry import HttpxRetry

from backend.kernel.settings import Settings
from push.senders import Outcome, PushMessage, SendResult

BATCH_LIMIT = 500  # firebase-admin's ceiling for one send_each_async
TOPIC_BATCH_LIMIT = 1000  # and for one topic change
QUOTA_BACKOFF = 60.0
TARGET_KINDS = frozenset({"token", "fid", "topic", "condition"})


def _credential(path: str) -> credentials.Base:
    with open(path, encoding="utf-8") as file:
        kind = json.load(file).get("type")
    if kind == "authorized_user":
        return credentials.RefreshToken(path)
    return credentials.Certificate(path)


class FcmSender:
    provider = "fcm"

    def __init__(self, settings: Settings) -> None:
        endpoint = settings.fcm_endpoint.rstrip("/")
        options: dict[str, Any] = {}
        if settings.firebase_project_id:
            options["projectId"] = settings.firebase_project_id
        self._app = firebase_admin.initialize_app(
            _credential(settings.firebase_credentials), options, name=f"yimen-{os.getpid()}"
        )
        messaging._MessagingService.FCM_URL = endpoint + "/v1/projects/{0}/messages:send"
        self._service = messaging._get_messaging_service(self._app)
        self._service._fcm_topic_url = (
            f"{endpoint}/v1/projects/{self._service._project_id}/registrations"
        )
        _leave_retries_to_the_jobs(self._service)

    async def send(self, messages: list[PushMessage]) -> list[SendResult]:
        results: list[SendResult] = []
        for start in range(0, len(messages), BATCH_LIMIT):
            batch = [_message(m) for m in messages[start : start + BATCH_LIMIT]]
            response = await messaging.send_each_async(batch, app=self._app)
            results += [_result(r) for r in response.responses]
        return results

    async def change_topic(
        self, addresses: list[str], topic: str, *, join: bool
    ) -> list[str | None]:
        change = (
            messaging.subscribe_to_topic_async if join else messaging.unsubscribe_from_topic_async
        )
        errors: list[str | None] = []
        for start in range(0, len(addresses), TOPIC_BATCH_LIMIT):
            batch = addresses[start : start + TOPIC_BATCH_LIMIT]
            response = await change(batch, topic, app=self._app)
            found: list[str | None] = [None] * len(batch)
            for error in response.errors:
                found[error.index] = error.reason
            errors += found
        return errors

    async def close(self) -> None:
        await self._service._async_client.aclose()
        await asyncio.to_thread(firebase_admin.delete_app, self._app)


def _leave_retries_to_the_jobs(service: messaging._MessagingService) -> None:
    """Make the SDK send each message once per call, retrying nothing itself.

    Retries belong to the delivery jobs: they count every attempt, wait with backoff or the
    provider's Retry-After, give up after MAX_ATTEMPTS, and hold each claimed row under a
    lease. firebase-admin's async client would also retry 500 and 503 up to four times
    within one of our attempts (its `DEFAULT_HTTPX_RETRY_CONFIG`, mounted as a transport for
    http:// and https://): unseen by our counts, stacked on our backoff, holding the lease
    meanwhile, and in force or not depending on whether NO_PROXY happened to name FCM's host
    (httpx then routes around the mounted transport). The replacement client is the one
    firebase-admin builds, with the same credential and timeout and no retries; it is used
    for sends and topic changes alike.
    """
    service._async_client = _http_client.HttpxAsyncClient(
        credential=service._credential,
        timeout=service._async_client.timeout,
        retry_config=HttpxRetry(max_retries=0),
    )


def _message(m: PushMessage) -> messaging.Message:
    urgent = m.urgent
    android = messaging.AndroidConfig(
        priority="high" if urgent else "normal",
        ttl=m.ttl,
        collapse_key=m.collapse_key,
        notification=messaging.AndroidNotification(
            channel_id="urgent" if urgent else "general", tag=m.collapse_key
        ),
    )
    headers = {"apns-priority": "10" if urgent else "5", "apns-push-type": "alert"}
    if m.collapse_key:
        headers["apns-collapse-id"] = m.collapse_key
    aps = messaging.Aps(
        sound="default" if urgent else None,
        custom_data={"interruption-level": "time-sensitive"} if urgent else None,
    )
    apns = messaging.APNSConfig(headers=headers, payload=messaging.APNSPayload(aps=aps))
    # A device's address, or a topic or condition that FCM fans out to every device in it.
    target: dict[str, str] = {m.kind if m.kind in TARGET_KINDS else "token": m.address}
    with warnings.catch_warnings():
        # Registration tokens are what most installed apps still hold; fid= is for the rest.
        warnings.simplefilter("ignore", DeprecationWarning)
        return messaging.Message(
            notification=messaging.Notification(title=m.title, body=m.body),
            data=m.data,
            android=android,
            apns=apns,
            **target,
        )


def _result(response: messaging.SendResponse) -> SendResult:
    if response.success:
        return SendResult(outcome=Outcome.SENT)
    error = response.exception
    described = f"{type(error).__name__}: {error}"
    if isinstance(
        error,
        messaging.UnregisteredError
        | messaging.SenderIdMismatchError
        | exceptions.InvalidArgumentError,
    ):
        return SendResult(outcome=Outcome.INVALID_ADDRESS, error=described)
    if isinstance(error, messaging.QuotaExceededError):
        wait = max(_retry_after(error) or 0.0, QUOTA_BACKOFF)
        return SendResult(outcome=Outcome.RETRY, error=described, retry_after=wait)
    if isinstance(error, exceptions.UnavailableError | exceptions.InternalError):
        return SendResult(outcome=Outcome.RETRY, error=described, retry_after=_retry_after(error))
    return SendResult(outcome=Outcome.FAILED, error=described)


def _retry_after(error: Any) -> float | None:
    response = getattr(error, "http_response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
