"""The one exception the store raises, so the app can show it and carry on without saving."""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """The transcript database cannot be used; the message names the file and says why."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class SchemaTooOldError(StoreError):
    """A read-only open found a database that needs upgrading first (which writes to it)."""


class UnknownConversationError(StoreError):
    """No conversation (or message) with the given id."""

    def __init__(self, path: Path, conversation_id: int, what: str = "conversation") -> None:
        super().__init__(path, f"no {what} with id {conversation_id}")
        self.conversation_id = conversation_id
