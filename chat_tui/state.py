"""UI state remembered across restarts: the chosen theme and the last provider/model.

A tiny JSON file (`AppPaths.state_file`, mode 0600). It is not precious: a missing file means
defaults, and a corrupt one is moved aside to `state.json.bak` (so nothing is lost silently)
and reported, after which the next save writes a fresh file.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from chat_tui.paths import write_private_file
from chat_tui.problems import Problem

STATE_VERSION = 1


@dataclass(frozen=True, slots=True)
class UiState:
    theme: str | None = None
    provider: str | None = None
    model: str | None = None

    def with_changes(self, **changes: str | None) -> UiState:
        return replace(self, **changes)


def load_state(path: Path) -> tuple[UiState, list[Problem]]:
    """The remembered state; defaults (and a warning) when the file is unreadable or corrupt."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return UiState(), []
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        return UiState(), [Problem("warning", f"cannot read {path}: {reason}", path)]
    try:
        return _state_from_json(json.loads(text)), []
    except (ValueError, TypeError) as exc:
        backup = _move_aside(path)
        kept = f"; the old file was kept as {backup.name}" if backup else ""
        message = f"the saved UI state was unreadable ({exc}) and was reset{kept}"
        return UiState(), [Problem("warning", message, path)]


def _state_from_json(data: object) -> UiState:
    if not isinstance(data, dict):
        raise TypeError("expected a JSON object")
    values: dict[str, str | None] = {}
    for name in ("theme", "provider", "model"):
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} should be a string")
        values[name] = value
    return UiState(**values)


def _move_aside(path: Path) -> Path | None:
    backup = path.with_name(path.name + ".bak")
    try:
        os.replace(path, backup)
    except OSError:
        return None
    return backup


def save_state(path: Path, state: UiState) -> None:
    """Write the state atomically (temporary file + rename), readable by its owner only.

    Raises OSError if the file cannot be written; the caller decides whether to tell the user.
    """
    payload = json.dumps({"version": STATE_VERSION, **asdict(state)}, indent=2) + "\n"
    write_private_file(path, payload, durable=True)
