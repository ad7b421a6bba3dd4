"""The live reply body repaints only what changed: what it paints must still be the whole
text, rendered, after every flush."""

from __future__ import annotations

import random

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Offset, Region
from textual.selection import Selection

from chat_tui.widgets import reply_body
from chat_tui.widgets.reply_body import ReplyBody, markdown_lines

REPLY = (
    "A first paragraph that is long enough to wrap over several lines of the narrow test "
    "screen, so that a flush changes only its last line or two.\n\n"
    "- **one**: an item\n- **two**: another item that wraps over more than a single line "
    "here\n\n"
    "```python\ndef f():\n    return 1\n```\n\n"
    "| name | value |\n|---|---|\n| a | 1 |\n| bb | 22 |\n\n"
    "## A heading\n\nThe end of the reply, after the heading."
)


class BodyApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ReplyBody(live=True)


def painted_text(body: ReplyBody) -> list[str]:
    """The body's lines as the compositor gets them (Textual's per-widget line cache)."""
    crop = Region(0, 0, body.size.width, body.size.height)
    return [strip.text.rstrip() for strip in body.render_lines(crop)]


def rendered_text(body: ReplyBody) -> list[str]:
    app = body.app
    options = app.console_options.update(width=body.size.width, highlight=False)
    return [s.text.rstrip() for s in markdown_lines(body.source, app.console, options, "ansi")]


async def test_painted_lines_equal_the_whole_text_rendered_after_every_flush() -> None:
    rng = random.Random(5)
    app = BodyApp()
    async with app.run_test(size=(50, 120)) as pilot:
        body = app.query_one(ReplyBody)
        text = REPLY * 3
        position = 0
        while position < len(text):
            step = rng.randint(1, 40)
            body.append(text[position : position + step])
            position += step
            await pilot.pause()
            expected = rendered_text(body)
            painted = painted_text(body)
            assert painted[: len(expected)] == expected
            assert not any(painted[len(expected) :])  # the live padding is blank
        body.finish()
        await pilot.pause()
        assert painted_text(body) == rendered_text(body)


async def test_a_growing_paragraph_repaints_only_its_last_line() -> None:
    app = BodyApp()
    async with app.run_test(size=(50, 40)) as pilot:
        body = app.query_one(ReplyBody)
        body.append("word " * 40)  # four lines at this width
        await pilot.pause()
        repainted: list[Region] = []
        refresh = body.refresh

        def spy(*regions: Region, **options: bool) -> ReplyBody:
            repainted.extend(regions)
            return refresh(*regions, **options)

        body.refresh = spy  # type: ignore[method-assign]
        body.append("more")
        lines = len(rendered_text(body))
        assert repainted == [Region(0, lines - 1, body.size.width, 1)]


async def test_painted_lines_carry_no_selection_offsets_but_looked_up_lines_do() -> None:
    # Offsets are for Textual's "which character is under the mouse" (render_line called on
    # its own); painting without them keeps a flush as cheap as before selection support.
    app = BodyApp()
    async with app.run_test(size=(50, 40)) as pilot:
        body = app.query_one(ReplyBody)
        body.append(REPLY)
        await pilot.pause()
        painted = body.render_lines(Region(0, 0, body.size.width, 3))
        assert not any("offset" in s.style.meta for line in painted for s in line if s.style)
        looked_up = body.render_line(1)
        assert all("offset" in s.style.meta for s in looked_up if s.style and s.text.strip())


class FinishedBodiesApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ReplyBody(REPLY * 3, live=False)
        yield ReplyBody(REPLY, live=False)


async def test_a_body_that_dropped_its_lines_paints_and_copies_the_same_text() -> None:
    app = FinishedBodiesApp()
    async with app.run_test(size=(50, 200)) as pilot:
        body = app.query(ReplyBody).first()
        await pilot.pause()
        painted = painted_text(body)
        everything = body.get_selection(Selection(None, None))
        body.drop_lines()
        assert body.lines_dropped
        assert body.size.height == len(painted)  # the height is kept: no layout needed
        # Painting the first lines renders only their block again, not the whole reply.
        first = [s.text.rstrip() for s in body.render_lines(Region(0, 0, body.size.width, 2))]
        assert first == painted[:2]
        assert 0 < body.held_lines < len(painted) // 2
        assert painted_text(body) == painted
        assert body.get_selection(Selection(None, None)) == everything
        # Selected while dropped: the highlight is painted over the lines rendered again.
        body.drop_lines()
        span = Selection(Offset(0, 3), Offset(10, 5))
        body.selection_updated(span)
        copied = body.get_selection(span)
        assert copied is not None
        assert copied[0] == everything_between(everything, 3, 5, 10)
        assert painted_text(body) == painted


def everything_between(copied: tuple[str, str] | None, first: int, last: int, end: int) -> str:
    assert copied is not None
    lines = copied[0].split("\n")[first : last + 1]
    return "\n".join([*lines[:-1], lines[-1][:end]])


async def test_replies_painted_least_recently_drop_their_lines_beyond_the_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = FinishedBodiesApp()
    async with app.run_test(size=(50, 200)) as pilot:
        first, second = app.query(ReplyBody)
        await pilot.pause()
        assert not first.lines_dropped and not second.lines_dropped
        monkeypatch.setattr(reply_body, "KEPT_LINES", second.held_lines + 1)
        painted_text(second)  # the second was painted last: the first gives its lines up
        assert first.lines_dropped and not second.lines_dropped
        assert reply_body.RENDERED.total <= reply_body.KEPT_LINES
        painted_text(first)
        assert second.lines_dropped
