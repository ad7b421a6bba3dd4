"""Attached files are saved with their message (schema 7), come back with the conversation
(whole tree or a tail), go in the JSON export whole and in the Markdown export by name, and
a version-6 database upgrades to hold them, losing nothing."""

from __future__ import annotations

import base64
import json
import sqlite3
import stat
from pathlib import Path

from chat_tui.attachments import Attachment
from chat_tui.conversation import Turn
from chat_tui.store import TranscriptStore
from chat_tui.store.export import conversation_to_json, conversation_to_markdown
from chat_tui.store.schema import MIGRATIONS, SCHEMA_VERSION

from .builders import add_exchange, finished_reply, streaming_reply
from .test_schema import user_version

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
PHOTO = Attachment("photo.png", "image/png", PNG)
NOTES = Attachment("notes.txt", "text/plain", b"remember the milk\n")


def save_question_with_files(store: TranscriptStore) -> tuple[int, int]:
    conversation = store.create_conversation()
    assert conversation.id is not None
    user_id = store.add_turn(
        conversation.id, Turn(role="user", text="what is this?", attachments=(PHOTO, NOTES))
    )
    reply_id = store.add_turn(conversation.id, streaming_reply())
    store.finish_reply(reply_id, finished_reply("A picture and a note."))
    return conversation.id, user_id


def test_files_come_back_with_their_message_in_order(tmp_path: Path) -> None:
    with TranscriptStore.open(tmp_path / "t.db") as store:
        conversation_id, _ = save_question_with_files(store)
        add_exchange(store, conversation_id, "and this?", "Nothing attached.")

    with TranscriptStore.open(tmp_path / "t.db") as store:
        whole = store.load_conversation(conversation_id)
        tail = store.load_conversation(conversation_id, tail=4)

    for conversation in (whole, tail):
        first, _, second, _ = conversation.turns
        assert first.attachments == (PHOTO, NOTES)
        assert second.attachments == ()
        # Resent with the history: the context carries the files.
        assert conversation.context()[0].attachments == (PHOTO, NOTES)


def test_a_message_of_files_only_is_still_sent(tmp_path: Path) -> None:
    with TranscriptStore.open(tmp_path / "t.db") as store:
        conversation = store.create_conversation()
        assert conversation.id is not None
        store.add_turn(conversation.id, Turn(role="user", text="", attachments=(PHOTO,)))
        loaded = store.load_conversation(conversation.id)
    (message,) = loaded.context()
    assert message.text == "" and message.attachments == (PHOTO,)


def test_files_are_deleted_with_their_conversation_and_the_database_stays_private(
    tmp_path: Path,
) -> None:
    path = tmp_path / "t.db"
    with TranscriptStore.open(path) as store:
        conversation_id, user_id = save_question_with_files(store)
        store.delete_messages([user_id])
        assert count_attachments(path) == 0
        save_question_with_files(store)
        store.delete(conversation_id)
    assert count_attachments(path) == 2  # the second conversation's
    for suffix in ("", "-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            assert stat.S_IMODE(companion.stat().st_mode) == 0o600


def count_attachments(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT count(*) FROM attachments").fetchone()[0]
    finally:
        connection.close()


def test_json_export_carries_each_file_whole(tmp_path: Path) -> None:
    with TranscriptStore.open(tmp_path / "t.db") as store:
        conversation_id, user_id = save_question_with_files(store)
        document = json.loads(conversation_to_json(store.load_conversation(conversation_id)))

    messages = {message["id"]: message for message in document["messages"]}
    assert messages[user_id]["attachments"] == [
        {
            "name": "photo.png",
            "media_type": "image/png",
            "size": len(PNG),
            "data_base64": base64.b64encode(PNG).decode(),
        },
        {
            "name": "notes.txt",
            "media_type": "text/plain",
            "size": 18,
            "data_base64": base64.b64encode(b"remember the milk\n").decode(),
        },
    ]
    assert base64.b64decode(messages[user_id]["attachments"][0]["data_base64"]) == PNG
    reply = next(m for m in document["messages"] if m["role"] == "assistant")
    assert reply["attachments"] == []


def test_markdown_export_names_each_file_and_its_size(tmp_path: Path) -> None:
    with TranscriptStore.open(tmp_path / "t.db") as store:
        conversation_id, _ = save_question_with_files(store)
        markdown = conversation_to_markdown(store.load_conversation(conversation_id))

    assert "what is this?\n\n📎 photo.png (2.0 KB)\n📎 notes.txt (18 B)\n" in markdown


# ---- upgrading from schema 6 ---------------------------------------------------------------


def make_v6_database(path: Path) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    for steps in MIGRATIONS[:6]:
        for statement in steps:
            connection.execute(statement)
    connection.execute(
        "INSERT INTO conversations (id, title, created_at, updated_at, current_leaf_id) "
        "VALUES (1, 'old', 1.0, 2.0, 2)"
    )
    connection.execute(
        "INSERT INTO messages (id, conversation_id, role, created_at, status, text, parent_id) "
        "VALUES (1, 1, 'user', 1.0, 'complete', 'hello', NULL), "
        "(2, 1, 'assistant', 1.5, 'complete', 'hi there', 1)"
    )
    connection.execute("PRAGMA user_version = 6")
    connection.close()


def test_a_version_6_database_upgrades_and_keeps_its_conversations(tmp_path: Path) -> None:
    path = tmp_path / "v6.db"
    make_v6_database(path)
    assert user_version(path) == 6

    with TranscriptStore.open(path) as store:
        assert user_version(path) == SCHEMA_VERSION
        old = store.load_conversation(1)
        assert [(t.role, t.text, t.attachments) for t in old.turns] == [
            ("user", "hello", ()),
            ("assistant", "hi there", ()),
        ]
        store.add_turn(1, Turn(role="user", text="see", attachments=(NOTES,)))
        assert store.load_conversation(1).turns[-1].attachments == (NOTES,)
