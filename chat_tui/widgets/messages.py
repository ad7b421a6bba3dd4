"""One widget per message: the user's, and the model's reply (header, reasoning, typing
indicator, the reply's body from reply_body.py, footer)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.reactive import Reactive
from textual.style import Style
from textual.widgets import Collapsible, Static

from chat_tui.conversation import MessageStatus, Turn
from chat_tui.message_preview import shown_part
from chat_tui.reply_record import reply_footer, reply_label
from chat_tui.text_safety import visible_text
from chat_tui.widgets.attachment_chips import chip_text
from chat_tui.widgets.reply_body import ReplyBody


class TypingIndicator(Static):
    """Shown from the moment a message is sent until the first token (or the whole reply)."""

    DEFAULT_CSS = """
    TypingIndicator { height: 1; color: $text-muted; }
    """
    FRAMES = ("●○○", "○●○", "○○●", "○●○")

    def __init__(self, label: str) -> None:
        super().__init__(markup=False)
        self.label = label
        self._frame = 0

    def on_mount(self) -> None:
        self._tick()
        if self.app.animation_level != "none":
            self.set_interval(0.25, self._tick)

    def _tick(self) -> None:
        self.update(f"{self.FRAMES[self._frame % len(self.FRAMES)]} {self.label}")
        self._frame += 1


class UserMessage(Static):
    """A message the user sent. One whose replies all came back without text is marked: it
    is not sent with later messages (see `Conversation.context`)."""

    DEFAULT_CSS = """
    UserMessage {
        height: auto;
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: thick $secondary;
        background: $boost;
    }
    UserMessage.-left-out { border-left: thick $warning; color: $text-muted; }
    UserMessage > .user-message--left-out { color: $text-warning; text-style: italic; }
    UserMessage > .user-message--attachment { background: $secondary 30%; }
    UserMessage > .user-message--alternative { color: $secondary; text-style: bold; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "user-message--left-out",
        "user-message--attachment",
        "user-message--alternative",
    }

    def __init__(self, text: str, turn: Turn | None = None) -> None:
        super().__init__(Content(visible_text(shown_part(text))), markup=False)
        self.turn = turn  # the conversation's turn, where the chat screen shows one
        self._left_out_note = ""
        self._alternative = ""  # "‹ 2/3 ›" when the message has alternatives (was edited)

    @property
    def left_out_note(self) -> str:
        return self._left_out_note

    def show_left_out(self, note: str) -> None:
        """Mark the message as left out of the context with `note`, or unmark it ("")."""
        if note == self._left_out_note:
            return
        self._left_out_note = note
        self.set_class(bool(note), "-left-out")
        self.clear_cached_dimensions()  # one line taller or shorter
        self.refresh(layout=True)

    def show_alternative(self, position: int, count: int) -> None:
        """Show where the message stands among its alternatives (`‹ 2/3 ›`; none alone)."""
        marker = alternative_marker(position, count)
        if marker == self._alternative:
            return
        self._alternative = marker
        self.clear_cached_dimensions()  # one line taller or shorter
        self.refresh(layout=True)

    def render(self) -> Content:
        body = self.visual
        attachments = self.turn.attachments if self.turn is not None else ()
        if not isinstance(body, Content) or not (
            self._left_out_note or attachments or self._alternative
        ):
            return body  # type: ignore[return-value]
        # Styled when painted, so they follow a change of theme.
        parts: list[Content | str | tuple[str, Style]] = []
        if self._alternative:
            marker_style = self.get_visual_style("user-message--alternative")
            parts += [(self._alternative, marker_style), "\n"]
        if body.plain:
            parts.append(body)
        if attachments:
            chip_style = self.get_visual_style("user-message--attachment")
            chips: list[Content | str | tuple[str, Style]] = []
            for attachment in attachments:
                chips += [(f" {chip_text(attachment)} ", chip_style), " "]
            parts += (["\n"] if body.plain else []) + chips[:-1]
        if self._left_out_note:
            note_style = self.get_visual_style("user-message--left-out")
            parts += ["\n", (f"⊘ {self._left_out_note}", note_style)]
        return Content.assemble(*parts)


class AssistantMessage(Vertical):
    """A reply: header, optional reasoning block, typing indicator, body segments, footer."""

    # A reply is never scrolled itself: its virtual size changing as it grows needs no second
    # layout pass (Textual's default would re-lay out the whole screen once more per flush).
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=False)

    DEFAULT_CSS = """
    AssistantMessage {
        height: auto;
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: thick $primary;
    }
    AssistantMessage > .header { color: $primary; text-style: bold; height: 1; }
    AssistantMessage > .footer { color: $text-muted; height: auto; }
    AssistantMessage.-cancelled > .footer { color: $warning; }
    AssistantMessage.-failed > .footer { color: $error; }
    AssistantMessage Collapsible.reasoning {
        border: none;
        padding: 0;
        margin: 0;
        color: $text-muted;
        background: transparent;
    }
    AssistantMessage Collapsible.reasoning Static { color: $text-muted; text-style: italic; }
    AssistantMessage Collapsible.reasoning Contents { padding: 0 0 0 2; }
    """

    def __init__(
        self,
        label: str,
        *,
        text: str = "",
        reasoning: str = "",
        footer: str = "",
        waiting_label: str | None = None,
        code_theme: str = "monokai",
    ) -> None:
        super().__init__()
        self.label = label
        self.turn: Turn | None = None  # the conversation's turn, where the chat shows one
        self._alternative = ""  # "‹ 2/3 ›" when the reply has alternatives
        self._reasoning = visible_text(reasoning)
        self._initial_footer = footer
        self._waiting_label = waiting_label
        self._body = ReplyBody(visible_text(text), code_theme, live=waiting_label is not None)
        self._reasoning_text: Static | None = None
        self._indicator: TypingIndicator | None = None
        # Changes that came before the widget was mounted, applied in order by on_mount.
        # Deferring each with call_later was not enough: a later change that found the
        # widget mounted ran before the earlier ones still queued, and a reply was shown
        # rotated (issue 14).
        self._before_mount: list[Callable[[], None]] | None = []

    def on_mount(self) -> None:
        early, self._before_mount = self._before_mount or [], None
        for change in early:
            change()

    def compose(self) -> ComposeResult:
        yield Static(Content(self.label), classes="header", markup=False)
        if self._reasoning:
            yield self._make_reasoning(self._reasoning, collapsed=True)
        if self._waiting_label is not None:
            self._indicator = TypingIndicator(self._waiting_label)
            yield self._indicator
        yield self._body
        footer = Static(Content(self._initial_footer), classes="footer", markup=False)
        # Empty while the reply streams: a blank row under the live text otherwise.
        footer.display = bool(self._initial_footer)
        yield footer

    def _make_reasoning(self, text: str, *, collapsed: bool) -> Collapsible:
        self._reasoning_text = Static(Content(text), markup=False)
        return Collapsible(
            self._reasoning_text,
            title="Reasoning",
            collapsed=collapsed,
            classes="reasoning",
        )

    @property
    def text(self) -> str:
        """The reply's text so far (control characters made visible)."""
        return self._body.source

    @property
    def reasoning(self) -> str:
        return self._reasoning

    @property
    def blank_rows_below_text(self) -> int:
        """The live room below the reply's text (its footer is hidden until it finishes)."""
        return self._body.blank_rows

    def stop_waiting(self) -> None:
        if self._indicator is not None:
            self._indicator.remove()
            self._indicator = None

    def append(self, text: str, reasoning: str = "") -> None:
        """Add newly received text (and reasoning); called once per flush."""
        if self._before_mount is not None:  # a first token or an end can come that early
            self._before_mount.append(partial(self.append, text, reasoning))
            return
        if reasoning:
            self.stop_waiting()
            self._append_reasoning(visible_text(reasoning))
        if not text:
            return
        self.stop_waiting()
        if self._reasoning and self._reasoning_collapsible.collapsed is False and not self.text:
            self._reasoning_collapsible.collapsed = True  # the answer started
        self._body.append(visible_text(text))

    @property
    def _reasoning_collapsible(self) -> Collapsible:
        return self.query_one("Collapsible.reasoning", Collapsible)

    def _append_reasoning(self, reasoning: str) -> None:
        self._reasoning += reasoning
        if self._reasoning_text is None:
            self.mount(self._make_reasoning(self._reasoning, collapsed=False), after=0)
        else:
            self._reasoning_text.update(Content(self._reasoning))

    def show_alternative(self, position: int, count: int) -> None:
        """Show where the reply stands among its alternatives (`‹ 2/3 ›`; none alone)."""
        marker = alternative_marker(position, count)
        if marker == self._alternative:
            return
        self._alternative = marker
        if self._before_mount is not None:
            self._before_mount.append(self._show_header)
        else:
            self._show_header()

    def _show_header(self) -> None:
        label = f"{self.label}  {self._alternative}" if self._alternative else self.label
        self.query_one(".header", Static).update(Content(label))

    def toggle_reasoning(self) -> bool:
        """Expand or collapse the reasoning block; False if there is none."""
        if not self._reasoning:
            return False
        collapsible = self._reasoning_collapsible
        collapsible.collapsed = not collapsible.collapsed
        return True

    def finish(self, turn: Turn) -> None:
        """The reply ended (completed, cancelled or failed): show its record."""
        if self._before_mount is not None:
            self._before_mount.append(partial(self.finish, turn))
            return
        self.stop_waiting()
        self._body.finish()
        if self._reasoning and self.text:
            self._reasoning_collapsible.collapsed = True
        self.set_class(turn.status is MessageStatus.CANCELLED, "-cancelled")
        self.set_class(turn.status in _FAILED, "-failed")
        footer = self.query_one(".footer", Static)
        footer.update(Content(reply_footer(turn)))
        footer.display = True


_FAILED = (MessageStatus.INTERRUPTED, MessageStatus.ERROR)


def alternative_marker(position: int, count: int) -> str:
    """`‹ 2/3 ›`: a message's place among its alternatives ("" for a message alone)."""
    return f"‹ {position}/{count} ›" if count > 1 else ""


def turn_widget(turn: Turn) -> UserMessage | AssistantMessage:
    """A finished turn as the chat shows it (also used by the transcript view)."""
    if turn.role == "user":
        return UserMessage(turn.text, turn)
    message = AssistantMessage(
        reply_label(turn), text=turn.text, reasoning=turn.reasoning, footer=reply_footer(turn)
    )
    message.turn = turn
    message.set_class(turn.status is MessageStatus.CANCELLED, "-cancelled")
    message.set_class(turn.status in _FAILED, "-failed")
    return message
