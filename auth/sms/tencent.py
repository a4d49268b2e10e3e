"""Tencent Cloud SMS (sms 2021-01-11, SendSms) through Tencent Cloud's own SDK.

The SDK is synchronous (requests), so each send runs in a thread: a slow vendor holds a
thread, never the event loop. A refusal of one number (a throttle, a bad number) comes back
in that number's `SendStatusSet` entry; a refusal of the whole request (an unapproved
template or sign name, a bad key) the SDK raises as TencentCloudSDKException. Both carry
Tencent's error codes, sorted here.
"""

from __future__ import annotations

import asyncio
import urllib.parse

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from backend.kernel.settings import Settings
from backend.kernel.sms import SmsMessage, SmsOutcome, SmsResult

TIMEOUT_SECONDS = 10
DEFAULT_REGION = "ap-guangzhou"
MAINLAND = "+86"

OUTCOMES: dict[str, SmsOutcome] = {
    **dict.fromkeys(
        (
            "LimitExceeded.PhoneNumberDailyLimit",
            "LimitExceeded.PhoneNumberOneHourLimit",
            "LimitExceeded.PhoneNumberThirtySecondLimit",
            "LimitExceeded.PhoneNumberSameContentDailyLimit",
            "LimitExceeded.DeliveryFrequencyLimit",
            "LimitExceeded.DailyLimit",
            "LimitExceeded.AppDailyLimit",
            "LimitExceeded.AppGlobalDailyLimit",
            "LimitExceeded.AppCountryOrRegionDailyLimit",
            "RequestLimitExceeded",
            "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
            "RequestLimitExceeded.IPLimitExceeded",
            "RequestLimitExceeded.UinLimitExceeded",
        ),
        SmsOutcome.THROTTLED,
    ),
    **dict.fromkeys(
        (
            "InvalidParameterValue.IncorrectPhoneNumber",
            "FailedOperation.PhoneNumberInBlacklist",
            "FailedOperation.PhoneNumberParseFail",
            "UnsupportedOperation.UnsupportedRegion",
            "UnsupportedOperation.ChineseMainlandTemplateToGlobalPhone",
        ),
        SmsOutcome.BAD_NUMBER,
    ),
    **dict.fromkeys(
        (
            "FailedOperation.TemplateIncorrectOrUnapproved",
            "FailedOperation.SignatureIncorrectOrUnapproved",
            "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
            "FailedOperation.TemplateUnapprovedOrNotExist",
            "FailedOperation.ContainSensitiveWord",
            "InvalidParameterValue.TemplateParameterFormatError",
            "InvalidParameterValue.TemplateParameterLengthLimit",
            "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter",
            "InvalidParameterValue.ContentLengthLimit",
        ),
        SmsOutcome.TEMPLATE_REJECTED,
    ),
}


def outcome_of(code: str | None) -> SmsOutcome:
    if code == "Ok":
        return SmsOutcome.SENT
    return OUTCOMES.get(code or "", SmsOutcome.VENDOR_ERROR)


class TencentSms:
    name = "tencent"

    def __init__(self, settings: Settings) -> None:
        endpoint = urllib.parse.urlsplit(settings.tencent_sms_endpoint)
        profile = HttpProfile(
            protocol=endpoint.scheme, endpoint=endpoint.netloc, reqTimeout=TIMEOUT_SECONDS
        )
        self._client = sms_client.SmsClient(
            credential.Credential(settings.sms_access_key_id, settings.sms_access_key_secret),
            settings.sms_region or DEFAULT_REGION,
            ClientProfile(httpProfile=profile),
        )
        self._app_id = settings.sms_sdk_app_id
        self._sign_name = settings.sms_sign_name

    async def send(self, message: SmsMessage) -> SmsResult:
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [_e164(message.phone)]
        request.SmsSdkAppId = self._app_id
        request.SignName = self._sign_name
        request.TemplateId = message.template
        request.TemplateParamSet = list(message.params.values())
        try:
            response = await asyncio.to_thread(self._client.SendSms, request)
        except TencentCloudSDKException as err:
            code = err.get_code()
            return SmsResult(outcome=outcome_of(code), vendor_code=code, detail=err.get_message())
        except Exception as err:  # requests' and OS errors: the vendor was not reached
            return SmsResult(
                outcome=SmsOutcome.VENDOR_ERROR,
                vendor_code=type(err).__name__,
                detail=str(err)[:500],
            )
        if not response.SendStatusSet:
            return SmsResult(outcome=SmsOutcome.VENDOR_ERROR, detail="no status for the number")
        status = response.SendStatusSet[0]
        return SmsResult(
            outcome=outcome_of(status.Code),
            vendor_code=status.Code,
            detail=None if status.Code == "Ok" else status.Message,
        )

    async def close(self) -> None:
        """Each send opens its own request; nothing is held between them."""


def _e164(phone: str) -> str:
    """Tencent wants +[country][number]; Yimen's phones are mainland numbers."""
    return phone if phone.startswith("+") else MAINLAND + phone
