"""Small helpers for messages built from values, so the grammar follows the value."""

from __future__ import annotations


def with_article(word: str, *, capital: bool = False) -> str:
    """'an overturned', 'a pending': the indefinite article by the word's first letter (the hub's words have no silent h)."""
    article = "an" if word[:1].lower() in "aeiou" else "a"
    return f"{article.capitalize() if capital else article} {word}"


def count_of(n: int, noun: str, *, plural: str | None = None) -> str:
    """'1 item', '2 items', 'one item' never '1 items'."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


def starts_with_vowel(word: str) -> bool:
    """Whether English puts "an" before the word (the hub's words have no silent h)."""
    return word[:1].lower() in "aeiou"


def status_word(choices, value: str) -> str:
    """A status as a sentence says it, in the active language: its label in lower case
    ('under review', 'overturned'; '审核中', '撤销')."""
    return str(choices(value).label).lower()
