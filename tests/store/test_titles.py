from __future__ import annotations

from chat_tui.store import fallback_title
from chat_tui.store.titles import MAX_TITLE_CHARS, UNTITLED, one_line_title


def test_short_messages_are_the_title_on_one_line() -> None:
    assert fallback_title("  How do\nI   sort a list?  ") == "How do I sort a list?"


def test_long_messages_are_cut_at_a_word() -> None:
    text = "Explain the difference between processes and threads in detail please"
    title = fallback_title(text, 50)
    assert title == "Explain the difference between processes and…"
    assert len(fallback_title(text * 3)) <= MAX_TITLE_CHARS


def test_one_huge_word_is_cut_anyway() -> None:
    title = fallback_title("x" * 200)
    assert len(title) == MAX_TITLE_CHARS and title.endswith("…")


def test_empty_messages_get_a_placeholder() -> None:
    assert fallback_title(" \n ") == UNTITLED


def test_every_title_is_one_plain_line() -> None:
    """A model's answer (Markdown, quotes, several lines) and a user's rename alike."""
    assert one_line_title("# Fake answer **bold**.\nSecond line") == "Fake answer bold"
    assert one_line_title('  "Cooking   rice."  ') == "Cooking rice"
    assert one_line_title("Title: `Sorting` in Python!") == "Sorting in Python"
    assert one_line_title(" \n ") == ""


def test_a_markdown_answer_becomes_one_plain_line() -> None:
    assert one_line_title("> ## **Sorting** `lists` in _Python_\nmore") == "Sorting lists in Python"
    assert one_line_title("\n\n- Title: *Rice*.") == "Rice"
    assert one_line_title("-5 degrees outside") == "-5 degrees outside"
