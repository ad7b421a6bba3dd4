"""The messages the user sent, for recalling them in the prompt with up / down.

Shared by every conversation and kept across restarts in one file of the state directory
(`AppPaths.prompt_history`, mode 0600): one JSON string per line, oldest first, the last
`HISTORY_LIMIT` kept. A line that cannot be read is skipped and reported; the readable ones
are kept, and the damaged file is kept aside (`.bak`) before the next save replaces it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from chat_tui.paths import ensure_private_dir, write_private_file
from chat_tui.problems import Problem

HISTORY_LIMIT = 1000


class PromptHistory:
    """The sent messages, oldest first, and a browsing position over them.

    `older(draft)` / `newer()` step through them; the text being typed when browsing starts
    (`draft`) comes back when the user steps past the newest entry."""

    def __init__(self, entries: list[str] | None = None, path: Path | None = None) -> None:
        self.entries = list(entries or [])[-HISTORY_LIMIT:]
        self.path = path
        self._position: int | None = None  # the entry shown, None: not browsing
        self._draft = ""
        self._needs_rewrite = False  # the file holds damaged or too many lines

    # ---- browsing --------------------------------------------------------------------------

    @property
    def browsing(self) -> bool:
        return self._position is not None

    def older(self, draft: str) -> str | None:
        """The entry before the one shown (the newest when not browsing yet; `draft` is the
        text typed so far, kept for `newer`); None when there is none."""
        if not self.entries:
            return None
        if self._position is None:
            self._draft = draft
            self._position = len(self.entries)
        if self._position == 0:
            return None
        self._position -= 1
        return self.entries[self._position]

    def newer(self) -> str | None:
        """The entry after the one shown; past the newest, the draft (and browsing ends);
        None when not browsing."""
        if self._position is None:
            return None
        self._position += 1
        if self._position >= len(self.entries):
            self._position = None
            return self._draft
        return self.entries[self._position]

    def stop_browsing(self) -> None:
        self._position = None
        self._draft = ""

    # ---- recording -------------------------------------------------------------------------

    def add(self, text: str) -> None:
        """Record a sent message (a repeat of the newest entry is not recorded twice) and save.

        Raises OSError if the file cannot be written; the entry is kept for this run."""
        self.stop_browsing()
        if not text.strip() or (self.entries and self.entries[-1] == text):
            return
        self.entries.append(text)
        overflow = len(self.entries) > HISTORY_LIMIT
        del self.entries[:-HISTORY_LIMIT]
        if self.path is None:
            return
        if overflow or self._needs_rewrite or not self.path.exists():
            self._rewrite(self.path)
        else:
            _append_line(self.path, text)

    def _rewrite(self, path: Path) -> None:
        write_private_file(path, "".join(_line(entry) for entry in self.entries))
        self._needs_rewrite = False


def load_prompt_history(path: Path) -> tuple[PromptHistory, list[Problem]]:
    """The history saved at `path` (empty when there is none) and what was wrong with it."""
    history = PromptHistory(path=path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return history, []
    except OSError as error:
        reason = error.strerror or str(error)
        return history, [Problem("warning", f"cannot read the prompt history: {reason}", path)]
    entries: list[str] = []
    damaged = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if isinstance(entry, str):
            entries.append(entry)
        else:
            damaged += 1
    history.entries = entries[-HISTORY_LIMIT:]
    history._needs_rewrite = len(entries) > HISTORY_LIMIT
    if not damaged:
        return history, []
    history._needs_rewrite = True
    backup = path.with_name(path.name + ".bak")
    try:
        os.replace(path, backup)
        kept = f"; the file as it was is kept as {backup.name}"
    except OSError:
        kept = ""
    noun = "line" if damaged == 1 else "lines"
    message = (
        f"the prompt history had {damaged} unreadable {noun}, skipped; "
        f"the other {len(entries)} entries are kept{kept}"
    )
    return history, [Problem("warning", message, path)]


def _line(entry: str) -> str:
    return json.dumps(entry, ensure_ascii=False) + "\n"


def _append_line(path: Path, entry: str) -> None:
    ensure_private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(_line(entry))
