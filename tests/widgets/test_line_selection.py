"""Selection on a line of segments: what a copy takes, and what is highlighted."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip

from chat_tui.widgets.line_selection import (
    SelectionLook,
    as_decoration,
    highlighted,
    selected_text,
)

MARGIN = as_decoration(Segment(" ", Style(bgcolor="#202020")))
CODE = Strip([MARGIN, Segment("def", Style(bold=True)), Segment(" f():   ")])
# As Textual's default themes: a translucent background, no colour of its own for the text.
LOOK = SelectionLook(
    Color(0, 0, 254, 0.5), Color(0, 0, 0, 0), Style(color="white", bgcolor="black")
)
SELECTED_BG = "#00007f"  # half blue over the black below


def marked(line: Strip) -> str:
    return "".join(
        s.text
        for s in line
        if s.style is not None
        and s.style.bgcolor is not None
        and s.style.bgcolor.name == SELECTED_BG
    )


def test_a_copy_skips_decoration_and_the_padding_after_the_text() -> None:
    assert selected_text(CODE, 0, -1) == "def f():"
    assert selected_text(CODE, 2, 6) == "ef f"
    assert selected_text(CODE, 7, 40) == "):"
    assert selected_text(CODE, 20, -1) == ""


def test_only_the_selected_characters_are_highlighted_and_the_text_is_unchanged() -> None:
    line = highlighted(CODE, 2, 6, LOOK)
    assert line.text == CODE.text
    assert line.cell_length == CODE.cell_length
    assert marked(line) == "ef f"
    [bold] = [s for s in line if s.text == "ef"]
    assert bold.style is not None and bold.style.bold, "it keeps its own style"
    assert bold.style.color is None, "and its own colour (the widget's, here)"


def test_text_over_its_own_background_is_blended_with_it() -> None:
    line = Strip([Segment("on red", Style(color="white", bgcolor="#fe0000"))])
    [selected] = list(highlighted(line, 0, -1, LOOK))
    assert selected.style is not None and selected.style.bgcolor is not None
    assert selected.style.bgcolor.name == "#7f007f"
    assert selected.style.color is not None and selected.style.color.name == "white"


def test_a_selection_to_the_end_stops_at_the_text() -> None:
    line = highlighted(CODE, 0, -1, LOOK)
    assert marked(line) == "def f():", "the margin has a background of its own"
    assert highlighted(CODE, 20, -1, LOOK) is CODE
