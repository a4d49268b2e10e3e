"""Where texts to phones go: Alibaba Cloud or Tencent Cloud SMS through the vendor's own
SDK, or the log in development; chosen by `SMS_PROVIDER`. The contract they fulfil is the
kernel's (`backend.kernel.sms`), so any part can send through `Services.sms`."""

from __future__ import annotations

from auth.sms.console import ConsoleSms
from backend.kernel.settings import Settings, SmsVendor
from backend.kernel.sms import SmsMessage, SmsOutcome, SmsProvider, SmsResult


def provider_for(settings: Settings) -> SmsProvider:
    """The provider the settings name; the settings were checked at start-up, so a vendor
    named here has its keys, sign name and template."""
    if settings.sms_provider is SmsVendor.ALIYUN:
        from auth.sms.aliyun import AliyunSms

        return AliyunSms(settings)
    if settings.sms_provider is SmsVendor.TENCENT:
        from auth.sms.tencent import TencentSms

        return TencentSms(settings)
    return ConsoleSms()


__all__ = ["ConsoleSms", "SmsMessage", "SmsOutcome", "SmsProvider", "SmsResult", "provider_for"]
