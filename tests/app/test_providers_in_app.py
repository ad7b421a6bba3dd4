"""The whole app against each provider path: real SDKs over HTTP to the fake server.

Type, Enter, see the reply (reasoning in its own block, not resent), then Esc mid-reply:
the server must see the disconnect within 0.5 s.
"""

from __future__ import annotations

import pytest

from chat_tui.config import ProfileSettings, Settings
from chat_tui.conversation import MessageStatus
from chat_tui.providers import registry
from chat_tui.providers.catalog import Target
from chat_tui.session import ChatSession
from chat_tui.widgets.messages import AssistantMessage
from tests.fakeserver import FakeProviderServer, Scenario

from .conftest import type_and_send, wait_until

PATHS = ["openai", "compatible", "anthropic", "gemini"]


def session_for(path: str, server: FakeProviderServer) -> ChatSession:
    environ = {
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": server.openai_base_url,
        "ANTHROPIC_API_KEY": "sk-ant-test",
        "ANTHROPIC_BASE_URL": server.url,
        "GEMINI_API_KEY": "gem-test",
        "GOOGLE_GEMINI_BASE_URL": server.url,
    }
    profiles = {
        "local": ProfileSettings(
            name="local", kind="openai-compatible", base_url=server.openai_base_url
        )
    }
    settings = Settings(profiles=profiles, connect_timeout_s=2, idle_timeout_s=5)
    name = {"compatible": "local"}.get(path, path)
    provider = registry.create_provider(name, settings, environ)
    target = registry.get_entry(name, settings, environ)
    return ChatSession(provider, Target(name, target.label, f"{path}-model"))


def app_for(session: ChatSession):
    from chat_tui.app import ChatApp

    app = ChatApp(session, settings=Settings(flush_interval_ms=50))
    app.animation_level = "none"
    return app


def last_reply(app) -> AssistantMessage:
    return list(app.chat.query(AssistantMessage))[-1]


@pytest.mark.parametrize("path", PATHS)
async def test_reply_then_escape_closes_the_connection(
    path: str, fake_server: FakeProviderServer
) -> None:
    fake_server.script(
        Scenario.reasoning_then_text(["Let me", " think."], ["The ", "answer ", "is 42."])
    )
    fake_server.on_model("title-model", Scenario.text(["Meaning", " of life"], ttft_s=0))
    session = session_for(path, fake_server)
    session.title_model = "title-model"
    app = app_for(session)
    async with app.run_test() as pilot:
        await type_and_send(pilot, "question one")
        await app.workers.wait_for_complete()
        await pilot.pause()
        reply = last_reply(app)
        assert reply.text == "The answer is 42."
        assert reply.reasoning == "Let me think."
        assert app.session.conversation.turns[-1].status is MessageStatus.COMPLETE
        assert f"{path}-model" in app.chat.status_bar.text
        await wait_until(pilot, lambda: app.session.conversation.title is not None)

        fake_server.script(
            Scenario.text([f"tok{i} " for i in range(400)], tokens_per_s=40, ttft_s=0.05)
        )
        await type_and_send(pilot, "question two")
        await wait_until(pilot, lambda: "tok3" in last_reply(app).text)
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        record = [r for r in fake_server.generation_requests if r.model != "title-model"][-1]
        assert await record.await_finished(2)
        assert record.disconnected, "the server never saw the client hang up"
        assert record.t_disconnect is not None
        partial = last_reply(app).text
        assert partial.startswith("tok0 tok1 tok2 tok3") and "tok399" not in partial
        assert app.session.conversation.turns[-1].status is MessageStatus.CANCELLED

        # The background title came from a non-streaming request to the title model.
        titles = [r for r in fake_server.generation_requests if r.model == "title-model"]
        assert len(titles) == 1
        # Anthropic's complete() reads a stream (the SDK refuses big non-streaming calls).
        assert not titles[0].streamed and not titles[0].body.get("stream")
        assert app.session.conversation.title == "Meaning of life"

        # The second request carried the whole history, without the reasoning.
        sent = str(record.body)
        assert "question one" in sent and "The answer is 42." in sent
        assert "Let me think" not in sent


async def test_a_switch_mid_reply_leaves_the_reply_labelled_by_what_serves_it(
    fake_server: FakeProviderServer,
) -> None:
    """Gemini streams; the user switches to OpenAI (ctrl+o's path): the status bar keeps
    naming Gemini over Gemini's figures, during the reply and after it."""
    fake_server.script(Scenario.text(("a ",) * 30, tokens_per_s=40))
    session = session_for("gemini", fake_server)
    app = app_for(session)
    async with app.run_test(size=(120, 30)) as pilot:
        await type_and_send(pilot, "hi")
        # The first token is in (on a loaded machine the SDK's import in its thread takes
        # seconds before the request goes), then the bar says so at once.
        await wait_until(
            pilot,
            lambda: app.chat.pending is not None and app.chat.pending.run.arrivals,
            limit=2000,
        )
        await wait_until(pilot, lambda: "receiving" in app.chat.status_bar.text)
        openai = session_for("openai", fake_server)
        app.chat.switch_target(openai.provider, openai.target)
        await pilot.pause(0.15)  # a flush or two
        assert app.chat.status_bar.text.startswith("Google Gemini · gemini-model"), (
            app.chat.status_bar.text
        )
        await wait_until(pilot, lambda: app.chat.pending is None)
        await pilot.pause()
        assert app.chat.status_bar.text.startswith("Google Gemini · gemini-model")
        reply = session.conversation.turns[-1]
        assert (reply.provider, reply.model) == ("gemini", "gemini-model")
        assert session.target.provider == "openai"  # the next request goes there
