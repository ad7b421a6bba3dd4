"""What the server receives after a reply failed or was cancelled: a message left without an
answer is never resent glued to the next one, a retry sends it again, a partial reply stays, and
the screen marks what later requests leave out. The whole app on real SDKs, the fake server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chat_tui.conversation import MessageStatus
from chat_tui.widgets.messages import UserMessage
from tests.app.conftest import screen_text
from tests.fakeserver import FakeProviderServer, Scenario

from .harness import build_app, reply_finished, send, stored_turns, wait_until

LEFT_OUT = "not sent with later messages"
TOO_LONG = "prompt is too long: 250000 tokens > 200000 maximum"


def sent(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(role, text) of each message a request carried, whatever its wire format."""
    if "contents" in body:  # Gemini
        return [
            ("assistant" if c["role"] == "model" else c["role"], c["parts"][0]["text"])
            for c in body["contents"]
        ]
    turns = body["input"] if "input" in body else body["messages"]  # Responses: "input"
    messages = [(m["role"], m["content"]) for m in turns if m["role"] != "system"]
    return [(role, text if isinstance(text, str) else text[0]["text"]) for role, text in messages]


def replies_sent(server: FakeProviderServer) -> list[list[tuple[str, str]]]:
    """What each reply request carried (the background title request left out)."""
    return [sent(r.body) for r in server.generation_requests if "short title" not in str(r.body)]


def user_widgets(app) -> list[UserMessage]:
    return app.chat.log_view.user_messages()


@pytest.mark.parametrize("path", ["openai", "anthropic", "gemini"])
async def test_a_too_long_paste_that_failed_is_not_sent_with_the_next_message(
    fake_server: FakeProviderServer, tmp_path: Path, path: str
) -> None:
    paste = "X " * 20_000
    fake_server.script(Scenario.http_error(400, message=TOO_LONG))
    app = build_app(fake_server, path, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, app, paste)
        failed = await reply_finished(pilot, app, 1)
        assert failed.status is MessageStatus.ERROR and not failed.text
        marked = user_widgets(app)[0]
        assert marked.has_class("-left-out")
        assert marked.left_out_note == f"{LEFT_OUT} · f5 retries"
        assert f"{LEFT_OUT} · f5 retries" in screen_text(app)

        await send(pilot, app, "ok, just say hi")
        answered = await reply_finished(pilot, app, 2)
        assert answered.status is MessageStatus.COMPLETE
        assert replies_sent(fake_server)[-1] == [("user", "ok, just say hi")]
        # Still marked, but a retry no longer sends it (it regenerates the last reply only).
        assert marked.left_out_note == LEFT_OUT
        assert not user_widgets(app)[1].has_class("-left-out")

        # The conversation goes on from the message that was answered.
        await send(pilot, app, "and again")
        await reply_finished(pilot, app, 3)
        assert replies_sent(fake_server)[-1] == [
            ("user", "ok, just say hi"),
            ("assistant", "Hello, world!"),
            ("user", "and again"),
        ]


async def test_a_message_cancelled_before_its_first_token_is_not_sent_with_the_next(
    fake_server: FakeProviderServer, tmp_path: Path
) -> None:
    fake_server.script(Scenario.text(ttft_s=10))
    app = build_app(fake_server, "openai", tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, app, "a slow question")
        await wait_until(pilot, lambda: bool(fake_server.generation_requests))
        await pilot.press("escape")
        cancelled = await reply_finished(pilot, app, 1)
        assert cancelled.status is MessageStatus.CANCELLED and not cancelled.text
        assert user_widgets(app)[0].has_class("-left-out")

        await send(pilot, app, "ok, just say hi")
        await reply_finished(pilot, app, 2)
        assert replies_sent(fake_server)[-1] == [("user", "ok, just say hi")]


async def test_a_partial_reply_stays_in_the_context_with_its_question(
    fake_server: FakeProviderServer, tmp_path: Path
) -> None:
    fake_server.script(Scenario.text(("Partial", " answer", " never"), delay_s=10))
    app = build_app(fake_server, "anthropic", tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, app, "a long question")
        await wait_until(pilot, lambda: "Partial" in screen_text(app))
        await pilot.press("escape")
        cancelled = await reply_finished(pilot, app, 1)
        assert cancelled.status is MessageStatus.CANCELLED and cancelled.text == "Partial"
        assert not user_widgets(app)[0].has_class("-left-out"), "it is shown, so it is sent"

        await send(pilot, app, "go on")
        await reply_finished(pilot, app, 2)
        assert replies_sent(fake_server)[-1] == [
            ("user", "a long question"),
            ("assistant", "Partial"),
            ("user", "go on"),
        ]


@pytest.mark.parametrize("focus", ["prompt", "log"])
async def test_retry_sends_the_failed_message_again(
    fake_server: FakeProviderServer, tmp_path: Path, focus: str
) -> None:
    app = build_app(fake_server, "gemini", tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, app, "hello")
        await reply_finished(pilot, app, 1)
        # The title request goes first, so that the scripted failure is the reply's.
        await wait_until(pilot, lambda: app.session.conversation.title is not None)
        fake_server.script(Scenario.http_error(400, message=TOO_LONG))
        await send(pilot, app, "the failing one")
        await reply_finished(pilot, app, 2)
        assert user_widgets(app)[1].has_class("-left-out")

        if focus == "log":
            app.chat.log_view.focus()
        await pilot.press("f5")
        retried = await reply_finished(pilot, app, 3)
        assert retried.status is MessageStatus.COMPLETE
        expected = [("user", "hello"), ("assistant", "Hello, world!"), ("user", "the failing one")]
        assert replies_sent(fake_server)[-1] == expected
        assert not user_widgets(app)[1].has_class("-left-out")
        assert LEFT_OUT not in screen_text(app)

        await send(pilot, app, "thanks")
        await reply_finished(pilot, app, 4)
        assert replies_sent(fake_server)[-1] == [
            *expected,
            ("assistant", "Hello, world!"),
            ("user", "thanks"),
        ]


async def test_a_failed_message_stays_left_out_after_a_restart(
    fake_server: FakeProviderServer, tmp_path: Path
) -> None:
    fake_server.script(Scenario.http_error(400, message=TOO_LONG))
    app = build_app(fake_server, "openai", tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, app, "the failing one")
        await reply_finished(pilot, app, 1)
        conversation_id = app.session.conversation.id
        assert [t.status for t in stored_turns(app)][-1] is MessageStatus.ERROR
    app.session.store.close()

    app = build_app(fake_server, "openai", tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        store = app.session.store
        assert store is not None and conversation_id is not None
        app.chat.load_conversation(store.load_conversation(conversation_id))
        await pilot.pause()
        assert user_widgets(app)[0].left_out_note == f"{LEFT_OUT} · f5 retries"
        await send(pilot, app, "ok, just say hi")
        await reply_finished(pilot, app, 2)
        assert replies_sent(fake_server)[-1] == [("user", "ok, just say hi")]
