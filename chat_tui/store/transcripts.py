"""`TranscriptStore`: every read and write of saved conversations, as quick SQLite calls.

Meant for the app's main thread (one connection, no locking of its own). Each write commits
at once, so a crash loses at most the reply text since the last progressive save.
"""

from __future__ import annotations

import enum
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from chat_tui.attachments import Attachment
from chat_tui.conversation import (
    APP_STOPPED_KIND,
    Conversation,
    ConversationSettings,
    MessageStatus,
    Turn,
)
from chat_tui.store.database import describe_sqlite_error, open_database
from chat_tui.store.errors import StoreError, UnknownConversationError
from chat_tui.store.rows import (
    SETTINGS_COLUMNS,
    TURN_COLUMNS,
    settings_from_row,
    settings_values,
    turn_from_row,
    turn_values,
)

if TYPE_CHECKING:
    from chat_tui.store.search import SearchHit

SEARCH_POOL = 2000  # matches ranked per search, newest first (see `search`)
APP_STOPPED_MESSAGE = "the app stopped before the reply finished"

_INSERT_TURN = (
    f"INSERT INTO messages (conversation_id, parent_id, {', '.join(TURN_COLUMNS)}) "
    f"VALUES (:conversation_id, :parent_id, {', '.join(f':{column}' for column in TURN_COLUMNS)})"
)
# Everything but created_at, which is kept from add_turn.
_FINISH_TURN = (
    "UPDATE messages SET "
    f"{', '.join(f'{column} = :{column}' for column in TURN_COLUMNS if column != 'created_at')} "
    "WHERE id = :id"
)
_SELECT_TURN = f"SELECT id, parent_id, {', '.join(TURN_COLUMNS)} FROM messages"
_INSERT_ATTACHMENT = (
    "INSERT INTO attachments (message_id, position, name, media_type, size, data) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


class _Follow(enum.Enum):
    CURRENT_LEAF = "the conversation's current leaf"


# `add_turn`'s default parent: the message continues the conversation's current branch.
CURRENT_LEAF = _Follow.CURRENT_LEAF


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    """A row of the history list."""

    id: int
    title: str | None
    created_at: float
    updated_at: float
    message_count: int
    models: tuple[str, ...]  # distinct models that replied, oldest first


class TranscriptStore:
    def __init__(self, connection: sqlite3.Connection, path: Path, *, read_only: bool) -> None:
        self._connection = connection
        self.path = path
        self.read_only = read_only

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False) -> TranscriptStore:
        """Open (creating if needed) the database; replies left `streaming` by an app that
        died become `interrupted`. Raises StoreError for a file it must not use."""
        store = cls(open_database(path, read_only=read_only), Path(path), read_only=read_only)
        if not read_only:
            store.mark_unfinished_replies_interrupted()
        return store

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> TranscriptStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- writing --------------------------------------------------------------------------

    def create_conversation(
        self, settings: ConversationSettings | None = None, title: str | None = None
    ) -> Conversation:
        settings = settings or ConversationSettings()
        now = time.time()
        with self._transaction():
            cursor = self._connection.execute(
                f"INSERT INTO conversations (title, created_at, updated_at, "
                f"{', '.join(SETTINGS_COLUMNS)}) "
                f"VALUES (?, ?, ?, {', '.join('?' * len(SETTINGS_COLUMNS))})",
                (title, now, now, *settings_values(settings)),
            )
        assert cursor.lastrowid is not None
        return Conversation(
            id=cursor.lastrowid, title=title, created_at=now, updated_at=now, settings=settings
        )

    def add_turn(
        self,
        conversation_id: int,
        turn: Turn,
        *,
        parent_id: int | _Follow | None = CURRENT_LEAF,
    ) -> int:
        """Save a message now (a user message before its request is sent; a reply as it
        starts, with status STREAMING) as a child of message `parent_id` (None: a first
        message; by default the end of the current branch). It becomes the conversation's
        current leaf. Returns the message id."""
        created_at = turn.created_at or time.time()
        with self._transaction():
            self._touch(conversation_id, created_at)
            if parent_id is CURRENT_LEAF:
                parent_id = self._current_leaf_id(conversation_id)
            cursor = self._connection.execute(
                _INSERT_TURN,
                {
                    "conversation_id": conversation_id,
                    "parent_id": parent_id,
                    **turn_values(turn, created_at=created_at),
                },
            )
            assert cursor.lastrowid is not None
            message_id = cursor.lastrowid
            self._connection.executemany(
                _INSERT_ATTACHMENT,
                [
                    (message_id, position, a.name, a.media_type, a.size, a.data)
                    for position, a in enumerate(turn.attachments)
                ],
            )
            self._connection.execute(
                "UPDATE conversations SET current_leaf_id = ? WHERE id = ?",
                (message_id, conversation_id),
            )
        return message_id

    def set_current_leaf(self, conversation_id: int, message_id: int) -> None:
        """Remember which branch the user is on (its last message), for the next load."""
        with self._transaction():
            cursor = self._connection.execute(
                "UPDATE conversations SET current_leaf_id = ? WHERE id = ? AND EXISTS ("
                "SELECT 1 FROM messages WHERE id = ? AND conversation_id = ?)",
                (message_id, conversation_id, message_id, conversation_id),
            )
            if cursor.rowcount == 0:
                raise UnknownConversationError(self.path, message_id, "message")

    def update_reply_progress(self, message_id: int, text: str, reasoning: str = "") -> None:
        """Save the reply so far: one small UPDATE, no full-text indexing.

        Also (re)asserts STREAMING, in case another instance opening the store meanwhile took
        this live reply for an abandoned one.
        """
        with self._guard():
            self._connection.execute(
                "UPDATE messages SET text = ?, reasoning = ?, status = 'streaming', "
                "error_kind = NULL, error_message = NULL WHERE id = ?",
                (text, reasoning, message_id),
            )

    def finish_reply(self, message_id: int, turn: Turn) -> None:
        """Write the reply's final text, status, error and metrics (and index it for search)."""
        if turn.status == MessageStatus.STREAMING:
            raise ValueError("finish_reply needs a final status, not STREAMING")
        finished_at = turn.finished_at or time.time()
        values = turn_values(turn, created_at=0.0) | {"finished_at": finished_at, "id": message_id}
        with self._transaction():
            cursor = self._connection.execute(_FINISH_TURN, values)
            if cursor.rowcount == 0:
                raise UnknownConversationError(self.path, message_id, "message")
            self._connection.execute(
                "UPDATE conversations SET updated_at = max(updated_at, ?) WHERE id = "
                "(SELECT conversation_id FROM messages WHERE id = ?)",
                (finished_at, message_id),
            )

    def set_title(self, conversation_id: int, title: str) -> None:
        """Name a conversation (does not move it up the history list)."""
        with self._transaction():
            self._require_changed(
                self._connection.execute(
                    "UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id)
                ),
                conversation_id,
            )

    rename = set_title

    def update_settings(self, conversation_id: int, settings: ConversationSettings) -> None:
        assignments = ", ".join(f"{column} = ?" for column in SETTINGS_COLUMNS)
        with self._transaction():
            self._require_changed(
                self._connection.execute(
                    f"UPDATE conversations SET {assignments} WHERE id = ?",
                    (*settings_values(settings), conversation_id),
                ),
                conversation_id,
            )

    def delete(self, conversation_id: int) -> None:
        """Delete a conversation, its messages and their search index entries."""
        with self._transaction():
            # Explicit, rather than relying on the cascade alone, so the FTS triggers fire
            # for each message whatever the connection's foreign_keys setting.
            self._connection.execute(
                "DELETE FROM messages WHERE conversation_id = ?", (conversation_id,)
            )
            self._require_changed(
                self._connection.execute(
                    "DELETE FROM conversations WHERE id = ?", (conversation_id,)
                ),
                conversation_id,
            )

    def delete_messages(self, message_ids: Sequence[int]) -> int:
        """Delete messages (and their search index entries, by the delete trigger); returns
        how many there were. Their conversation stays, even if it is left empty."""
        with self._transaction():
            cursor = self._connection.executemany(
                "DELETE FROM messages WHERE id = ?", [(message_id,) for message_id in message_ids]
            )
        return cursor.rowcount

    def mark_unfinished_replies_interrupted(self) -> int:
        """Replies still `streaming` belong to an app that stopped; keep their text."""
        with self._transaction():
            cursor = self._connection.execute(
                "UPDATE messages SET status = ?, error_kind = ?, error_message = ? "
                "WHERE status = 'streaming'",
                (str(MessageStatus.INTERRUPTED), APP_STOPPED_KIND, APP_STOPPED_MESSAGE),
            )
        return cursor.rowcount

    # ---- reading --------------------------------------------------------------------------

    def list_conversations(self, limit: int = 50, offset: int = 0) -> list[ConversationSummary]:
        """Most recently active first."""
        with self._guard():
            rows = self._connection.execute(
                """
                SELECT c.id, c.title, c.created_at, c.updated_at,
                    (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)
                        AS message_count,
                    (SELECT group_concat(model, char(31)) FROM (
                        SELECT model, min(id) AS first_id FROM messages m
                        WHERE m.conversation_id = c.id AND role = 'assistant'
                            AND model IS NOT NULL
                        GROUP BY model ORDER BY first_id)) AS models
                FROM conversations c
                ORDER BY c.updated_at DESC, c.id DESC
                LIMIT ? OFFSET ?
                """,
                (limit, offset),
            ).fetchall()
        return [
            ConversationSummary(
                id=row["id"],
                title=row["title"],
                created_at=row["created_at"],
                updated_at=row["updated_at"],
                message_count=row["message_count"],
                models=tuple(row["models"].split("\x1f")) if row["models"] else (),
            )
            for row in rows
        ]

    def count_conversations(self) -> int:
        with self._guard():
            return int(self._connection.execute("SELECT count(*) FROM conversations").fetchone()[0])

    def load_conversation(
        self, conversation_id: int, *, tail: int | None = None, through: int | None = None
    ) -> Conversation:
        """The conversation with its whole tree of messages, its current branch as `turns`.

        `through` picks another branch: the one through that message (its ancestors, then
        the newest child at each level below it), e.g. a search hit's. With `tail`, only the
        branch's last `tail` turns are loaded and the tree is just those (the quick way to
        show a long one; fetch earlier ones with `load_turns_before`).
        """
        with self._guard():
            row = self._connection.execute(
                "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            if row is None:
                raise UnknownConversationError(self.path, conversation_id)
            conversation = Conversation(
                id=row["id"],
                title=row["title"],
                created_at=row["created_at"],
                updated_at=row["updated_at"],
                settings=settings_from_row(row),
            )
            current = through if through is not None else row["current_leaf_id"]
            if tail is None:
                turns = _linked(
                    self._select_turns("WHERE conversation_id = ? ORDER BY id", conversation_id)
                )
                self._attach_files(
                    turns,
                    "JOIN messages m ON m.id = a.message_id WHERE m.conversation_id = ?",
                    conversation_id,
                )
                by_id = {turn.id: turn for turn in turns}
                conversation.load_tree(turns, by_id.get(current) if current else None)
            else:
                branch = branch_ids(self._parents(conversation_id), current)
                conversation.turns = self._turns_by_id(branch[-tail:] if tail else [])
        return conversation

    def load_turns_before(
        self, conversation_id: int, before_message_id: int, limit: int
    ) -> list[Turn]:
        """Up to `limit` turns just before a message on its branch (its ancestors), oldest
        first (for scrolling back)."""
        with self._guard():
            parents = self._parents(conversation_id)
            ancestors: list[int] = []
            parent = parents.get(before_message_id)
            while parent is not None and len(ancestors) < limit:
                ancestors.append(parent)
                parent = parents.get(parent)
            ancestors.reverse()
            return self._turns_by_id(ancestors)

    def count_turns(self, conversation_id: int) -> int:
        """Messages in the conversation, every branch counted."""
        with self._guard():
            return int(
                self._connection.execute(
                    "SELECT count(*) FROM messages WHERE conversation_id = ?", (conversation_id,)
                ).fetchone()[0]
            )

    def count_branch_turns(self, conversation_id: int, through: int | None = None) -> int:
        """Messages on the current branch (or on the branch through message `through`)."""
        with self._guard():
            current = through if through is not None else self._current_leaf_id(conversation_id)
            return len(branch_ids(self._parents(conversation_id), current))

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Messages matching every word of `query`, best (bm25) first.

        Whole-word matches come first; words also match as prefixes ("rust" finds
        "rustc") when whole words give fewer than `limit` hits. Any input is safe: it is
        never passed to FTS5 as syntax. Ranking is exact when fewer than SEARCH_POOL
        messages match; beyond that, the best among the newest SEARCH_POOL matches are
        returned, which bounds the cost of a very common word.
        """
        from chat_tui.store.search import fts_match_expression  # with the first search

        whole_words = fts_match_expression(query, prefixes=False)
        if whole_words is None:
            return []
        with self._guard():
            hits = self._search_expression(whole_words, limit)
            if len(hits) < limit:
                # A prefix query materializes its whole doclist: worth it only when needed.
                seen = {hit.message_id for hit in hits}
                prefixed = self._search_expression(fts_match_expression(query) or "", limit)
                hits += [hit for hit in prefixed if hit.message_id not in seen]
        return hits[:limit]

    def _search_expression(self, expression: str, limit: int) -> list[SearchHit]:
        from chat_tui.store.search import SearchHit, snippet_spans  # with the first search

        best = self._connection.execute(
            """
            WITH pool AS (
                SELECT rowid AS message_id, bm25(messages_fts) AS score
                FROM messages_fts WHERE messages_fts MATCH ?
                ORDER BY rowid DESC LIMIT ?
            )
            SELECT message_id, score FROM pool ORDER BY score LIMIT ?
            """,
            (expression, SEARCH_POOL, limit),
        ).fetchall()
        if not best:
            return []
        ids = [row["message_id"] for row in best]
        snippets = self._snippets(expression, ids)
        details = self._hit_details(ids)
        off_branch = self._off_branch({row["conversation_id"] for row in details.values()})
        return [
            SearchHit(
                conversation_id=details[row["message_id"]]["conversation_id"],
                conversation_title=details[row["message_id"]]["title"],
                message_id=row["message_id"],
                role=details[row["message_id"]]["role"],
                created_at=details[row["message_id"]]["created_at"],
                snippet=snippet_spans(snippets.get(row["message_id"], "")),
                rank=row["score"],
                on_current_branch=row["message_id"] not in off_branch,
            )
            for row in best
            if row["message_id"] in details
        ]

    def _snippets(self, expression: str, message_ids: list[int]) -> dict[int, str]:
        """snippet() for the chosen messages, in one pass over the match.

        A rowid range lets FTS5 evaluate the query once (a prefix query materializes the
        whole doclist per evaluation); `+rowid IN` then filters without turning into one
        evaluation per id, and snippet() runs only for the rows kept.
        """
        from chat_tui.store.search import (
            MATCH_END,
            MATCH_START,
            SNIPPET_ELLIPSIS,
            SNIPPET_TOKENS,
        )  # with the first search

        placeholders = ", ".join("?" * len(message_ids))
        rows = self._connection.execute(
            f"""
            SELECT rowid, snippet(messages_fts, 0, ?, ?, ?, ?) AS marked
            FROM messages_fts
            WHERE messages_fts MATCH ? AND rowid BETWEEN ? AND ?
                AND +rowid IN ({placeholders})
            """,
            (
                MATCH_START,
                MATCH_END,
                SNIPPET_ELLIPSIS,
                SNIPPET_TOKENS,
                expression,
                min(message_ids),
                max(message_ids),
                *message_ids,
            ),
        ).fetchall()
        return {row["rowid"]: row["marked"] for row in rows}

    def _hit_details(self, message_ids: list[int]) -> dict[int, sqlite3.Row]:
        placeholders = ", ".join("?" * len(message_ids))
        rows = self._connection.execute(
            f"""
            SELECT m.id, m.conversation_id, m.role, m.created_at, c.title
            FROM messages m JOIN conversations c ON c.id = m.conversation_id
            WHERE m.id IN ({placeholders})
            """,
            message_ids,
        ).fetchall()
        return {row["id"]: row for row in rows}

    def _off_branch(self, conversation_ids: set[int]) -> set[int]:
        """The messages of these conversations that are not on their current branch.

        Most conversations have one branch (no two messages share a parent): the index
        answers that at once, and only the others have their branches worked out."""
        placeholders = ", ".join("?" * len(conversation_ids))
        branched = [
            row[0]
            for row in self._connection.execute(
                "SELECT DISTINCT conversation_id FROM messages INDEXED BY messages_tree "
                f"WHERE conversation_id IN ({placeholders}) "
                "GROUP BY conversation_id, parent_id HAVING count(*) > 1",
                tuple(conversation_ids),
            )
        ]
        off_branch: set[int] = set()
        for conversation_id in branched:
            parents = self._parents(conversation_id)
            on_branch = branch_ids(parents, self._current_leaf_id(conversation_id))
            off_branch |= parents.keys() - set(on_branch)
        return off_branch

    # ---- internals ------------------------------------------------------------------------

    def _parents(self, conversation_id: int) -> dict[int, int | None]:
        """Every message's parent, read from the tree index alone (never the long rows)."""
        rows = self._connection.execute(
            "SELECT id, parent_id FROM messages INDEXED BY messages_tree WHERE conversation_id = ?",
            (conversation_id,),
        ).fetchall()
        return {row["id"]: row["parent_id"] for row in rows}

    def _current_leaf_id(self, conversation_id: int) -> int | None:
        row = self._connection.execute(
            "SELECT current_leaf_id FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        return row["current_leaf_id"] if row is not None else None

    def _turns_by_id(self, message_ids: list[int]) -> list[Turn]:
        """These messages, in this order, parents linked among them."""
        if not message_ids:
            return []
        placeholders = ", ".join("?" * len(message_ids))
        found = {
            pair[0].id: pair
            for pair in self._select_turns(f"WHERE id IN ({placeholders})", *message_ids)
        }
        turns = _linked([found[message_id] for message_id in message_ids if message_id in found])
        self._attach_files(turns, f"WHERE a.message_id IN ({placeholders})", *message_ids)
        return turns

    def _attach_files(self, turns: list[Turn], where: str, *parameters: object) -> None:
        """Give `turns` their attached files, selected by `where` (over `attachments a`)."""
        rows = self._connection.execute(
            "SELECT a.message_id, a.name, a.media_type, a.data FROM attachments a "
            f"{where} ORDER BY a.message_id, a.position",
            parameters,
        ).fetchall()
        if not rows:
            return
        files: dict[int, list[Attachment]] = {}
        for row in rows:
            files.setdefault(row["message_id"], []).append(
                Attachment(name=row["name"], media_type=row["media_type"], data=bytes(row["data"]))
            )
        for turn in turns:
            if turn.id in files:
                turn.attachments = tuple(files[turn.id])

    def _select_turns(self, where: str, *parameters: object) -> list[tuple[Turn, int | None]]:
        """Turns and their parents' ids (`_linked` turns the ids into `Turn.parent`)."""
        rows = self._connection.execute(f"{_SELECT_TURN} {where}", parameters).fetchall()
        return [(turn_from_row(row), row["parent_id"]) for row in rows]

    def _touch(self, conversation_id: int, at: float) -> None:
        self._require_changed(
            self._connection.execute(
                "UPDATE conversations SET updated_at = max(updated_at, ?) WHERE id = ?",
                (at, conversation_id),
            ),
            conversation_id,
        )

    def _require_changed(self, cursor: sqlite3.Cursor, conversation_id: int) -> None:
        if cursor.rowcount == 0:
            raise UnknownConversationError(self.path, conversation_id)

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """SQLite failures (disk full, damage found late, a lock held too long) as StoreError."""
        try:
            yield
        except sqlite3.Error as error:
            raise StoreError(self.path, describe_sqlite_error(error)) from error

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._guard():
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")


def _linked(rows: list[tuple[Turn, int | None]]) -> list[Turn]:
    """The turns, each `parent` set when its parent is among them (left None otherwise)."""
    by_id = {turn.id: turn for turn, _ in rows}
    for turn, parent_id in rows:
        turn.parent = by_id.get(parent_id) if parent_id is not None else None
    return [turn for turn, _ in rows]


def branch_ids(parents: dict[int, int | None], through: int | None) -> list[int]:
    """The branch through message `through`, root to leaf, as message ids: its ancestors, then
    the newest (highest id) child at each level below it, as `Conversation.switch_to` does.
    `through` None or unknown: the newest message's branch. `parents`: id -> parent id."""
    if not parents:
        return []
    if through is None or through not in parents:
        through = max(parents)
    newest_child: dict[int | None, int] = {}
    for message_id, parent_id in parents.items():
        if message_id > newest_child.get(parent_id, 0):
            newest_child[parent_id] = message_id
    path: list[int] = []
    node: int | None = through
    for _ in parents:  # at most every message: a damaged file's loop cannot hang us
        if node is None or node not in parents:
            break
        path.append(node)
        node = parents[node]
    path.reverse()
    for _ in parents:
        child = newest_child.get(path[-1])
        if child is None:
            break
        path.append(child)
    return path
