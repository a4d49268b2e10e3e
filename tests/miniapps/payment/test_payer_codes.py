"""Payer codes: their shape, their check digit, and the steps they are good for."""

from __future__ import annotations

import pytest

from miniapps.payment.payer_codes import (
    LENGTH,
    PREFIX,
    NotAPayerCode,
    luhn_digit,
    payer_code,
    read_code,
    step_shown,
    time_code,
)

SECRET = b"s" * 32
NUMBER = "12345678"


@pytest.mark.parametrize(("digits", "check"), [("7992739871", "3"), ("4111111111111111"[:-1], "1")])
def test_the_check_digit_is_luhns(digits: str, check: str) -> None:
    assert luhn_digit(digits) == check


def test_a_code_is_18_digits_with_the_prefix_and_reads_back_apart() -> None:
    code = payer_code(SECRET, NUMBER, 1000)
    assert len(code) == LENGTH
    assert code.isdigit()
    assert code.startswith(PREFIX)
    assert read_code(code) == (NUMBER, time_code(SECRET, 1000))


def test_a_code_is_good_for_the_steps_next_to_its_own_and_no_others() -> None:
    shown = read_code(payer_code(SECRET, NUMBER, 1000)).time_code
    assert [step_shown(SECRET, shown, now) for now in (999, 1000, 1001)] == [1000] * 3
    assert step_shown(SECRET, shown, 998) is None
    assert step_shown(SECRET, shown, 1002) is None
    assert step_shown(b"t" * 32, shown, 1000) is None  # another device's secret


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param("", id="empty"),
        pytest.param("1234567890", id="short"),
        pytest.param("28" + "0" * 16, id="another-prefix"),
        pytest.param("١٩" + "0" * 16, id="arabic-digits"),
        pytest.param("19" + "0" * 15 + "a", id="a-letter"),
        pytest.param(" " + "19" + "0" * 16, id="padded"),
    ],
)
def test_what_is_not_eighteen_digits_with_our_prefix_is_no_code(bad: str) -> None:
    with pytest.raises(NotAPayerCode):
        read_code(bad)


def test_a_code_with_one_digit_changed_fails_its_check() -> None:
    code = payer_code(SECRET, NUMBER, 1000)
    for position in range(len(PREFIX), LENGTH):
        changed = code[:position] + str((int(code[position]) + 1) % 10) + code[position + 1 :]
        with pytest.raises(NotAPayerCode):
            read_code(changed)
