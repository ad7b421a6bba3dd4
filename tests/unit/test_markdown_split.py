import random

from chat_tui.markdown_split import split_segments, stable_boundary

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
