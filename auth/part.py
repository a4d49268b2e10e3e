"""Auth as a part of the host: its routes, tables, the reading of every bearer token, the
key ring and deny-list it keeps running, the SMS provider of the process and the sending of
login codes, and what it runs on a schedule."""

from __future__ import annotations

from litestar import Router

from auth.code_delivery import (
    CODE_REQUESTED,
    CodeRequested,
    queue_code,
    resume_code_sends,
    send_code,
)
from auth.controllers import AuthController, RevocationController, jwks
from auth.middleware import BearerTokenMiddleware
from auth.revocation import prune_revocations
from auth.runtime import AuthRuntime
from auth.sms import provider_for
from backend.kernel.contract import Cron, HostPart, Job, JobContext, Subscription
from backend.kernel.guards import BEARER_TOKEN, SignedIn
from backend.kernel.services import Services


async def forget_lapsed_revocations(job: JobContext) -> None:
    """A revocation matters only until the last access token it refuses has expired; every
    logout writes one, so without this the table grows with every session ever ended."""
    await prune_revocations()


async def start_auth(services: Services) -> AuthRuntime:
    runtime = AuthRuntime(services.settings, services.vault)
    await runtime.start()
    services.keys = runtime.keys
    services.sms = provider_for(services.settings)
    return runtime


async def stop_auth(services: Services) -> None:
    await services.runtime(AuthRuntime).stop()
    await services.sms.close()
    services.drop_runtime(AuthRuntime)


AUTH = HostPart(
    name="auth",
    order=20,
    router=Router(
        path="/",
        route_handlers=[
            jwks,
            AuthController,
            Router(
                path="/",
                middleware=[SignedIn],
                security=BEARER_TOKEN,
                route_handlers=[RevocationController],
            ),
        ],
    ),
    piccolo_app="auth.piccolo_app",
    provides={"auth": AuthRuntime},
    middleware=[BearerTokenMiddleware],
    emits={CODE_REQUESTED: CodeRequested},
    subscribes=[Subscription(CODE_REQUESTED, queue_code, "auth.queue_code")],
    jobs=[Job("send_code", send_code)],
    crons=[
        Cron(name="resume_code_sends", run=resume_code_sends, second=frozenset(range(3, 60, 10))),
        Cron(
            name="prune_revocations",
            run=forget_lapsed_revocations,
            minute=frozenset(range(7, 60, 15)),
            second=frozenset({30}),
        ),
    ],
    on_start=start_auth,
    on_stop=stop_auth,
    tags={
        "auth": "Login by phone and one-time code; access tokens (short-lived JWTs, verified "
        "with the keys at `/.well-known/jwks.json`) and rotating refresh tokens; logout, and "
        "an admin's revoking, disabling and enabling of accounts.",
    },
)
