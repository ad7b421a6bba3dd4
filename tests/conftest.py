"""Shared fixtures: the fake provider server; no test writes to the desktop's clipboard."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from chat_tui.clipboard import TOOL_ENV
from tests.fakeserver import FakeProviderServer


@pytest.fixture(autouse=True)
def no_clipboard_tool(monkeypatch: pytest.MonkeyPatch) -> None:
    """Copies go to the (headless) terminal only, unless a test names a tool itself: the
    suite must not run the developer's xclip or pbcopy."""
    monkeypatch.setenv(TOOL_ENV, "none")


@pytest.fixture
def fake_server() -> Iterator[FakeProviderServer]:
    """A fresh fake OpenAI/Anthropic/Gemini server on 127.0.0.1 for one test."""
    with FakeProviderServer.running() as server:
        yield server


@pytest.fixture
def children_get_ctrl_c() -> Iterator[None]:
    """Child processes that must see SIGINT. A runner started in the background (`cmd &`)
    ignores SIGINT, and children inherit that: they would never get the Ctrl+C under test."""
    before = signal.getsignal(signal.SIGINT)
    if before == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)
