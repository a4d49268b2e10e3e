"""The committed openapi/openapi.json is what the app serves; regenerate with `yimen openapi`."""

from pathlib import Path

from backend.devtools import openapi_document
from backend.kernel.settings import Settings

COMMITTED = Path(__file__).parent.parent / "openapi" / "openapi.json"


def test_committed_openapi_is_current(settings: Settings) -> None:
    assert COMMITTED.read_bytes() == openapi_document(settings), (
        "openapi/openapi.json is stale: run `yimen openapi`"
    )


def test_operation_ids_are_pascal_case(settings: Settings) -> None:
    import json

    doc = json.loads(openapi_document(settings))
    ids = [op["operationId"] for path in doc["paths"].values() for op in path.values()]
    assert ids
    assert all(i[0].isupper() and "_" not in i for i in ids)
    assert len(ids) == len(set(ids))
