"""The "Attach file" dialog: a path, completed from the filesystem as it is typed (`~`
expanded), read and checked on Enter. A file that cannot be attached (missing, too large,
not a kind any provider takes) is explained in the dialog, which stays open."""

from __future__ import annotations

import os
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from chat_tui.attachments import Attachment, AttachmentError, load_attachment
from chat_tui.screens.dialogs import DIALOG_CSS, literal

# Listing a huge folder on every key press would stall typing: look at this many entries.
MAX_ENTRIES_LOOKED_AT = 5000


class PathSuggester(Suggester):
    """Completes the last part of a path from the folder it names; a folder gets a `/`.
    Hidden entries are offered only once a `.` is typed."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)  # the filesystem changes

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        folder_part, _, prefix = value.rpartition("/")
        folder = Path(os.path.expanduser(folder_part + "/" if folder_part else "."))
        if value.startswith("/") and not folder_part:
            folder = Path("/")
        try:
            with os.scandir(folder) as entries:
                names = []
                for count, entry in enumerate(entries):
                    if count >= MAX_ENTRIES_LOOKED_AT:
                        break
                    if _offered(entry.name, prefix):
                        names.append(entry.name + ("/" if _is_folder(entry) else ""))
        except OSError:
            return None
        return value + min(names)[len(prefix) :] if names else None


def _offered(name: str, prefix: str) -> bool:
    hidden = name.startswith(".") and not prefix.startswith(".")
    return name.startswith(prefix) and name != prefix and not hidden


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


class AttachFileDialog(ModalScreen[Attachment | None]):
    """Dismisses with the file read, or None (Esc)."""

    DEFAULT_CSS = f"AttachFileDialog {{ {DIALOG_CSS} }}"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="attach.cancel"),
        # As in a shell: tab completes (Input's own right arrow at the end does the same).
        Binding("tab", "complete", "Complete", id="attach.complete", priority=True),
    ]

    def __init__(self, *, max_bytes: int, start: str = "") -> None:
        super().__init__()
        self.max_bytes = max_bytes
        self.start = start
        self.suggester = PathSuggester()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(literal("Attach file"), classes="dialog-title")
            yield Static(
                literal(
                    "Path of an image (PNG, JPEG, WebP, GIF), a PDF or a text file. "
                    "Right arrow or tab takes the suggestion; Enter attaches; Esc cancels."
                ),
                classes="dialog-message",
            )
            yield Input(self.start, placeholder="~/path/to/file", suggester=self.suggester)
            yield Static("", classes="dialog-error", id="attach-error")

    @on(Input.Submitted)
    async def attach(self, event: Input.Submitted) -> None:
        path = event.value.strip()
        if not path:
            return
        if not Path(path).expanduser().exists():
            # Enter on a shown suggestion takes it, as the user sees the whole name.
            suggestion = await self.suggester.get_suggestion(path)
            if suggestion is not None and not suggestion.endswith("/"):
                path = suggestion
        try:
            attachment = load_attachment(path, max_bytes=self.max_bytes)
        except AttachmentError as error:
            self.query_one("#attach-error", Static).update(literal(str(error)))
            return
        self.dismiss(attachment)

    def action_complete(self) -> None:
        path_input = self.query_one(Input)
        path_input.cursor_position = len(path_input.value)
        path_input.action_cursor_right()  # at the end: takes the suggestion

    def action_cancel(self) -> None:
        self.dismiss(None)
