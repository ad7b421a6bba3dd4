"""Deleting a message from a conversation: the session's record, the store and its search
index move together (real SQLite)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chat_tui.conversation import MessageStatus, Turn
from chat_tui.providers.simulated import SimulatedProvider
from chat_tui.session import ChatSession, Target
from chat_tui.store import TranscriptStore


async def exchange(session: ChatSession, question: str) -> Turn:
    session.add_user_turn(question)
    pending = session.start_reply()
    await pending.run.run()
    return session.finish_reply(pending)


def search_index_is_consistent(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:  # with rank 1, FTS5 checks its index against the content table (raises if they differ)
        connection.execute(
            "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)"
        )
    finally:
        connection.close()


async def test_deleting_a_user_message_deletes_its_replies_everywhere(tmp_path: Path) -> None:
    path = tmp_path / "transcripts.sqlite3"
    store = TranscriptStore.open(path)
    provider = SimulatedProvider(ttft_s=0, tokens_per_s=10_000, reply_text=lambda r: "fine answer")
    session = ChatSession(provider, Target("simulated", "Simulated", "simulated-fast"), store=store)
    await exchange(session, "first albatross")
    second = await exchange(session, "second penguin")
    await exchange(session, "third puffin")
    conversation_id = session.conversation.id
    assert conversation_id is not None
    question = session.conversation.turns[2]

    deleted = session.delete_turn(question)

    assert deleted == [question, second]
    texts = [t.text for t in session.conversation.turns]
    assert texts == ["first albatross", "fine answer", "third puffin", "fine answer"]
    assert [t.text for t in store.load_conversation(conversation_id).turns] == texts
    assert not store.search("penguin")
    assert store.search("puffin") and store.search("albatross")
    search_index_is_consistent(path)
    sent = [m.text for m in session.conversation.context()]
    assert sent == texts, "the rest of the conversation is the context"

    # A reply alone goes alone.
    last_reply = session.conversation.turns[-1]
    assert session.delete_turn(last_reply) == [last_reply]
    assert [t.text for t in store.load_conversation(conversation_id).turns] == texts[:3]
    search_index_is_consistent(path)
    store.close()


async def test_a_reply_in_flight_or_a_stranger_cannot_be_deleted(tmp_path: Path) -> None:
    store = TranscriptStore.open(tmp_path / "transcripts.sqlite3")
    session = ChatSession(
        SimulatedProvider(ttft_s=0), Target("simulated", "Simulated", "m"), store=store
    )
    question = session.add_user_turn("still streaming?")
    pending = session.start_reply()
    assert pending.turn.status is MessageStatus.STREAMING
    with pytest.raises(ValueError, match="in flight"):
        session.delete_turn(question)
    with pytest.raises(ValueError, match="not in this conversation"):
        session.delete_turn(Turn("user", "still streaming?"))
    assert len(session.conversation.turns) == 2
    assert session.conversation.id is not None
    assert len(store.load_conversation(session.conversation.id).turns) == 2
    store.close()
