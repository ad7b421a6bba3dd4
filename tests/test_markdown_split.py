import io
import random

from rich.console import Console
from textual.strip import Strip

from chat_tui.markdown_split import split_segments, stable_boundary
from chat_tui.widgets.reply_body import markdown_lines

REPLY = (
    "Intro paragraph.\n\n- one\n- two\n\n```python\ndef f():\n\n    return 1\n```\n\n"
    "Middle paragraph\nstill middle.\n\n    indented code\n\n1. first\n2. second\n\nEnd."
)


def test_never_cuts_inside_a_code_fence() -> None:
    text = "Before.\n\n```\ncode\n\nmore code\n\nstill code\n"
    cut = stable_boundary(text)
    assert text[:cut] == "Before.\n\n"


def test_cut_is_before_a_new_top_level_block() -> None:
    cut = stable_boundary(REPLY)
    assert REPLY[cut:] == "End."
    assert stable_boundary("one line only") == 0
    assert stable_boundary("para\n\n  indented continuation\n") == 0


def test_tilde_fence_and_longer_closing_fence() -> None:
    text = "~~~\na\n\n```\nb\n~~~~\n\nAfter\n"
    assert text[: stable_boundary(text)] == "~~~\na\n\n```\nb\n~~~~\n\n"


def test_segments_rejoin_to_the_text_for_any_growth_pattern() -> None:
    rng = random.Random(7)
    text = REPLY * 40
    tail = ""
    frozen: list[str] = []
    position = 0
    while position < len(text):
        step = rng.randint(1, 300)
        segments, tail = split_segments(tail + text[position : position + step], 200)
        frozen.extend(segments)
        position += step
    assert "".join(frozen) + tail == text
    assert all(len(s) >= 200 for s in frozen)
    assert len(tail) < 2 * 200 + 300  # the live tail stays small
    for segment in frozen:
        assert segment.count("```") % 2 == 0, "a fence was split across segments"


def test_list_items_after_a_blank_line_stay_with_their_list() -> None:
    # "- a\n\n- b" is one (loose) list: cutting between the items would make two.
    text = "- **a**: one\n\n- **b**: two\n\n1. x\n\n2. y\n\nAfter.\n"
    assert text[stable_boundary(text) :] == "After.\n"
    # A line still being written that may become a list item is not cut before yet.
    assert stable_boundary("- a\n\n-") == 0
    assert stable_boundary("- a\n\n1") == 0


def _plain(lines: list[Strip]) -> list[str]:
    return [line.text.rstrip() for line in lines]


def test_a_reply_rendered_block_by_block_looks_like_the_whole() -> None:
    """Each finished block is rendered on its own, followed by one blank line (the blank line
    it was cut at); the screen must look as if the whole reply had been rendered at once."""
    console = Console(width=80, color_system=None, file=io.StringIO())
    options = console.options
    text = (
        REPLY
        + "\n\n## A heading\n\n- **bold**: first\n- second\n\n- **loose**: item\n\n"
        + "| name | value |\n|---|---|\n| a | 1 |\n\nA paragraph after the table.\n\n"
        + "> quoted\n\n---\n\nLast words."
    )
    whole = _plain(markdown_lines(text, console, options, "monokai"))
    for seed in range(20):
        rng = random.Random(seed)
        tail, blocks, position = "", [], 0
        while position < len(text):
            step = rng.randint(1, 40)
            cut, tail = split_segments(tail + text[position : position + step], 20)
            blocks += cut
            position += step
        assert len(blocks) > 3
        pieces: list[str] = []
        for block in blocks:
            pieces += [*_plain(markdown_lines(block, console, options, "monokai")), ""]
        pieces += _plain(markdown_lines(tail, console, options, "monokai"))
        assert pieces == whole, f"seed {seed}"
