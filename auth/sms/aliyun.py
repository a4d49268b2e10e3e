"""Alibaba Cloud SMS (dysmsapi 2017-05-25, SendSms) through Alibaba Cloud's own SDK.

SendSms answers a refusal of the message (a throttle, a bad number, an unapproved template)
with HTTP 200 and the refusal in the body's `Code`; a refusal of the request itself (a bad
key, the API's own rate limit) comes back as an HTTP error, which the SDK raises with the
same kind of code. Both are sorted here. The SDK's own retries are off: the job retries.
"""

from __future__ import annotations

import json
import urllib.parse

from alibabacloud_dysmsapi20170525 import models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi import models as openapi
from darabonba.runtime import RuntimeOptions

from backend.kernel.settings import Settings
from backend.kernel.sms import SmsMessage, SmsOutcome, SmsResult

TIMEOUT_MS = 10_000
DEFAULT_REGION = "cn-hangzhou"

# The codes of Alibaba Cloud's SMS error list that say what became of the message; any
# other code (arrears, a suspended account, isp.SYSTEM_ERROR, …) is a vendor fault.
OUTCOMES: dict[str, SmsOutcome] = {
    **dict.fromkeys(
        (
            "isv.BUSINESS_LIMIT_CONTROL",  # 1 a minute, 5 an hour, 10 a day per number
            "isv.DAY_LIMIT_CONTROL",
            "isv.BUSINESS_LIMIT_HOUR",
            "isv.BUSINESS_LIMIT_DAY",
            "BUSINESS_LIMIT_CONTROL_MINUTE",
            "BUSINESS_LIMIT_CONTROL_PHONE",
            "Throttling",
            "Throttling.User",
            "Throttling.Api",
        ),
        SmsOutcome.THROTTLED,
    ),
    **dict.fromkeys(
        ("isv.MOBILE_NUMBER_ILLEGAL", "isv.NOT_SUPPORTED_COUNTRY", "isv.COUNTRY_RESTRICTED"),
        SmsOutcome.BAD_NUMBER,
    ),
    **dict.fromkeys(
        (
            "isv.SMS_TEMPLATE_ILLEGAL",
            "isv.SMS_SIGNATURE_ILLEGAL",
            "isv.SMS_SIGN_NAME_ILLEGAL",
            "isv.SMS_SIGNATURE_SCENE_ILLEGAL",
            "isv.TEMPLATE_MISSING_PARAMETERS",
            "isv.TEMPLATE_PARAMS_ILLEGAL",
            "isv.INVALID_JSON_PARAM",
            "isv.BLACK_KEY_CONTROL_LIMIT",
            "isv.PARAM_LENGTH_LIMIT",
            "isv.PARAM_NOT_SUPPORT_URL",
        ),
        SmsOutcome.TEMPLATE_REJECTED,
    ),
}


def outcome_of(code: str | None) -> SmsOutcome:
    if code == "OK":
        return SmsOutcome.SENT
    return OUTCOMES.get(code or "", SmsOutcome.VENDOR_ERROR)


class AliyunSms:
    name = "aliyun"

    def __init__(self, settings: Settings) -> None:
        endpoint = urllib.parse.urlsplit(settings.aliyun_sms_endpoint)
        self._sign_name = settings.sms_sign_name
        self._client = Client(
            openapi.Config(
                access_key_id=settings.sms_access_key_id,
                access_key_secret=settings.sms_access_key_secret,
                endpoint=endpoint.netloc,
                protocol=endpoint.scheme,
                region_id=settings.sms_region or DEFAULT_REGION,
            )
        )
        self._runtime = RuntimeOptions(
            autoretry=False, read_timeout=TIMEOUT_MS, connect_timeout=TIMEOUT_MS
        )

    async def send(self, message: SmsMessage) -> SmsResult:
        request = models.SendSmsRequest(
            phone_numbers=message.phone,
            sign_name=self._sign_name,
            template_code=message.template,
            template_param=json.dumps(message.params, ensure_ascii=False),
        )
        try:
            response = await self._client.send_sms_with_options_async(request, self._runtime)
        except Exception as err:  # the SDK raises its own, httpx's and OS errors alike
            code = getattr(err, "code", None)
            return SmsResult(
                outcome=outcome_of(code if isinstance(code, str) else None),
                vendor_code=code if isinstance(code, str) else type(err).__name__,
                detail=str(getattr(err, "message", None) or err)[:500],
            )
        body = response.body
        return SmsResult(
            outcome=outcome_of(body.code),
            vendor_code=body.code,
            detail=None if body.code == "OK" else body.message,
        )

    async def close(self) -> None:
        """The SDK keeps no connection between calls worth closing."""
