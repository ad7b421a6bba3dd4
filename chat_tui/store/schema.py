"""The database schema as numbered upgrade steps, keyed on SQLite's `PRAGMA user_version`.

Each step moves the schema from version N-1 to N and is never edited once released: a change
is a new step appended to `MIGRATIONS`. The whole upgrade runs in one transaction.
"""

from __future__ import annotations

import sqlite3

# Columns are ordered small-first: SQLite reads a row's columns in order, so keeping the
# long `text`/`reasoning` values last lets listings and counts skip their overflow pages.
_V1_CORE_TABLES = (
    """
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
    )
    """,
    "CREATE INDEX conversations_by_updated ON conversations (updated_at, id)",
    """
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
    )
    """,
    "CREATE INDEX messages_by_conversation ON messages (conversation_id, id)",
)

# Full-text search over user and assistant text (never reasoning or system prompts). The index
# reads its text from `messages` (external content), and a message is indexed only once it
# stops streaming: progressive saves then never touch the index, which would otherwise
# re-tokenize the whole reply on every save.
_V2_FULL_TEXT_SEARCH = (
    """
    CREATE VIRTUAL TABLE messages_fts USING fts5 (
        text, content = 'messages', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER messages_fts_after_insert AFTER INSERT ON messages
    WHEN new.status != 'streaming' BEGIN
        INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
    END
    """,
    """
    CREATE TRIGGER messages_fts_after_update AFTER UPDATE OF text, status ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text)
            SELECT 'delete', old.id, old.text WHERE old.status != 'streaming';
        INSERT INTO messages_fts (rowid, text)
            SELECT new.id, new.text WHERE new.status != 'streaming';
    END
    """,
    """
    CREATE TRIGGER messages_fts_after_delete AFTER DELETE ON messages
    WHEN old.status != 'streaming' BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END
    """,
    # Messages saved before this step are indexed now.
    "INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages "
    "WHERE status != 'streaming'",
)

# Opening the store looks for replies left streaming; without this (tiny, usually empty)
# index that look would read the whole messages table on every start.
_V3_UNFINISHED_REPLIES_INDEX = (
    "CREATE INDEX messages_streaming ON messages (id) WHERE status = 'streaming'",
)

# Search-as-you-type asks for short prefixes ("th"*), which without a prefix index read every
# term that starts with them: ~140 ms for the commonest word's prefix in a million messages.
# The triggers name the table, so they keep working on the rebuilt one.
_V4_PREFIX_INDEX = (
    "DROP TABLE messages_fts",
    """
    CREATE VIRTUAL TABLE messages_fts USING fts5 (
        text, content = 'messages', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
    )
    """,
    "INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages "
    "WHERE status != 'streaming'",
)

# Conversations become trees (edit and resend, regenerate): each message names its parent
# (NULL for a first message; siblings share a parent and are alternatives to each other), and
# each conversation remembers the last message of its current branch.
#
# Existing messages become the chain they were, with one exception, following what the
# app sent: a user message's parent is the message just before it (consecutive user messages
# stay a chain: a failed reply's question rode along with the next one, and the request
# carried both); a reply's parent is the nearest user message before it, so a reply directly
# after a reply (a retry, a race's second lane, which superseded the first in every later
# request) becomes its sibling. The current leaf is each conversation's newest message.
#
# The parent column comes last in the row (after the long text), so tree lookups read the
# index, which holds (conversation_id, parent_id, id) without touching the rows. Deleting a
# message hands its children to its parent, and the current leaf too, so a deleted turn
# never cuts a branch or leaves the leaf pointing nowhere (whatever code does the delete).
_V5_MESSAGE_TREE = (
    "ALTER TABLE messages ADD COLUMN parent_id INTEGER",
    "ALTER TABLE conversations ADD COLUMN current_leaf_id INTEGER",
    """
    UPDATE messages SET parent_id = (
        SELECT before.id FROM messages before
        WHERE before.conversation_id = messages.conversation_id AND before.id < messages.id
            AND (messages.role = 'user' OR before.role = 'user')
        ORDER BY before.id DESC LIMIT 1
    )
    """,
    """
    UPDATE conversations SET current_leaf_id = (
        SELECT max(id) FROM messages WHERE conversation_id = conversations.id
    )
    """,
    "CREATE INDEX messages_tree ON messages (conversation_id, parent_id, id)",
    """
    CREATE TRIGGER messages_tree_after_delete AFTER DELETE ON messages BEGIN
        UPDATE messages SET parent_id = old.parent_id
            WHERE conversation_id = old.conversation_id AND parent_id = old.id;
        UPDATE conversations SET current_leaf_id = old.parent_id
            WHERE id = old.conversation_id AND current_leaf_id = old.id;
    END
    """,
)

# What each reply cost (US dollars; see chat_tui.pricing), and the prompt-cache parts of its
# input tokens that priced it. NULL: no known price, or a reply saved before this step. They
# land after the long text (ALTER TABLE can only append), read only with a reply's metrics.
_V6_REPLY_COST = (
    "ALTER TABLE messages ADD COLUMN cache_read_tokens INTEGER",
    "ALTER TABLE messages ADD COLUMN cache_write_tokens INTEGER",
    "ALTER TABLE messages ADD COLUMN cost_usd REAL",
)

# Files attached to user messages. The bytes live in the database itself (a BLOB), not as
# separate files: the database is already private (0600, its -wal/-shm too), a message and
# its files are saved in one transaction and deleted together (the cascade), and a backup or
# a move of the one file takes everything. Rows are read by message (the index), in the
# order the files were attached (`position`).
_V7_ATTACHMENTS = (
    """
    CREATE TABLE attachments (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        media_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        data BLOB NOT NULL
    )
    """,
    "CREATE INDEX attachments_by_message ON attachments (message_id, position)",
)

# The name of the preset (`[presets.NAME]` in the config file) a conversation's settings came
# from, shown with the conversation; NULL when none was used.
_V8_PRESET_NAME = ("ALTER TABLE conversations ADD COLUMN preset TEXT",)

# How many times a reply's request was retried (a 429, a 5xx...) before the one that answered,
# and the seconds from sending the first request to sending the answered one: the reply's other
# figures are the answered request's, so these say what they leave out. Replies saved before
# this step read as never retried (0, NULL): the wait was not kept then.
_V9_REPLY_RETRIES = (
    "ALTER TABLE messages ADD COLUMN retries INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE messages ADD COLUMN waited_s REAL",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    _V1_CORE_TABLES,
    _V2_FULL_TEXT_SEARCH,
    _V3_UNFINISHED_REPLIES_INDEX,
    _V4_PREFIX_INDEX,
    _V5_MESSAGE_TREE,
    _V6_REPLY_COST,
    _V7_ATTACHMENTS,
    _V8_PRESET_NAME,
    _V9_REPLY_RETRIES,
)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def migrate(connection: sqlite3.Connection) -> int:
    """Bring the schema up to `SCHEMA_VERSION`; returns the version found before.

    Runs under BEGIN IMMEDIATE and re-reads the version inside it, so two app instances
    starting together upgrade once. The caller has already refused newer versions.
    """
    connection.execute("BEGIN IMMEDIATE")
    try:
        found = schema_version(connection)
        for steps in MIGRATIONS[found:]:
            for statement in steps:
                connection.execute(statement)
        if found < SCHEMA_VERSION:
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return found
