"""Fixtures for the store tests: real SQLite files in tmp_path."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from chat_tui.store import TranscriptStore

# Schema version 1 exactly as it was released, frozen here (never import it from the code):
# a database made by that version must open with the current code.
SCHEMA_V1 = """
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
);
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
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, id);
PRAGMA user_version = 1;
"""


def build_v1_database(path: Path) -> None:
    """A version-1 database holding one conversation: a question, a finished reply and a
    reply that was still streaming when that app stopped."""
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA_V1)
    connection.execute(
        "INSERT INTO conversations (id, title, created_at, updated_at, system_prompt) "
        "VALUES (1, 'Old chat', 1000.0, 1010.0, 'You are terse.')"
    )
    connection.executemany(
        "INSERT INTO messages (conversation_id, role, model, created_at, status, text, "
        "reasoning) VALUES (1, ?, ?, ?, ?, ?, ?)",
        [
            ("user", None, 1000.0, "complete", "Tell me about penguins", ""),
            ("assistant", "old-model", 1001.0, "complete", "Penguins are flightless birds.", ""),
            ("user", None, 1005.0, "complete", "And albatrosses?", ""),
            ("assistant", "old-model", 1006.0, "streaming", "Albatrosses glide", "hmm"),
        ],
    )
    connection.commit()
    connection.close()


@pytest.fixture
def database_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "transcripts.sqlite3"


@pytest.fixture
def store(database_path: Path) -> Iterator[TranscriptStore]:
    with TranscriptStore.open(database_path) as opened:
        yield opened


@pytest.fixture
def v1_database(database_path: Path) -> Path:
    """A database file as schema version 1 left it (see build_v1_database)."""
    database_path.parent.mkdir(parents=True)
    build_v1_database(database_path)
    return database_path


# Schema version 4 as released (the last before conversation trees), frozen here: version 1
# above plus full-text search with its triggers, the unfinished-replies index and the prefix
# index, as `PRAGMA user_version = 4` databases hold them.
SCHEMA_V4 = (
    SCHEMA_V1.replace("PRAGMA user_version = 1;", "")
    + """
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
PRAGMA user_version = 4;
"""
)

# (conversation, role, status, text): the messages of a version-4 database, in the order the
# app saved them, two conversations interleaved. Texts name the messages for the tests.
V4_MESSAGES = (
    (1, "user", "complete", "linear question one"),
    (2, "user", "complete", "retried question"),
    (1, "assistant", "complete", "linear answer one"),
    (2, "assistant", "cancelled", "retried half answer"),  # Esc, then r
    (2, "assistant", "complete", "retried whole answer"),
    (1, "user", "complete", "linear question two"),
    (2, "user", "complete", "retried follow up"),
    (1, "assistant", "complete", "linear answer two"),
    (2, "assistant", "complete", "retried follow answer"),
    (2, "user", "complete", "thrice question"),
    (2, "assistant", "error", ""),  # failed, retried, failed, retried
    (2, "assistant", "error", ""),
    (2, "assistant", "complete", "thrice answer"),
    (3, "user", "complete", "failed question"),
    (3, "assistant", "error", ""),  # a 400; the user writes again
    (3, "user", "complete", "asked again"),
    (3, "assistant", "complete", "again answer"),
    (3, "user", "complete", "unanswered question"),  # no reply saved
    (3, "user", "complete", "next question"),
    (3, "assistant", "streaming", "cut short"),  # that app stopped mid-reply
)


def build_v4_database(path: Path) -> None:
    """A version-4 database: conversations 1 (linear), 2 (retried replies), 3 (a failed
    reply, a question without a reply, a reply left streaming) and 4 (no messages)."""
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA_V4)
    connection.executemany(
        "INSERT INTO conversations (id, title, created_at, updated_at, temperature) "
        "VALUES (?, ?, ?, ?, ?)",
        [
            (1, "Linear", 1000.0, 1100.0, None),
            (2, "Retried", 1001.0, 1200.0, 0.5),
            (3, "Failures", 1002.0, 1300.0, None),
            (4, "Empty", 1003.0, 1003.0, None),
        ],
    )
    connection.executemany(
        "INSERT INTO messages (conversation_id, role, model, created_at, status, text, "
        "has_metrics, ttft_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                *(conversation, role, "m" if role == "assistant" else None, 1000.0 + index),
                *(status, text, int(status == "complete" and role == "assistant"), 0.25),
            )
            for index, (conversation, role, status, text) in enumerate(V4_MESSAGES)
        ],
    )
    connection.commit()
    connection.close()


@pytest.fixture
def v4_database(database_path: Path) -> Path:
    """A database file as schema version 4 left it (see build_v4_database)."""
    database_path.parent.mkdir(parents=True)
    build_v4_database(database_path)
    return database_path
