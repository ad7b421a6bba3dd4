"""Saved conversations: SQLite schema and migrations, queries, search and export."""

from chat_tui.store.errors import SchemaTooOldError, StoreError, UnknownConversationError
from chat_tui.store.search import SearchHit, SnippetSpan
from chat_tui.store.titles import fallback_title
from chat_tui.store.transcripts import ConversationSummary, TranscriptStore

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
