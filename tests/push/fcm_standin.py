"""A stand-in for the FCM v1 API on 127.0.0.1, speaking what firebase-admin sends.

It records every message it receives, answers from a script per device address (503, 429
with Retry-After, UNREGISTERED, …, then 200 by default), and can hold its answers, as a
slow FCM would, so a test can stop a worker while messages are on the wire. Run it in the
test's event loop (`start`) or as its own process (`python -m tests.push.fcm_standin PORT`).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support import free_port

PROJECT = "yimen-test"
SEND = re.compile(r"^/v1/projects/([^/]+)/messages:send$")
CONDITION_TOPIC = re.compile(r"'([a-zA-Z0-9\-_.~%]+)' in topics")
TOPICS = re.compile(r"^/v1/projects/[^/]+/registrations/([^/]+)/topicSubscriptions(?:/([^/]+))?$")

ERRORS = {
    "UNREGISTERED": (404, "NOT_FOUND"),
    "INVALID_ARGUMENT": (400, "INVALID_ARGUMENT"),
    "SENDER_ID_MISMATCH": (403, "PERMISSION_DENIED"),
    "QUOTA_EXCEEDED": (429, "RESOURCE_EXHAUSTED"),
    "UNAVAILABLE": (503, "UNAVAILABLE"),
    "INTERNAL": (500, "INTERNAL"),
}


class FcmStandIn:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.script: dict[str, list[str]] = {}
        self.topics: dict[str, set[str]] = {}
        self.retry_after = "1"
        self.hold_after: int | None = None
        self._released = asyncio.Event()
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    # -- what tests use -------------------------------------------------------
    def answer(self, address: str, *replies: str) -> None:
        """Answer the next messages to `address` with these (an error code or "OK")."""
        self.script[address] = list(replies)

    def hold(self, after: int) -> None:
        """Receive and record, but do not answer, every message after the first `after`."""
        self.hold_after = after
        self._released.clear()

    def release(self) -> None:
        self.hold_after = None
        self._released.set()

    def sent_to(self) -> Counter[str]:
        """How many messages each address received (whatever the answer)."""
        return Counter(_target(m) for m in self.received)

    def delivered_to(self) -> Counter[str]:
        return Counter(_target(m) for m in self.received if m.get("_answer") == "OK")

    def reached(self) -> dict[str, list[str]]:
        """What FCM would hand each subscribed device from the topic and condition messages
        answered OK: the titles, by registration token, as the topics stood."""
        tokens = set().union(*self.topics.values()) if self.topics else set()
        found: dict[str, list[str]] = {}
        for m in self.received:
            if m.get("_answer") != "OK" or not ("topic" in m or "condition" in m):
                continue
            for token in sorted(tokens):
                if self._listens(token, m):
                    found.setdefault(token, []).append(m["notification"]["title"])
        return found

    def _listens(self, token: str, message: dict[str, Any]) -> bool:
        if "topic" in message:
            return token in self.topics.get(message["topic"], set())
        # FCM's condition language: 'topic' in topics, &&, ||, ! and parentheses.
        expression = CONDITION_TOPIC.sub(
            lambda t: str(token in self.topics.get(t.group(1), set())), message["condition"]
        )
        python = expression.replace("&&", " and ").replace("||", " or ").replace("!", " not ")
        if not set(python.replace("True", "").replace("False", "")) <= set(" andotr()"):
            raise ValueError(f"not an FCM condition: {message['condition']!r}")
        return bool(eval(python, {"__builtins__": {}}))  # noqa: S307 - checked just above

    async def start(self) -> None:
        config = uvicorn.Config(
            self,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            access_log=False,
            # Longer than any client leaves a connection idle, even on a starved machine:
            # closing one as the client reuses it resets a request in flight.
            timeout_keep_alive=120,
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

    # -- the protocol ---------------------------------------------------------
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client gave up before sending it all: nothing to answer
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        if scope["path"] == "/_arrivals":
            await _reply(
                send,
                200,
                [[m.get("data", {}).get("deep_link", ""), m["_at"]] for m in self.received],
            )
        elif scope["path"] == "/_stats":
            await _reply(
                send, 200, {"received": len(self.received), "addresses": len(self.sent_to())}
            )
        elif scope["path"] == "/_hold":
            self.hold(int(json.loads(body)["after"]))
            await _reply(send, 200, {})
        elif scope["path"] == "/_release":
            self.release()
            await _reply(send, 200, {})
        elif (match := SEND.match(scope["path"])) and scope["method"] == "POST":
            await self._send(match.group(1), headers, json.loads(body), send)
        elif match := TOPICS.match(scope["path"]):
            await self._topic(scope, match, send)
        else:
            await _reply(
                send,
                404,
                {"error": {"code": 404, "status": "NOT_FOUND", "message": "no such method"}},
            )

    async def _send(
        self, project: str, headers: dict[str, str], payload: dict[str, Any], send: Any
    ) -> None:
        if not headers.get("authorization", "").startswith("Bearer "):
            await _reply(
                send,
                401,
                {"error": {"code": 401, "status": "UNAUTHENTICATED", "message": "no bearer token"}},
            )
            return
        message = payload["message"]
        script = self.script.get(_target(message), [])
        answer = script.pop(0) if script else "OK"
        self.received.append(
            {
                **message,
                "_answer": answer,
                "_at": time.time(),
                "_validate_only": payload.get("validate_only", False),
            }
        )
        self.headers.append(headers)
        if self.hold_after is not None and len(self.received) > self.hold_after:
            await self._released.wait()
        if answer == "OK":
            await _reply(send, 200, {"name": f"projects/{project}/messages/{len(self.received)}"})
            return
        status, name = ERRORS[answer]
        extra = {"retry-after": self.retry_after} if status in (429, 503) else {}
        await _reply(
            send,
            status,
            {
                "error": {
                    "code": status,
                    "status": name,
                    "message": f"stand-in says {answer}",
                    "details": [
                        {
                            "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                            "errorCode": answer,
                        }
                    ],
                }
            },
            extra,
        )

    async def _topic(self, scope: dict[str, Any], match: re.Match[str], send: Any) -> None:
        from urllib.parse import parse_qs, unquote

        token = unquote(match.group(1))
        if scope["method"] == "POST":
            topic = parse_qs(scope["query_string"].decode())["topic_name"][0]
            self.topics.setdefault(topic, set()).add(token)
        else:
            self.topics.get(unquote(match.group(2) or ""), set()).discard(token)
        await _reply(send, 200, {})


def _target(message: dict[str, Any]) -> str:
    return str(
        message.get("token") or message.get("fid") or message.get("topic") or message["condition"]
    )


async def _reply(send: Any, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
    raw = json.dumps(body).encode()
    head = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    head += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    with contextlib.suppress(OSError):
        await send({"type": "http.response.start", "status": status, "headers": head})
        await send({"type": "http.response.body", "body": raw})


def write_service_account(directory: Path) -> Path:
    """A service-account file of our own; its universe domain keeps google-auth signing its
    own tokens locally, so nothing calls Google."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    account = {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": base64.b16encode(b"yimen-test").decode().lower(),
        "private_key": pem,
        "client_email": f"push@{PROJECT}.iam.gserviceaccount.test",
        "client_id": "1",
        "token_uri": "http://127.0.0.1:9/token",
        "universe_domain": "yimen.test",
    }
    path = directory / "service-account.json"
    path.write_text(json.dumps(account), encoding="utf-8")
    return path


if __name__ == "__main__":

    async def main() -> None:
        standin = FcmStandIn(int(sys.argv[1]))
        await standin.start()
        await asyncio.Event().wait()

    asyncio.run(main())
