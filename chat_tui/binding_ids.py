"""The remappable bindings of the app's screens, for checking `[keymap]` (at start-up and in
`chat-tui config check`). The app says which screens it has (`ChatApp.keymap_screens`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

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


def keymap_problems(
    keymap: dict[str, str],
    config_path: Path | None,
    screens: Iterable[Sequence[type[DOMNode]]],
) -> list[Problem]:
    """[keymap] entries that name no binding of the app, or give a key to two bindings.

    `screens` are the app's screens, each with the classes whose bindings are live on it (the
    app's own among them): an id is known if any screen has it, and a clash is a clash only
    among the bindings of one screen."""
    if not keymap:
        return []
    groups = [binding_infos(classes) for classes in screens]
    everything = [info for group in groups for info in group]
    problems = [p for p in check_keymap(keymap, everything, config_path) if not p.is_error]
    for group in groups:
        for problem in check_keymap(keymap, group, config_path):
            if problem.is_error and problem not in problems:
                problems.append(problem)
    return problems


def listed_bindings(screen: Screen, keymap: Mapping[str, str]) -> list[tuple[DOMNode, Binding]]:
    """What F1 and the palette list for `screen`: its active bindings (keymap applied), then
    the bindings with an id of its widgets that list their keys while they do not have the
    focus (`LIST_KEYS_WHEN_UNFOCUSED`: the chat's message log, whose cursor keys work once
    alt+up gives it the focus), remapped by `keymap`."""
    listed = [(active.node, active.binding) for active in screen.active_bindings.values()]
    in_chain = {id(node) for node, _ in listed}
    for widget in screen.query("*"):
        if not getattr(type(widget), "LIST_KEYS_WHEN_UNFOCUSED", False) or id(widget) in in_chain:
            continue
        for base in type(widget).__mro__:
            for binding in vars(base).get("BINDINGS", ()):
                if not isinstance(binding, Binding) or not binding.id:
                    continue
                keys = keymap.get(binding.id, binding.key)
                listed += [
                    (widget, replace(binding, key=key.strip()))
                    for key in keys.split(",")
                    if key.strip()
                ]
    return listed
