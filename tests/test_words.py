"""Counts and lists as English (lstmgru.words), shared by every generated sentence."""

from __future__ import annotations

import pytest

from lstmgru.words import count, join, number_word


@pytest.mark.parametrize(
    ("n", "words", "digits"),
    [
        (0, "no seeds", "0 seeds"),
        (1, "one seed", "1 seed"),
        (3, "three seeds", "3 seeds"),
        (12, "twelve seeds", "12 seeds"),
        (50, "50 seeds", "50 seeds"),
    ],
)
def test_count_in_words_and_in_digits(n: int, words: str, digits: str) -> None:
    assert count(n, "seed") == words
    assert count(n, "seed", digits=True) == digits


def test_count_irregular_plural_and_number_words() -> None:
    assert count(2, "day", "days of trading") == "two days of trading"
    assert count(1, "analysis", "analyses") == "one analysis"
    assert [number_word(n) for n in (0, 7, 13)] == ["zero", "seven", "13"]


def test_join_uses_a_serial_comma() -> None:
    assert join([]) == ""
    assert join(["A"]) == "A"
    assert join(["A", "B"], "or") == "A or B"
    assert join(["A", "B", "C"]) == "A, B, and C"
