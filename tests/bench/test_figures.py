"""A bench's own judgement of its figures (bench/common.py), as bench/run_all judges them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from common import Figure
from verdict import met


@pytest.mark.parametrize(
    ("figure", "reached"),
    [
        (Figure(0, "reports", "lower", 0), True),  # none lost, where none may be
        (Figure(1, "reports", "lower", 0), False),
        (Figure(499.9, "ms", "lower", 500), True),
        (Figure(512.0, "ms", "lower", 500), False),
        (Figure(0.9, "ratio", "higher", 0.9), True),
        (Figure(0.89, "ratio", "higher", 0.9), False),
    ],
)
def test_a_target_is_reached_at_it_or_beyond(figure: Figure, reached: bool) -> None:
    assert figure.met() is reached
    assert met({"target": figure.target, "better": figure.better}, figure.value) is reached


def test_a_figure_without_a_target_is_not_judged() -> None:
    assert Figure(3.0, "ms", "lower").met() is None
