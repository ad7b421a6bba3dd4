"""Creating and upgrading the database: versions, modes, WAL."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from chat_tui.conversation import MessageStatus
from chat_tui.store import TranscriptStore
from chat_tui.store.schema import MIGRATIONS, SCHEMA_VERSION
from chat_tui.store.transcripts import APP_STOPPED_MESSAGE

from .builders import add_exchange


def user_version(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA user_version").fetchone()[0]
    finally:
        connection.close()


def test_schema_version_counts_the_migrations() -> None:
    assert SCHEMA_VERSION == len(MIGRATIONS) >= 2


def test_a_new_database_gets_the_current_schema_and_wal(database_path: Path) -> None:
    with TranscriptStore.open(database_path) as store:
        assert store.list_conversations() == []
    assert user_version(database_path) == SCHEMA_VERSION
    connection = sqlite3.connect(database_path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    connection.close()
    assert {"conversations", "messages", "messages_fts"} <= tables


def test_directory_0700_and_files_0600(database_path: Path) -> None:
    with TranscriptStore.open(database_path) as store:
        conversation = store.create_conversation()
        add_exchange(store, conversation.id, "hi", "hello")  # type: ignore[arg-type]
        files = [database_path.with_name(database_path.name + s) for s in ("", "-wal", "-shm")]
        assert all(f.exists() for f in files)
        for file in files:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    assert stat.S_IMODE(database_path.parent.stat().st_mode) == 0o700


def test_loose_modes_left_by_something_else_are_tightened(database_path: Path) -> None:
    TranscriptStore.open(database_path).close()
    os.chmod(database_path, 0o644)
    TranscriptStore.open(database_path).close()
    assert stat.S_IMODE(database_path.stat().st_mode) == 0o600


def test_reopening_keeps_data_and_version(database_path: Path) -> None:
    with TranscriptStore.open(database_path) as store:
        conversation = store.create_conversation(title="kept")
    with TranscriptStore.open(database_path) as store:
        assert [s.title for s in store.list_conversations()] == ["kept"]
        assert store.load_conversation(conversation.id).title == "kept"  # type: ignore[arg-type]
    assert user_version(database_path) == SCHEMA_VERSION


def test_upgrading_a_version_1_database_keeps_everything_and_indexes_it(
    v1_database: Path,
) -> None:
    with TranscriptStore.open(v1_database) as store:
        conversation = store.load_conversation(1)
        assert conversation.title == "Old chat"
        assert conversation.settings.system_prompt == "You are terse."
        assert [t.text for t in conversation.turns] == [
            "Tell me about penguins",
            "Penguins are flightless birds.",
            "And albatrosses?",
            "Albatrosses glide",
        ]
        # Existing messages are searchable after the upgrade...
        assert [hit.message_id for hit in store.search("penguins")] != []
        assert {hit.role for hit in store.search("penguins")} == {"user", "assistant"}
        # ...and the reply that was streaming when the old app stopped is now interrupted,
        # kept, and indexed.
        last = conversation.turns[-1]
        assert last.status == MessageStatus.INTERRUPTED
        assert last.error_message == APP_STOPPED_MESSAGE
        assert last.reasoning == "hmm"
        assert [hit.message_id for hit in store.search("glide")] == [last.id]
        # ...and new data works with the new schema.
        store.add_turn(1, last)
    assert user_version(v1_database) == SCHEMA_VERSION


def test_two_instances_opening_together_migrate_once(database_path: Path) -> None:
    first = TranscriptStore.open(database_path)
    second = TranscriptStore.open(database_path)
    try:
        conversation = first.create_conversation(title="shared")
        assert [s.id for s in second.list_conversations()] == [conversation.id]
    finally:
        first.close()
        second.close()
