"""Schema 9: a reply's retries and the time they took are saved with its metrics, and a
version-8 database (frozen below, as that release made it) upgrades in place, its replies
reading as never retried."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from chat_tui.metrics import ReplyMetrics
from chat_tui.reply_record import reply_footer
from chat_tui.store import TranscriptStore
from chat_tui.store.export import conversation_to_json, conversation_to_markdown
from chat_tui.store.schema import SCHEMA_VERSION

from .builders import add_exchange
from .test_schema import user_version
from .test_tree_migration import rows

# Schema version 8 exactly as released (the last before retries were kept), frozen here, never
# built from the code's steps: what `sqlite_master` of a version-8 database holds.
SCHEMA_V8 = """
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    title TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    temperature REAL,
    max_output_tokens INTEGER,
    reasoning_effort TEXT,
    reasoning_budget INTEGER,
    system_prompt TEXT
, current_leaf_id INTEGER, preset TEXT);
CREATE INDEX conversations_by_updated ON conversations (updated_at, id);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    provider TEXT,
    model TEXT,
    created_at REAL NOT NULL,
    finished_at REAL,
    streaming INTEGER NOT NULL DEFAULT 1,
    status TEXT NOT NULL,
    error_kind TEXT,
    error_message TEXT,
    finish_reason TEXT,
    has_metrics INTEGER NOT NULL DEFAULT 0,
    ttft_s REAL,
    itl_mean_s REAL,
    itl_p50_s REAL,
    itl_p95_s REAL,
    tokens_per_s REAL,
    total_s REAL,
    input_tokens INTEGER,
    output_tokens INTEGER,
    reasoning_tokens INTEGER,
    tokens_estimated INTEGER NOT NULL DEFAULT 0,
    text TEXT NOT NULL DEFAULT '',
    reasoning TEXT NOT NULL DEFAULT ''
, parent_id INTEGER, cache_read_tokens INTEGER, cache_write_tokens INTEGER, cost_usd REAL);
CREATE INDEX messages_by_conversation ON messages (conversation_id, id);
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    text, content = 'messages', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
CREATE TRIGGER messages_fts_after_insert AFTER INSERT ON messages
WHEN new.status != 'streaming' BEGIN
    INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER messages_fts_after_update AFTER UPDATE OF text, status ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text)
        SELECT 'delete', old.id, old.text WHERE old.status != 'streaming';
    INSERT INTO messages_fts (rowid, text)
        SELECT new.id, new.text WHERE new.status != 'streaming';
END;
CREATE TRIGGER messages_fts_after_delete AFTER DELETE ON messages
WHEN old.status != 'streaming' BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE INDEX messages_streaming ON messages (id) WHERE status = 'streaming';
CREATE INDEX messages_tree ON messages (conversation_id, parent_id, id);
CREATE TRIGGER messages_tree_after_delete AFTER DELETE ON messages BEGIN
    UPDATE messages SET parent_id = old.parent_id
        WHERE conversation_id = old.conversation_id AND parent_id = old.id;
    UPDATE conversations SET current_leaf_id = old.parent_id
        WHERE id = old.conversation_id AND current_leaf_id = old.id;
END;
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX attachments_by_message ON attachments (message_id, position);
PRAGMA user_version = 8;
"""

OLD_REPLY = ReplyMetrics(
    ttft_s=0.4, itl_p50_s=0.02, total_s=1.2, input_tokens=31, output_tokens=320, cost_usd=0.001
)
# Two 429s before the answer: 3.04 s from sending the first request to sending the answered one.
RETRIED = ReplyMetrics(ttft_s=0.3, total_s=1.04, output_tokens=30, retries=2, waited_s=3.04)


def build_v8_database(path: Path) -> None:
    """A version-8 database: one conversation, a question and its measured (priced) reply."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA_V8)
    connection.execute(
        "INSERT INTO conversations (id, title, created_at, updated_at, current_leaf_id, preset) "
        "VALUES (1, 'Old', 1, 2, 2, 'terse')"
    )
    connection.executemany(
        "INSERT INTO messages (id, conversation_id, parent_id, role, provider, model, "
        "created_at, status, has_metrics, ttft_s, itl_p50_s, total_s, input_tokens, "
        "output_tokens, cost_usd, text) VALUES (?, 1, ?, ?, ?, ?, ?, 'complete', ?, ?, ?, ?, ?, "
        "?, ?, ?)",
        [
            (1, None, "user", None, None, 1.0, 0, None, None, None, None, None, None, "q"),
            (2, 1, "assistant", "openai", "gpt-4o", 1.5, 1, 0.4, 0.02, 1.2, 31, 320, 0.001, "a"),
        ],
    )
    connection.commit()
    connection.close()


def test_retries_and_the_wait_round_trip(store: TranscriptStore) -> None:
    conversation_id = store.create_conversation().id
    assert conversation_id is not None
    add_exchange(store, conversation_id, "busy?", "now yes", metrics=RETRIED)
    add_exchange(store, conversation_id, "and now?", "straight away", metrics=OLD_REPLY)
    retried, straight = (
        turn.metrics for turn in store.load_conversation(conversation_id).turns[1::2]
    )
    assert retried == RETRIED
    assert straight == OLD_REPLY and straight.retries == 0 and straight.waited_s is None


def test_a_version_8_database_upgrades_and_its_replies_read_as_never_retried(
    database_path: Path,
) -> None:
    build_v8_database(database_path)
    assert user_version(database_path) == 8
    before = rows(database_path, "messages")
    with TranscriptStore.open(database_path) as store:
        question, answer = store.load_conversation(1).turns
        assert (question.text, answer.text) == ("q", "a")
        assert answer.metrics == OLD_REPLY
        assert "waiting" not in reply_footer(answer)
        # A reply saved after the upgrade keeps its retries.
        add_exchange(store, 1, "again", "after a wait", metrics=RETRIED)
        assert store.load_conversation(1).turns[-1].metrics == RETRIED
    assert user_version(database_path) == SCHEMA_VERSION
    after = rows(database_path, "messages")
    # The old rows are as they were, with the two new columns: never retried, no wait known.
    for message_id, old in before.items():
        assert after[message_id] == old | {"retries": 0, "waited_s": None}


def test_exports_carry_the_retries(store: TranscriptStore) -> None:
    conversation_id = store.create_conversation(title="Busy").id
    assert conversation_id is not None
    add_exchange(store, conversation_id, "busy?", "now yes", metrics=RETRIED)
    conversation = store.load_conversation(conversation_id)
    reply = json.loads(conversation_to_json(conversation))["messages"][1]
    assert (reply["metrics"]["retries"], reply["metrics"]["waited_s"]) == (2, 3.04)
    assert reply["metrics"]["total_s"] == 1.04  # the answered request's, as documented
    # Markdown (and `transcripts show`) says it as the footer does: the whole wait, and its part.
    assert "total 4.08 s (3.04 s waiting, 2 retries)" in conversation_to_markdown(conversation)
