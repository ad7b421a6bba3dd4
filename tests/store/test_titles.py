from __future__ import annotations

from chat_tui.store import fallback_title
from chat_tui.store.titles import UNTITLED


def test_short_messages_are_the_title_on_one_line() -> None:
    assert fallback_title("  How do\nI   sort a list?  ") == "How do I sort a list?"


def test_long_messages_are_cut_at_a_word() -> None:
    title = fallback_title("Explain the difference between processes and threads in detail please")
    assert title == "Explain the difference between processes and…"
    assert len(title) <= 50


def test_one_huge_word_is_cut_anyway() -> None:
    title = fallback_title("x" * 200)
    assert len(title) == 50 and title.endswith("…")


def test_empty_messages_get_a_placeholder() -> None:
    assert fallback_title(" \n ") == UNTITLED
