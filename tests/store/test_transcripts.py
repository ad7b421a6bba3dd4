"""Saving a conversation the way the app does, and reading it back."""

from __future__ import annotations

from pathlib import Path

import pytest

from chat_tui.conversation import ConversationSettings, MessageStatus
from chat_tui.metrics import ReplyMetrics
from chat_tui.store import StoreError, TranscriptStore, UnknownConversationError
from chat_tui.store.transcripts import APP_STOPPED_KIND, APP_STOPPED_MESSAGE

from .builders import add_exchange, finished_reply, streaming_reply, user_turn

METRICS = ReplyMetrics(
    ttft_s=0.25,
    itl_mean_s=0.02,
    itl_p50_s=0.015,
    itl_p95_s=0.05,
    tokens_per_s=95.5,
    total_s=3.1,
    input_tokens=40,
    output_tokens=280,
    reasoning_tokens=12,
    tokens_estimated=True,
    streaming=True,
)


def test_create_conversation_saves_its_settings(store: TranscriptStore) -> None:
    settings = ConversationSettings("Be brief.", 0.3, 500, "high", None)
    conversation = store.create_conversation(settings)
    assert conversation.id is not None
    loaded = store.load_conversation(conversation.id)
    assert loaded.settings == settings
    assert loaded.created_at == pytest.approx(conversation.created_at)


def test_a_turn_saved_progressively_then_finished(store: TranscriptStore) -> None:
    conversation_id = store.create_conversation().id
    assert conversation_id is not None
    user_id = store.add_turn(conversation_id, user_turn("What is WAL?", created_at=100.0))
    reply_id = store.add_turn(conversation_id, streaming_reply())

    store.update_reply_progress(reply_id, "Write-ahead", "thinking")
    store.update_reply_progress(reply_id, "Write-ahead logging keeps", "thinking more")
    partial = store.load_conversation(conversation_id).turns[-1]
    assert (partial.text, partial.reasoning) == ("Write-ahead logging keeps", "thinking more")
    assert partial.status == MessageStatus.STREAMING

    store.finish_reply(
        reply_id,
        finished_reply(
            "Write-ahead logging keeps readers and a writer apart.",
            reasoning="thinking more",
            metrics=METRICS,
            finish_reason="stop",
            finished_at=110.0,
        ),
    )
    user, reply = store.load_conversation(conversation_id).turns
    assert (user.id, user.role, user.text, user.created_at) == (
        user_id,
        "user",
        "What is WAL?",
        100.0,
    )
    assert reply.id == reply_id
    assert reply.status == MessageStatus.COMPLETE
    assert reply.text == "Write-ahead logging keeps readers and a writer apart."
    assert reply.reasoning == "thinking more"
    assert (reply.provider, reply.model) == ("simulated", "model-a")
    assert reply.finish_reason == "stop"
    assert reply.finished_at == 110.0
    assert reply.metrics == METRICS
    assert reply.created_at > 0  # kept from add_turn


def test_a_failed_and_a_non_streaming_reply_keep_their_record(store: TranscriptStore) -> None:
    conversation_id = store.create_conversation().id
    assert conversation_id is not None
    _, failed_id = add_exchange(
        store,
        conversation_id,
        "q1",
        "",
        status=MessageStatus.ERROR,
        error_kind="rate_limited",
        error_message="Too many requests",
    )
    _, plain_id = add_exchange(
        store,
        conversation_id,
        "q2",
        "whole answer",
        streaming=False,
        metrics=ReplyMetrics(ttft_s=2.0, total_s=2.0, output_tokens=3, streaming=False),
    )
    turns = {t.id: t for t in store.load_conversation(conversation_id).turns}
    failed, plain = turns[failed_id], turns[plain_id]
    assert (failed.status, failed.error_kind, failed.error_message) == (
        MessageStatus.ERROR,
        "rate_limited",
        "Too many requests",
    )
    assert failed.metrics is None
    assert plain.streaming is False
    assert plain.metrics is not None and plain.metrics.streaming is False


def test_finish_reply_needs_a_final_status(store: TranscriptStore) -> None:
    conversation_id = store.create_conversation().id
    assert conversation_id is not None
    reply_id = store.add_turn(conversation_id, streaming_reply())
    with pytest.raises(ValueError):
        store.finish_reply(reply_id, streaming_reply())


def test_a_reply_left_streaming_is_interrupted_on_next_open(database_path: Path) -> None:
    with TranscriptStore.open(database_path) as store:
        conversation_id = store.create_conversation().id
        assert conversation_id is not None
        store.add_turn(conversation_id, user_turn("Tell me a long story"))
        reply_id = store.add_turn(conversation_id, streaming_reply())
        store.update_reply_progress(reply_id, "Once upon a time", "plot")
        # ...and the app is killed here: no finish_reply.
    with TranscriptStore.open(database_path) as store:
        user, reply = store.load_conversation(conversation_id).turns
        assert user.text == "Tell me a long story"
        assert reply.text == "Once upon a time"
        assert reply.reasoning == "plot"
        assert reply.status == MessageStatus.INTERRUPTED
        assert (reply.error_kind, reply.error_message) == (APP_STOPPED_KIND, APP_STOPPED_MESSAGE)
        assert [hit.message_id for hit in store.search("upon")] == [reply_id]


def test_a_live_reply_taken_for_abandoned_by_another_instance_recovers(
    database_path: Path,
) -> None:
    with TranscriptStore.open(database_path) as running:
        conversation_id = running.create_conversation().id
        assert conversation_id is not None
        reply_id = running.add_turn(conversation_id, streaming_reply())
        running.update_reply_progress(reply_id, "first part")
        TranscriptStore.open(database_path).close()  # a second app starts meanwhile
        running.update_reply_progress(reply_id, "first part and more")
        reply = running.load_conversation(conversation_id).turns[-1]
        assert reply.status == MessageStatus.STREAMING
        assert reply.error_message is None
        running.finish_reply(reply_id, finished_reply("first part and more, done"))
        assert [hit.message_id for hit in running.search("done")] == [reply_id]
        assert running.search("first") and len(running.search("first")) == 1


def test_list_conversations_newest_activity_first_with_counts_and_models(
    store: TranscriptStore,
) -> None:
    older = store.create_conversation(title="older").id
    newer = store.create_conversation(title="newer").id
    empty = store.create_conversation(title="empty").id
    assert older is not None and newer is not None and empty is not None
    add_exchange(store, newer, "a", "b", model="model-a")
    add_exchange(store, newer, "c", "d", model="model-b")
    add_exchange(store, newer, "e", "f", model="model-a")
    add_exchange(store, older, "g", "h", model="model-c")  # now the most recently active

    summaries = store.list_conversations()
    assert [s.title for s in summaries] == ["older", "newer", "empty"]
    by_title = {s.title: s for s in summaries}
    assert by_title["newer"].message_count == 6
    assert by_title["newer"].models == ("model-a", "model-b")
    assert by_title["older"].models == ("model-c",)
    assert by_title["empty"].models == ()
    assert summaries[0].updated_at >= summaries[1].updated_at
    assert [s.title for s in store.list_conversations(limit=1, offset=1)] == ["newer"]
    assert store.count_conversations() == 3


def test_load_only_the_tail_then_page_back(store: TranscriptStore) -> None:
    conversation_id = store.create_conversation().id
    assert conversation_id is not None
    for number in range(10):
        add_exchange(store, conversation_id, f"question {number}", f"answer {number}")
    tail = store.load_conversation(conversation_id, tail=4).turns
    assert [t.text for t in tail] == ["question 8", "answer 8", "question 9", "answer 9"]
    earlier = store.load_turns_before(conversation_id, tail[0].id, 3)  # type: ignore[arg-type]
    assert [t.text for t in earlier] == ["answer 6", "question 7", "answer 7"]
    assert store.count_turns(conversation_id) == 20
    assert store.load_conversation(conversation_id, tail=0).turns == []


def test_rename_and_update_settings(store: TranscriptStore) -> None:
    conversation_id = store.create_conversation().id
    assert conversation_id is not None
    store.set_title(conversation_id, "Named")
    store.rename(conversation_id, "Renamed")
    store.update_settings(conversation_id, ConversationSettings(temperature=1.2))
    loaded = store.load_conversation(conversation_id)
    assert loaded.title == "Renamed"
    assert loaded.settings == ConversationSettings(temperature=1.2)


def test_delete_removes_messages_and_their_index_entries(store: TranscriptStore) -> None:
    kept = store.create_conversation(title="kept").id
    doomed = store.create_conversation(title="doomed").id
    assert kept is not None and doomed is not None
    add_exchange(store, kept, "zebra kept", "zebra reply kept")
    add_exchange(store, doomed, "zebra doomed", "zebra reply doomed")
    store.delete(doomed)
    assert [s.title for s in store.list_conversations()] == ["kept"]
    assert {hit.conversation_id for hit in store.search("zebra")} == {kept}
    connection = store._connection
    assert connection.execute("SELECT count(*) FROM messages").fetchone()[0] == 2
    # The index itself holds no trace of the deleted text.
    assert (
        connection.execute(
            "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'doomed'"
        ).fetchone()[0]
        == 0
    )
    connection.execute("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')")


def test_unknown_ids_raise_a_clear_error(store: TranscriptStore) -> None:
    for action in (
        lambda: store.load_conversation(404),
        lambda: store.delete(404),
        lambda: store.rename(404, "x"),
        lambda: store.update_settings(404, ConversationSettings()),
        lambda: store.add_turn(404, user_turn("lost")),
        lambda: store.finish_reply(404, finished_reply("lost")),
    ):
        with pytest.raises(UnknownConversationError, match="404"):
            action()
    assert store.search("lost") == []


def test_errors_during_use_are_store_errors(store: TranscriptStore) -> None:
    store.close()
    with pytest.raises(StoreError):
        store.list_conversations()
