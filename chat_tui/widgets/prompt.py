"""The multi-line prompt: Enter sends, shift+enter / ctrl+j insert a newline, up / down on its
first / last line recall the messages sent before (`PromptHistory`)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea

from chat_tui.prompt_history import PromptHistory


class PromptInput(TextArea):
    DEFAULT_CSS = """
    PromptInput {
        height: auto;
        min-height: 3;
        max-height: 12;
        border: round $primary 50%;
        padding: 0 1;
    }
    PromptInput:focus {
        border: round $primary;
    }
    """

    BINDINGS = [
        Binding("enter", "submit", "Send", id="prompt.send", priority=True),
        Binding(
            "shift+enter,ctrl+j,alt+enter",
            "newline",
            "Newline",
            id="prompt.newline",
            show=False,  # the placeholder says it; the footer keeps room for the rest
            priority=True,  # queued like Enter: see action_newline
        ),
    ]

    @dataclass
    class Submitted(Message):
        prompt: PromptInput
        text: str

    def __init__(self, *, history: PromptHistory | None = None, **kwargs: object) -> None:
        self.sent = history or PromptHistory()  # not `history`: TextArea's undo
        super().__init__(
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            placeholder="Message (Enter sends; shift+enter or ctrl+j: new line)",
            **kwargs,  # type: ignore[arg-type]
        )

    class _SubmitRequested(Message):
        """Queued behind keys typed just before Enter, so the text is complete when read."""

    class _NewlineRequested(Message):
        """Queued behind keys typed just before the newline key, and ahead of those after."""

    def action_submit(self) -> None:
        # A priority binding runs as soon as the app sees Enter, possibly before this widget
        # has inserted the characters typed right before it (a fast typist, a paste, tmux).
        self.post_message(self._SubmitRequested())

    def on_prompt_input__submit_requested(self, event: _SubmitRequested) -> None:
        event.stop()
        self.post_message(self.Submitted(self, self.text))

    def action_newline(self) -> None:
        # As for Enter: a binding that is not a priority one runs only once the key has
        # bubbled up to the app, after this widget inserted the keys typed right after it
        # ("aaa", ctrl+j, "b" gave "aaab⏎"). A priority binding runs as the app receives the
        # key, before the next one; the message then queues behind the keys before it.
        self.post_message(self._NewlineRequested())

    def on_prompt_input__newline_requested(self, event: _NewlineRequested) -> None:
        event.stop()
        self.insert("\n")

    # ---- the messages sent before ------------------------------------------------------------

    def action_cursor_up(self, select: bool = False) -> None:
        """On the first line: the message sent before the one shown (the text typed so far
        is kept, and comes back past the newest)."""
        if select or not self.navigator.is_first_wrapped_line(self.cursor_location):
            super().action_cursor_up(select)
            return
        entry = self.sent.older(self.text)
        if entry is not None:
            self._show_entry(entry, at_end=False)

    def action_cursor_down(self, select: bool = False) -> None:
        """On the last line while browsing the messages sent: the next one, then the draft."""
        if (
            select
            or not self.sent.browsing
            or not self.navigator.is_last_wrapped_line(self.cursor_location)
        ):
            super().action_cursor_down(select)
            return
        entry = self.sent.newer()
        if entry is not None:
            self._show_entry(entry, at_end=True)

    def _show_entry(self, entry: str, *, at_end: bool) -> None:
        """Show `entry`, the cursor at the end of its first line going back (so up goes on
        browsing) and at its very end coming forward (so down does)."""
        self.text = entry
        if at_end:
            self.move_cursor(self.document.end)
        else:
            self.move_cursor((0, len(self.document.get_line(0))))
