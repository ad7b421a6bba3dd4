"""The remappable bindings of the app's classes, for checking `[keymap]` (at start-up and in
`chat-tui config check`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual.binding import Binding
from textual.dom import DOMNode

from chat_tui.keymap import BindingInfo, check_keymap
from chat_tui.problems import Problem


def binding_infos(classes: Iterable[type[DOMNode]]) -> list[BindingInfo]:
    """(id, keys, description) of every binding with an id, over each class and its bases."""
    infos: list[BindingInfo] = []
    seen: set[tuple[str, str]] = set()
    for cls in classes:
        for base in cls.__mro__:
            for binding in vars(base).get("BINDINGS", ()):
                if not isinstance(binding, Binding) or not binding.id:
                    continue
                if (binding.id, binding.key) not in seen:
                    seen.add((binding.id, binding.key))
                    infos.append((binding.id, binding.key, binding.description))
    return infos


def keymap_problems(keymap: dict[str, str], config_path: Path | None) -> list[Problem]:
    """[keymap] entries that name no binding of the app, or give a key to two bindings."""
    if not keymap:
        return []
    from chat_tui.app import ChatApp
    from chat_tui.screens.chat import ChatScreen
    from chat_tui.screens.conversation_settings import ConversationSettingsScreen
    from chat_tui.widgets.prompt import PromptInput

    classes = (ChatApp, ChatScreen, PromptInput, ConversationSettingsScreen)
    return check_keymap(keymap, binding_infos(classes), config_path)
