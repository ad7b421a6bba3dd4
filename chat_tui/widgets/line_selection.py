"""Text selection on lines of segments (Textual's selection API for a line-based widget).

A line's characters are addressed as Textual's selection does: `(x, y)` where x counts
characters of the line's text (not cells) and y is the line. What a copy takes from a line is
its text without the padding after it and without decoration: segments marked with
`as_decoration` (a code block's margin, a quote's bar) are shown and highlighted but not copied.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.screen import Screen
from textual.strip import Strip
from textual.style import Style as VisualStyle

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


@dataclass(frozen=True, slots=True)
class SelectionLook:
    """The theme's selection colours laid over what is selected, as Textual's own widgets do:
    the default is a translucent background, and no colour of its own for the text (Rich's
    flattened `screen--selection` style would paint the text in its background colour)."""

    background: Color | None  # None: selected text is shown reversed
    foreground: Color | None  # None or transparent: the text keeps its own colour
    under: Style  # the widget's colours, under segments that have none

    @classmethod
    def of(cls, screen: Screen[object], under: Style) -> SelectionLook:
        look = VisualStyle.from_styles(screen.get_component_styles("screen--selection"))
        return cls(look.background, look.foreground, under)

    def over(self, style: Style | None) -> Style:
        """`style` selected."""
        own = style or Style.null()
        if self.background is None:
            return own + Style(reverse=True)
        background = _laid_over(own.bgcolor or self.under.bgcolor, self.background)
        foreground = None
        if self.foreground is not None and self.foreground.a > 0:
            foreground = _laid_over(own.color or self.under.color, self.foreground)
        return own + Style(bgcolor=background, color=foreground)


def _laid_over(below: RichColor | None, above: Color) -> RichColor:
    if below is None or below.is_default:
        return above.rich_color
    return (Color.from_rich_color(below, ansi=False) + above).rich_color


def highlighted(line: Strip, start: int, end: int, look: SelectionLook) -> Strip:
    """`line` with its characters `start` to `end` (-1: the rest of its text) selected."""
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
            segments.append(Segment(text[cut_from:cut_to], look.over(style)))
            if cut_to < len(text):
                segments.append(Segment(text[cut_to:], style))
        position = after
    return Strip(segments, line.cell_length)
