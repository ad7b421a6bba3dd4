"""Titles on the real SDKs against the fake server: a conversation whose first reply failed is
named by its first words at once and by the model after the first reply that completes; the
title request goes to the provider's small model, and its Markdown answer becomes one plain
line."""

from __future__ import annotations

from pathlib import Path

import pytest

from chat_tui.conversation import MessageStatus
from chat_tui.providers import registry
from chat_tui.providers.catalog import ProviderCatalog
from tests.fakeserver import FakeProviderServer, Scenario

from .harness import build_app, environ_for, reply_finished, send, settings_for, wait_until

MARKDOWN_TITLE = ["> # **Rice**, `cooked` _well_.\n", "Here is a second line"]


def titles(server: FakeProviderServer) -> list:
    return [r for r in server.generation_requests if "short title" in str(r.body)]


@pytest.mark.parametrize("path", ["openai", "anthropic", "gemini"])
async def test_a_conversation_whose_first_reply_failed_is_named_by_the_small_model_later(
    fake_server: FakeProviderServer, tmp_path: Path, path: str
) -> None:
    small = registry.SMALL_MODELS[path]
    fake_server.on_model(small, Scenario.text(MARKDOWN_TITLE, ttft_s=0))
    fake_server.script(Scenario.http_error(400, message="bad request"))
    app = build_app(fake_server, path, tmp_path)
    settings = settings_for(fake_server, path, idle_timeout_s=2.0, base_url=None)
    catalog = ProviderCatalog(settings, environ_for(fake_server, path))
    app.session.title_model = catalog.title_model(path)  # as open_session sets it
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, app, "How do I cook rice?")
        failed = await reply_finished(pilot, app, 1)
        assert failed.status is MessageStatus.ERROR
        # Not "Untitled conversation" in the history meanwhile: the first words.
        assert app.session.conversation.title == "How do I cook rice?"

        await send(pilot, app, "and brown rice?")
        answered = await reply_finished(pilot, app, 2)
        assert answered.status is MessageStatus.COMPLETE
        await wait_until(pilot, lambda: app.session.conversation.title == "Rice, cooked well")
        [title_request] = titles(fake_server)
        assert title_request.model == small
        others = {r.model for r in fake_server.generation_requests if r is not title_request}
        assert others == {app.session.target.model}
        store = app.session.store
        assert store is not None and app.session.conversation.id is not None
        assert store.load_conversation(app.session.conversation.id).title == "Rice, cooked well"

        # Named for good: the next completed reply asks for no other title.
        await send(pilot, app, "thanks")
        await reply_finished(pilot, app, 3)
        await app.workers.wait_for_complete()
        assert len(titles(fake_server)) == 1


def test_the_configured_title_model_wins_over_the_small_model(
    fake_server: FakeProviderServer,
) -> None:
    settings = settings_for(fake_server, "openai", idle_timeout_s=2.0, base_url=None)
    catalog = ProviderCatalog(settings, environ_for(fake_server, "openai"))
    assert catalog.title_model("openai") == registry.SMALL_MODELS["openai"]
    assert catalog.title_model("simulated") is None
    settings.title_models["openai"] = "gpt-4.1-mini"
    assert catalog.title_model("openai") == "gpt-4.1-mini"
