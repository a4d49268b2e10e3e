"""The `yimen` command, run as a person would, in its own process."""

from __future__ import annotations

import base64
import json

import jwt

from backend.seed import DEMO_USERS
from tests.support import yimen


async def test_migrate_twice_is_safe() -> None:
    for _ in range(2):
        result = await yimen("migrate")
        assert result.returncode == 0, result.stderr


async def test_seed_demo_prints_every_role_and_can_run_twice() -> None:
    await yimen("seed-demo")
    result = await yimen("seed-demo")
    assert result.returncode == 0, result.stderr
    for user in DEMO_USERS:
        assert user.phone in result.stdout
    roles = {line.split()[2] for line in result.stdout.splitlines()[1:]}
    assert {"resident", "grid_worker", "platform_admin", "developer"} <= roles


async def test_dev_token_prints_only_a_token_for_the_role() -> None:
    await yimen("seed-demo")
    result = await yimen("dev-token", "--role", "grid_worker")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert "\n" not in token
    claims = jwt.decode(token, options={"verify_signature": False})
    assert "grid_worker" in claims["roles"]


PROD = {
    "YIMEN_ENV": "prod",
    "YIMEN_SECRET_KEY": base64.urlsafe_b64encode(b"p" * 32).decode(),
    "SMS_PROVIDER": "tencent",
    "SMS_ACCESS_KEY_ID": "AKIDtest",
    "SMS_ACCESS_KEY_SECRET": "key-secret",
    "SMS_SIGN_NAME": "一门",
    "SMS_TEMPLATE_CODE": "2084411",
    "SMS_SDK_APP_ID": "1400006666",
}


async def test_dev_token_refuses_in_prod() -> None:
    result = await yimen("dev-token", "--role", "resident", env=PROD)
    assert result.returncode == 1
    assert "refuses" in result.stderr


async def test_prod_without_an_sms_provider_stops_naming_the_setting() -> None:
    secret = base64.urlsafe_b64encode(b"p" * 32).decode()
    for command in (("migrate",), ("serve", "--port", "9"), ("worker",)):
        result = await yimen(*command, env={"YIMEN_ENV": "prod", "YIMEN_SECRET_KEY": secret})
        assert result.returncode == 1
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith("Error: configuration: SMS_PROVIDER: required"), result.stderr


async def test_a_bad_setting_stops_with_one_clear_line() -> None:
    result = await yimen("migrate", env={"YIMEN_ACCESS_TTL": "soon"})
    assert result.returncode == 1
    assert (
        result.stderr.strip().splitlines()[-1].startswith("Error: configuration: YIMEN_ACCESS_TTL")
    )


async def test_keys_rotate_adds_a_signer() -> None:
    from auth.tables import SigningKeyRow

    for _ in range(2):
        result = await yimen("keys", "rotate")
        assert result.returncode == 0, result.stderr
    assert await SigningKeyRow.count() == 2
    assert await SigningKeyRow.count().where(SigningKeyRow.signing.eq(True)) == 1


async def test_openapi_writes_a_document(tmp_path: object) -> None:
    from pathlib import Path

    out = Path(str(tmp_path)) / "openapi.json"
    result = await yimen("openapi", "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text())["info"]["title"] == "Yimen"
