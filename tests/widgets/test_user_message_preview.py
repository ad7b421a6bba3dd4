"""A long user message shows its start and says how much more there is."""

from __future__ import annotations

from chat_tui.message_preview import USER_PREVIEW_CHARS, USER_PREVIEW_LINES, shown_part


def test_a_message_within_the_limits_is_shown_whole() -> None:
    text = "line\n" * (USER_PREVIEW_LINES - 1) + "last"
    assert shown_part(text) == text


def test_many_lines_show_the_first_ones_and_count_the_rest() -> None:
    text = "".join(f"line {i}\n" for i in range(1, 30_001))
    shown = shown_part(text).split("\n")
    assert shown[:USER_PREVIEW_LINES] == [f"line {i}" for i in range(1, USER_PREVIEW_LINES + 1)]
    rest = text.split("\n", USER_PREVIEW_LINES)[-1]
    assert shown[-1] == (
        f"… another {len(rest):,} characters ({30_000 - USER_PREVIEW_LINES:,} lines) not shown "
        "here: the whole message was sent and is saved."
    )


def test_one_huge_line_is_cut_by_characters() -> None:
    text = "x" * (USER_PREVIEW_CHARS + 123)
    first, note = shown_part(text).split("\n")
    assert first == "x" * USER_PREVIEW_CHARS
    assert note.startswith("… another 123 characters not shown")
