"""The export dialog: pick Markdown or JSON, edit the path, write. Problems (a missing folder,
no permission, a file already there) are shown in the dialog so the path can be fixed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from chat_tui.conversation import Conversation
from chat_tui.screens.dialogs import DIALOG_CSS, literal
from chat_tui.store import StoreError
from chat_tui.store.export import FORMAT_EXTENSIONS, default_export_name, unused_path

FORMATS = ("md", "json")
FORMAT_LABELS = {"md": "Markdown (.md), to read", "json": "JSON (.json), complete"}

# (format, path) -> the path written; raises OSError or StoreError.
ExportWriter = Callable[[str, Path], Path]


def default_export_dir() -> Path:
    downloads = Path.home() / "Downloads"
    return downloads if downloads.is_dir() else Path.cwd()


def default_export_path(conversation: Conversation, export_format: str, folder: Path) -> Path:
    return unused_path(folder / default_export_name(conversation, export_format))


class ExportDialog(ModalScreen[Path | None]):
    """Dismisses with the written path, or None if cancelled."""

    DEFAULT_CSS = f"ExportDialog {{ {DIALOG_CSS} }} ExportDialog RadioSet {{ width: 1fr; }}"

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(
        self, conversation: Conversation, write: ExportWriter, *, folder: Path | None = None
    ) -> None:
        super().__init__()
        self.conversation = conversation
        self.write = write
        self.folder = folder or default_export_dir()
        self.export_format = "md"
        self._confirmed_overwrite: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(literal("Export conversation"), classes="dialog-title")
            with RadioSet(id="format"):
                for export_format in FORMATS:
                    yield RadioButton(
                        FORMAT_LABELS[export_format], value=export_format == self.export_format
                    )
            yield Static("Save to:", classes="dialog-message")
            path = default_export_path(self.conversation, self.export_format, self.folder)
            yield Input(str(path), id="path")
            yield Static("", id="error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Export", id="export", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    @property
    def path_input(self) -> Input:
        return self.query_one("#path", Input)

    @on(RadioSet.Changed, "#format")
    def _format_changed(self, event: RadioSet.Changed) -> None:
        new_format = FORMATS[event.index]
        old_suffix = FORMAT_EXTENSIONS[self.export_format]
        self.export_format = new_format
        path = Path(self.path_input.value)
        if path.suffix == old_suffix:  # keep the user's name, switch its extension
            self.path_input.value = str(path.with_suffix(FORMAT_EXTENSIONS[new_format]))

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#export")
    def export(self) -> None:
        raw = self.path_input.value.strip()
        if not raw:
            self._show_error("Type a file path to export to.")
            return
        path = Path(raw).expanduser()
        if path.is_dir():
            path = default_export_path(self.conversation, self.export_format, path)
            self.path_input.value = str(path)
        if not path.parent.is_dir():
            self._show_error(f"The folder {path.parent} does not exist.")
            return
        if path.exists() and self._confirmed_overwrite != path:
            self._confirmed_overwrite = path
            self._show_error(f"{path.name} already exists. Press Export again to replace it.")
            return
        try:
            written = self.write(self.export_format, path)
        except (OSError, StoreError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            self._show_error(f"Could not write {path}: {reason}")
            return
        self.dismiss(written)

    def _show_error(self, message: str) -> None:
        self.query_one("#error", Static).update(literal(message))

    @on(Input.Changed, "#path")
    def _path_edited(self) -> None:
        self._confirmed_overwrite = None
        self.query_one("#error", Static).update("")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
