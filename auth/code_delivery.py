"""Sending login codes by SMS: the request writes the code and an event, the event queues a
send job, the job sends through the provider and records what became of the code on its row.

Nothing of the vendor's happens in the request: a slow or failing vendor delays a code, never
the answer to the login request. The send runs outside any transaction (on SQLite a write
transaction would hold every other writer while the vendor thinks). A throttle or a vendor
fault is tried again later, a few times and only while the code lives; a bad number or a
refused template ends the attempt, and the app learns it from `delivery_status`.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from typing import Any

import msgspec
from redis.exceptions import RedisError

from auth.errors import AuthCode
from auth.tables import OneTimeCode
from backend.kernel.clock import utc_now
from backend.kernel.contract import Event, JobContext
from backend.kernel.errors import NotFound
from backend.kernel.events import on_commit
from backend.kernel.jobs import JobQueue
from backend.kernel.metrics import count_otp
from backend.kernel.services import Services
from backend.kernel.sms import SmsMessage, SmsOutcome, SmsResult

log = logging.getLogger(__name__)

CODE_REQUESTED = "auth.code_requested"
SEND_CODE = "auth.send_code"
SEAL_PURPOSE = "auth.otp.delivery"
MAX_SENDS = 4
# A send on the wire longer than this (its worker died) is tried again: a code sent twice
# does less harm than a resident who never gets one.
LEASE = dt.timedelta(seconds=60)
SWEEP_GRACE = dt.timedelta(seconds=5)
SWEEP_BATCH = 500


class CodeRequested(msgspec.Struct, frozen=True):
    """Names the code's row only: the phone and the code stay sealed on it."""

    code_id: int


class Delivery(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    RETRYING = "retrying"
    SENT = "sent"
    THROTTLED = "throttled"
    BAD_NUMBER = "bad_number"
    TEMPLATE_REJECTED = "template_rejected"
    FAILED = "failed"


WAITING = (Delivery.QUEUED, Delivery.SENDING, Delivery.RETRYING)

# How a delivery that ended without a text answers the app, and a login with that code.
PROBLEMS: dict[str, AuthCode] = {
    Delivery.BAD_NUMBER: AuthCode.SMS_BAD_NUMBER,
    Delivery.TEMPLATE_REJECTED: AuthCode.SMS_REJECTED,
    Delivery.THROTTLED: AuthCode.SMS_THROTTLED,
    Delivery.FAILED: AuthCode.SMS_FAILED,
}

_ENDED_AS = {
    SmsOutcome.SENT: Delivery.SENT,
    SmsOutcome.THROTTLED: Delivery.THROTTLED,
    SmsOutcome.BAD_NUMBER: Delivery.BAD_NUMBER,
    SmsOutcome.TEMPLATE_REJECTED: Delivery.TEMPLATE_REJECTED,
    SmsOutcome.VENDOR_ERROR: Delivery.FAILED,
}


class OtpOutcome(enum.StrEnum):
    """What became of a request for a code, as operators count it."""

    SENT = "sent"
    REFUSED = "refused"  # our own per-phone and per-address limits said no
    THROTTLED = "throttled"
    BAD_NUMBER = "bad_number"
    FAILED = "failed"  # template refused, vendor faults past the last try, expired unsent


_COUNTED_AS = {
    Delivery.SENT: OtpOutcome.SENT,
    Delivery.THROTTLED: OtpOutcome.THROTTLED,
    Delivery.BAD_NUMBER: OtpOutcome.BAD_NUMBER,
    Delivery.TEMPLATE_REJECTED: OtpOutcome.FAILED,
    Delivery.FAILED: OtpOutcome.FAILED,
}


def code_outcome(outcome: OtpOutcome, count: int = 1) -> None:
    """The one place where the end of every code request is known: refused by our limits
    at the request, or settled by the send job (sent, or failed for good)."""
    log.info("one-time codes %s: %s", outcome.value, count)
    count_otp(outcome.value, count)


class CodeDelivery(msgspec.Struct, frozen=True, kw_only=True):
    """How the SMS of a code request is going. `problem`, once it has failed for good, is
    the stable code the login would answer with (`sms_bad_number`, …)."""

    status: str
    problem: str | None = None


async def delivery_status(*, request_key: str) -> CodeDelivery:
    """What became of the text of one code request, by the key its answer gave."""
    row = await (
        OneTimeCode.select(OneTimeCode.delivery, OneTimeCode.expires_at)
        .where(OneTimeCode.request_key == request_key)
        .first()
    )
    if row is None:
        raise NotFound(AuthCode.OTP_REQUEST_UNKNOWN)
    state = row["delivery"]
    if state in WAITING and row["expires_at"] <= utc_now():
        state = Delivery.FAILED  # the sweeper has not yet closed it
    if state in PROBLEMS:
        return CodeDelivery(status="failed", problem=PROBLEMS[state].value)
    return CodeDelivery(status="queued" if state == Delivery.SENDING else state)


async def queue_code(event: Event, job: JobContext) -> None:
    """The event's handler: once its transaction commits, the send job is queued."""
    code_id = event.payload.code_id
    jobs = job.services.jobs

    async def queue() -> None:
        await _queue_send(jobs, code_id, attempt=0)

    on_commit(queue)


async def _queue_send(jobs: JobQueue, code_id: int, *, attempt: int, defer: float = 0) -> None:
    try:
        await jobs.enqueue(
            SEND_CODE, code_id, job_id=f"{SEND_CODE}:{code_id}:{attempt}", defer=defer
        )
    except (RedisError, OSError) as err:
        log.warning("code %s waits for the resume cron: %s", code_id, err)


async def send_code(job: JobContext, code_id: int) -> str:
    """The send job."""
    return await send_login_code(services=job.services, code_id=code_id)


async def send_login_code(*, services: Services, code_id: int) -> str:
    """Send a code that is due, once however often the job runs; record the vendor's answer."""
    claimed = await _claim(code_id)
    if claimed is None:
        return "nothing due"
    vault = services.vault
    message = SmsMessage(
        phone=vault.open(claimed["phone_sealed"], purpose=SEAL_PURPOSE),
        template=services.settings.sms_template_code,
        params={"code": vault.open(claimed["code_sealed"], purpose=SEAL_PURPOSE)},
    )
    result = await services.sms.send(message)
    return await _settle(services, claimed, result)


async def _claim(code_id: int) -> dict[str, Any] | None:
    """One statement: of two jobs for one code, one claims it. A claim holds for LEASE."""
    now = utc_now()
    rows = await (
        OneTimeCode.update(
            {
                OneTimeCode.delivery: Delivery.SENDING,
                OneTimeCode.send_attempts: OneTimeCode.send_attempts + 1,
                OneTimeCode.next_send_at: now + LEASE,
            }
        )
        .where(
            (OneTimeCode.id == code_id)
            & OneTimeCode.delivery.is_in(list(WAITING))
            & (OneTimeCode.next_send_at <= now)
            & (OneTimeCode.expires_at > now)
            & OneTimeCode.code_sealed.is_not_null()
        )
        .returning(
            OneTimeCode.id,
            OneTimeCode.phone_sealed,
            OneTimeCode.code_sealed,
            OneTimeCode.send_attempts,
            OneTimeCode.expires_at,
        )
    )
    return rows[0] if rows else None


async def _settle(services: Services, row: dict[str, Any], result: SmsResult) -> str:
    """Record the vendor's answer: try again later, or end the delivery and drop the seals."""
    attempts = row["send_attempts"]
    delay = services.settings.sms_retry_seconds * 2 ** (attempts - 1)
    retry_at = utc_now() + dt.timedelta(seconds=delay)
    error = None if result.outcome is SmsOutcome.SENT else f"{result.vendor_code}: {result.detail}"
    again = not result.outcome.final and attempts < MAX_SENDS and retry_at < row["expires_at"]
    if again:
        await OneTimeCode.update(
            {
                OneTimeCode.delivery: Delivery.RETRYING,
                OneTimeCode.delivery_error: error,
                OneTimeCode.next_send_at: retry_at,
            }
        ).where((OneTimeCode.id == row["id"]) & (OneTimeCode.delivery == Delivery.SENDING))
        log.info("code %s: %s, trying again in %.1f s", row["id"], error, delay)
        await _queue_send(services.jobs, row["id"], attempt=attempts, defer=delay)
        return f"retrying: {result.outcome}"
    ended = _ENDED_AS[result.outcome]
    await OneTimeCode.update(
        {
            OneTimeCode.delivery: ended,
            OneTimeCode.delivery_error: error,
            OneTimeCode.next_send_at: None,
            OneTimeCode.phone_sealed: None,
            OneTimeCode.code_sealed: None,
        }
    ).where((OneTimeCode.id == row["id"]) & (OneTimeCode.delivery == Delivery.SENDING))
    if ended is not Delivery.SENT:
        log.warning("code %s not delivered: %s", row["id"], error)
    code_outcome(_COUNTED_AS[ended])
    return ended.value


async def resume_code_sends(job: JobContext) -> int:
    """The cron: queue the sends that are due but whose job was lost (a failed enqueue, a
    dead worker), and close the deliveries of codes that expired unsent, dropping their
    seals."""
    now = utc_now()
    expired = await (
        OneTimeCode.update(
            {
                OneTimeCode.delivery: Delivery.FAILED,
                OneTimeCode.delivery_error: "expired before it could be sent",
                OneTimeCode.phone_sealed: None,
                OneTimeCode.code_sealed: None,
                OneTimeCode.next_send_at: None,
            }
        )
        .where(OneTimeCode.code_sealed.is_not_null() & (OneTimeCode.expires_at <= now))
        .returning(OneTimeCode.id)
    )
    if expired:
        code_outcome(OtpOutcome.FAILED, len(expired))
    due = await (
        OneTimeCode.select(OneTimeCode.id, OneTimeCode.send_attempts)
        .where(
            OneTimeCode.code_sealed.is_not_null()
            & OneTimeCode.delivery.is_in(list(WAITING))
            & (OneTimeCode.next_send_at <= now - SWEEP_GRACE)
        )
        .order_by(OneTimeCode.id)
        .limit(SWEEP_BATCH)
    )
    slot = int(now.timestamp())
    for row in due:
        await job.services.jobs.enqueue(
            SEND_CODE, row["id"], job_id=f"{SEND_CODE}:{row['id']}:{row['send_attempts']}:{slot}"
        )
    return len(due)
