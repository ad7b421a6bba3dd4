"""Selecting text with the mouse and copying it with ctrl+c (issue 14), in every kind of
message, in the chat and in the history view."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static

from chat_tui.clipboard import TOOL_ENV
from chat_tui.conversation import MessageStatus, Turn
from chat_tui.store import TranscriptStore
from chat_tui.widgets.messages import AssistantMessage, UserMessage, turn_widget
from chat_tui.widgets.reply_body import ReplyBody
from tests.screens.history.conftest import make_store_app, open_highlighted, open_history

from .conftest import make_app, type_and_send, wait_until
from .scripted import ScriptedProvider

REPLY = "Hello from the scripted model. It streams markdown and code, one to ten."
CODE_REPLY = "Run this:\n\n```python\ndef f():\n    return 1\n```\n\nThen stop."


async def drag(pilot: Pilot, widget: Widget, start: tuple[int, int], end: tuple[int, int]) -> None:
    """Press the mouse button at `start`, move to `end` and let go (offsets in `widget`)."""
    await pilot.mouse_down(widget, offset=start)
    await pilot.hover(widget, offset=end)
    await pilot.mouse_up(widget, offset=end)
    await pilot.pause()


def find(widget: Widget, text: str) -> tuple[int, int]:
    """Where `text` starts among the lines `widget` paints (x, y in the widget, whose border
    and padding come first)."""
    gutter = widget.gutter
    for y in range(widget.size.height):
        line = widget.render_line(y).text
        if text in line:
            return gutter.left + line.index(text), gutter.top + y
    raise AssertionError(f"{text!r} is not on screen")


async def select_in(pilot: Pilot, widget: Widget, text: str) -> None:
    """Drag over `text`, which is on one line of `widget`."""
    x, y = find(widget, text)
    await drag(pilot, widget, (x, y), (x + len(text) - 1, y))


async def chat_with_reply(pilot: Pilot, reply: str) -> ReplyBody:
    await type_and_send(pilot, "hi")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return pilot.app.screen.query_one(AssistantMessage).query_one(ReplyBody)


async def test_dragging_across_a_reply_then_ctrl_c_keeps_the_app_running() -> None:
    app = make_app(ScriptedProvider([REPLY]))
    async with app.run_test(size=(100, 30)) as pilot:
        body = await chat_with_reply(pilot, REPLY)
        await drag(pilot, body, (0, 0), (20, 0))
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.is_running
        assert app.return_code is None
        assert app.clipboard == REPLY[:21]


async def test_the_selected_part_of_a_reply_is_copied_and_highlighted() -> None:
    app = make_app(ScriptedProvider([REPLY]))
    async with app.run_test(size=(100, 30)) as pilot:
        body = await chat_with_reply(pilot, REPLY)
        await select_in(pilot, body, "scripted model. It streams")
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: app.clipboard == "scripted model. It streams")
        line = list(body.render_line(0))
        unselected = line[0].style.bgcolor if line[0].style else None  # "Hello from the "
        selected = [s for s in line if s.style is not None and s.style.bgcolor != unselected]
        assert "".join(s.text for s in selected) == "scripted model. It streams"
        assert all(s.style.color != s.style.bgcolor for s in selected), "text stays visible"


async def test_ctrl_c_copies_the_selection_even_with_the_prompt_focused() -> None:
    app = make_app(ScriptedProvider([REPLY]))
    async with app.run_test(size=(100, 30)) as pilot:
        body = await chat_with_reply(pilot, REPLY)
        await select_in(pilot, body, "It streams")
        app.chat.prompt.focus()  # its own ctrl+c (copy) has nothing to copy: it passes it on
        await pilot.pause()
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: app.clipboard == "It streams")
        assert app.is_running


async def test_a_selection_across_lines_of_a_reply_copies_them_as_shown() -> None:
    reply = "First paragraph.\n\nSecond paragraph here."
    app = make_app(ScriptedProvider([reply]))
    async with app.run_test(size=(100, 30)) as pilot:
        body = await chat_with_reply(pilot, reply)
        start, end = find(body, "paragraph."), find(body, "Second paragraph")
        await drag(pilot, body, start, (end[0] + len("Second paragraph") - 1, end[1]))
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: app.clipboard == "paragraph.\n\nSecond paragraph")


async def test_a_selection_in_a_code_block_copies_the_code_without_its_margin() -> None:
    app = make_app(ScriptedProvider([CODE_REPLY]))
    async with app.run_test(size=(100, 30)) as pilot:
        body = await chat_with_reply(pilot, CODE_REPLY)
        _, first = find(body, "def f():")
        last_x, last = find(body, "return 1")
        # From the code block's left margin to the end of its last line.
        await drag(pilot, body, (0, first), (last_x + len("return 1") - 1, last))
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: app.clipboard == "def f():\n    return 1")


async def test_a_selection_in_a_user_message_is_copied() -> None:
    app = make_app(ScriptedProvider(["ok"]))
    async with app.run_test(size=(100, 30)) as pilot:
        await type_and_send(pilot, "please explain the difference")
        await app.workers.wait_for_complete()
        await pilot.pause()
        message = app.screen.query_one(UserMessage)
        await select_in(pilot, message, "explain the")
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: app.clipboard == "explain the")


async def test_a_selection_from_a_user_message_into_the_reply_copies_both() -> None:
    app = make_app(ScriptedProvider([REPLY]))
    async with app.run_test(size=(100, 30)) as pilot:
        body = await chat_with_reply(pilot, REPLY)
        message = app.screen.query_one(UserMessage)
        start = find(message, "hi")
        end_x, end_y = find(body, "Hello")
        # Across widgets, Textual's selection ends before the character under the pointer.
        end = (end_x + len("Hello"), end_y)
        await pilot.mouse_down(message, offset=start)
        await pilot.hover(body, offset=end)
        await pilot.mouse_up(body, offset=end)
        await pilot.pause()
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: bool(app.clipboard))
        assert app.clipboard.startswith("hi\n")
        assert app.clipboard.endswith("\nHello")


class ReplyHost(App[None]):
    """A finished reply with reasoning, as the chat and the history view show it."""

    def __init__(self, turn: Turn) -> None:
        super().__init__()
        self.turn = turn

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield turn_widget(self.turn)


async def test_a_selection_in_the_reasoning_is_copied() -> None:
    turn = Turn("assistant", "The answer.", reasoning="First I weighed the options carefully.")
    app = ReplyHost(turn)
    async with app.run_test(size=(80, 20)) as pilot:
        message = app.query_one(AssistantMessage)
        assert message.toggle_reasoning()
        await pilot.pause()
        reasoning = message.query_one("Collapsible.reasoning Contents Static", Static)
        await select_in(pilot, reasoning, "weighed the options")
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: app.clipboard == "weighed the options")


async def test_a_selection_in_the_history_view_is_copied(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    with TranscriptStore.open(db) as store:
        conversation = store.create_conversation(title="saved one")
        store.add_turn(conversation.id, Turn("user", "show me code"))
        reply_id = store.add_turn(
            conversation.id, Turn("assistant", "", model="m", status=MessageStatus.STREAMING)
        )
        store.finish_reply(reply_id, Turn("assistant", CODE_REPLY, model="m"))
    app = make_store_app(ScriptedProvider([]), db)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_history(pilot)
        view = await open_highlighted(pilot)
        await wait_until(pilot, lambda: bool(view.query(ReplyBody)))
        await pilot.pause()
        body = view.query_one(ReplyBody)
        await select_in(pilot, body, "return 1")
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: app.clipboard == "return 1")
        user = view.query_one(UserMessage)
        await select_in(pilot, user, "me code")
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: app.clipboard == "me code")


def notices(app: App[None]) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_ctrl_c_with_nothing_selected_says_how_to_copy_and_quit() -> None:
    app = make_app(ScriptedProvider([REPLY]))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.is_running
        assert app.clipboard == ""
        assert (
            "Nothing is selected to copy: drag over text with the mouse first. "
            "To quit, press ^q." in notices(app)
        )


@pytest.fixture
def fake_xclip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real program standing in for xclip: it writes what it reads to a file."""
    received = tmp_path / "received"
    tool = tmp_path / "bin" / "xclip"
    tool.parent.mkdir()
    tool.write_text(f'#!/bin/sh\ncat > "{received}"\n')
    tool.chmod(0o755)
    monkeypatch.setenv(TOOL_ENV, str(tool))
    return received


async def test_ctrl_c_copies_a_selection_through_the_local_tool_too(fake_xclip: Path) -> None:
    app = make_app(ScriptedProvider([REPLY]))
    async with app.run_test(size=(100, 30)) as pilot:
        body = await chat_with_reply(pilot, REPLY)
        await select_in(pilot, body, "scripted model")
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: any("via xclip" in n for n in notices(app)))
        assert fake_xclip.read_text() == "scripted model"
        assert app.clipboard == "scripted model"
        assert (
            "Copied the selection (1 line, 14 characters) via xclip; also sent to the "
            "terminal's clipboard (OSC 52)." in notices(app)
        )


async def test_a_double_click_selects_the_whole_reply() -> None:
    """As F1 says: a double click selects the message under it, ctrl+c copies it."""
    app = make_app(ScriptedProvider([CODE_REPLY]))
    async with app.run_test(size=(100, 30)) as pilot:
        body = await chat_with_reply(pilot, CODE_REPLY)
        await pilot.click(body, offset=(2, 0), times=2)
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: bool(app.clipboard))
        assert app.clipboard.startswith("Run this:") and app.clipboard.endswith("Then stop.")
        assert "def f():" in app.clipboard
