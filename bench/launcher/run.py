"""bench/launcher: GET /v1/launcher with a resident's token and a phone's Accept-Language
(the demo resident chose no locale, so the header decides), against the hello-world route.

Rounds alternate the two routes, and the figure is the median of the rounds' ratios: this
machine's speed drifts within a run. Target: the launcher at 0.8 of hello-world or better.

python bench/launcher/run.py [--rounds 7] [--seconds 2] [--connections 32]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import demo_environment, figure, report, server, wrk, yimen

HERE = Path(__file__).resolve().parent
TARGET = 0.8


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    env = demo_environment()
    token = yimen(env, "dev-token", "--role", "resident")
    auth = {"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
    load = {"seconds": args.seconds, "connections": args.connections}
    rounds = []
    with server(HERE.parent / "hello_server.py", env) as base:
        for path, headers in (("/bench/hello", {}), ("/v1/launcher", auth)):
            wrk(base + path, seconds=2, connections=args.connections, headers=headers)
        for _ in range(args.rounds):
            hello = wrk(base + "/bench/hello", **load)
            launcher = wrk(base + "/v1/launcher", **load, headers=auth)
            rounds.append((hello, launcher))
    report(
        "launcher",
        {
            "ratio_to_hello": figure(
                [launcher / hello for hello, launcher in rounds],
                unit="ratio",
                better="higher",
                target=TARGET,
            )
        },
        {"rounds_rps": [{"hello": round(h), "launcher": round(lr)} for h, lr in rounds]},
    )


if __name__ == "__main__":
    main()
