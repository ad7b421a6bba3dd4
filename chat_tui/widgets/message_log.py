"""The scrolling log of messages. It follows the newest text unless the user scrolled up.

Only the newest `shown_messages` messages are displayed: Textual lays out every displayed
widget of the screen whenever the reply being streamed grows, so a long history made each flush
slower (measured: about 2.8x the CPU per flush with 200 earlier messages). Older ones are hidden
behind a line that brings them back, a page at a time, when clicked or when the user scrolls to
the top.
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import Static

from chat_tui.conversation import Turn
from chat_tui.widgets.messages import AssistantMessage, UserMessage

SHOWN_MESSAGES = 20


class EarlierMessages(Static):
    """The line standing for the hidden older messages."""

    DEFAULT_CSS = """
    EarlierMessages { height: 1; color: $text-muted; text-align: center; }
    EarlierMessages:hover { color: $accent; }
    """

    def show_count(self, hidden: int) -> None:
        self.display = hidden > 0
        noun = "message" if hidden == 1 else "messages"
        self.update(Content(f"▲ {hidden} earlier {noun}: click or scroll up to show them"))

    class Clicked(Message):
        """Show the earlier messages (the log this line belongs to handles it)."""

    def on_click(self) -> None:
        self.post_message(self.Clicked())


class MessageLog(VerticalScroll):
    DEFAULT_CSS = """
    MessageLog {
        height: 1fr;
        padding: 0 1;
        scrollbar-gutter: stable;
    }
    """

    can_focus = True

    # Growing content changes the virtual size on every flush; Textual updates the scroll
    # position and scrollbar itself, so a second layout pass of the screen adds nothing.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=False)

    def __init__(self, *, shown_messages: int = SHOWN_MESSAGES, **kwargs: str | None) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.shown_messages = shown_messages
        self._messages: list[Widget] = []  # added through add_user / add_assistant
        self._hidden = 0  # how many of the oldest are hidden
        self._earlier: EarlierMessages | None = None

    def on_mount(self) -> None:
        self.anchor()

    def add_user(self, text: str, turn: Turn | None = None) -> UserMessage:
        message = UserMessage(text, turn)
        self._add(message)
        return message

    def add_assistant(self, message: AssistantMessage) -> AssistantMessage:
        self._add(message)
        return message

    def _add(self, message: Widget) -> None:
        self.mount(message)
        self._messages.append(message)
        overflow = len(self._messages) - self.shown_messages
        if overflow > self._hidden:
            for old in self._messages[self._hidden : overflow]:
                old.display = False
            self._hidden = overflow
            self._show_hidden_count()

    def _show_hidden_count(self) -> None:
        if self._earlier is None:
            self._earlier = EarlierMessages()
            self.mount(self._earlier, before=0)
        self._earlier.show_count(self._hidden)

    @property
    def hidden_count(self) -> int:
        return self._hidden

    def on_earlier_messages_clicked(self, event: EarlierMessages.Clicked) -> None:
        event.stop()
        self.show_earlier()

    def show_earlier(self, count: int | None = None) -> None:
        """Display up to `count` (default: a page) more of the hidden older messages, keeping
        the message that was first on show where it was."""
        if not self._hidden:
            return
        step = count or self.shown_messages
        first_shown = self._messages[self._hidden]
        start = max(0, self._hidden - step)
        for message in self._messages[start : self._hidden]:
            message.display = True
        self.shown_messages += self._hidden - start
        self._hidden = start
        self._show_hidden_count()
        self.call_after_refresh(self.scroll_to_widget, first_shown, animate=False, top=True)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        # The user scrolled to the top (the anchor is released only by scrolling away).
        if new_value <= 0 < old_value and self._hidden and self._anchor_released:
            self.show_earlier()

    def follow(self) -> None:
        """Jump to the newest text and follow it again (the user just sent a message)."""
        self._anchor_released = False  # Textual's flag for "the user scrolled away"
        self.anchor()

    @property
    def following(self) -> bool:
        return self.is_anchored and not self._anchor_released

    def last_assistant(self) -> AssistantMessage | None:
        # From the messages added since the last clear: a query would also find the ones
        # a clear is still removing.
        replies = [m for m in self._messages if isinstance(m, AssistantMessage)]
        return replies[-1] if replies else None

    def user_messages(self) -> list[UserMessage]:
        """The user's messages added since the last clear."""
        return [m for m in self._messages if isinstance(m, UserMessage)]

    def clear(self) -> None:
        self.remove_children()
        self._messages.clear()
        self._hidden = 0
        self._earlier = None
        self.shown_messages = SHOWN_MESSAGES
