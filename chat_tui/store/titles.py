"""Default conversation titles, for when no better one has been chosen."""

from __future__ import annotations

MAX_TITLE_CHARS = 50
UNTITLED = "Untitled conversation"


def fallback_title(first_user_message: str, max_chars: int = MAX_TITLE_CHARS) -> str:
    """The first words of the first message on one line, cut at a word boundary with '…'."""
    words = first_user_message.split()
    if not words:
        return UNTITLED
    title = " ".join(words)
    if len(title) <= max_chars:
        return title
    cut = title[: max_chars - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]  # a whole last word, unless it is one very long word
    return cut.rstrip(" ,.;:-") + "…"
