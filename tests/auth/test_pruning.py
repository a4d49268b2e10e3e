"""Auth's tables are kept small by its crons."""

from __future__ import annotations

import datetime as dt

from litestar import Litestar

from auth.revocation import record_revocation
from auth.tables import Revocation
from backend.host import all_crons, job_functions
from backend.kernel.services import services_of
from backend.kernel.settings import Settings
from tests.conftest import Client


async def test_a_cron_forgets_revocations_whose_tokens_have_all_expired(
    app: Litestar, client: Client, settings: Settings
) -> None:
    host = services_of(app)
    assert "auth.prune_revocations" in dict(all_crons(host.registry))
    await record_revocation(1, access_token_ttl=settings.access_token_ttl)
    await record_revocation(2, access_token_ttl=settings.access_token_ttl, session="s" * 32)
    lapsed = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    await Revocation.update({Revocation.until: lapsed}).where(Revocation.user_id == 2)

    await job_functions(host.registry)["auth.prune_revocations"]({"services": host})

    assert [row["user_id"] for row in await Revocation.select(Revocation.user_id)] == [1]
