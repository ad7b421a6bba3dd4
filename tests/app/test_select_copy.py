"""Selecting text with the mouse and copying it with ctrl+c (issue 14)."""

from __future__ import annotations

from chat_tui.widgets.messages import AssistantMessage, ReplyBody

from .conftest import make_app, type_and_send
from .scripted import ScriptedProvider

REPLY = "Hello from the scripted model. It streams markdown and code, one to ten."


async def test_dragging_across_a_reply_then_ctrl_c_keeps_the_app_running() -> None:
    app = make_app(ScriptedProvider([REPLY]))
    async with app.run_test(size=(100, 30)) as pilot:
        await type_and_send(pilot, "hi")
        await app.workers.wait_for_complete()
        await pilot.pause()
        body = app.chat.query_one(AssistantMessage).query_one(ReplyBody)
        await pilot.mouse_down(body, offset=(0, 0))
        await pilot.hover(body, offset=(20, 0))
        await pilot.mouse_up(body, offset=(20, 0))
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.is_running
        assert app.return_code is None
