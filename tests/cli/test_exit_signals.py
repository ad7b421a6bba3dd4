"""The installed app in a pseudo-terminal, stopped mid-reply by ctrl+q, SIGTERM, SIGHUP or its
terminal closing: each ends in order. The stream is closed (the server stops generating), the
text so far is saved and marked as ctrl+q marks it, the terminal is restored, and the exit
status says how it ended, all within about a second."""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from chat_tui.conversation import MessageStatus
from chat_tui.store import TranscriptStore
from tests.cli.console import PtyRun, environment, isolated_home
from tests.fakeserver import FakeProviderServer, Scenario

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

MESSAGE = "tell me a long story"
SLOW_REPLY = Scenario.text([f" word{i}" for i in range(600)], tokens_per_s=30)
# What leaves the alternate screen, turns mouse reporting off and shows the cursor again.
RESTORE_SEQUENCES = (b"\x1b[?1049l", b"\x1b[?1000l", b"\x1b[?1003l", b"\x1b[?1006l", b"\x1b[?25h")
# An orderly exit takes ~0.2-0.3 s here; the margin is for a loaded machine.
EXIT_WITHIN_S = 2.0
DEADLINE_S = 30.0


def database_of(home: Path) -> Path:
    return home / "xdg" / "data" / "chat-tui" / "transcripts.sqlite3"


def streaming_text(database: Path) -> str | None:
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


def start_a_reply(home: Path, server: FakeProviderServer) -> tuple[PtyRun, str]:
    """The app on the OpenAI path, a slow reply streaming and saved at least once."""
    server.script(SLOW_REPLY)
    env = environment(home, OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=server.openai_base_url)
    run = PtyRun.start(["--provider", "openai", "--model", "gpt-4o"], env)
    run.wait_for(b"Type a message")
    run.type(MESSAGE)
    time.sleep(0.2)  # typed text and Enter in one read would be a paste
    run.type("\r")
    deadline = time.monotonic() + DEADLINE_S
    seen = None
    while time.monotonic() < deadline:
        seen = streaming_text(database_of(home))
        if seen and len(seen) >= 30:
            return run, seen
        assert run.process.poll() is None, f"the app exited: {bytes(run.output[-2000:])!r}"
        time.sleep(0.05)
    run.process.kill()
    raise AssertionError("no streaming reply with text reached the database in time")


def assert_saved_as_stopped(home: Path, seen: str, signal_name: str | None) -> None:
    with TranscriptStore.open(database_of(home)) as store:
        [summary] = store.list_conversations()
        user, reply = store.load_conversation(summary.id).turns
    assert (user.text, user.status) == (MESSAGE, MessageStatus.COMPLETE)
    # Saved at once (not `streaming` until the next start): ctrl+q is the user's choice, a
    # signal or a closed terminal is not, and says so.
    if signal_name is None:
        assert reply.status is MessageStatus.CANCELLED
    else:
        assert reply.status is MessageStatus.INTERRUPTED
        assert reply.error_message == f"the app was ended ({signal_name}) before the reply finished"
    assert reply.text.startswith(seen) and len(reply.text) >= len(seen)
    assert reply.finished_at is not None


STOPS = {
    "ctrl+q": (lambda run: run.type("\x11"), 0),
    "SIGTERM": (lambda run: run.process.send_signal(signal.SIGTERM), 143),
    "SIGHUP": (lambda run: run.process.send_signal(signal.SIGHUP), 0),
}


@pytest.mark.parametrize("how", list(STOPS))
def test_a_reply_stopped_by_quitting_is_saved_and_the_terminal_restored(
    tmp_path: Path, fake_server: FakeProviderServer, how: str
) -> None:
    home = isolated_home(tmp_path)
    run, seen = start_a_reply(home, fake_server)
    stop, expected_status = STOPS[how]
    written_before = len(run.output)
    started = time.monotonic()
    stop(run)
    status = run.finish(timeout=DEADLINE_S)
    took = time.monotonic() - started
    assert status == expected_status, bytes(run.output[-2000:])
    assert took < EXIT_WITHIN_S, f"{how} took {took:.2f} s"
    after = bytes(run.output[written_before:])
    for sequence in RESTORE_SEQUENCES:
        assert sequence in after, f"{sequence!r} not written after {how}: {after[-600:]!r}"
    record = fake_server.last
    assert record is not None and record.wait_finished(5)
    assert record.disconnected and not record.completed, "the stream was closed"
    assert_saved_as_stopped(home, seen, None if how == "ctrl+q" else how)


def test_a_closed_terminal_ends_the_app_in_order(
    tmp_path: Path, fake_server: FakeProviderServer
) -> None:
    home = isolated_home(tmp_path)
    run, seen = start_a_reply(home, fake_server)
    started = time.monotonic()
    run.hang_up()
    status = run.finish(timeout=DEADLINE_S)
    took = time.monotonic() - started
    assert status == 0
    assert took < EXIT_WITHIN_S, f"a hang-up took {took:.2f} s"
    assert_saved_as_stopped(home, seen, "SIGHUP")
