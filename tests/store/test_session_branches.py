"""The session's branch API end to end: real SDK, fake server, real SQLite. The request sent
is always the current branch's history, and every branch is saved and reloaded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chat_tui.conversation import Turn
from chat_tui.engine import RetryPolicy
from chat_tui.providers.base import Provider
from chat_tui.session import ChatSession, PendingReply, Target
from chat_tui.store import TranscriptStore
from tests.fakeserver import FakeProviderServer, Scenario
from tests.providers.conftest import MODELS, build


@pytest.fixture(params=["openai", "anthropic"])
async def provider(
    request: pytest.FixtureRequest, fake_server: FakeProviderServer
) -> AsyncIterator[Provider]:
    built = build(fake_server, request.param)
    yield built
    await built.aclose()


@pytest.fixture
def session(provider: Provider, store: TranscriptStore) -> ChatSession:
    path = "anthropic" if "nthropic" in type(provider).__name__ else "openai"
    return ChatSession(
        provider,
        Target(path, path, MODELS[path]),
        retry_policy=RetryPolicy(max_retries=0),
        store=store,
    )


def sent_messages(server: FakeProviderServer) -> list[tuple[str, str]]:
    """(role, text) of the last request's messages, whatever the wire format."""
    body = server.generation_requests[-1].body
    messages = []
    for message in body["input"] if "input" in body else body["messages"]:  # Responses: input
        content = message["content"]
        if isinstance(content, list):
            content = "".join(part.get("text", "") for part in content)
        messages.append((message["role"], content))
    return messages


async def answer(
    session: ChatSession, server: FakeProviderServer, text: str, pending: PendingReply | None = None
) -> Turn:
    """Start (unless given) and run a reply the server answers with `text`."""
    server.script(Scenario.text([text], ttft_s=0.0, delay_s=0.0))
    pending = pending or session.start_reply()
    await pending.run.run()
    return session.finish_reply(pending)


async def test_regenerate_edit_and_switch_send_the_current_branch(
    session: ChatSession, fake_server: FakeProviderServer, store: TranscriptStore
) -> None:
    first = session.add_user_turn("name a bird")
    first_answer = await answer(session, fake_server, "penguin")
    session.add_user_turn("why that one")
    await answer(session, fake_server, "it swims")

    # Regenerate the first answer: the request stops at the question it answers.
    assert session.regenerate(first_answer) is first
    regenerated = await answer(session, fake_server, "albatross")
    assert sent_messages(fake_server) == [("user", "name a bird")]
    assert session.conversation.alternatives(first_answer) == [first_answer, regenerated]

    # Going on from the regenerated answer sends that branch, not the other one.
    session.add_user_turn("and its wingspan")
    await answer(session, fake_server, "three metres")
    assert sent_messages(fake_server) == [
        ("user", "name a bird"),
        ("assistant", "albatross"),
        ("user", "and its wingspan"),
    ]

    # Back to the first answer: its own follow-up comes back with it, and is what is sent.
    assert session.switch_alternative(regenerated, -1) is first_answer
    assert [t.text for t in session.conversation.turns] == [
        "name a bird",
        "penguin",
        "why that one",
        "it swims",
    ]
    session.add_user_turn("thanks")
    await answer(session, fake_server, "welcome")
    assert sent_messages(fake_server) == [
        ("user", "name a bird"),
        ("assistant", "penguin"),
        ("user", "why that one"),
        ("assistant", "it swims"),
        ("user", "thanks"),
    ]

    # Edit and resend the very first message: a new root, sent alone.
    edited = session.edit_and_resend(first, "name a fish")
    assert edited.parent is None
    await answer(session, fake_server, "trout")
    assert sent_messages(fake_server) == [("user", "name a fish")]
    assert session.conversation.alternative_position(edited) == (2, 2)

    # Everything is saved: the tree, and the branch the user is on.
    assert session.conversation.id is not None
    loaded = store.load_conversation(session.conversation.id)
    assert [t.text for t in loaded.turns] == ["name a fish", "trout"]
    assert sorted(t.text for t in loaded.messages) == sorted(
        t.text for t in session.conversation.messages
    )
    assert len(loaded.messages) == 11
    session.switch_alternative(edited, -1)
    reloaded = store.load_conversation(session.conversation.id)
    assert [t.text for t in reloaded.turns] == [t.text for t in session.conversation.turns]
    # Below the switched-to message, the newest child at each level (not the last viewed).
    assert reloaded.turns[-1].text == "three metres"


async def test_a_retried_reply_sends_no_part_of_the_failed_one(
    session: ChatSession, fake_server: FakeProviderServer, store: TranscriptStore
) -> None:
    session.add_user_turn("tell me a story")
    fake_server.script(Scenario.drop(after=2))
    failed_run = session.start_reply()
    await failed_run.run.run()
    failed = session.finish_reply(failed_run)
    assert failed.text and session.retryable_reply() is failed
    # The chat's retry (r) starts another reply at once: the failed one's partial text is
    # not sent back as if the model had said it.
    retried = await answer(session, fake_server, "once upon a time")
    assert sent_messages(fake_server) == [("user", "tell me a story")]
    assert session.conversation.alternatives(failed) == [failed, retried]
    assert session.conversation.id is not None
    loaded = store.load_conversation(session.conversation.id)
    assert [t.text for t in loaded.turns] == ["tell me a story", "once upon a time"]
    assert loaded.alternative_position(loaded.turns[1]) == (2, 2)


async def test_branch_operations_check_what_they_are_given(session: ChatSession) -> None:
    question = session.add_user_turn("hi")
    with pytest.raises(ValueError):
        session.regenerate(question)
    with pytest.raises(ValueError):
        session.edit_and_resend(Turn(role="assistant", text="x"), "y")
    assert session.switch_alternative(question, 1) is None


async def test_continuing_from_the_store_keeps_the_branches(
    session: ChatSession, fake_server: FakeProviderServer, store: TranscriptStore, tmp_path: Path
) -> None:
    question = session.add_user_turn("q")
    answer_one = await answer(session, fake_server, "one")
    session.regenerate(answer_one)
    await answer(session, fake_server, "two")
    conversation_id = session.conversation.id
    assert conversation_id is not None and question.id is not None

    session.new_conversation()
    session.open_conversation(store.load_conversation(conversation_id))
    shown = session.conversation.turns
    assert [t.text for t in shown] == ["q", "two"]
    assert session.switch_alternative(shown[1], -1) is not None
    session.add_user_turn("more")
    await answer(session, fake_server, "more said")
    assert sent_messages(fake_server) == [("user", "q"), ("assistant", "one"), ("user", "more")]
