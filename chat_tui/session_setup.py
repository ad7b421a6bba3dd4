"""The one way a `ChatSession` is assembled, for the app and for `chat-tui ask` alike: the
target the catalog chooses, the transcript store, the request log, and the config's
conversation defaults. Problems are returned in words for each caller to show its own way.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from chat_tui.config import Settings
from chat_tui.conversation import ConversationSettings
from chat_tui.engine import RetryPolicy
from chat_tui.event_log import EventLog
from chat_tui.paths import AppPaths, ensure_private_dir
from chat_tui.providers.base import ProviderError
from chat_tui.providers.catalog import ProviderCatalog
from chat_tui.session import ChatSession
from chat_tui.store import StoreError, TranscriptStore


@dataclass
class OpenedSession:
    session: ChatSession
    catalog: ProviderCatalog
    store_error: str | None = None  # the store could not be opened: nothing is saved
    provider_error: str | None = None  # the chosen target was unusable: the simulated one is used
    notes: list[str] = field(default_factory=list)


def open_session(
    settings: Settings,
    paths: AppPaths,
    *,
    requested_provider: str | None,
    requested_model: str | None,
    remembered: tuple[str | None, str | None] = (None, None),
    streaming: bool = True,
    save: bool = True,
    recover_interrupted: bool = False,
    fall_back_to_simulated: bool = False,
    system_prompt: str | None = None,
    on_store_error: Callable[[str], None] | None = None,
    environ: Mapping[str, str] = os.environ,
) -> OpenedSession:
    """A session on the target the catalog chooses. Raises ProviderError for an unusable
    choice unless `fall_back_to_simulated`. `recover_interrupted` marks replies a crash cut
    off (only the app does it: `ask` may run while the app streams into the same store)."""
    catalog = ProviderCatalog(settings, environ)
    provider_error = None
    try:
        start = catalog.starting_point(
            requested_provider=requested_provider,
            requested_model=requested_model,
            remembered=remembered,
        )
    except ProviderError as error:
        if not fall_back_to_simulated:
            raise
        provider_error = error.message
        start = catalog.starting_point(requested_provider="simulated", requested_model=None)
    store, store_error = _open_store(paths, recover_interrupted) if save else (None, None)
    session = ChatSession(
        start.provider,
        start.target,
        streaming=streaming,
        retry_policy=RetryPolicy(max_retries=settings.max_retries),
        store=store,
        on_store_error=on_store_error,
        event_log=EventLog(paths.event_log, environ=environ),
    )
    session.title_model = start.title_model
    # The config's defaults seed the first conversation; a new chat carries them on.
    session.conversation.settings = ConversationSettings(
        system_prompt=system_prompt if system_prompt is not None else settings.system_prompt,
        max_output_tokens=settings.max_output_tokens,
    )
    return OpenedSession(session, catalog, store_error, provider_error)


def _open_store(
    paths: AppPaths, recover_interrupted: bool
) -> tuple[TranscriptStore | None, str | None]:
    try:
        ensure_private_dir(paths.data_dir)
        store = TranscriptStore.open(paths.database)
        if recover_interrupted:
            store.mark_unfinished_replies_interrupted()
    except (StoreError, OSError) as error:
        return None, str(error)
    return store, None
