"""The message log's line for hidden older messages: a click shows a page of them; what is
shown (and mounted) stays within a number of messages and of characters."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widget import Widget

from chat_tui.conversation import Turn
from chat_tui.widgets.message_log import (
    EARLIER_TEXT,
    SHOWN_TEXT,
    EarlierMessages,
    MessageLog,
    text_size,
)
from chat_tui.widgets.messages import AssistantMessage, UserMessage, turn_widget
from tests.app.conftest import wait_until


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


def long_reply(number: int) -> str:
    """A reply of about 5,000 characters (a few screens of Markdown)."""
    paragraph = f"Reply {number} explains the stream, the buffer and the flush in detail. " * 12
    return "\n\n".join([paragraph] * 6)


def shown_messages(log: MessageLog) -> list[Widget]:
    return [child for child in log.children if isinstance(child, UserMessage | AssistantMessage)]


async def test_long_replies_are_shown_within_the_text_budget_and_mounted_only_when_shown() -> None:
    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        log = app.query_one(MessageLog)
        messages: list[Widget] = []
        for number in range(12):
            messages.append(turn_widget(Turn("user", f"question {number}")))
            messages.append(turn_widget(Turn("assistant", long_reply(number), model="m")))
        log.add_all(messages)
        await pilot.pause()

        shown = log.messages[log.hidden_count :]
        assert 2 <= len(shown) < 20, "twenty long replies would take a second to render"
        assert sum(text_size(message) for message in shown) <= SHOWN_TEXT
        # The hidden ones are not mounted; what is mounted is exactly what is shown, in order.
        assert shown_messages(log) == shown
        assert "Reply 11 explains" in log.messages[-1].text

        hidden = log.hidden_count
        first_shown = shown[0]
        # Scrolled to the top by the user, the log brings in earlier messages by itself.
        log.release_anchor()  # as a user's scrolling up does
        log.scroll_home(animate=False, immediate=True)
        await wait_until(pilot, lambda: log.hidden_count < hidden)
        await pilot.pause()
        brought = log.messages[log.hidden_count : hidden]
        assert sum(text_size(message) for message in brought) <= EARLIER_TEXT
        assert shown_messages(log) == log.messages[log.hidden_count :]
        # The message that was first on show stays at the top: the earlier ones are above it.
        await wait_until(pilot, lambda: log.scroll_y > 0)
        assert first_shown.region.y - log.region.y <= 1  # its top margin

        log.show_earlier(log.hidden_count)  # everything, as ctrl+home asks
        await pilot.pause()
        assert log.hidden_count == 0
        assert shown_messages(log) == messages
