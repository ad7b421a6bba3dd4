"""Text selection on lines of segments (Textual's selection API for a line-based widget).

A line's characters are addressed as Textual's selection does: `(x, y)` where x counts
characters of the line's text (not cells) and y is the line. What a copy takes from a line is
its text without the padding after it and without decoration: segments marked with
`as_decoration` (a code block's margin, a quote's bar) are shown and highlighted but not copied.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

_DECORATION_KEY = "chat_tui.decoration"
_DECORATION = Style.from_meta({_DECORATION_KEY: True})


def as_decoration(segment: Segment) -> Segment:
    """`segment`, marked as not part of the text a selection copies."""
    text, style, control = segment
    return Segment(text, style + _DECORATION if style else _DECORATION, control)


def _is_decoration(style: Style | None) -> bool:
    return style is not None and bool(style.meta.get(_DECORATION_KEY))


def _bounds(line: Strip, start: int, end: int) -> tuple[int, int]:
    """A selected span of `line` (end -1: to its end) cut to its text without padding."""
    text_end = len(line.text.rstrip())
    return start, text_end if end == -1 else min(end, text_end)


def selected_text(line: Strip, start: int, end: int) -> str:
    """The characters `start` to `end` (-1: the rest) of `line` that a copy takes."""
    start, end = _bounds(line, start, end)
    taken: list[str] = []
    position = 0
    for text, style, _control in line:
        after = position + len(text)
        if after > start and position < end and not _is_decoration(style):
            taken.append(text[max(start - position, 0) : end - position])
        position = after
    return "".join(taken)


def highlighted(line: Strip, start: int, end: int, selection_style: Style) -> Strip:
    """`line` with its characters `start` to `end` (-1: the rest of its text) in
    `selection_style`."""
    start, end = _bounds(line, start, end)
    if start >= end:
        return line
    segments: list[Segment] = []
    position = 0
    for segment in line:
        text, style, control = segment
        after = position + len(text)
        if after <= start or position >= end or control:
            segments.append(segment)
        else:
            cut_from, cut_to = max(start - position, 0), min(end - position, len(text))
            if cut_from:
                segments.append(Segment(text[:cut_from], style))
            selected = style + selection_style if style else selection_style
            segments.append(Segment(text[cut_from:cut_to], selected))
            if cut_to < len(text):
                segments.append(Segment(text[cut_to:], style))
        position = after
    return Strip(segments, line.cell_length)
