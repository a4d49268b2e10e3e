"""The main flows of the Yimen app, through the Python client generated from the committed
openapi/openapi.json (`./scripts/clients` writes it to build/clients/python/yimen_client).

    ./scripts/demo 2>&1 | tee demo.log           # the demo city; a dev server logs its codes
    python openapi/clients/python/flows.py --base-url http://127.0.0.1:8000 --server-log demo.log

1. Log in by one-time code, as a resident, a community admin, a grid worker and checkpoint
   staff of the demo city. The code is read from the server's log (a development server
   writes each code it would send by SMS there; a production one sends them and logs none),
   or typed in when no log is given.
2. The resident's launcher holds the grid event and health code tiles.
3. The resident reports a missing manhole cover; the community admin and the grid worker
   move it along 立案 → 派遣 → 处置 → 反馈 → 核查 → 结案, and after each step the resident
   reads it back in its new state.
4. The resident's phone enrols its key, gets a credential, shows it with its proof (also as
   a QR), and checkpoint staff scan it: valid, green.
5. The resident's inbox holds the notices of the steps that told them, and reads them all.
6. Errors come back as the document's Problem with its stable `code`.

Exit status 0 when every flow did what it should; otherwise the failing step, its status and
the Problem. A run within a minute of the last one waits out the codes' resend interval; a
phone gets five codes an hour, so a sixth run within the hour is refused (`otp_phone_limit`).
The suite runs these flows against a live `yimen serve` on each engine
(tests/clients/test_generated_client.py).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

ROOT = Path(__file__).resolve().parents[3]
# Neither the generated package nor the phone's stand-in is installed: both are in this
# checkout. A package already on sys.path (the suite's fresh one) comes first.
sys.path.extend([str(ROOT / "build" / "clients" / "python"), str(ROOT)])

import httpx  # noqa: E402
from yimen_client import AuthenticatedClient, Client  # noqa: E402
from yimen_client.api.auth import log_in as log_in_call  # noqa: E402
from yimen_client.api.auth import send_login_code  # noqa: E402
from yimen_client.api.grid_events import act_on_event, get_event, report_event  # noqa: E402
from yimen_client.api.health_code import (  # noqa: E402
    enrol_health_code_phone,
    get_health_code,
    render_health_code_svg,
    scan_health_code,
)
from yimen_client.api.launcher import get_launcher  # noqa: E402
from yimen_client.api.push import list_inbox, mark_inbox_all_read  # noqa: E402
from yimen_client.api.users import get_me  # noqa: E402
from yimen_client.models import (  # noqa: E402
    ActIn,
    Action,
    CodeRequest,
    CodeSent,
    CodeView,
    EventView,
    HolderKeyIn,
    InboxPage,
    LauncherView,
    LoginRequest,
    MeView,
    Problem,
    ReportIn,
    ReportInAttributes,
    ScanIn,
    ScanView,
    TokenPair,
)
from yimen_client.types import File, Response  # noqa: E402

T = TypeVar("T")

# Users of the demo city (`yimen seed-demo`).
RESIDENT = "13800000001"  # 王居民, living in grid g07
GRID_WORKER = "13800000003"  # g07's grid worker
COMMUNITY_ADMIN = "13800000005"  # the admin of community c03, above g07
CHECKPOINT_STAFF = "13800000009"
MANHOLE = ReportIn(
    category="manhole_cover",
    description="科学大道井盖缺失",
    attributes=ReportInAttributes.from_dict({"damage": "missing"}),
    lat=34.805,  # inside grid g07
    lon=113.555,
    address="科学大道",
)
# The steps after the report, who takes each, and the state it leaves the event in.
CHAIN = (
    (COMMUNITY_ADMIN, Action.REGISTER, "", "registered"),
    (COMMUNITY_ADMIN, Action.DISPATCH, "", "dispatched"),
    (GRID_WORKER, Action.START, "", "handling"),
    (GRID_WORKER, Action.FEED_BACK, "已更换井盖", "fed_back"),
    (COMMUNITY_ADMIN, Action.VERIFY, "", "verified"),
    (COMMUNITY_ADMIN, Action.CLOSE, "", "closed"),
)
# The steps whose notice goes to the reporter (the others tell the handler or the admins).
TOLD_THE_REPORTER = 3  # registered, handling, closed
TIMEOUT = httpx.Timeout(30.0)
RESEND_WAIT_AT_MOST = 61  # seconds: the resend interval; the hourly limits are not waited out

CodeSource = Callable[[str], str]


class FlowFailed(Exception):
    """A step of a flow did not answer as it should."""


class PhoneKey(Protocol):
    """The resident's phone as the health code sees it (docs/health-code.md)."""

    @property
    def public_key(self) -> str:
        """The P-256 key the credential is bound to: a compressed point, base64url."""
        ...

    def show(self, credential: str) -> str:
        """The text of the QR: the credential and the phone's proof, signed now."""
        ...


def new_phone() -> PhoneKey:
    """A phone with a fresh key: the reference phone client of docs/health-code.md."""
    from miniapps.health_code.phone import HealthCodePhone

    return HealthCodePhone()


def expect(response: Response[Any], kind: type[T], what: str) -> T:
    """The parsed answer of a call that must succeed; a failure names the step and its
    Problem (or the raw answer, for a status the document does not declare)."""
    if isinstance(response.parsed, kind):
        return response.parsed
    raise FlowFailed(f"{what}: {_described(response)}")


def expect_no_content(response: Response[Any], what: str) -> None:
    if response.status_code != 204:
        raise FlowFailed(f"{what}: {_described(response)}")


def expect_problem(
    response: Response[Any], status: int, code: str, what: str, *, declared: bool = True
) -> Problem | None:
    """A refusal: its status and stable `code`, parsed by the client as the document's
    Problem. `declared=False` for a status the document does not declare yet: the client
    then parses nothing, and only the raw body is checked."""
    if response.status_code != status:
        raise FlowFailed(f"{what}: wanted {status} {code}, got {_described(response)}")
    parsed = response.parsed
    if declared or parsed is not None:
        if not isinstance(parsed, Problem) or parsed.code != code:
            raise FlowFailed(f"{what}: wanted a Problem {code}, got {_described(response)}")
        return parsed
    if json.loads(response.content).get("code") != code:
        raise FlowFailed(f"{what}: wanted {code}, got {_described(response)}")
    return None


def _described(response: Response[Any]) -> str:
    problem = response.parsed
    if not isinstance(problem, Problem):  # a status the document does not declare
        try:
            problem = Problem.from_dict(json.loads(response.content))
        except (ValueError, KeyError, TypeError):
            return f"{response.status_code} {response.content[:500]!r}"
    return f"{response.status_code} {problem.code}: {problem.title} {problem.detail or ''}"


class ServerLog:
    """One-time codes read from a development server's log, where it writes each code it
    would send by SMS; only lines written after this reader was made are read."""

    LINE = re.compile(r"one-time code for (?P<phone>\S+): (?P<code>\d{6})")

    def __init__(self, path: Path, seconds: float = 10.0) -> None:
        self.path = path
        self.seconds = seconds
        self.read_to = path.stat().st_size if path.exists() else 0

    def __call__(self, phone: str) -> str:
        masked = f"{phone[:3]}****{phone[-4:]}"  # as the server masks a phone in its log
        deadline = time.monotonic() + self.seconds
        while time.monotonic() < deadline:
            with self.path.open("rb") as log:
                log.seek(self.read_to)
                written = log.read()
            whole = written[: written.rfind(b"\n") + 1]  # a line still being written waits
            offset = self.read_to
            for line in whole.splitlines(keepends=True):
                offset += len(line)
                found = self.LINE.search(line.decode(errors="replace"))
                if found and found["phone"] == masked:
                    self.read_to = offset
                    return found["code"]
            time.sleep(0.05)
        raise FlowFailed(f"no one-time code for {masked} in {self.path}")


def typed_in(phone: str) -> str:
    return input(f"one-time code sent to {phone}: ").strip()


class Flows:
    """The flows against one server; each person logs in once, by one-time code."""

    def __init__(self, base_url: str, codes: CodeSource) -> None:
        self.base_url = base_url
        self.codes = codes
        self.clients: dict[str, AuthenticatedClient] = {}

    def as_user(self, phone: str) -> AuthenticatedClient:
        if phone not in self.clients:
            self.clients[phone] = self.log_in(phone)
        return self.clients[phone]

    def log_in(self, phone: str) -> AuthenticatedClient:
        anonymous = Client(base_url=self.base_url, timeout=TIMEOUT)
        sent = send_login_code.sync_detailed(client=anonymous, body=CodeRequest(phone=phone))
        wait = int(sent.headers.get("Retry-After", "0")) if sent.status_code == 429 else 0
        if 0 < wait <= RESEND_WAIT_AT_MOST:
            # A code went to this phone less than a minute ago (an earlier run): as an app
            # counts down before "send again", wait as long as the server says.
            time.sleep(wait)
            sent = send_login_code.sync_detailed(client=anonymous, body=CodeRequest(phone=phone))
        expect(sent, CodeSent, f"send a one-time code to {phone}")
        login = LoginRequest(phone=phone, code=self.codes(phone))
        tokens = expect(
            log_in_call.sync_detailed(client=anonymous, body=login), TokenPair, "log in"
        )
        return AuthenticatedClient(
            base_url=self.base_url,
            token=tokens.access_token,
            prefix=tokens.token_type,
            timeout=TIMEOUT,
        )

    def user_id(self, phone: str) -> int:
        return expect(get_me.sync_detailed(client=self.as_user(phone)), MeView, "me").user_id

    def launcher(self) -> list[str]:
        """The app ids of the resident's tiles."""
        view = expect(
            get_launcher.sync_detailed(client=self.as_user(RESIDENT)), LauncherView, "launcher"
        )
        apps = [tile.app_id for section in view.sections for tile in section.tiles]
        for wanted in ("grid_events", "health_code"):
            if wanted not in apps:
                raise FlowFailed(f"the resident's launcher has no {wanted} tile: {apps}")
        return apps

    def report_and_follow(self) -> EventView:
        """The resident's report moved along the chain; the resident reads each state."""
        resident = self.as_user(RESIDENT)
        event = expect(
            report_event.sync_detailed(client=resident, body=MANHOLE), EventView, "report"
        )
        if event.state != "reported":
            raise FlowFailed(
                f"the report joined event {event.id} ({event.state}), which an earlier run"
                " left open: close or cancel it first"
            )
        self.refusals(event)
        for phone, action, reason, state in CHAIN:
            step = ActIn(action=action, reason=reason)
            event = expect(
                act_on_event.sync_detailed(
                    event.id,
                    client=self.as_user(phone),
                    body=step,
                    if_match=f'"{event.version}"',  # the version this step was decided on
                ),
                EventView,
                str(action),
            )
            seen = expect(
                get_event.sync_detailed(event.id, client=resident), EventView, "read back"
            )
            if seen.state != state:
                raise FlowFailed(f"after {action} the resident sees {seen.state}, not {state}")
        if event.handler_id != self.user_id(GRID_WORKER):
            raise FlowFailed(f"dispatched to {event.handler_id}, not g07's grid worker")
        timeline = [entry.to_state for entry in seen.timeline or []]
        if timeline != ["reported", *(state for *_, state in CHAIN)]:
            raise FlowFailed(f"the resident reads the timeline {timeline}")
        return seen

    def refusals(self, event: EventView) -> None:
        """Refused steps answer the document's Problem with its code and change nothing."""
        no_reason = act_on_event.sync_detailed(
            event.id, client=self.as_user(COMMUNITY_ADMIN), body=ActIn(action=Action.CANCEL)
        )
        expect_problem(no_reason, 400, "event_reason_required", "cancel without a reason")
        missing = get_event.sync_detailed(2_000_000_000, client=self.as_user(RESIDENT))
        # GetEvent declares no 404 yet: the client parses it once the document does.
        expect_problem(missing, 404, "event_not_found", "a missing event", declared=False)

    def health_code(self, phone: PhoneKey) -> ScanView:
        """The code bound to the phone, shown with its proof, scanned at a checkpoint."""
        resident = self.as_user(RESIDENT)
        enrol = HolderKeyIn(public_key=phone.public_key)
        expect_no_content(
            enrol_health_code_phone.sync_detailed(client=resident, body=enrol), "enrol the phone"
        )
        code = expect(get_health_code.sync_detailed(client=resident), CodeView, "health code")
        text = phone.show(code.credential)
        qr = expect(
            render_health_code_svg.sync_detailed(client=resident, code=text), File, "the QR"
        )
        if b"<svg" not in qr.payload.read():
            raise FlowFailed("the QR is not an SVG image")
        scanned = expect(
            scan_health_code.sync_detailed(
                client=self.as_user(CHECKPOINT_STAFF),
                body=ScanIn(text=text, place="科学大道地铁站"),
            ),
            ScanView,
            "scan",
        )
        if not scanned.valid or scanned.colour != "green":
            raise FlowFailed(f"the scan says {scanned.reason}, colour {scanned.colour}")
        return scanned

    def inbox(self, event: EventView, seconds: float = 30.0) -> InboxPage:
        """The notices of the event's steps that told the resident (they arrive as the
        server delivers them), then all read."""
        resident = self.as_user(RESIDENT)
        link = f"yimen://miniapps/grid_events/events/{event.id}"
        deadline = time.monotonic() + seconds
        while True:
            page = expect(list_inbox.sync_detailed(client=resident, limit=50), InboxPage, "inbox")
            notices = [item for item in page.items if item.deep_link == link]
            if len(notices) >= TOLD_THE_REPORTER:
                break
            if time.monotonic() > deadline:
                raise FlowFailed(f"{len(notices)} notices of event {event.id} in {seconds:g} s")
            time.sleep(0.1)
        if page.unread < len(notices):
            raise FlowFailed(f"{page.unread} unread, with {len(notices)} new notices")
        expect_no_content(mark_inbox_all_read.sync_detailed(client=resident), "read all")
        after = expect(list_inbox.sync_detailed(client=resident), InboxPage, "inbox again")
        if after.unread != 0:
            raise FlowFailed(f"{after.unread} still unread after reading all")
        return page

    def run(self, phone: PhoneKey) -> None:
        self.launcher()
        event = self.report_and_follow()
        self.health_code(phone)
        self.inbox(event)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument(
        "--server-log", type=Path, help="the dev server's log, to read one-time codes from"
    )
    args = parser.parse_args()
    codes: CodeSource = ServerLog(args.server_log) if args.server_log else typed_in
    try:
        Flows(args.base_url, codes).run(new_phone())
    except FlowFailed as failure:
        print(f"flow failed: {failure}", file=sys.stderr)
        return 1
    print("every flow passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
