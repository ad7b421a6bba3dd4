"""Conversation titles: the one rule for what a title may be, and the default one.

Every title goes through `one_line_title`, whoever makes it: the model (its answer may be
Markdown), the user renaming, or the first words of the first message.
"""

from __future__ import annotations

import re

MAX_TITLE_CHARS = 80
UNTITLED = "Untitled conversation"

# Markdown a model may wrap its title in: heading, quote and list marks and a "Title:" lead
# (in any order) before the words, emphasis and code ticks within them.
_LEAD = re.compile(r"^(?:(?:#+|>+|title:)\s*|[-*+]\s+)+", re.IGNORECASE)
_INLINE = re.compile(r"[*_`]+")


def one_line_title(text: str, max_chars: int = MAX_TITLE_CHARS) -> str:
    """`text` as a title: one line of plain words without wrapping quotes, markup or trailing
    punctuation, cut at a word boundary with '…'. Empty when nothing is left. Control
    characters are kept as they are, like all stored text: whoever shows a title makes them
    visible."""
    line = next((line for line in text.splitlines() if line.strip()), "")
    words = " ".join(_INLINE.sub("", _LEAD.sub("", " ".join(line.split()))).split())
    title = words.strip("\"'“”‘’").rstrip(" .!;:,")
    if len(title) <= max_chars:
        return title
    cut = title[: max_chars - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]  # a whole last word, unless it is one very long word
    return cut.rstrip(" ,.;:-") + "…"


def fallback_title(first_user_message: str, max_chars: int = MAX_TITLE_CHARS) -> str:
    """The first words of the first message on one line, cut at a word boundary with '…'."""
    return one_line_title(" ".join(first_user_message.split()), max_chars) or UNTITLED
