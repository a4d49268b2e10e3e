"""The hello-world server plus `POST /bench/proof`, which decodes a scan's body and checks
the code with the offline verifier, nothing else: the most a scan route can do while it
verifies the phone's proof on every scan."""

import sys
from pathlib import Path

import msgspec
from litestar import post
from litestar.di import NamedDependency

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hello_server import hello_app

from backend.cli import run_server
from backend.kernel.services import PlatformKeys
from miniapps.health_code import verifier
from miniapps.health_code.schemas import ScanIn

_verifiers: dict[bytes, verifier.Verifier] = {}


@post("/bench/proof", status_code=200, include_in_schema=False)
async def proof(data: ScanIn, keys: NamedDependency[PlatformKeys]) -> dict[str, bool]:
    jwks = keys.jwks
    if jwks not in _verifiers:
        _verifiers[jwks] = verifier.Verifier(
            verifier.KeySet(msgspec.json.decode(jwks)), remember=50_000
        )
    return {"valid": _verifiers[jwks].verify(data.text).valid}


app = hello_app(proof)

if __name__ == "__main__":
    run_server("server:app", host="127.0.0.1", port=int(sys.argv[1]))
