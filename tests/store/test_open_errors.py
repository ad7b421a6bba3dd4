"""Files the store must refuse: it raises StoreError naming the file and never writes."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from chat_tui.store import SchemaTooOldError, StoreError, TranscriptStore, database
from chat_tui.store.schema import SCHEMA_VERSION


def open_fails_without_writing(path: Path, expected_reason: str) -> StoreError:
    before = path.read_bytes()
    with pytest.raises(StoreError) as raised:
        TranscriptStore.open(path)
    assert str(path) in str(raised.value)
    assert expected_reason in raised.value.reason
    assert path.read_bytes() == before
    return raised.value


def test_a_text_file_is_refused(database_path: Path) -> None:
    database_path.parent.mkdir(parents=True)
    database_path.write_text("my precious notes\n" * 100)
    open_fails_without_writing(database_path, "not a SQLite database")


def test_a_database_from_a_newer_chat_tui_is_refused(database_path: Path) -> None:
    TranscriptStore.open(database_path).close()
    connection = sqlite3.connect(database_path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.execute("PRAGMA journal_mode = DELETE")  # everything in the main file
    connection.close()
    error = open_fails_without_writing(database_path, "newer chat-tui")
    assert f"schema version {SCHEMA_VERSION + 1}" in error.reason


def test_a_damaged_database_is_refused(database_path: Path) -> None:
    TranscriptStore.open(database_path).close()
    connection = sqlite3.connect(database_path)
    connection.execute("PRAGMA journal_mode = DELETE")
    connection.close()
    data = bytearray(database_path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page, after the 100-byte header
    database_path.write_bytes(bytes(data))
    open_fails_without_writing(database_path, "damaged")


def test_a_truncated_header_is_refused(database_path: Path) -> None:
    database_path.parent.mkdir(parents=True)
    database_path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 20)
    open_fails_without_writing(database_path, "damaged")


def test_a_directory_in_the_way_is_refused(database_path: Path) -> None:
    database_path.mkdir(parents=True)
    with pytest.raises(StoreError, match="directory"):
        TranscriptStore.open(database_path)
    assert database_path.is_dir()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_is_refused(database_path: Path) -> None:
    TranscriptStore.open(database_path).close()
    os.chmod(database_path, 0)
    try:
        with pytest.raises(StoreError, match="permission denied"):
            TranscriptStore.open(database_path)
    finally:
        os.chmod(database_path, 0o600)


def test_read_only_open_of_a_missing_file_creates_nothing(database_path: Path) -> None:
    with pytest.raises(StoreError, match="no database file"):
        TranscriptStore.open(database_path, read_only=True)
    assert not database_path.parent.exists()


def test_read_only_open_refuses_writes_and_old_schemas(
    database_path: Path, v1_database: Path
) -> None:
    with pytest.raises(SchemaTooOldError):
        TranscriptStore.open(v1_database, read_only=True)
    TranscriptStore.open(v1_database).close()
    with TranscriptStore.open(v1_database, read_only=True) as store:
        assert store.load_conversation(1).title == "Old chat"
        with pytest.raises(StoreError, match="cannot be written"):
            store.set_title(1, "new")


def test_a_permission_error_reading_the_file_is_refused(
    database_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same path as the unreadable-file test, for runs as root."""
    TranscriptStore.open(database_path).close()

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(database, "open", denied, raising=False)
    with pytest.raises(StoreError, match="permission denied") as raised:
        TranscriptStore.open(database_path)
    assert str(database_path) in str(raised.value)
