"""The help screen (F1): every key as it is bound now (after `[keymap]` remapping), grouped,
and how to connect providers. Keys come from the chat screen's live bindings, so the list
cannot drift from what the keys do.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from chat_tui.config import Settings
from chat_tui.providers import registry
from chat_tui.screens.model_picker import key_note
from chat_tui.text_safety import visible_text

# Keys inside the dialogs: fixed, shown as they are.
DIALOG_KEYS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Model picker",
        (
            ("type", "filter (fuzzy)"),
            ("↑ ↓ pgup pgdn", "move"),
            ("enter", "switch to the model"),
            ("esc", "close"),
        ),
    ),
    (
        "Conversation settings",
        (("ctrl+s / enter in a field", "save"), ("tab", "next field"), ("esc", "discard")),
    ),
    ("Code blocks", (("enter or 1-9", "copy that block"), ("esc", "close"))),
)

CONNECTING = """\
Set an API key in the environment and restart (or pick the provider with ctrl+o):
  OpenAI: OPENAI_API_KEY (OPENAI_BASE_URL for another endpoint)
  Anthropic: ANTHROPIC_API_KEY    Google Gemini: GOOGLE_API_KEY or GEMINI_API_KEY
  OpenRouter: OPENROUTER_API_KEY  Ollama, vLLM, LM Studio: no key, run the server locally
Servers of your own go in the config file as [profiles.NAME] with base_url, and api_key_env
(a variable's name) or api_key_command (a command that prints the key, e.g. a password
manager). Keys are never read from the config file. `chat-tui config path` shows the file."""


@dataclass(frozen=True, slots=True)
class KeyRow:
    keys: str  # "ctrl+o" or "r / f5", as the footer shows them
    description: str
    binding_id: str | None


GROUP_NAMES = {
    "ChatApp": "Everywhere",
    "ChatScreen": "Chat",
    "PromptInput": "While typing",
    "MessageLog": "Selected message (alt+up selects; esc back to the prompt)",
}


def live_key_rows(
    screen: Screen, keymap: Mapping[str, str] | None = None
) -> dict[str, list[KeyRow]]:
    """Group name -> rows, from `screen`'s bindings as bound now (see `listed_bindings`)."""
    from chat_tui.binding_ids import listed_bindings

    app = screen.app
    by_action: dict[tuple[int, str], tuple[str, Binding, list[str]]] = {}
    for node, binding in listed_bindings(screen, keymap or {}):
        if not binding.description or not (binding.id or binding.show):
            continue
        group = GROUP_NAMES.get(type(node).__name__, type(node).__name__)
        entry = by_action.setdefault((id(node), binding.action), (group, binding, []))
        shown = app.get_key_display(binding)
        if shown not in entry[2]:
            entry[2].append(shown)
    groups: dict[str, list[KeyRow]] = {}
    for group, binding, keys in by_action.values():
        groups.setdefault(group, []).append(
            KeyRow(" / ".join(keys), binding.description, binding.id)
        )
    palette = app.get_key_display(Binding(app.COMMAND_PALETTE_BINDING, "command_palette"))
    groups.setdefault("Everywhere", []).append(
        KeyRow(palette, "Command palette: every action, themes", None)
    )
    return groups


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,f1,q", "dismiss(None)", "Close", show=False),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 90%;
        max-width: 104;
        height: 90%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen #help-title { height: 1; text-style: bold; color: $primary; }
    HelpScreen #help-body { height: auto; }
    HelpScreen #help-hint { height: 1; color: $text-muted; }
    """

    def __init__(
        self,
        rows: dict[str, list[KeyRow]],
        settings: Settings | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.rows = rows
        self.settings = settings or Settings()
        self.environ = os.environ if environ is None else environ

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content("chat-tui: keys and providers"), id="help-title")
            with VerticalScroll():
                yield Static(self.body(), id="help-body")
            yield Static(
                Content("Esc, F1 or q closes · keys are remapped in [keymap] by id"), id="help-hint"
            )

    def body(self) -> Content:
        lines: list[Content] = []
        width = max((len(r.keys) for rows in self.rows.values() for r in rows), default=8) + 2
        for group, rows in self.rows.items():
            lines.append(Content.styled(group, "bold $accent"))
            for row in rows:
                lines.append(
                    Content.assemble(
                        ("  " + row.keys.ljust(width), "bold"),
                        row.description.ljust(28),
                        (f"  {row.binding_id}" if row.binding_id else "", "$text-muted"),
                    )
                )
            lines.append(Content(""))
        for title, keys in DIALOG_KEYS:
            lines.append(Content.styled(title, "bold $accent"))
            lines.extend(Content.assemble(("  " + k.ljust(width), "bold"), d) for k, d in keys)
            lines.append(Content(""))
        lines.append(Content.styled("Connecting providers", "bold $accent"))
        lines.extend(Content(line) for line in CONNECTING.splitlines())
        lines.append(Content(""))
        lines.append(Content.styled("Providers now", "bold $accent"))
        for target in registry.list_entries(self.settings, self.environ):
            lines.append(
                Content.assemble(
                    "  ",
                    (
                        visible_text(target.label).ljust(24),
                        "bold" if target.key_available else "dim",
                    ),
                    visible_text(key_note(target)),
                )
            )
        return Content("\n").join(lines)
