"""The remappable bindings of the app's classes, for checking `[keymap]` at start-up."""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding
from textual.dom import DOMNode

from chat_tui.keymap import BindingInfo


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
