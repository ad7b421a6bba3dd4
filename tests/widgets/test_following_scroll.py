"""The log follows a live reply like a terminal: its newest line on the log's bottom row, no
blank room under it, no jump when the room grows or when the reply ends; scrolled away,
nothing moves."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Static

from chat_tui.conversation import MessageStatus, Turn
from chat_tui.widgets.message_log import MessageLog
from chat_tui.widgets.messages import AssistantMessage

LINES = 40  # several times the live room's step at 80x24 (6 rows) and at 200x60 (15)


class Host(App[None]):
    """A log over a one-line stand-in for the status bar, as in the chat."""

    def __init__(self) -> None:
        super().__init__()
        self.animation_level = "none"

    def compose(self) -> ComposeResult:
        yield MessageLog(id="log")
        yield Static(Content("status bar"), id="status")


def screen_rows(app: App[object]) -> list[str]:
    """The text of each row as painted (what the terminal is sent)."""
    return [strip.text.rstrip() for strip in app.screen._compositor.render_strips()]


def view_rows(app: App[object], log: MessageLog) -> list[str]:
    """The rows of the log's viewport, without its border column and scrollbar."""
    region = log.scrollable_content_region
    rows = screen_rows(app)[region.y : region.bottom]
    return [row[region.x : region.right].strip(" █▌▐") for row in rows]


async def start_reply(pilot: Pilot, log: MessageLog) -> AssistantMessage:
    for number in range(8):  # enough to scroll: the reply joins a conversation
        log.add_user(f"question {number}")
    reply = log.add_assistant(AssistantMessage("Model", waiting_label="waiting"))
    await pilot.pause()
    return reply


async def stream_line(pilot: Pilot, reply: AssistantMessage, number: int) -> None:
    paragraph_break = "\n\n" if number else ""
    reply.append(f"{paragraph_break}line {number} of the reply")
    await pilot.pause()
    await pilot.pause()  # the scroll the growth asks for


async def check_follows(size: tuple[int, int]) -> None:
    app = Host()
    async with app.run_test(size=size) as pilot:
        log = app.query_one(MessageLog)
        reply = await start_reply(pilot, log)
        checked = 0
        for number in range(LINES):
            await stream_line(pilot, reply, number)
            rows = view_rows(app, log)
            if number > size[1] // 2:  # the conversation is taller than the log by now
                checked += 1
                assert rows[-1] == f"line {number} of the reply", (
                    f"after line {number}: the log's bottom row is {rows[-1]!r}, not the "
                    f"newest line (rows: {rows[-4:]})"
                )
                assert screen_rows(app)[log.region.bottom] == "status bar"
        assert checked and log.following
        # The end: the room goes and the footer comes; the text moves up by the footer only.
        reply.finish(Turn(role="assistant", text=reply.text, status=MessageStatus.COMPLETE))
        await pilot.pause()
        rows = view_rows(app, log)
        footer = reply.query_one(".footer").outer_size.height
        assert footer > 0
        assert rows[-1 - footer] == f"line {LINES - 1} of the reply", rows[-4:]


async def test_the_newest_line_sits_on_the_log_s_bottom_row_at_80x24() -> None:
    await check_follows((80, 24))


async def test_the_newest_line_sits_on_the_log_s_bottom_row_at_200x60() -> None:
    await check_follows((200, 60))


async def test_scrolled_away_nothing_moves_while_a_reply_streams() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.query_one(MessageLog)
        reply = await start_reply(pilot, log)
        for number in range(LINES // 2):
            await stream_line(pilot, reply, number)
        log.scroll_page_up(animate=False)
        await pilot.pause()
        assert not log.following
        position, shown = log.scroll_y, view_rows(app, log)
        for number in range(LINES // 2, LINES):
            await stream_line(pilot, reply, number)
            assert log.scroll_y == position and view_rows(app, log) == shown, (
                f"the view moved under the reader at line {number}"
            )
        # Back at the end, it follows again, with the newest line at the bottom.
        log.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert log.following
        await stream_line(pilot, reply, LINES)
        assert view_rows(app, log)[-1] == f"line {LINES} of the reply"
