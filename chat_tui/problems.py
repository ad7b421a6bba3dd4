"""Problems found in files the user wrote (config, themes, state), and where they are.

A `Problem` says which file, which line, which key and what is wrong, so the app and
`chat-tui config check` can show `config.toml:12: profiles.ollama.base_url: expected a
string, got 42` instead of a traceback.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from chat_tui.text_safety import visible_text

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in a file the user wrote: where it is, which key, and what to do."""

    severity: Severity
    message: str
    path: Path | None = None
    line: int | None = None
    key: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def describe(self, full_path: bool = False) -> str:
        """`config.toml:12: profiles.ollama.base_url: expected a string, got 42`."""
        where = ""
        if self.path is not None:
            where = str(self.path) if full_path else self.path.name
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        key = f"{self.key}: " if self.key else ""
        return visible_text(f"{where}{key}{self.message}")

    def __str__(self) -> str:
        return self.describe()


def describe_value(value: object) -> str:
    """A value as the user wrote it, for messages: `42`, `"abc"`, `true`, `a table`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # quoted, newlines as \n
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return "a date/time"


_KEY_PART = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_KEY_LINE = rf"^\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*="
_HEADER_LINE = rf"^\s*\[\[?\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*\]"


def _key_parts(dotted: str) -> list[str]:
    parts = re.findall(_KEY_PART, dotted)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


class KeyLines:
    """The line where each key path (`profiles.ollama.base_url`) is first written.

    A line scanner, not a TOML parser: good enough to point at a valid file's keys. It scans
    when first asked: most files read at start (the shipped themes) have nothing to point at.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._scanned: dict[str, int] | None = None

    @property
    def _lines(self) -> dict[str, int]:
        if self._scanned is None:
            self._scanned = _scan_key_lines(self._text)
        return self._scanned

    def line_of(self, key: str) -> int | None:
        """The key's line, else its nearest enclosing table's (`favourites[2]` -> `favourites`)."""
        parts = key.replace("[", ".[").split(".")
        lines = self._lines
        while parts:
            found = lines.get(".".join(parts))
            if found is not None:
                return found
            parts.pop()
        return None


def _scan_key_lines(text: str) -> dict[str, int]:
    lines: dict[str, int] = {}

    def remember(parts: list[str], number: int) -> None:
        for end in range(1, len(parts) + 1):
            lines.setdefault(".".join(parts[:end]), number)

    header_line, key_line = re.compile(_HEADER_LINE), re.compile(_KEY_LINE)
    table: list[str] = []
    in_multiline: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        if header := header_line.match(line):
            table = _key_parts(header.group(1))
            remember(table, number)
        elif assignment := key_line.match(line):
            remember(table + _key_parts(assignment.group(1)), number)
        for quotes in ('"""', "'''"):
            if line.count(quotes) % 2 == 1:
                in_multiline = quotes
    return lines
