"""Selection on a line of segments: what a copy takes, and what is highlighted."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from chat_tui.widgets.line_selection import as_decoration, highlighted, selected_text

MARGIN = as_decoration(Segment(" ", Style(bgcolor="black")))
CODE = Strip([MARGIN, Segment("def", Style(bold=True)), Segment(" f():   ")])
SELECTED = Style(bgcolor="blue")


def test_a_copy_skips_decoration_and_the_padding_after_the_text() -> None:
    assert selected_text(CODE, 0, -1) == "def f():"
    assert selected_text(CODE, 2, 6) == "ef f"
    assert selected_text(CODE, 7, 40) == "):"
    assert selected_text(CODE, 20, -1) == ""


def test_only_the_selected_characters_are_highlighted_and_the_text_is_unchanged() -> None:
    line = highlighted(CODE, 2, 6, SELECTED)
    assert line.text == CODE.text
    assert line.cell_length == CODE.cell_length
    marked = "".join(
        s.text for s in line if s.style is not None and s.style.bgcolor == SELECTED.bgcolor
    )
    assert marked == "ef f"
    bold = [s for s in line if s.text == "ef"]
    assert bold and bold[0].style is not None and bold[0].style.bold


def test_a_selection_to_the_end_stops_at_the_text() -> None:
    line = highlighted(CODE, 0, -1, SELECTED)
    marked = "".join(
        s.text for s in line if s.style is not None and s.style.bgcolor == SELECTED.bgcolor
    )
    assert marked == " def f():"
    assert highlighted(CODE, 20, -1, SELECTED) is CODE
