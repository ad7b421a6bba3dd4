"""The scrolling log of messages. It follows the newest text unless the user scrolled up."""

from __future__ import annotations

from textual.containers import VerticalScroll

from chat_tui.widgets.messages import AssistantMessage, UserMessage


class MessageLog(VerticalScroll):
    DEFAULT_CSS = """
    MessageLog {
        height: 1fr;
        padding: 0 1;
        scrollbar-gutter: stable;
    }
    """

    can_focus = True

    def on_mount(self) -> None:
        self.anchor()

    def add_user(self, text: str) -> UserMessage:
        message = UserMessage(text)
        self.mount(message)
        return message

    def add_assistant(self, message: AssistantMessage) -> AssistantMessage:
        self.mount(message)
        return message

    def last_assistant(self) -> AssistantMessage | None:
        replies = self.query(AssistantMessage)
        return replies.last() if replies else None

    def clear(self) -> None:
        self.remove_children()
