"""The real app in a pseudo-terminal, killed with SIGKILL mid-reply: on the next start the
user message is there and the partial reply is kept, marked interrupted."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from chat_tui.conversation import MessageStatus
from chat_tui.store import TranscriptStore

pytestmark = pytest.mark.slow  # runs the console script in a subprocess

DEADLINE_S = 20.0
MESSAGE = "tell me a long story"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")


def streaming_reply(database: Path) -> str | None:
    """The text of a reply still marked streaming, read without writing to the file."""
    if not database.exists():
        return None
    try:
        with contextlib.closing(
            sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1)
        ) as connection:
            row = connection.execute(
                "SELECT text FROM messages WHERE role = 'assistant' AND status = 'streaming' "
                "ORDER BY id DESC LIMIT 1"
            ).fetchone()
    except sqlite3.Error:
        return None  # not created yet, or busy: poll again
    return row[0] if row else None


def start_in_pty(data_dir: Path, config_dir: Path) -> tuple[subprocess.Popen[bytes], int]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.endswith("_API_KEY") and not key.startswith("TEXTUAL")
    }
    env |= {"TERM": "xterm-256color", "CHAT_TUI_CONFIG_DIR": str(config_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "chat_tui", "--data-dir", str(data_dir), "--provider", "simulated"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    return process, master


def drain(master: int, output: bytearray) -> None:
    """Keep reading the terminal so the app never blocks writing to it."""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            return
        if not chunk:
            return
        output += chunk


def test_a_reply_killed_mid_stream_is_kept_as_interrupted(tmp_path: Path) -> None:
    data_dir, config_dir = tmp_path / "data", tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "config.toml").write_text("[simulated]\nttft_ms = 0\ntokens_per_s = 20\n")
    database = data_dir / "transcripts.sqlite3"
    deadline = time.monotonic() + DEADLINE_S

    process, master = start_in_pty(data_dir, config_dir)
    output = bytearray()
    reader = threading.Thread(target=drain, args=(master, output), daemon=True)
    reader.start()
    seen = None
    try:
        # The app is up once it has drawn a good deal and opened its database.
        while time.monotonic() < deadline and not (database.exists() and len(output) > 2000):
            time.sleep(0.05)
        time.sleep(0.3)
        os.write(master, MESSAGE.encode())
        time.sleep(0.2)
        os.write(master, b"\r")
        while time.monotonic() < deadline:
            seen = streaming_reply(database)
            if seen and len(seen) >= 20:
                break
            assert process.poll() is None, f"the app exited: {bytes(output[-2000:])!r}"
            time.sleep(0.05)
        assert seen, "no streaming reply with text reached the database in time"
        seen = streaming_reply(database) or seen  # the latest checkpoint before the kill
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        os.close(master)
        reader.join(timeout=2)

    with TranscriptStore.open(database) as store:
        [summary] = store.list_conversations()
        turns = store.load_conversation(summary.id).turns
    assert [(t.role, t.text) for t in turns[:1]] == [("user", MESSAGE)]
    reply = turns[1]
    assert reply.status is MessageStatus.INTERRUPTED
    assert reply.text.startswith(seen), "the saved text is what was on its way"
    # Progressive saves every 0.5 s at 20 tokens/s: well under a second of text is lost.
    assert len(reply.text) - len(seen) < 200
    assert time.monotonic() < deadline + 5
