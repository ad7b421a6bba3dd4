"""What the message cursor's keys do to the selected message (alt+up, then c, e, r, ←/→, d):
copy it, edit it and resend it as a new branch, regenerate a reply, switch between
alternatives, delete it.

The chat screen owns one `MessageActions` and hands it the cursor's key presses. It keeps the
branch bookkeeping (which part of the log a new branch replaces, the `‹ 2/3 ›` marks, the
message being edited) out of the screen, whose job is sending and rendering replies.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Protocol

from textual.app import App
from textual.notifications import SeverityLevel

from chat_tui.attachments import Attachment
from chat_tui.conversation import Turn
from chat_tui.session import ChatSession, PendingReply
from chat_tui.widgets.message_log import MessageLog
from chat_tui.widgets.messages import AssistantMessage, UserMessage, turn_widget
from chat_tui.widgets.prompt import PromptInput


class ChatView(Protocol):
    """What the actions need of the chat screen."""

    session: ChatSession
    pending: PendingReply | None

    @property
    def app(self) -> App[Any]: ...

    @property
    def log_view(self) -> MessageLog: ...

    @property
    def prompt(self) -> PromptInput: ...

    def notify(
        self,
        message: str,
        *,
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """As `Screen.notify`."""

    def start_reply(self, user_turn: Turn | None = None) -> None:
        """Send the branch that ends in `user_turn` (None: regenerate the last reply)."""

    def show_left_out(self) -> None:
        """Mark the messages the next request leaves out (failed turns)."""

    def leave_message_cursor(self) -> None:
        """Drop the selection and give the keys back to the prompt."""


class MessageActions:
    """The message cursor's actions on one chat screen's conversation."""

    def __init__(self, view: ChatView) -> None:
        self.view = view
        # The user message being edited (`e` on it): the next send is its new alternative.
        self.editing: Turn | None = None
        self._draft_before_edit = ""

    def act(self, kind: str, turn: Turn, step: int = 0) -> None:
        """One of the cursor's keys on `turn`: "copy", "edit", "regenerate", "alternative"
        (`step` -1 or 1) or "delete". Only copying is allowed while a reply arrives."""
        if kind == "copy":
            self.copy(turn)
        elif self._busy_with_reply():
            return
        elif kind == "edit":
            self.edit(turn)
        elif kind == "regenerate":
            self.regenerate(turn)
        elif kind == "alternative":
            self.switch_alternative(turn, step)
        else:
            self.confirm_delete(turn)

    # ---- showing branches ------------------------------------------------------------------

    def show_alternatives(self) -> None:
        """`‹ 2/3 ›` on each message with alternatives (one pass over the branch)."""
        conversation = self.view.session.conversation
        positions = dict(
            zip(map(id, conversation.turns), conversation.alternative_positions(), strict=True)
        )
        for message in self.view.log_view.messages:
            turn = getattr(message, "turn", None)
            if isinstance(message, UserMessage | AssistantMessage) and id(turn) in positions:
                message.show_alternative(*positions[id(turn)])

    def _show_branch_from(self, index: int) -> None:
        """Re-render the current branch from message `index` down (the messages above it are
        the same on every branch through it, and stay)."""
        turns = self.view.session.conversation.turns[index:]
        self.view.log_view.replace_from(index, [turn_widget(turn) for turn in turns])
        self.show_alternatives()
        self.view.show_left_out()

    def _log_index(self, turn: Turn) -> int | None:
        for index, message in enumerate(self.view.log_view.messages):
            if getattr(message, "turn", None) is turn:
                return index
        return None

    def _busy_with_reply(self) -> bool:
        """Changing the branch while a reply arrives would pull it off screen: not now."""
        if self.view.pending is None:
            return False
        self.view.notify(
            "A reply is still arriving: wait for it, or press Esc twice to stop it.",
            timeout=4,
            markup=False,
        )
        return True

    # ---- the actions -----------------------------------------------------------------------

    def copy(self, turn: Turn) -> None:
        from chat_tui.screens.code_blocks import describe_size

        text = turn.text
        pending = self.view.pending
        if pending is not None and turn is pending.turn:
            text = pending.run.text.text  # the reply so far
        if not text:
            self.view.notify("That message has no text to copy.", timeout=3, markup=False)
            return
        self.view.app.copy_to_clipboard(text)
        what = "your message" if turn.role == "user" else "the reply (Markdown)"
        self.view.notify(f"Copied {what} ({describe_size(text)}).", timeout=3, markup=False)

    def edit(self, turn: Turn) -> None:
        """Its text into the prompt; Enter sends it as a new alternative (see `send_edited`)."""
        if turn.role != "user":
            self.view.notify(
                "Only your own messages can be edited; r regenerates a reply.",
                timeout=4,
                markup=False,
            )
            return
        prompt = self.view.prompt
        if self.editing is None:
            self._draft_before_edit = prompt.text
        self.editing = turn
        self.view.leave_message_cursor()
        prompt.sent.stop_browsing()
        prompt.text = turn.text
        prompt.move_cursor(prompt.document.end)
        prompt.border_title = "Editing: Enter sends it as a new branch · Esc cancels"

    def stop_editing(self) -> None:
        """Esc while editing: the text typed before the edit comes back."""
        prompt = self.view.prompt
        self.editing = None
        prompt.border_title = None
        prompt.text = self._draft_before_edit
        prompt.move_cursor(prompt.document.end)
        self._draft_before_edit = ""

    def take_edited(self) -> Turn | None:
        """The message a send replaces (it is no longer being edited after this), if it is
        still on the branch shown."""
        editing, self.editing = self.editing, None
        turns = self.view.session.conversation.turns
        return editing if editing is not None and any(t is editing for t in turns) else None

    def send_edited(
        self, original: Turn, text: str, attachments: tuple[Attachment, ...] = ()
    ) -> None:
        """The edited message becomes a sibling of `original` (keeping its files, with any
        attached since): its branch replaces the one shown from there down (the old one stays
        in the tree and the store)."""
        self.view.prompt.border_title = None
        self._draft_before_edit = ""
        index = self._log_index(original)
        session = self.view.session
        turn = session.edit_and_resend(original, text, original.attachments + attachments)
        if index is not None:
            self.view.log_view.replace_from(index, [])
        self.view.start_reply(turn)

    def regenerate(self, reply: Turn) -> None:
        """A new alternative to `reply`, from the same history, on the model and in the mode
        selected now."""
        if reply.role != "assistant" or reply.parent is None:
            self.view.notify(
                "Select a reply to regenerate it; e edits your own message.",
                timeout=4,
                markup=False,
            )
            return
        index = self._log_index(reply)
        self.view.session.regenerate(reply)
        if index is not None:
            self.view.log_view.replace_from(index, [])
        self.view.leave_message_cursor()
        self.view.start_reply()

    def switch_alternative(self, turn: Turn, step: int) -> None:
        index = self._log_index(turn)
        sibling = self.view.session.switch_alternative(turn, step)
        if sibling is None or index is None:
            position, count = self.view.session.conversation.alternative_position(turn)
            note = (
                "This message has no alternatives."
                if count == 1
                else f"No {'earlier' if step < 0 else 'later'} alternative ({position}/{count})."
            )
            self.view.notify(note, timeout=2, markup=False)
            return
        self._show_branch_from(index)
        self.view.log_view.select(self.view.log_view.messages[index])

    def confirm_delete(self, turn: Turn) -> None:
        from chat_tui.screens.dialogs import ConfirmDialog

        if turn.role == "user":
            message = (
                "Your message and its replies (every alternative of them) are deleted, here "
                "and in the saved conversation. What followed them stays."
            )
        else:
            message = (
                "This reply is deleted, here and in the saved conversation. What followed it stays."
            )
        dialog = ConfirmDialog("Delete this message?", message, confirm_label="Delete", danger=True)
        self.view.app.push_screen(dialog, partial(self._delete, turn))

    def _delete(self, turn: Turn, confirmed: bool | None) -> None:
        index = self._log_index(turn)
        if not confirmed or index is None or self._busy_with_reply():
            return
        try:
            self.view.session.delete_turn(turn)
        except ValueError as error:
            self.view.notify(str(error), severity="warning", markup=False)
            return
        self._show_branch_from(index)
        log = self.view.log_view
        if log.messages:
            log.select(log.messages[min(index, len(log.messages) - 1)])
        else:
            self.view.leave_message_cursor()
        self.view.notify("Deleted.", timeout=2, markup=False)
