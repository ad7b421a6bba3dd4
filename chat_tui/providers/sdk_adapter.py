"""What the OpenAI, Anthropic and Gemini adapters share: who they talk to, the key and the
timeouts, one SDK client per event loop, and the context their error messages need."""

from __future__ import annotations

import asyncio
from typing import Any, Generic, TypeVar

from chat_tui.providers.base import ChatRequest
from chat_tui.providers.errors import ErrorContext

Client = TypeVar("Client")


class SdkAdapter(Generic[Client]):
    def __init__(
        self,
        *,
        name: str,
        label: str,
        base_url: str | None,
        api_key: str | None,
        key_source: str,
        connect_timeout_s: float,
        idle_timeout_s: float,
    ) -> None:
        self.name = name
        self.label = label
        self.base_url = base_url
        self._api_key = api_key
        self._key_source = key_source
        self._connect_timeout_s = connect_timeout_s
        self._idle_timeout_s = idle_timeout_s
        self._client: Client | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None

    def _make_client(self) -> Client:
        raise NotImplementedError

    def _client_for_loop(self) -> Client:
        # An async client belongs to the loop it was made on: make it lazily, per loop.
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            self._client = self._make_client()
            self._client_loop = loop
        return self._client

    def _context(self, request: ChatRequest | None = None, **extra: Any) -> ErrorContext:
        return ErrorContext(
            label=self.label,
            key_source=self._key_source,
            base_url=self.base_url,
            model=request.model if request else None,
            connect_timeout_s=self._connect_timeout_s,
            idle_timeout_s=self._idle_timeout_s,
            secret=self._api_key,
            **extra,
        )
