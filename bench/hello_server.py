"""The Yimen app with a hello-world route beside it, served by uvicorn on one process."""

import sys

import uvicorn
from litestar import get

from backend.app import create_app
from backend.kernel.settings import get_settings


@get("/bench/hello", security=[{}], include_in_schema=False)
async def hello() -> dict[str, str]:
    return {"hello": "world"}


app = create_app(get_settings())
app.register(hello)

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
