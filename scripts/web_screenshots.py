"""Copy the screenshots the browser tests took (build/screenshots/) into docs/web-shell/ and
write the gallery of docs/web-shell.md, after `./scripts/test tests/browser` (or CI) ran.

    python scripts/web_screenshots.py

tests/docs/test_web_shell_doc.py checks the gallery is this list and each image is there."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TAKEN = ROOT / "build" / "screenshots"
SHOWN_IN = ROOT / "docs" / "web-shell"
PAGE = ROOT / "docs" / "web-shell.md"
MARK = "<!-- screenshots -->"

# (file, caption): the main screens, in both locales and in elder mode.
SHOWN = [
    ("login-zh-CN", "登录 (zh-CN), the dev code shown"),
    ("launcher-zh-CN", "A resident's launcher, zh-CN"),
    ("launcher-en", "The same launcher in English"),
    ("elder-launcher", "Elder mode: two large tiles a row"),
    ("elder-login", "The login page keeps the look this browser last had"),
    ("inbox-unread", "The inbox, unread first marked"),
    ("problem-zh-CN", "A refusal shown by the problem's own title"),
    ("problem-en", "The same refusal in English"),
    ("grid_events-report-en", "Reporting an event, in English"),
    ("session-ended", "A session ended elsewhere: back to log in"),
    ("event-resident-timeline", "A resident's report, closed, with its timeline"),
    ("event-worker", "A grid worker's event with the steps allowed now"),
    ("health_code-show", "My health code, re-signed every 20 s"),
    ("health_code-checkin", "Checking in at a place by a photo of its code"),
    ("health_code-other-phone", "Another browser asks before it takes the code over"),
    ("elderly_care-sos-countdown", "SOS: the cancel window counting down"),
    ("elderly_care-sos-elder", "SOS in elder mode"),
    ("elderly_care-checkin", "The daily check-in"),
    ("elderly_care-family", "The family circle and its invite"),
    ("legal_aid-question", "A legal question's thread"),
    ("payment-wallet", "Wallet and payer code"),
    ("gov_services-form", "A 办事 form drawn from the item's schema"),
    ("gov_services-progress", "An application's progress"),
    ("open_platform-consent", "A third-party app's consent sheet"),
    ("console-events", "Console: the event desk, filtered"),
    ("console-event", "Console: dispatch and reassign"),
    ("console-indicators", "Console: indicators per unit"),
    ("console-risk", "Console: community risk levels"),
    ("console-worklist", "Console: the 办事 worklist, soonest due first"),
    ("console-case", "Console: one case and the steps allowed"),
    ("console-enablement", "Console: mini-apps switched on in a district"),
    ("console-review", "Console: a third-party version in review"),
]


def gallery() -> str:
    lines = [MARK, ""]
    for name, caption in SHOWN:
        lines.append(f"![{caption}](web-shell/{name}.png)")
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    missing = [name for name, _ in SHOWN if not (TAKEN / f"{name}.png").exists()]
    if missing:
        print(f"not taken (run the browser tests first): {', '.join(missing)}", file=sys.stderr)
        return 1
    shutil.rmtree(SHOWN_IN, ignore_errors=True)
    SHOWN_IN.mkdir(parents=True)
    for name, _ in SHOWN:
        shutil.copyfile(TAKEN / f"{name}.png", SHOWN_IN / f"{name}.png")
    text = PAGE.read_text(encoding="utf-8")
    PAGE.write_text(text[: text.index(MARK)] + gallery(), encoding="utf-8")
    print(f"{len(SHOWN)} screenshots in {SHOWN_IN.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
