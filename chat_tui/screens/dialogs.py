"""Small reusable modal dialogs: a yes/no confirmation, a one-line text prompt and a choice
from a list.

All show their text literally (never as markup) and make it terminal-safe, so a title that
came from a model or a file can be shown in them as is.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from chat_tui.text_safety import visible_text

DIALOG_CSS = """
    align: center middle;
    & > Vertical {
        width: 64;
        max-width: 90%;
        height: auto;
        padding: 1 2;
        border: thick $primary 60%;
        background: $surface;
    }
    & .dialog-title { text-style: bold; color: $primary; height: auto; margin-bottom: 1; }
    & .dialog-message { height: auto; margin-bottom: 1; }
    & .dialog-error { height: auto; color: $error; margin-top: 1; }
    & .dialog-buttons { height: auto; align-horizontal: right; margin-top: 1; }
    & .dialog-buttons Button { margin-left: 2; }
"""


def literal(text: str) -> Content:
    """Text from anywhere, shown as is: no markup, control characters made visible."""
    return Content(visible_text(text))


class ConfirmDialog(ModalScreen[bool]):
    """Ask before doing something that cannot be undone. Dismisses with True to go ahead.

    Keys: y or the confirm button goes ahead; n, Esc or Cancel does not. Cancel has the
    focus at first, so an absent-minded Enter does nothing harmful.
    """

    DEFAULT_CSS = f"ConfirmDialog {{ {DIALOG_CSS} }}"

    BINDINGS = [
        Binding("escape,n", "cancel", "Cancel", id="dialog.cancel"),
        Binding("y", "confirm", "Confirm", id="dialog.confirm"),
    ]

    def __init__(
        self, title: str, message: str, *, confirm_label: str = "OK", danger: bool = False
    ) -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.confirm_label = confirm_label
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(literal(self.title_text), classes="dialog-title")
            yield Static(literal(self.message), classes="dialog-message")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(
                    f"{self.confirm_label} (y)",
                    id="confirm",
                    variant="error" if self.danger else "primary",
                )

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed, "#confirm")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class TextPromptDialog(ModalScreen[str | None]):
    """Ask for one line of text. Enter dismisses with the text (stripped; empty is refused
    unless `allow_empty`), Esc with None."""

    DEFAULT_CSS = f"TextPromptDialog {{ {DIALOG_CSS} }}"

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(
        self,
        title: str,
        message: str = "",
        *,
        value: str = "",
        placeholder: str = "",
        submit_label: str = "OK",
        allow_empty: bool = False,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.value = value
        self.placeholder = placeholder
        self.submit_label = submit_label
        self.allow_empty = allow_empty

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(literal(self.title_text), classes="dialog-title")
            if self.message:
                yield Static(literal(self.message), classes="dialog-message")
            yield Input(visible_text(self.value), placeholder=self.placeholder, id="text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self.submit_label, id="submit", variant="primary")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#submit")
    def submit(self) -> None:
        text = self.query_one(Input).value.strip()
        if not text and not self.allow_empty:
            self.notify("Please type something, or press Esc to cancel.", markup=False)
            return
        self.dismiss(text)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceDialog(ModalScreen[str | None]):
    """Pick one of a few named things. Enter (or a click) dismisses with the chosen name,
    Esc with None. Labels are shown literally."""

    DEFAULT_CSS = f"""ChoiceDialog {{ {DIALOG_CSS}
        & OptionList {{ height: auto; max-height: 16; }}
    }}"""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]], message: str = "") -> None:
        """`choices`: (name, label) pairs, in the order shown."""
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(literal(self.title_text), classes="dialog-title")
            if self.message:
                yield Static(literal(self.message), classes="dialog-message")
            yield OptionList(*(Option(literal(label), id=name) for name, label in self.choices))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
