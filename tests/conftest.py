"""Shared fixtures: the fake provider server."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from tests.fakeserver import FakeProviderServer


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
