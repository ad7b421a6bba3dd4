"""Schema 5: a version-4 database upgrades in place into message trees, losing nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from chat_tui.conversation import MessageStatus
from chat_tui.store import TranscriptStore
from chat_tui.store.schema import SCHEMA_VERSION

from .builders import user_turn
from .conftest import V4_MESSAGES
from .test_open_errors import open_fails_without_writing
from .test_schema import user_version

# Message ids are their positions in V4_MESSAGES, from 1. What each message's parent becomes:
# a user message follows the message before it in its conversation; a reply follows the
# nearest user message before it, so replies in a row (retries) become siblings.
EXPECTED_PARENTS = {
    1: None,
    2: None,
    3: 1,
    4: 2,
    5: 2,  # the retry of 4: its sibling
    6: 3,
    7: 5,
    8: 6,
    9: 7,
    10: 9,
    11: 10,
    12: 10,
    13: 10,  # 11, 12 and 13 are three alternatives
    14: None,
    15: 14,
    16: 15,  # consecutive user messages stay a chain (the old app sent both)
    17: 16,
    18: 17,
    19: 18,
    20: 19,
}


def rows(path: Path, table: str) -> dict[int, dict[str, object]]:
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    try:
        return {
            row["id"]: dict(row) for row in connection.execute(f"SELECT * FROM {table} ORDER BY id")
        }
    finally:
        connection.close()


def test_the_v4_fixture_is_a_version_4_database(v4_database: Path) -> None:
    assert user_version(v4_database) == 4
    assert SCHEMA_VERSION >= 5  # the upgrade below goes through the tree step (5)


def test_upgrading_from_version_4_builds_the_tree_and_keeps_every_row(v4_database: Path) -> None:
    messages_before = rows(v4_database, "messages")
    conversations_before = rows(v4_database, "conversations")
    TranscriptStore.open(v4_database).close()
    assert user_version(v4_database) == SCHEMA_VERSION
    messages_after = rows(v4_database, "messages")
    conversations_after = rows(v4_database, "conversations")

    assert {i: row["parent_id"] for i, row in messages_after.items()} == EXPECTED_PARENTS
    assert {i: row["current_leaf_id"] for i, row in conversations_after.items()} == {
        1: 8,
        2: 13,
        3: 20,
        4: None,
    }
    # Nothing else changed, but for the reply the old app left streaming (now interrupted).
    stopped = {"status", "error_kind", "error_message"}
    for message_id, before in messages_before.items():
        after = messages_after[message_id]
        changed = {column for column in before if before[column] != after[column]}
        assert changed == (stopped if message_id == 20 else set()), message_id
    for conversation_id, before in conversations_before.items():
        after = conversations_after[conversation_id]
        assert {column: after[column] for column in before} == before
        assert after["preset"] is None  # step 8: no preset was used before there were any


def test_upgraded_conversations_load_as_trees_on_their_newest_branch(v4_database: Path) -> None:
    with TranscriptStore.open(v4_database) as store:
        retried = store.load_conversation(2)
        assert [t.text for t in retried.turns] == [
            "retried question",
            "retried whole answer",
            "retried follow up",
            "retried follow answer",
            "thrice question",
            "thrice answer",
        ]
        assert len(retried.messages) == 9
        whole, thrice = retried.turns[1], retried.turns[5]
        assert [t.id for t in retried.alternatives(whole)] == [4, 5]
        assert retried.alternative_position(thrice) == (3, 3)
        assert retried.settings.temperature == 0.5

        failures = store.load_conversation(3)
        assert [t.id for t in failures.turns] == list(range(14, 21))
        assert failures.turns[-1].status is MessageStatus.INTERRUPTED

        linear = store.load_conversation(1)
        assert [t.text for t in linear.turns] == [
            "linear question one",
            "linear answer one",
            "linear question two",
            "linear answer two",
        ]
        assert linear.messages == linear.turns

        empty = store.load_conversation(4)
        assert (empty.turns, empty.messages) == ([], [])


def test_every_upgraded_message_is_still_found_and_off_branch_hits_say_so(
    v4_database: Path,
) -> None:
    with TranscriptStore.open(v4_database) as store:
        for message_id, (_, _, _, text) in enumerate(V4_MESSAGES, 1):
            if text:
                assert message_id in [hit.message_id for hit in store.search(text)], text
        (half,) = store.search("half")
        assert (half.message_id, half.on_current_branch) == (4, False)
        (whole,) = store.search("whole")
        assert (whole.message_id, whole.on_current_branch) == (5, True)


def test_an_upgraded_conversation_goes_on_and_deletes_keep_the_tree_whole(
    v4_database: Path,
) -> None:
    with TranscriptStore.open(v4_database) as store:
        new_id = store.add_turn(1, user_turn("linear question three"))
        linear = store.load_conversation(1)
        assert [t.id for t in linear.turns][-2:] == [8, new_id]
        assert linear.turns[-1].parent_id == 8
        connection = sqlite3.connect(v4_database)
        connection.execute("DELETE FROM messages WHERE id = 15")  # the failed reply
        connection.execute("DELETE FROM messages WHERE id = 20")  # the leaf
        connection.commit()
        connection.close()
        failures = store.load_conversation(3)
        assert [t.id for t in failures.turns] == [14, 16, 17, 18, 19]
        assert failures.turns[1].parent_id == 14
        store.delete(2)
        assert store.search("retried") == []
        assert store.count_turns(2) == 0


def test_a_database_from_a_newer_version_is_still_refused_untouched(v4_database: Path) -> None:
    TranscriptStore.open(v4_database).close()
    connection = sqlite3.connect(v4_database)
    connection.execute("ALTER TABLE messages ADD COLUMN from_the_future TEXT")
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.execute("PRAGMA journal_mode = DELETE")  # everything in the main file
    connection.close()
    error = open_fails_without_writing(v4_database, "newer chat-tui")
    assert f"schema version {SCHEMA_VERSION + 1}" in error.reason
    assert user_version(v4_database) == SCHEMA_VERSION + 1
