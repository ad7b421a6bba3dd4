"""Opening the SQLite file safely: private modes, WAL, and refusing files it must not touch.

A file that is not a chat-tui database (not SQLite, corrupt, unreadable, or from a newer
chat-tui) raises `StoreError` before anything is written to it: the file is never replaced,
truncated or "repaired".
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from pathlib import Path

from chat_tui.paths import ensure_private_dir
from chat_tui.store.errors import SchemaTooOldError, StoreError
from chat_tui.store.schema import SCHEMA_VERSION, migrate, schema_version

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000  # another instance may hold the write lock briefly
PRIVATE_FILE_MODE = 0o600


def open_database(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection to an up-to-date transcript database at `path`.

    Read-write: creates the directory (0700) and file (0600) when missing, upgrades the
    schema. Read-only: changes nothing, and refuses a database that needs upgrading.
    """
    path = Path(path)
    if not read_only:
        ensure_private_dir(path.parent)
        _create_private_file(path)
    _check_is_sqlite_file(path)
    connection = _connect(path, read_only=read_only)
    try:
        _check_version(connection, path, read_only=read_only)
        if not read_only:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")  # WAL-safe; fsync at checkpoints
            migrate(connection)
            restrict_file_modes(path)
    except sqlite3.Error as error:
        connection.close()
        raise StoreError(path, describe_sqlite_error(error)) from error
    except StoreError:
        connection.close()
        raise
    return connection


def _create_private_file(path: Path) -> None:
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return
    except OSError as error:
        raise StoreError(path, f"cannot create the database: {error.strerror}") from error
    os.close(descriptor)


def _check_is_sqlite_file(path: Path) -> None:
    """Reject what SQLite would reject later, with a clearer message and before any write."""
    try:
        with open(path, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise StoreError(path, "not a regular file")
            header = file.read(len(SQLITE_HEADER))
    except FileNotFoundError as error:
        raise StoreError(path, "no database file here") from error
    except IsADirectoryError as error:
        raise StoreError(path, "is a directory, not a database file") from error
    except PermissionError as error:
        raise StoreError(path, "cannot read the database file (permission denied)") from error
    except OSError as error:
        raise StoreError(path, f"cannot read the database file: {error.strerror}") from error
    if header and header != SQLITE_HEADER:
        raise StoreError(path, "not a SQLite database; leaving it untouched")


def _connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    # mode=rw/ro: never let sqlite3 create a file we did not create ourselves (with 0600).
    uri = f"{path.resolve().as_uri()}?mode={'ro' if read_only else 'rw'}"
    try:
        connection = sqlite3.connect(uri, uri=True, isolation_level=None)
    except sqlite3.Error as error:
        raise StoreError(path, describe_sqlite_error(error)) from error
    connection.row_factory = sqlite3.Row
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def _check_version(connection: sqlite3.Connection, path: Path, *, read_only: bool) -> None:
    # Reading the schema forces SQLite to parse the header and the schema pages, so a
    # corrupt or foreign file fails here rather than mid-conversation.
    connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    found = schema_version(connection)
    if found > SCHEMA_VERSION:
        raise StoreError(
            path,
            f"made by a newer chat-tui (schema version {found}; this version knows up to "
            f"{SCHEMA_VERSION}); upgrade chat-tui to use it",
        )
    if read_only and found < SCHEMA_VERSION:
        raise SchemaTooOldError(
            path,
            f"schema version {found} needs upgrading to {SCHEMA_VERSION}, "
            "which a read-only open cannot do",
        )


def restrict_file_modes(path: Path) -> None:
    """0600 for the database and its -wal/-shm (SQLite gives those the database's mode; this
    also tightens files made by something else before us)."""
    for suffix in ("", "-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        with contextlib.suppress(OSError):  # absent, or not ours: nothing to tighten
            os.chmod(companion, PRIVATE_FILE_MODE)


def describe_sqlite_error(error: sqlite3.Error) -> str:
    text = str(error)
    if isinstance(error, sqlite3.DatabaseError) and (
        "not a database" in text or "malformed" in text or "corrupt" in text
    ):
        return f"the database is damaged or not a chat-tui database ({text}); leaving it untouched"
    if "locked" in text or "busy" in text:
        return f"the database is busy in another chat-tui ({text})"
    if "readonly" in text or "read-only" in text:
        return f"the database cannot be written ({text})"
    return text
