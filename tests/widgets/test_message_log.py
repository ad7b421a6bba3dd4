"""The message log's line for hidden older messages: a click shows a page of them."""

from __future__ import annotations

from textual.app import App, ComposeResult

from chat_tui.widgets.message_log import EarlierMessages, MessageLog


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield MessageLog(id="log")


async def test_clicking_the_earlier_line_shows_earlier_messages() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.query_one(MessageLog)
        for number in range(30):
            log.add_user(f"message {number}")
        await pilot.pause()
        hidden = log.hidden_count
        assert hidden > 0
        log.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        await pilot.click(EarlierMessages)
        await pilot.pause()
        assert log.hidden_count < hidden
