"""Shared fixtures: the fake provider server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakeserver import FakeProviderServer


@pytest.fixture
def fake_server() -> Iterator[FakeProviderServer]:
    """A fresh fake OpenAI/Anthropic/Gemini server on 127.0.0.1 for one test."""
    with FakeProviderServer.running() as server:
        yield server
