import base64

import pytest

from backend.kernel.settings import Mode, SettingsError, env_names, load_settings

SECRET = base64.urlsafe_b64encode(b"s" * 32).decode()
PROD = {"YIMEN_ENV": "prod", "YIMEN_SECRET_KEY": SECRET}
ALIYUN = {
    "SMS_PROVIDER": "aliyun",
    "SMS_ACCESS_KEY_ID": "LTAI5tKeyId",
    "SMS_ACCESS_KEY_SECRET": "key-secret",
    "SMS_SIGN_NAME": "一门",
    "SMS_TEMPLATE_CODE": "SMS_154950909",
}
TENCENT = {**ALIYUN, "SMS_PROVIDER": "tencent", "SMS_TEMPLATE_CODE": "2084411"}


def test_defaults_are_the_embedded_setup() -> None:
    settings = load_settings({})
    assert settings.mode is Mode.DEV
    assert not settings.uses_postgres
    assert settings.redis_url == ""


def test_postgres_is_chosen_by_url() -> None:
    assert load_settings({"DATABASE_URL": "postgresql://u@h/db"}).uses_postgres


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"YIMEN_ENV": "staging"}, "YIMEN_ENV"),
        ({"YIMEN_ACCESS_TTL": "ten"}, "YIMEN_ACCESS_TTL"),
        ({"YIMEN_ACCESS_TTL": "5"}, "YIMEN_ACCESS_TTL"),
        ({"YIMEN_ENV": "prod"}, "YIMEN_SECRET_KEY"),
        ({"YIMEN_SECRET_KEY": "c2hvcnQ="}, "YIMEN_SECRET_KEY"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"FIREBASE_CREDENTIALS": "/no/such/file.json"}, "FIREBASE_CREDENTIALS"),
        ({"YIMEN_SIGNING_ALG": "HS256"}, "YIMEN_SIGNING_ALG"),
        ({"YIMEN_ACCESS_LOG": "yes please"}, "YIMEN_ACCESS_LOG"),
        ({"YIMEN_LOG_FORMAT": "xml"}, "YIMEN_LOG_FORMAT"),
        ({"YIMEN_METRICS_TOKEN": "short"}, "YIMEN_METRICS_TOKEN"),
        ({"YIMEN_METRICS_TOKEN": "a" * 31}, "YIMEN_METRICS_TOKEN"),
        ({"YIMEN_METRICS_TOKEN": "spaces " * 8}, "YIMEN_METRICS_TOKEN"),
        ({"YIMEN_METRICS_TOKEN": "令" * 40}, "YIMEN_METRICS_TOKEN"),
        ({"YIMEN_METRICS_PORT": "65536"}, "YIMEN_METRICS_PORT"),
        ({"YIMEN_METRICS_PORT": "nine"}, "YIMEN_METRICS_PORT"),
        ({"YIMEN_METRICS_HOST": "monitoring net"}, "YIMEN_METRICS_HOST"),
        (PROD, "SMS_PROVIDER"),
        ({**PROD, "SMS_PROVIDER": "console"}, "SMS_PROVIDER"),
        ({"SMS_PROVIDER": "twilio"}, "SMS_PROVIDER"),
        ({**ALIYUN, "SMS_ACCESS_KEY_ID": ""}, "SMS_ACCESS_KEY_ID"),
        ({**ALIYUN, "SMS_ACCESS_KEY_SECRET": " "}, "SMS_ACCESS_KEY_SECRET"),
        ({**ALIYUN, "SMS_SIGN_NAME": ""}, "SMS_SIGN_NAME"),
        ({**ALIYUN, "SMS_TEMPLATE_CODE": ""}, "SMS_TEMPLATE_CODE"),
        ({**ALIYUN, "SMS_TEMPLATE_CODE": "2084411"}, "SMS_TEMPLATE_CODE"),
        ({**ALIYUN, "ALIYUN_SMS_ENDPOINT": "dysmsapi.aliyuncs.com"}, "ALIYUN_SMS_ENDPOINT"),
        ({**ALIYUN, "SMS_RETRY_SECONDS": "soon"}, "SMS_RETRY_SECONDS"),
        (TENCENT, "SMS_SDK_APP_ID"),
        ({**TENCENT, "SMS_SDK_APP_ID": "app-1"}, "SMS_SDK_APP_ID"),
        (
            {**TENCENT, "SMS_SDK_APP_ID": "1400006666", "SMS_TEMPLATE_CODE": "SMS_1"},
            "SMS_TEMPLATE_CODE",
        ),
        (
            {**TENCENT, "SMS_SDK_APP_ID": "1400006666", "TENCENT_SMS_ENDPOINT": "ftp://x"},
            "TENCENT_SMS_ENDPOINT",
        ),
        ({"YIMEN_RATE_SCANS_PER_USER": "120 per minute"}, "YIMEN_RATE_SCANS_PER_USER"),
        ({"YIMEN_RATE_PUBLIC_PER_ADDRESS": "0/m"}, "YIMEN_RATE_PUBLIC_PER_ADDRESS"),
        ({"YIMEN_RATE_LOGIN_PER_PHONE": "5/w"}, "YIMEN_RATE_LOGIN_PER_PHONE"),
        ({"YIMEN_TRUSTED_PROXIES": "10.0.0.1, proxy.local"}, "YIMEN_TRUSTED_PROXIES"),
    ],
)
def test_a_bad_setting_names_its_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(environ)
    assert str(caught.value).startswith(f"{variable}:")


def test_every_setting_has_a_variable_and_they_differ() -> None:
    names = env_names()
    assert len(set(names.values())) == len(names)


def test_logs_are_json_in_prod_and_text_in_dev_unless_told() -> None:
    assert load_settings({}).logs_as == "text"
    prod = {**PROD, **ALIYUN}
    assert load_settings(prod).logs_as == "json"
    assert load_settings({**prod, "YIMEN_LOG_FORMAT": "text"}).logs_as == "text"
    assert load_settings({"YIMEN_LOG_FORMAT": "json"}).logs_as == "json"


def test_a_metrics_token_of_32_plain_characters_is_taken() -> None:
    token = "Zx9-._~+/" * 4
    assert load_settings({"YIMEN_METRICS_TOKEN": token}).metrics_token == token


@pytest.mark.parametrize("vendor", [ALIYUN, {**TENCENT, "SMS_SDK_APP_ID": "1400006666"}])
def test_prod_with_a_secret_and_an_sms_provider_starts(vendor: dict[str, str]) -> None:
    assert load_settings({**PROD, **vendor}).mode is Mode.PROD


def test_dev_texts_codes_to_the_console_by_default() -> None:
    assert load_settings({}).sms_provider is None
