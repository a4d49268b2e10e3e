import base64

import pytest

from backend.kernel.settings import Mode, SettingsError, env_names, load_settings

SECRET = base64.urlsafe_b64encode(b"s" * 32).decode()


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


def test_prod_with_a_secret_starts() -> None:
    assert load_settings({"YIMEN_ENV": "prod", "YIMEN_SECRET_KEY": SECRET}).mode is Mode.PROD
