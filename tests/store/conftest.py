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
