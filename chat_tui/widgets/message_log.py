"""The scrolling log of messages. It follows the newest text unless the user scrolled up.

Only the newest messages are displayed: at most `shown_messages` of them, and no more than
`shown_text` characters of text (but always the newest two). Textual lays out every displayed
widget of the screen whenever the reply being streamed grows, so a long history made each flush
slower (measured: about 2.8x the CPU per flush with 200 earlier messages); and a message is
rendered (its Markdown laid out at the log's width) the first time it is displayed, about 4 ms
per 1,000 characters, so twenty long replies took a second to open. Older ones are hidden
behind a line that brings them back, a page at a time (at most EARLIER_TEXT characters),
when clicked or when the user scrolls to the top.

The log also holds the message cursor: `select` highlights one message (alt+up from the prompt
focuses the log on the last one), its keys move it and ask the screen, by a `CursorAction`
message, to copy, edit, regenerate, delete the selected message or show an alternative of it.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import ClassVar, Literal

from textual.binding import Binding
from textual.content import Content
from textual.events import Key
from textual.message import Message
from textual.widget import AwaitMount, Widget
from textual.widgets import Static

from chat_tui.conversation import Turn
from chat_tui.widgets.following_scroll import FollowingScroll
from chat_tui.widgets.messages import AssistantMessage, UserMessage

SHOWN_MESSAGES = 20
# About four screens of text at 120x40: rendered in 50-100 ms here.
SHOWN_TEXT = 16_000
# The most text one page of earlier messages brings in (about two screens): it is rendered
# and laid out with the rest of the log on the page where the user reaches the top.
EARLIER_TEXT = 8_000
ALWAYS_SHOWN = 2  # the last exchange, however long


def text_size(message: Widget) -> int:
    """The characters of text a message renders (what its first render costs)."""
    if isinstance(message, AssistantMessage):
        return len(message.text)
    turn = getattr(message, "turn", None)
    return len(turn.text) if isinstance(turn, Turn) else 0


def newest_within(sizes: list[int], *, text: int, count: int, at_least: int = 1) -> int:
    """How many of the last of `sizes` fit within `text` characters and `count` messages
    (never fewer than `at_least`, when there are that many)."""
    taken = total = 0
    for size in reversed(sizes):
        if taken >= count or (taken >= at_least and total + size > text):
            break
        taken += 1
        total += size
    return taken


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


CursorActionKind = Literal["copy", "edit", "regenerate", "alternative", "delete"]


class MessageLog(FollowingScroll):
    DEFAULT_CSS = """
    MessageLog {
        height: 1fr;
        padding: 0 1;
        scrollbar-gutter: stable;
    }
    MessageLog > UserMessage.-selected, MessageLog > AssistantMessage.-selected {
        border-left: outer $accent;
        background: $accent 18%;
    }
    /* Focused (Tab, a click): a bar down its left edge and a tint, so keys have a visible
       home. An outline takes no room: nothing moves. */
    MessageLog:focus {
        outline-left: thick $accent;
        background-tint: $accent 4%;
    }
    """

    # The message cursor's keys work while the log has the focus (alt+up gives it); they are
    # listed in F1 and the palette even while the prompt has it (see binding_ids).
    LIST_KEYS_WHEN_UNFOCUSED: ClassVar[bool] = True

    BINDINGS: ClassVar[list[Binding]] = [  # type: ignore[assignment]
        Binding("alt+up", "move_selection(-1)", "Previous message", id="cursor.previous"),
        Binding("alt+down", "move_selection(1)", "Next message", id="cursor.next"),
        Binding("c", "act('copy')", "Copy message", id="cursor.copy"),
        Binding("e", "act('edit')", "Edit and resend", id="cursor.edit"),
        Binding("r", "act('regenerate')", "Regenerate reply", id="cursor.regenerate"),
        Binding(
            "left", "act('alternative', -1)", "Previous alternative", id="cursor.alternative_back"
        ),
        Binding("right", "act('alternative', 1)", "Next alternative", id="cursor.alternative_next"),
        Binding("d", "act('delete')", "Delete message", id="cursor.delete"),
        # The screen's Esc (stop the reply) stands aside while a message is selected, so the
        # footer says what Esc does here.
        Binding("escape", "leave", "Back to the prompt", id="cursor.back"),
    ]

    @dataclass
    class CursorLeft(Message):
        """The user is done with the selected message (Esc): the keys go back to the prompt."""

        log: MessageLog

        @property
        def control(self) -> MessageLog:
            return self.log

    @dataclass
    class CursorAction(Message):
        """The user asked for something to be done with the selected message."""

        log: MessageLog
        message: Widget  # a UserMessage or an AssistantMessage
        kind: CursorActionKind
        step: int = 0  # for "alternative": -1 the previous one, 1 the next

        @property
        def control(self) -> MessageLog:
            return self.log

    can_focus = True

    def __init__(
        self,
        *,
        shown_messages: int = SHOWN_MESSAGES,
        hand_on_typing: bool = False,
        reading_width: int = 0,
        **kwargs: str | None,
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.shown_messages = shown_messages
        self.shown_text = SHOWN_TEXT
        # Post `Typed` for printable keys (the chat: its prompt takes them); off where letters
        # are the screen's keys (the history's c, r, d, e).
        self.hand_on_typing = hand_on_typing
        # Messages at most this wide (0: the whole log), from the left edge where the prompt
        # and the status bar start: long lines are hard to read (`[ui] max_width`).
        self.reading_width = reading_width
        self._messages: list[Widget] = []  # added through add_user / add_assistant
        self._hidden = 0  # how many of the oldest are hidden
        # The messages before this index are hidden and not mounted yet (see add_all).
        self._mounted_from = 0
        self._earlier: EarlierMessages | None = None
        self.selected: Widget | None = None  # the message under the cursor

    @dataclass
    class Typed(Message):
        """A printable key was typed while the log had the focus: it belongs in the prompt
        (the screen moves the focus there and inserts it; nothing typed is dropped)."""

        character: str

    def on_key(self, event: Key) -> None:
        if not (self.hand_on_typing and event.is_printable and event.character):
            return
        if self.selected is not None and event.key in self._bindings.key_to_bindings:
            return  # the message cursor's own key (c, e, r, d, as remapped): its binding acts
        event.stop()
        event.prevent_default()
        self.post_message(self.Typed(event.character))

    def add_user(self, text: str, turn: Turn | None = None) -> UserMessage:
        message = UserMessage(text, turn)
        self._add(message)
        return message

    def add_assistant(self, message: AssistantMessage) -> AssistantMessage:
        self._add(message)
        return message

    def add_all(self, messages: list[Widget]) -> None:
        """Add `messages` (a conversation shown at once). Those that would be hidden at once
        are not mounted until they are shown: mounting a widget costs about 1 ms here, and a
        long conversation has hundreds."""
        if not messages:
            return
        sizes = [text_size(m) for m in self._messages[self._hidden :] + messages]
        fits = newest_within(
            sizes, text=self.shown_text, count=self.shown_messages, at_least=ALWAYS_SHOWN
        )
        # Only while none of the log's messages is mounted: the unmounted ones come first.
        nothing_mounted = self._mounted_from == len(self._messages)
        unmounted = max(0, len(messages) - fits) if nothing_mounted else 0
        self._mounted_from += unmounted
        for message in messages[:unmounted]:
            self._messages.append(message)
            self._prepare(message)
        for message in messages[unmounted:]:
            self._add(message)
        self._hide_overflow(len(self._messages) - fits)

    def _prepare(self, message: Widget) -> None:
        if self.reading_width:
            message.styles.max_width = self.reading_width

    def _add(self, message: Widget) -> None:
        self._prepare(message)
        self.mount(message)
        self._messages.append(message)
        shown = self._messages[self._hidden :]
        fits = newest_within(
            [text_size(m) for m in shown],
            text=self.shown_text,
            count=self.shown_messages,
            at_least=ALWAYS_SHOWN,
        )
        self._hide_overflow(len(self._messages) - fits)

    def _hide_overflow(self, overflow: int) -> None:
        """Hide the messages before index `overflow` (those not already hidden)."""
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
        if count is None:
            hidden = self._messages[: self._hidden]
            sizes = [text_size(m) for m in hidden]
            count = newest_within(sizes, text=EARLIER_TEXT, count=SHOWN_MESSAGES)
        first_shown = self._messages[self._hidden]
        start = max(0, self._hidden - count)
        mounted: AwaitMount | None = None
        if start < self._mounted_from:
            mounted = self.mount_all(
                self._messages[start : self._mounted_from],
                before=self._messages[self._mounted_from],
            )
            self._mounted_from = start
        for message in self._messages[start : self._hidden]:
            message.display = True
            self.shown_text += text_size(message)
        self.shown_messages += self._hidden - start
        self._hidden = start
        self._show_hidden_count()
        self.call_next(self._keep_at_top, first_shown, mounted)

    async def _keep_at_top(self, message: Widget, mounted: AwaitMount | None) -> None:
        """Scroll `message` to the top once the messages above it are laid out (a newly
        mounted one has no height before its first layout)."""
        if mounted is not None:
            await mounted
        self.call_after_refresh(self.scroll_to_widget, message, animate=False, top=True)
        # Once rendered, the messages shown are left out of the collector's full collections,
        # like the rest of a conversation the chat shows (see ChatScreen.show_conversation):
        # with a long one on screen each took 100-600 ms, a stall in the middle of scrolling.
        self.call_after_refresh(gc.freeze)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        # The user scrolled to the top (following stops only when the user scrolls away).
        if new_value <= 0 < old_value and self._hidden and not self.following:
            self.show_earlier()

    def last_assistant(self) -> AssistantMessage | None:
        # From the messages added since the last clear: a query would also find the ones
        # a clear is still removing.
        replies = [m for m in self._messages if isinstance(m, AssistantMessage)]
        return replies[-1] if replies else None

    def user_messages(self) -> list[UserMessage]:
        """The user's messages added since the last clear."""
        return [m for m in self._messages if isinstance(m, UserMessage)]

    def clear(self) -> None:
        self.selected = None
        self.remove_children()
        self._messages.clear()
        self._hidden = 0
        self._mounted_from = 0
        self._earlier = None
        self.shown_messages = SHOWN_MESSAGES
        self.shown_text = SHOWN_TEXT

    # ---- the message cursor ------------------------------------------------------------------

    @property
    def messages(self) -> list[Widget]:
        """The messages added since the last clear, oldest first (hidden ones included)."""
        return list(self._messages)

    def select(self, message: Widget | None) -> None:
        """Put the cursor on `message` (None: take it away), showing it if it was hidden, and
        scroll it into view (its top, when it is taller than the log)."""
        if self.selected is not None:
            self.selected.remove_class("-selected")
        if (self.selected is None) != (message is None):
            self.refresh_bindings()  # the cursor's keys (and Esc's meaning) come or go
        self.selected = message
        if message is None:
            return
        index = self._messages.index(message)
        if index < self._hidden:
            self.show_earlier(self._hidden - index)
        message.add_class("-selected")
        self.release_anchor()  # a reply arriving must not pull the view away from it
        self.call_after_refresh(self._scroll_to_selected)

    def _scroll_to_selected(self) -> None:
        message = self.selected
        if message is None or not message.is_attached:
            return
        top = message.outer_size.height > self.scrollable_content_region.height
        self.scroll_to_widget(message, animate=False, top=top, immediate=True)

    def select_last(self) -> bool:
        """Put the cursor on the newest message; False when there is none."""
        if not self._messages:
            return False
        self.select(self._messages[-1])
        return True

    def action_move_selection(self, step: int) -> None:
        if self.selected is None or self.selected not in self._messages:
            self.select_last()
            return
        index = self._messages.index(self.selected) + step
        if 0 <= index < len(self._messages):
            self.select(self._messages[index])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The cursor's keys only while a message is selected: otherwise they are the
        screen's (`r` retries a failed reply when the log has the focus)."""
        return action not in ("act", "leave") or self.selected is not None

    def action_leave(self) -> None:
        if self.selected is not None:
            self.post_message(self.CursorLeft(self))

    def action_act(self, kind: CursorActionKind, step: int = 0) -> None:
        if self.selected is not None:
            self.post_message(self.CursorAction(self, self.selected, kind, step))

    def replace_from(self, index: int, messages: list[Widget]) -> None:
        """Replace the messages from `index` on with `messages` (another branch below a
        branch point): the ones above are left as they are."""
        old = self._messages[index:]
        if self.selected in old:
            self.select(None)
        del self._messages[index:]
        for message in old[max(0, self._mounted_from - index) :]:
            message.remove()
        self._mounted_from = min(self._mounted_from, index)
        if self._hidden > index:  # only when the branch point itself was hidden
            self._hidden = index
        for message in messages:
            self._add(message)
        if self._earlier is not None:
            self._earlier.show_count(self._hidden)
