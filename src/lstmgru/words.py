"""Counts and lists as English, for every sentence the project generates.

One place for the small rules the chapters share: numbers up to twelve as words, zero as "no",
plurals, and lists joined with a serial comma.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["count", "join", "number_word"]

_WORDS = "zero one two three four five six seven eight nine ten eleven twelve".split()


def number_word(n: int) -> str:
    """``n`` in words up to twelve, in digits above."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else str(n)


def count(n: int, singular: str, plural: str | None = None, *, digits: bool = False) -> str:
    """ "no instruments", "one instrument", "four instruments", "32 instruments".

    ``digits`` writes the number in digits whatever its size ("0 epochs", "1 epoch",
    "10 epochs"), for table cells that stand beside other numbers.
    """
    noun = singular if n == 1 else (plural or singular + "s")
    if digits:
        return f"{n} {noun}"
    return f"no {noun}" if n == 0 else f"{number_word(n)} {noun}"


def join(items: Sequence[str], conjunction: str = "and") -> str:
    """ "A", "A and B", "A, B, and C"."""
    items = [str(i) for i in items]
    if len(items) <= 2:
        return f" {conjunction} ".join(items)
    return ", ".join(items[:-1]) + f", {conjunction} " + items[-1]
