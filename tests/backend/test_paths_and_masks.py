import pytest

from backend.kernel.i18n import Locale, negotiate
from backend.kernel.masking import mask_id_card, mask_name, mask_phone
from backend.kernel.paths import ancestors, district_of, is_valid, is_within, level_of


def test_within_is_segment_aware() -> None:
    assert is_within("zz/gx/c03/g07", "zz/gx/c03")
    assert is_within("zz/gx", "zz/gx")
    assert not is_within("zz/gx/c03", "zz/gx/c0")
    assert not is_within("zz/gx", "zz/gx/c03")


def test_path_helpers() -> None:
    assert ancestors("zz/gx/fy") == ["zz", "zz/gx", "zz/gx/fy"]
    assert district_of("zz/gx/fy/c03") == "zz/gx"
    assert level_of("zz/gx/fy/c03/g07") == "grid"
    assert not is_valid("zz/gx/fy/c03/g07/extra")
    assert not is_valid("zz//gx")


def test_masks() -> None:
    assert mask_phone("13800138000") == "138****8000"
    assert mask_id_card("410105199001011234") == "4101**********1234"
    assert mask_name("张三丰") == "张**"


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        (None, Locale.ZH_CN),
        ("en-US,en;q=0.9", Locale.EN),
        ("fr-FR, en;q=0.5, zh-CN;q=0.8", Locale.ZH_CN),
        ("de", Locale.ZH_CN),
        ("en;q=0", Locale.ZH_CN),
    ],
)
def test_locale_negotiation(header: str | None, locale: Locale) -> None:
    assert negotiate(header) == locale
