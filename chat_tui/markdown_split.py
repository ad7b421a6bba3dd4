"""Find where a growing Markdown text can be cut so that the part before never changes.

The reply being streamed is rendered as a small live tail; everything before the last safe
boundary is frozen into a finished segment. A boundary is a blank line outside any code fence,
followed by a line that starts a new top-level block (not indented, and not a list item: a
list item after a blank line continues the list above), so no block spans it.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"([-*+]|\d{1,9}[.)])([ \t]|$)")
# A line still being written that starts with one of these may yet become a list item.
_MAYBE_LIST_ITEM = frozenset("-*+0123456789")


def _starts_block(line: str) -> bool:
    return bool(line) and not line[0].isspace() and not _LIST_ITEM.match(line)


def stable_boundary(text: str) -> int:
    """Offset of the last safe cut in `text` (0 if there is none)."""
    boundary = 0
    fence: str | None = None  # the opening fence's marker while inside a code block
    offset = 0
    previous_blank = False
    for line in text.splitlines(keepends=True):
        if not line.endswith("\n"):
            # The last line is still being written, but its first character already tells
            # whether a new block starts there.
            first = line[0]
            starts_block = not first.isspace() and first not in _MAYBE_LIST_ITEM
            if previous_blank and fence is None and starts_block:
                boundary = offset
            break
        stripped = line.rstrip("\n")
        match = _FENCE.match(stripped)
        if fence is not None:
            closes = match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence)
            if closes and not stripped[match.end() :].strip():
                fence = None
        else:
            if previous_blank and _starts_block(stripped) and offset > 0:
                boundary = offset
            if match:
                fence = match.group(1)
        previous_blank = fence is None and not stripped.strip()
        offset += len(line)
    return boundary


def split_segments(text: str, min_segment: int) -> tuple[list[str], str]:
    """Cut `text` into finished segments of at least `min_segment` characters and a tail."""
    segments: list[str] = []
    while len(text) > 2 * min_segment:
        cut = stable_boundary(text[: 2 * min_segment])
        if cut < min_segment:
            cut = stable_boundary(text)
            if cut < min_segment:
                break
        segments.append(text[:cut])
        text = text[cut:]
    return segments, text
