"""A program in a pseudo-terminal, read by a terminal emulator (`pyte`): what a user's terminal
receives, byte for byte, and when.

The parent reads every byte the child writes, stamps each read with `time.monotonic()` (the
clock of the fake server's records) and either feeds it to the emulated screen at once (to wait
for something to appear) or only records it (while a reply streams, so that parsing in this
process does not take CPU from the app) and feeds it later, read by read, to find the moment it
appeared. The emulator answers Textual's query for synchronized output (DEC mode 2026) as most
current terminals do, so every frame arrives between a begin and an end mark and can be counted.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyte

SYNC_QUERY = b"\x1b[?2026$p"
SYNC_REPLY = b"\x1b[?2026;2$y"  # "supported, currently reset"
FRAME_START = b"\x1b[?2026h"
CTRL_Q = b"\x11"

# What every terminal run sees: a common modern terminal, nothing of the caller's own setup.
BASE_ENV = {"TERM": "xterm-256color", "COLORTERM": "truecolor", "LANG": "C.UTF-8"}


def console_script(name: str = "chat-tui") -> Path:
    """The installed console script of this interpreter's environment."""
    script = Path(sys.executable).parent / name
    if not script.exists():
        raise FileNotFoundError(f"{script} is not installed (pip install -e . in this venv)")
    return script


def clean_env(home: Path, extra: Mapping[str, str] = {}) -> dict[str, str]:
    """The caller's PATH and nothing else of theirs: no API keys, a throw-away home."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **BASE_ENV}
    env |= {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    return env | dict(extra)


@dataclass(slots=True)
class Read:
    """One read from the terminal: when it returned and what it brought."""

    at: float
    data: bytes


@dataclass
class Terminal:
    """A child process on a pseudo-terminal of `columns` x `lines`, and its emulated screen."""

    process: subprocess.Popen[bytes]
    leader: int
    spawned_at: float
    screen: pyte.Screen
    stream: pyte.ByteStream
    reads: list[Read] = field(default_factory=list)
    fed: int = 0  # reads already fed to the screen

    @classmethod
    def spawn(
        cls, argv: Sequence[str], env: Mapping[str, str], *, columns: int = 120, lines: int = 40
    ) -> Terminal:
        leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        screen = pyte.Screen(columns, lines)
        spawned_at = time.monotonic()
        process = subprocess.Popen(
            list(argv),
            stdin=follower,
            stdout=follower,
            stderr=follower,
            env=dict(env),
            close_fds=True,
            start_new_session=True,  # the pty becomes its controlling terminal
        )
        os.close(follower)
        return cls(process, leader, spawned_at, screen, pyte.ByteStream(screen))

    # ---- reading --------------------------------------------------------------------------

    def _read_once(self, timeout_s: float) -> Read | None:
        readable, _, _ = select.select([self.leader], [], [], max(0.0, timeout_s))
        if not readable:
            return None
        try:
            data = os.read(self.leader, 1 << 16)
        except OSError:  # the child closed the terminal
            data = b""
        if not data:
            raise EOFError("the program left the terminal")
        read = Read(time.monotonic(), data)
        self.reads.append(read)
        if SYNC_QUERY in data:
            os.write(self.leader, SYNC_REPLY)
        return read

    def feed_recorded(self) -> None:
        for read in self.reads[self.fed :]:
            self.stream.feed(read.data)
        self.fed = len(self.reads)

    def wait_for(self, shown: Callable[[str], bool], timeout_s: float = 30.0) -> float:
        """Read and emulate until `shown(screen text)` holds; the time of the read that made
        it so."""
        self.feed_recorded()
        if shown(self.text()):
            return self.reads[-1].at if self.reads else self.spawned_at
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            read = self._read_once(left)
            if read is None:
                continue
            self.stream.feed(read.data)
            self.fed = len(self.reads)
            if shown(self.text()):
                return read.at
        raise TimeoutError(f"not on screen within {timeout_s:g} s:\n{self.text()}")

    def record_until(self, awaited: bytes, timeout_s: float) -> None:
        """Read without emulating until the program has written `awaited`, then until it has
        been quiet for a moment (its last frames)."""
        deadline = time.monotonic() + timeout_s
        tail = b""
        while (left := deadline - time.monotonic()) > 0:
            read = self._read_once(left)
            if read is None:
                continue
            if awaited in tail + read.data:
                break
            tail = read.data[-len(awaited) :]
        else:
            raise TimeoutError(f"the awaited output did not come within {timeout_s:g} s")
        self.drain(quiet_s=0.3, longest_s=2.0)

    def drain(self, quiet_s: float, longest_s: float) -> None:
        """Read until nothing has come for `quiet_s`, or for `longest_s` at most (a blinking
        cursor is never quiet)."""
        deadline = time.monotonic() + longest_s
        while time.monotonic() < deadline and self._read_once(quiet_s) is not None:
            pass

    def first_shown(self, shown: Callable[[str], bool], since: int) -> Read:
        """Feed the recorded reads from index `since` one by one: the first after which
        `shown(screen text)` holds."""
        for index in range(since, len(self.reads)):
            self.stream.feed(self.reads[index].data)
            self.fed = index + 1
            if shown(self.text()):
                read = self.reads[index]
                self.feed_recorded()
                return read
        raise LookupError(f"never on screen:\n{self.text()}")

    def text(self) -> str:
        return "\n".join(self.screen.display)

    # ---- the program ----------------------------------------------------------------------

    def send(self, keys: bytes) -> None:
        os.write(self.leader, keys)

    def cpu_s(self) -> float:
        """The child's CPU so far (user + system), from /proc."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self, quit_keys: bytes = CTRL_Q) -> None:
        """Ask the program to quit, then make sure it has."""
        try:
            if self.process.poll() is None:
                self.send(quit_keys)
                deadline = time.monotonic() + 5
                while self.process.poll() is None and time.monotonic() < deadline:
                    try:
                        self._read_once(0.05)
                    except EOFError:
                        break
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
            os.close(self.leader)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def frames_in(data: bytes) -> int:
    return data.count(FRAME_START)
