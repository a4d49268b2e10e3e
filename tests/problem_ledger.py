"""The problems the suite received, checked against the OpenAPI document at the end of the run.

Every problem any app of the test process answers on a route is recorded as (operation id,
status, code), with the first test that received it. When the session ends, each must be
declared by its operation in the document the code builds (as `x-problem-codes` of that
status); the run fails otherwise, listing what is missing. A problem answered with no route
(an unknown path, a method the path lacks) belongs to no operation and is not checked, nor is
an operation the document does not have (routes of apps that tests build for themselves),
nor a 500 `internal_error`: a fault of ours is no part of the contract (the tests that make
one on purpose expect it, and schemathesis fails any other).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from backend.kernel.codes import KernelCode
from backend.kernel.errors import observe_problems

Received = tuple[str, int, str]
INTERNAL_ERROR = KernelCode.INTERNAL_ERROR.value
WORKER_KEY = "yimen_problem_ledger"


def declared_problems(document: dict[str, Any]) -> dict[str, dict[int, set[str]]]:
    """operation id -> status -> the codes the document declares."""
    found: dict[str, dict[int, set[str]]] = {}
    for item in document["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                found[operation["operationId"]] = {
                    int(status): set(response.get("x-problem-codes", []))
                    for status, response in operation["responses"].items()
                }
    return found


def undeclared(
    received: dict[Received, str], declared: dict[str, dict[int, set[str]]]
) -> list[str]:
    """Each received (operation, status, code) its operation does not declare, with the test
    that received it first."""
    return [
        f"{operation} {status} `{code}` (first in {test})"
        for (operation, status, code), test in sorted(received.items())
        if operation in declared and code not in declared[operation].get(status, set())
    ]


@dataclass
class ProblemLedger:
    """A pytest plugin: records every problem answer, and fails the run on an undeclared one."""

    received: dict[Received, str] = field(default_factory=dict)
    current: str = "(outside a test)"
    missing: list[str] = field(default_factory=list)
    checked: set[Received] = field(default_factory=set)

    def __post_init__(self) -> None:
        observe_problems(self.record)

    def record(self, request: Any, status: int, code: str) -> None:
        handler = request.scope.get("route_handler")
        operation = getattr(handler, "operation_id", None)
        if isinstance(operation, str) and code != INTERNAL_ERROR:
            self.received.setdefault((operation, status, code), self.current)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> None:
        self.current = item.nodeid

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.received:
            from backend.devtools import openapi_document
            from backend.kernel.settings import get_settings

            document = json.loads(openapi_document(get_settings()))
            declared = declared_problems(document)
            self.checked |= {answer for answer in self.received if answer[0] in declared}
            self.missing += undeclared(self.received, declared)
        workeroutput = getattr(session.config, "workeroutput", None)
        if workeroutput is not None:
            # An xdist worker: the controller reports for all of them (pytest_testnodedown).
            workeroutput[WORKER_KEY] = {"checked": sorted(self.checked), "missing": self.missing}
        if self.missing and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """On the xdist controller: take in what a worker's ledger found."""
        found = getattr(node, "workeroutput", {}).get(WORKER_KEY)
        if found:
            self.checked |= {(op, int(status), code) for op, status, code in found["checked"]}
            self.missing += found["missing"]

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.checked and not self.missing:
            operations = len({operation for operation, _, _ in self.checked})
            terminalreporter.line(
                f"problem ledger: {len(self.checked)} kinds of problem answered by "
                f"{operations} operations, each declared in the OpenAPI document"
            )
        if self.missing:
            terminalreporter.section("problems the OpenAPI document does not declare", red=True)
            terminalreporter.line(
                "These answers were received but their operation does not declare the status "
                "and code; add them to the handler's `responses=problems({...})` (or to the "
                "guard or middleware that answers them), then run `yimen openapi`:"
            )
            for line in self.missing:
                terminalreporter.line(f"  {line}", red=True)
