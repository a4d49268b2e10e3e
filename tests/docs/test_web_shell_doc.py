"""docs/web-shell.md shows the screenshots the browser tests take: its gallery is the list
in scripts/web_screenshots.py, every image it names is in docs/web-shell/, and every name is
one a browser test saves."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "web_screenshots", ROOT / "scripts/web_screenshots.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_gallery_is_the_scripts_list_and_its_images_are_there() -> None:
    script = _script()
    page = script.PAGE.read_text(encoding="utf-8")
    assert page.endswith(script.gallery()), "run python scripts/web_screenshots.py"
    shown = set(re.findall(r"\]\(web-shell/([\w.-]+)\.png\)", page))
    on_disk = {path.stem for path in script.SHOWN_IN.glob("*.png")}
    assert shown == on_disk


def test_every_image_is_one_a_browser_test_takes() -> None:
    sources = "\n".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "tests/browser").glob("*.py")
    )

    # A name is written whole, or as an f-string whose {locale} is a locale and whose other
    # {…} parts stand for a word of the screen's route.
    def part_pattern(part: str) -> str:
        if part == "{locale}":
            return "(?:zh-CN|en)"
        return r"[\w-]+" if part.startswith("{") else re.escape(part)

    patterns = [
        re.compile("".join(part_pattern(part) for part in parts))
        for written in re.findall(r'screenshot\(\s*\w+,\s*f?"([^"]*)"', sources)
        for parts in [re.split(r"(\{[^}]*\})", written)]
    ]
    for name, _ in _script().SHOWN:
        # Some tests name their screenshots through a helper of their own.
        literal = f'"{name}"' in sources
        assert literal or any(pattern.fullmatch(name) for pattern in patterns), name
