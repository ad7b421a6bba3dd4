"""Turning what the user typed into a safe FTS5 query, and snippets into styled spans."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Private-use characters mark matches inside snippet() output; they are split out into spans
# here, so no markup ever reaches the UI (which shows text literally).
MATCH_START = "\ue000"
MATCH_END = "\ue001"
SNIPPET_ELLIPSIS = "…"
SNIPPET_TOKENS = 16

# Letters and digits, as FTS5's unicode61 tokenizer sees words (it splits on everything else,
# including "_"). Operators, quotes and punctuation in the input are thereby never syntax.
_WORD = re.compile(r"[^\W_]+")


def fts_match_expression(user_query: str, *, prefixes: bool = True) -> str | None:
    """Each word as a quoted phrase, all required: `"word"* "other"*` (without the `*`
    when `prefixes` is false, or for a one-letter word: whole words only).

    Returns None when the input has no words at all (e.g. only punctuation).
    """
    words = _WORD.findall(user_query)
    if not words:
        return None
    # One letter is too short a prefix to be worth reading every term that starts with it
    # (the index has prefixes of 2 and 3 letters; longer ones narrow the terms quickly).
    return " ".join(f'"{word}"*' if prefixes and len(word) > 1 else f'"{word}"' for word in words)


@dataclass(frozen=True, slots=True)
class SnippetSpan:
    text: str
    is_match: bool


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One matching message, best first; `snippet` is the text around the match."""

    conversation_id: int
    conversation_title: str | None
    message_id: int
    role: str
    created_at: float
    snippet: tuple[SnippetSpan, ...]
    rank: float  # bm25: lower is better
    # False for a message on another branch than the conversation's current one (an earlier
    # alternative): open it with `load_conversation(..., through=message_id)`.
    on_current_branch: bool = True

    @property
    def snippet_text(self) -> str:
        return "".join(span.text for span in self.snippet)


def snippet_spans(marked: str) -> tuple[SnippetSpan, ...]:
    """Split snippet() output with MATCH_START/MATCH_END markers into plain and match spans."""
    spans: list[SnippetSpan] = []
    for index, part in enumerate(re.split(f"[{MATCH_START}{MATCH_END}]", marked)):
        if part:
            spans.append(SnippetSpan(part.replace("\n", " "), is_match=index % 2 == 1))
    return tuple(spans)
