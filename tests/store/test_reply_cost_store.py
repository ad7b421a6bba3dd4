"""Schema 6: a reply's cost and its prompt-cache counts are saved with its metrics, and a
version-5 database upgrades in place, its replies keeping everything with no cost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from chat_tui.metrics import ReplyMetrics
from chat_tui.store import TranscriptStore
from chat_tui.store.schema import MIGRATIONS, SCHEMA_VERSION

from .builders import add_exchange
from .test_schema import user_version

# The version this step upgrades from (renumber with the step if another lands first).
PREVIOUS_VERSION = 5

PRICED = ReplyMetrics(
    ttft_s=0.3,
    total_s=1.5,
    input_tokens=10_000,
    output_tokens=2_000,
    reasoning_tokens=500,
    cache_read_tokens=4_000,
    cache_write_tokens=1_000,
    cost_usd=0.0123456789,
)


def test_cost_and_cache_counts_round_trip(store: TranscriptStore) -> None:
    conversation_id = store.create_conversation().id
    assert conversation_id is not None
    add_exchange(store, conversation_id, "priced?", "yes", metrics=PRICED)
    add_exchange(store, conversation_id, "and this?", "no price", metrics=ReplyMetrics(ttft_s=1))
    priced, unpriced = (
        turn.metrics for turn in store.load_conversation(conversation_id).turns[1::2]
    )
    assert priced == PRICED
    assert unpriced == ReplyMetrics(ttft_s=1) and unpriced.cost_usd is None


def build_previous_version(path: Path) -> None:
    """A database as the schema before this step left it, with one measured reply."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path)
    for steps in MIGRATIONS[:PREVIOUS_VERSION]:
        for statement in steps:
            connection.execute(statement)
    connection.execute(f"PRAGMA user_version = {PREVIOUS_VERSION}")
    connection.execute(
        "INSERT INTO conversations (id, title, created_at, updated_at) VALUES (1, 'Old', 1, 2)"
    )
    connection.executemany(
        "INSERT INTO messages (id, conversation_id, parent_id, role, provider, model, "
        "created_at, status, has_metrics, ttft_s, input_tokens, output_tokens, text) "
        "VALUES (?, 1, ?, ?, ?, ?, ?, 'complete', ?, ?, ?, ?, ?)",
        [
            (1, None, "user", None, None, 1.0, 0, None, None, None, "old question"),
            (2, 1, "assistant", "openai", "gpt-4o-mini", 1.5, 1, 0.4, 31, 320, "old answer"),
        ],
    )
    connection.execute("UPDATE conversations SET current_leaf_id = 2")
    connection.commit()
    connection.close()


def test_upgrading_keeps_every_reply_with_no_cost(database_path: Path) -> None:
    build_previous_version(database_path)
    assert user_version(database_path) == PREVIOUS_VERSION
    with TranscriptStore.open(database_path) as store:
        conversation = store.load_conversation(1)
        question, answer = conversation.turns
        assert (question.text, answer.text) == ("old question", "old answer")
        assert answer.metrics == ReplyMetrics(ttft_s=0.4, input_tokens=31, output_tokens=320)
        # New replies in the upgraded database keep their cost.
        add_exchange(store, 1, "new question", "new answer", metrics=PRICED)
        assert store.load_conversation(1).turns[-1].metrics == PRICED
    assert user_version(database_path) == SCHEMA_VERSION
    connection = sqlite3.connect(database_path)
    columns = {row[1] for row in connection.execute("PRAGMA table_info(messages)")}
    connection.close()
    assert {"cost_usd", "cache_read_tokens", "cache_write_tokens"} <= columns
