"""Checking the `[keymap]` section against the app's bindings before `App.set_keymap()`.

Textual applies a keymap silently: an unknown binding id does nothing and a clash takes a key
away from another binding. `check_keymap` finds both so the app can tell the user.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from textual.keys import _character_to_key

from chat_tui.problems import KeyLines, Problem

BindingInfo = tuple[str, str, str]  # (binding id, default key(s), description)


def normalise_keys(keys: str) -> tuple[str, ...]:
    """Comma-separated keys as Textual stores them: "?" -> "question_mark", "ctrl+k" as is."""
    parts = (key.strip() for key in keys.split(","))
    return tuple(_character_to_key(key) if len(key) == 1 else key for key in parts if key)


def check_keymap(
    keymap: dict[str, str],
    bindings: Iterable[BindingInfo],
    config_path: Path | None = None,
) -> list[Problem]:
    """Unknown binding ids (warnings) and keys given to two bindings (errors).

    Only clashes the keymap causes are reported: two default bindings that share a key on
    purpose (on different screens, say) are left alone.
    """
    known: dict[str, BindingInfo] = {}
    for binding_id, keys, description in bindings:  # one id may come once per key
        _, known_keys, known_description = known.get(binding_id, (binding_id, "", ""))
        joined = f"{known_keys},{keys}" if known_keys else keys
        known[binding_id] = (binding_id, joined, known_description or description)
    problems = [
        Problem("warning", _unknown_id_message(known), key=f"keymap.{binding_id}")
        for binding_id in keymap
        if binding_id not in known
    ]
    owners: dict[str, list[str]] = {}
    for binding_id, (_, default_keys, _) in known.items():
        keys = keymap.get(binding_id, default_keys)
        for key in dict.fromkeys(normalise_keys(keys)):
            owners.setdefault(key, []).append(binding_id)
    for key, ids in owners.items():
        remapped = [binding_id for binding_id in ids if binding_id in keymap]
        if len(ids) > 1 and remapped:
            problems.append(_clash(key, ids, remapped[0], known))
    return _located(problems, config_path)


def _located(problems: list[Problem], config_path: Path | None) -> list[Problem]:
    """The problems pointed at the keymap lines of the config file, when there is one."""
    if config_path is None:
        return problems
    try:
        lines = KeyLines(config_path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        lines = KeyLines("")
    return [
        replace(problem, path=config_path, line=lines.line_of(problem.key or ""))
        for problem in problems
    ]


def _unknown_id_message(known: dict[str, BindingInfo]) -> str:
    sample = ", ".join(sorted(known)[:8]) + (", ..." if len(known) > 8 else "")
    return f"no binding has this id, ignored (known ids: {sample})"


def _clash(key: str, ids: list[str], remapped: str, known: dict[str, BindingInfo]) -> Problem:
    others = [i for i in ids if i != remapped]
    names = ", ".join(f"{i} ({known[i][2] or 'no description'})" for i in others)
    return Problem(
        "error",
        f"key {key!r} is also bound to {names}; only one of them will work",
        key=f"keymap.{remapped}",
    )
