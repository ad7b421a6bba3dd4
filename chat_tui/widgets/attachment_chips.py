"""The files attached to the message being written, as chips above the prompt until it is
sent. Each chip is removable: click it, or focus it (tab) and press delete or backspace.
The chips post `AttachmentChip.Removed` up; the chat screen owns the list."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.containers import HorizontalGroup
from textual.content import Content
from textual.events import Click
from textual.message import Message
from textual.widgets import Static

from chat_tui.attachments import Attachment
from chat_tui.text_safety import visible_text


def chip_text(attachment: Attachment) -> str:
    """`📎 notes.txt (1.2 KB)`: a chip's words, in the prompt's chips and in the log."""
    return visible_text(f"📎 {attachment.label}")


class AttachmentChip(Static, can_focus=True):
    DEFAULT_CSS = """
    AttachmentChip {
        width: auto;
        height: 1;
        margin-right: 1;
        padding: 0 1;
        background: $secondary 30%;
    }
    AttachmentChip:hover { background: $error 40%; }
    AttachmentChip:focus { background: $error 60%; text-style: bold; }
    """
    BINDINGS = [
        Binding("delete,backspace", "remove_attachment", "Remove file", id="chip.remove"),
    ]

    @dataclass
    class Removed(Message):
        """The user took this file off the message."""

        chip: AttachmentChip
        attachment: Attachment

        @property
        def control(self) -> AttachmentChip:
            return self.chip

    def __init__(self, attachment: Attachment) -> None:
        super().__init__(Content(f"{chip_text(attachment)} ✕"), markup=False)
        self.attachment = attachment
        self.tooltip = "Remove (click, or delete)"

    def action_remove_attachment(self) -> None:
        self.post_message(self.Removed(self, self.attachment))

    def on_click(self, event: Click) -> None:
        event.stop()
        self.action_remove_attachment()


class AttachmentChips(HorizontalGroup):
    """The chips of the message being written; hidden while there are none."""

    DEFAULT_CSS = """
    AttachmentChips { height: auto; padding: 0 1; display: none; }
    AttachmentChips.-has-files { display: block; }
    """

    def show(self, attachments: list[Attachment]) -> None:
        """Show exactly these files (attributes down: the screen owns the list)."""
        self.remove_children()
        self.mount_all([AttachmentChip(attachment) for attachment in attachments])
        self.set_class(bool(attachments), "-has-files")
