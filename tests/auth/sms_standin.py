"""Stand-ins for Alibaba Cloud SMS and Tencent Cloud SMS on 127.0.0.1, speaking what their
real SDKs send and read back.

Alibaba Cloud's SendSms is an RPC call: a POST whose parameters (PhoneNumbers, SignName,
TemplateCode, TemplateParam) travel in the query string, answered with a JSON body whose
`Code` is "OK" or the refusal (`isv.BUSINESS_LIMIT_CONTROL`, …), still with HTTP 200.
Tencent Cloud's is a POST of JSON with the action in `X-TC-Action`, answered with
`{"Response": {"SendStatusSet": [...]}}` (a refusal per number in its `Code`), or with
`{"Response": {"Error": {...}}}` for the whole request, which the SDK raises.

Each records what it received and answers from a script per phone (a vendor's error code,
or "OK" by default); `stall` makes it hold every answer, as a slow vendor would. Run it in
the test's event loop (`start`) or as its own process
(`python -m tests.auth.sms_standin aliyun|tencent PORT`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import uuid
from typing import Any
from urllib.parse import parse_qsl

import uvicorn

from tests.support import free_port

# Tencent answers these for the whole request (the SDK raises); the rest per number.
TENCENT_WHOLE_REQUEST = {
    "FailedOperation.TemplateIncorrectOrUnapproved",
    "AuthFailure.SecretIdNotFound",
}


class SmsStandIn:
    vendor = ""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.received: list[dict[str, Any]] = []
        self.script: dict[str, list[str]] = {}
        self._answer_now = asyncio.Event()
        self._answer_now.set()
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    def answer(self, phone: str, *replies: str) -> None:
        """Answer the next sends to `phone` (as the vendor writes it) with these codes."""
        self.script[phone] = list(replies)

    def stall(self) -> None:
        """Record what arrives but answer nothing until `release`."""
        self._answer_now.clear()

    def release(self) -> None:
        self._answer_now.set()

    def sent_to(self, phone: str) -> list[dict[str, Any]]:
        return [r for r in self.received if r["phone"] == phone]

    def _next_answer(self, phone: str) -> str:
        script = self.script.get(phone, [])
        return script.pop(0) if script else "OK"

    async def start(self) -> None:
        config = uvicorn.Config(
            self, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:  # noqa: ASYNC110 - uvicorn offers no event for this
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self.release()
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        if scope["path"] == "/_received":  # for a test that runs the stand-in as a process
            await _reply(send, 200, self.received)
            return
        if scope["path"] == "/_script":
            for phone, replies in json.loads(body).items():
                self.answer(phone, *replies)
            await _reply(send, 200, {})
            return
        status, answer = await self.handle(scope, headers, body)
        await self._answer_now.wait()
        await _reply(send, status, answer)

    async def handle(
        self, scope: dict[str, Any], headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        raise NotImplementedError


class AliyunStandIn(SmsStandIn):
    vendor = "aliyun"

    async def handle(
        self, scope: dict[str, Any], headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        query = dict(parse_qsl(scope["query_string"].decode()))
        query.update(parse_qsl(body.decode()))
        request_id = str(uuid.uuid4())
        if (
            scope["method"] != "POST"
            or query.get("Action", headers.get("x-acs-action")) != "SendSms"
        ):
            return 404, {"Code": "InvalidAction.NotFound", "RequestId": request_id}
        if "authorization" not in headers and "Signature" not in query:
            return 400, {
                "Code": "MissingSignature",
                "Message": "no signature",
                "RequestId": request_id,
            }
        phone = query.get("PhoneNumbers", "")
        answer = self._next_answer(phone)
        self.received.append(
            {
                "phone": phone,
                "sign_name": query.get("SignName"),
                "template": query.get("TemplateCode"),
                "params": json.loads(query.get("TemplateParam") or "{}"),
                "access_key_id": _aliyun_key_id(headers, query),
                "answer": answer,
            }
        )
        if answer == "OK":
            return 200, {"Code": "OK", "Message": "OK", "BizId": "9001^0", "RequestId": request_id}
        return 200, {"Code": answer, "Message": f"stand-in says {answer}", "RequestId": request_id}


def _aliyun_key_id(headers: dict[str, str], query: dict[str, str]) -> str | None:
    """The access key id, from an ACS3 Authorization header or an RPC-signed query."""
    auth = headers.get("authorization", "")
    if "Credential=" in auth:
        return auth.split("Credential=", 1)[1].split(",", 1)[0]
    return query.get("AccessKeyId")


class TencentStandIn(SmsStandIn):
    vendor = "tencent"

    async def handle(
        self, scope: dict[str, Any], headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        request_id = str(uuid.uuid4())
        if headers.get("x-tc-action") != "SendSms" or headers.get("x-tc-version") != "2021-01-11":
            return 200, _tencent_error("InvalidAction", "no such action", request_id)
        if not headers.get("authorization", "").startswith("TC3-HMAC-SHA256"):
            return 200, _tencent_error("AuthFailure.SignatureFailure", "unsigned", request_id)
        payload = json.loads(body)
        statuses = []
        for phone in payload.get("PhoneNumberSet", []):
            answer = self._next_answer(phone)
            self.received.append(
                {
                    "phone": phone,
                    "sign_name": payload.get("SignName"),
                    "template": payload.get("TemplateId"),
                    "params": payload.get("TemplateParamSet", []),
                    "app_id": payload.get("SmsSdkAppId"),
                    "region": headers.get("x-tc-region"),
                    "access_key_id": headers["authorization"]
                    .split("Credential=", 1)[1]
                    .split("/")[0],
                    "answer": answer,
                }
            )
            if answer in TENCENT_WHOLE_REQUEST:
                return 200, _tencent_error(answer, f"stand-in says {answer}", request_id)
            statuses.append(
                {
                    "SerialNo": str(uuid.uuid4()) if answer == "OK" else "",
                    "PhoneNumber": phone,
                    "Fee": 1 if answer == "OK" else 0,
                    "SessionContext": payload.get("SessionContext", ""),
                    "Code": "Ok" if answer == "OK" else answer,
                    "Message": "send success" if answer == "OK" else f"stand-in says {answer}",
                    "IsoCode": "CN",
                }
            )
        return 200, {"Response": {"SendStatusSet": statuses, "RequestId": request_id}}


def _tencent_error(code: str, message: str, request_id: str) -> dict[str, Any]:
    return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}}


async def _reply(send: Any, status: int, body: Any) -> None:
    raw = json.dumps(body).encode()
    head = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    with contextlib.suppress(OSError):
        await send({"type": "http.response.start", "status": status, "headers": head})
        await send({"type": "http.response.body", "body": raw})


STANDINS: dict[str, type[SmsStandIn]] = {"aliyun": AliyunStandIn, "tencent": TencentStandIn}

if __name__ == "__main__":

    async def main() -> None:
        standin = STANDINS[sys.argv[1]](int(sys.argv[2]))
        await standin.start()
        await asyncio.Event().wait()

    asyncio.run(main())
