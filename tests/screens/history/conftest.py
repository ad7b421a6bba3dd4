"""Apps with a real SQLite transcript store in tmp_path, and helpers to drive the browser."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from chat_tui.app import ChatApp
from chat_tui.config import Settings
from chat_tui.engine import RetryPolicy
from chat_tui.providers.base import Provider
from chat_tui.providers.catalog import Target
from chat_tui.screens.history.browser import HistoryScreen
from chat_tui.screens.history.conversation_view import HistoryConversationScreen
from chat_tui.session import ChatSession
from chat_tui.store import TranscriptStore
from tests.app.conftest import screen_text, type_and_send, wait_until

__all__ = ["make_store_app", "open_history", "screen_text", "type_and_send", "wait_until"]


def make_store_app(provider: Provider, db: Path | None, *, model: str = "test-model") -> ChatApp:
    """The app as in tests/app, on a store opened fresh from `db` (None: no store)."""
    store = TranscriptStore.open(db) if db is not None else None
    session = ChatSession(
        provider,
        Target("simulated", "Simulated (offline)", model),
        retry_policy=RetryPolicy(max_retries=0),
        store=store,
    )
    app = ChatApp(session, settings=Settings(flush_interval_ms=50))
    app.animation_level = "none"
    return app


async def open_history(pilot: Pilot) -> HistoryScreen:
    await pilot.press("ctrl+r")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen))
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, HistoryScreen)
    return screen


async def open_highlighted(pilot: Pilot) -> HistoryConversationScreen:
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, HistoryConversationScreen))
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, HistoryConversationScreen)
    return screen
