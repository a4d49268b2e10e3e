"""The Yimen app with a hello-world route beside it, served on one process by the same
server, with the same settings, as `yimen serve`."""

import sys

from litestar import Litestar, get
from litestar.handlers import HTTPRouteHandler

from backend.app import create_app
from backend.cli import run_server
from backend.kernel.settings import get_settings


@get("/bench/hello", security=[{}], include_in_schema=False)
async def hello() -> dict[str, str]:
    return {"hello": "world"}


def hello_app(*handlers: HTTPRouteHandler) -> Litestar:
    """A new Yimen app with the hello route and `handlers` beside it. New each time: the
    server's worker imports its module afresh, and must not add a route twice to an app
    this process made before it forked."""
    app = create_app(get_settings())
    for handler in (hello, *handlers):
        app.register(handler)
    return app


app = hello_app()

if __name__ == "__main__":
    run_server("hello_server:app", host="127.0.0.1", port=int(sys.argv[1]))
