"""The help screen (F1): every key as it is bound now (after `[keymap]` remapping), grouped,
and how to connect providers. Keys come from the chat screen's live bindings, so the list
cannot drift from what the keys do.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace

from textual.app import App, ComposeResult
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
        (
            ("ctrl+s / enter", "save (enter: in a one-line field)"),
            ("tab", "next field"),
            ("esc", "discard"),
        ),
    ),
    ("Code blocks", (("enter or 1-9", "copy that block"), ("esc", "close"))),
    (
        "Mouse",
        (
            ("drag", "select text in a message (chat or history); ctrl+c copies it"),
            ("double click", "select the whole message"),
            ("wheel", "scroll the conversation"),
            ("click a file's chip", "remove that attached file"),
            ("shift+drag", "the terminal's own selection (in most terminals)"),
        ),
    ),
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
    description: str  # what the user reads (the palette gives the longer tooltip)
    binding_id: str | None  # what [keymap] names it by (tests and remapping)


GROUP_NAMES = {
    "ChatApp": "Everywhere",
    "ChatScreen": "Chat",
    "PromptInput": "While typing",
    "MessageLog": "Selected message (alt+up selects; esc back to the prompt)",
}


def _group_name(cls: type) -> str:
    """The group of a node's bindings, found through its bases (a subclass of the chat
    screen, as the benchmarks use, is still "Chat")."""
    for base in cls.__mro__:
        if base.__name__ in GROUP_NAMES:
            return GROUP_NAMES[base.__name__]
    return cls.__name__


def live_key_rows(
    screen: Screen, keymap: Mapping[str, str] | None = None
) -> dict[str, list[KeyRow]]:
    """Group name -> rows, from `screen`'s bindings as bound now (see `listed_bindings`),
    then the history's screens (their bindings as the keymap sets them)."""
    from chat_tui.binding_ids import listed_bindings

    app = screen.app
    by_action: dict[tuple[int, str], tuple[str, Binding, list[str]]] = {}
    for node, binding in listed_bindings(screen, keymap or {}):
        if not binding.description or not (binding.id or binding.show):
            continue
        group = _group_name(type(node))
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
    groups.update(history_key_rows(app))
    return groups


def history_key_rows(app: App[object]) -> dict[str, list[KeyRow]]:
    """The history's keys (its screens are not open while F1 is read from the chat)."""
    from chat_tui.screens.history.browser import HistoryScreen
    from chat_tui.screens.history.conversation_view import HistoryConversationScreen

    keymap: dict[str, str] = getattr(app, "_keymap", {})
    groups: dict[str, list[KeyRow]] = {}
    for group, screen_class in (
        ("History (list)", HistoryScreen),
        ("History (a conversation)", HistoryConversationScreen),
    ):
        rows = groups.setdefault(group, [])
        for binding in screen_class.BINDINGS:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
            shown = [app.get_key_display(replace(binding, key=key)) for key in keys.split(",")]
            rows.append(KeyRow(" / ".join(shown), binding.description, binding.id))
    groups["History (list)"].insert(0, KeyRow("type", "search the saved conversations", None))
    groups["History (list)"].append(KeyRow("enter", "open the conversation", None))
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
                Content(
                    "Esc, F1 or q closes · remap keys in [keymap] by binding id (docs/keys.md)"
                ),
                id="help-hint",
            )

    def body(self) -> Content:
        lines: list[Content] = []
        sections = [
            *self.rows.items(),
            *((title, [KeyRow(k, d, None) for k, d in keys]) for title, keys in DIALOG_KEYS),
        ]
        # One key column for every section, as wide as the widest key and two spaces more:
        # the dialogs' keys ("ctrl+s / enter in a field") ran into their descriptions.
        width = max((len(row.keys) for _, rows in sections for row in rows), default=8) + 2
        for group, rows in sections:
            lines.append(Content.styled(group, "bold $accent"))
            lines.extend(
                Content.assemble(("  " + row.keys.ljust(width), "bold"), row.description)
                for row in rows
            )
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
