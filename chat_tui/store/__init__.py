"""Saved conversations: SQLite schema and migrations, queries, search and export."""

from typing import TYPE_CHECKING, Any

from chat_tui.store.errors import SchemaTooOldError, StoreError, UnknownConversationError
from chat_tui.store.titles import fallback_title
from chat_tui.store.transcripts import ConversationSummary, TranscriptStore

if TYPE_CHECKING:
    from chat_tui.store.search import SearchHit, SnippetSpan


def __getattr__(name: str) -> Any:
    """The search's types are imported with the first search (not at start-up)."""
    if name in ("SearchHit", "SnippetSpan"):
        from chat_tui.store import search

        return getattr(search, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ConversationSummary",
    "SchemaTooOldError",
    "SearchHit",
    "SnippetSpan",
    "StoreError",
    "TranscriptStore",
    "UnknownConversationError",
    "fallback_title",
]
