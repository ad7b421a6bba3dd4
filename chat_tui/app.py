"""The Textual App: builds the session from settings and command-line options, holds the
screens and the app-wide keys. Little logic of its own."""

from __future__ import annotations

import argparse

from textual.app import App
from textual.binding import Binding

from chat_tui.config import Settings
from chat_tui.engine import RetryPolicy
from chat_tui.paths import AppPaths
from chat_tui.providers.base import Provider
from chat_tui.providers.simulated import DEFAULT_MODEL, SimulatedProvider
from chat_tui.screens.chat import ChatScreen
from chat_tui.session import ChatSession, Target


class ChatApp(App[None]):
    TITLE = "chat-tui"

    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(
        self,
        session: ChatSession,
        *,
        settings: Settings | None = None,
        paths: AppPaths | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.paths = paths
        self.session = session

    def on_mount(self) -> None:
        self.push_screen(ChatScreen(self.session, flush_interval_s=self.settings.flush_interval_s))

    @property
    def chat(self) -> ChatScreen:
        screen = self.screen_stack[1] if len(self.screen_stack) > 1 else self.screen
        assert isinstance(screen, ChatScreen)
        return screen


def simulated_session(
    settings: Settings,
    *,
    streaming: bool = True,
    model: str | None = None,
    provider: Provider | None = None,
) -> ChatSession:
    provider = provider or SimulatedProvider(
        ttft_s=settings.simulated_ttft_ms / 1000, tokens_per_s=settings.simulated_tokens_per_s
    )
    target = Target("simulated", "Simulated (offline)", model or DEFAULT_MODEL)
    return ChatSession(
        provider,
        target,
        streaming=streaming,
        retry_policy=RetryPolicy(max_retries=settings.max_retries),
    )


def run_app(args: argparse.Namespace) -> int:
    paths = AppPaths.default(data_dir=args.data_dir)
    settings = Settings()
    session = simulated_session(settings, streaming=not args.no_stream, model=args.model)
    ChatApp(session, settings=settings, paths=paths).run()
    return 0
