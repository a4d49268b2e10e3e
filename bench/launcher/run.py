"""bench/launcher: GET /v1/launcher with a resident's token, against the hello-world route.

python bench/launcher/run.py [--seconds 10] [--connections 32]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import demo_environment, server, wrk, yimen

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    env = demo_environment()
    token = yimen(env, "dev-token", "--role", "resident")
    auth = {"Authorization": f"Bearer {token}"}
    with server(HERE.parent / "hello_server.py", env) as base:
        for path, headers in (("/bench/hello", {}), ("/v1/launcher", auth)):
            wrk(base + path, seconds=2, connections=args.connections, headers=headers)
        hello = wrk(base + "/bench/hello", seconds=args.seconds, connections=args.connections)
        launcher = wrk(
            base + "/v1/launcher", seconds=args.seconds, connections=args.connections, headers=auth
        )
    result = {
        "hello_rps": round(hello),
        "launcher_rps": round(launcher),
        "ratio": round(launcher / hello, 3),
        "target": 0.7,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
